"""The IP ASN competence estimate of one person: what counts for which component, and what would raise it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.competence.estimate import estimate_for
from lms.competence.models import AsnProfile, CompetencePointRule, EntrySource, LearningRoute, LedgerEntry
from lms.factories import CoursePageFactory, ModulePageFactory, UserFactory
from lms.models import Certificate, Programme
from lms.services import certificate_revoke, enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _complete(user, course):
    enrollment = enrollment_create(user=user, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    enrollment.refresh_from_db()
    return enrollment


def _submitted(user, *, jp, form="bimtek", title="Bimtek Keuangan Daerah", day=None):
    day = day or datetime.date(YEAR, 1, 5)
    return LedgerEntry.objects.create(
        user=user,
        nip=user.nip,
        work_unit=user.work_unit,
        starts_on=day,
        ends_on=day,
        jp=Decimal(jp),
        route=LearningRoute.CLASSICAL,
        form=form,
        title=title,
        source=EntrySource.SUBMISSION,
        status="recorded",
    )


@pytest.fixture
def pka(catalogue):
    course = CoursePageFactory(parent=catalogue, title="PKA Angkatan II", programme=Programme.PKA, jp_credit=40)
    ModulePageFactory(parent=course)
    return course


def test_a_completed_pka_is_level_training_for_an_administrator_and_not_technical_training(pka, administrator):
    person = UserFactory()
    AsnProfile.objects.create(user=person, position_group="administrator")
    enrollment = _complete(person, pka)
    _submitted(person, jp="12")

    estimate = estimate_for(user=person, year=YEAR)
    assert estimate.level_training and estimate.technical_jp == Decimal("12") and not estimate.seminar
    assert estimate.points == Decimal("15")
    assert [s.text for s in estimate.suggestions] == [
        f"8 JP pelatihan teknis lagi sebelum 31 Desember {YEAR}",
        f"Ikuti satu seminar, workshop atau webinar sebelum 31 Desember {YEAR}",
    ]
    # A revoked certificate takes the level training back with its JP.
    certificate_revoke(certificate=Certificate.objects.get(enrollment=enrollment), by=administrator, reason="Batal")
    estimate = estimate_for(user=person, year=YEAR)
    assert not estimate.level_training and estimate.points == 0
    # The most points first; at equal points the nearer step: technical JP before a whole leadership training.
    assert [s.component for s in estimate.suggestions] == ["teknis_20jp", "diklat_jenjang", "seminar"]
    assert estimate.suggestions[1].text.startswith("Ikuti PKA (Pelatihan Kepemimpinan Administrator)")


def test_a_pka_is_not_the_level_training_of_a_supervisor(pka):
    person = UserFactory()
    AsnProfile.objects.create(user=person, position_group="pengawas")
    _complete(person, pka)
    assert not estimate_for(user=person, year=YEAR).level_training


def test_a_pelaksana_scores_technical_training_and_seminars_by_the_editable_table():
    person = UserFactory()  # no profile: pelaksana
    _submitted(person, jp="20")
    _submitted(person, jp="2", form="webinar", title="Webinar SPBE")
    _submitted(person, jp="30", day=datetime.date(YEAR - 1, 12, 31))  # another year: not the last 12 months
    estimate = estimate_for(user=person, year=YEAR)
    assert (estimate.technical_jp, estimate.seminar, estimate.points) == (Decimal("20"), True, Decimal("40"))
    assert estimate.suggestions == []

    CompetencePointRule.objects.filter(position_kind="pelaksana", component="seminar").update(points=Decimal("5"))
    assert estimate_for(user=person, year=YEAR).points == Decimal("30")
    rule = CompetencePointRule.objects.get(position_kind="pelaksana", component="teknis_20jp")
    assert rule.points == Decimal("25") and not rule.confirmed  # seeded by 0006, marked for review


def test_level_training_done_outside_siger_counts_by_its_title_and_not_as_technical():
    person = UserFactory()
    AsnProfile.objects.create(user=person, position_group="fungsional")
    _submitted(person, jp="30", form="pelatihan", title="Pelatihan Fungsional Auditor")
    estimate = estimate_for(user=person, year=YEAR)
    assert estimate.level_training and estimate.technical_jp == 0 and estimate.points == Decimal("15")


def test_the_learner_sees_the_estimate_on_pelatihan_saya_and_its_details(administrator):
    person = UserFactory()
    _submitted(person, jp="4")
    dashboard = client_for(person).get(reverse("lms:dashboard")).content.decode()
    assert 'id="estimate-this-year">0<' in dashboard
    assert f"16 JP pelatihan teknis lagi sebelum 31 Desember {YEAR}" in dashboard
    details = client_for(person).get(reverse("competence:estimate_mine")).content.decode()
    assert 'id="estimate-next"' in details and "+25" in details

    url = reverse("competence:estimate_province")
    assert client_for(person).get(url).status_code == 403
    page = client_for(administrator).get(url).content.decode()
    assert 'id="estimate-total"' in page and "26,53" in page
