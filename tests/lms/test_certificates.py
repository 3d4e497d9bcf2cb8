"""Course completion certificates: issued on completion, a true copy of their day, private to who may see them,
verifiable by anyone with the code, revocable with a reason."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from lms.demo import demo_seed
from lms.factories import CoursePageFactory, ModulePageFactory, UserFactory
from lms.models import Certificate, Enrollment, EnrollmentStatus, Programme
from lms.services import (
    CertificateError,
    certificate_issue,
    certificate_revoke,
    enrollment_create,
    progress_complete,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _complete(course, user) -> Enrollment:
    enrollment = enrollment_create(user=user, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    enrollment.refresh_from_db()
    return enrollment


@pytest.fixture
def certificate(course, learner) -> Certificate:
    return Certificate.objects.get(enrollment=_complete(course, learner))


def _url(certificate) -> str:
    return f"/sertifikat/{certificate.code}/"


def _verify_url(certificate) -> str:
    return f"/verifikasi/{certificate.code}/"


def test_when_the_last_step_is_completed_then_exactly_one_certificate_is_issued(course, learner):
    enrollment = _complete(course, learner)
    assert enrollment.status == EnrollmentStatus.COMPLETED
    certificate = Certificate.objects.get()
    assert certificate.enrollment == enrollment
    assert certificate.issued_by is None
    assert certificate.learner_nip == learner.nip and certificate.course_title == course.title
    assert certificate.jp_credit == course.jp_credit
    assert len(certificate.code) >= 12
    year = timezone.localdate().year
    assert certificate.number == f"SIGER/TECHNICAL/{year}/000001"
    # A step completed again, or another one, issues nothing more.
    progress_complete(enrollment=enrollment, item=course.get_children().first().specific, source="marked_done")
    assert Certificate.objects.count() == 1


def test_when_issued_twice_then_the_same_certificate_is_returned(certificate, administrator):
    again = certificate_issue(enrollment=certificate.enrollment, issued_by=administrator)
    assert again.pk == certificate.pk
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get().issued_by is None


def test_when_enrollment_is_not_completed_then_issue_is_refused_and_nothing_is_created(course, learner):
    enrollment = enrollment_create(user=learner, course=course)
    progress_complete(enrollment=enrollment, item=course.get_children().first().specific, source="marked_done")
    with pytest.raises(CertificateError) as error:
        certificate_issue(enrollment=enrollment)
    assert error.value.code == "not_completed"
    assert not Certificate.objects.exists()


def test_when_learner_and_course_are_renamed_later_then_the_certificate_keeps_what_it_stated(
    certificate, learner, course
):
    original_name, original_title = learner.full_name, course.title
    learner.full_name, learner.rank, learner.position = "Nama Baru", "IV/a", "Kepala Dinas"
    learner.save()
    course.title, course.jp_credit = "Judul Baru", 99
    course.save_revision().publish()

    certificate.refresh_from_db()
    assert (certificate.learner_name, certificate.learner_rank) == (original_name, "III/b")
    assert (certificate.course_title, certificate.jp_credit) == (original_title, 20)
    page = client_for(learner).get(_url(certificate)).content.decode()
    # the certificate itself; the page header names whoever is signed in, by their current name
    page = page[page.index('id="certificate"') : page.index("</article>")]
    assert original_name in page and original_title in page
    assert "Nama Baru" not in page and "Judul Baru" not in page


def test_when_learner_opens_own_certificate_then_it_shows_with_a_qr_code_of_the_verification_url(certificate, learner):
    response = client_for(learner).get(_url(certificate))
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.number in page and learner.full_name in page
    assert "<svg" in page and f"http://testserver/verifikasi/{certificate.code}/" in page
    stylesheet = Path(finders.find("css/siger.css")).read_text(encoding="utf-8")
    assert "@media print" in stylesheet and "A4 landscape" in stylesheet


def test_when_another_learner_asks_for_a_certificate_then_404(certificate):
    assert client_for(UserFactory()).get(_url(certificate)).status_code == 404
    assert client_for(UserFactory()).get("/sertifikat/tidak-ada-kode/").status_code == 404


def test_when_anonymous_asks_for_a_certificate_then_sent_to_login(certificate):
    response = Client().get(_url(certificate))
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_when_administrator_or_course_instructor_opens_a_certificate_then_200(
    certificate, course, administrator, instructor
):
    assert client_for(instructor).get(_url(certificate)).status_code == 404  # not this course's instructor
    course.instructors.add(instructor)
    course.save()
    assert client_for(instructor).get(_url(certificate)).status_code == 200
    assert client_for(administrator).get(_url(certificate)).status_code == 200


def test_when_anyone_verifies_a_code_then_only_the_attested_fields_show_with_nip_masked(certificate, learner):
    response = Client().get(_verify_url(certificate))
    assert response.status_code == 200
    page = response.content.decode()
    assert learner.full_name in page and certificate.course_title in page and "Sah" in page
    assert learner.nip not in page
    assert "••••••••••••••" + learner.nip[-4:] in page
    assert certificate.number not in page  # not one of the published fields
    assert learner.position not in page and str(learner.work_unit) not in page
    assert Client().get("/verifikasi/tidak-ada-kode/").status_code == 404


def test_when_certificate_is_revoked_then_verification_says_so(certificate, administrator):
    certificate_revoke(certificate=certificate, by=administrator, reason="Data kehadiran dipalsukan")
    page = Client().get(_verify_url(certificate)).content.decode()
    assert "Dicabut" in page and "Sah" not in page
    assert "dipalsukan" not in page  # the reason is for the record, not the public


def test_when_revoking_without_a_reason_then_refused_and_nothing_changes(certificate, administrator, course):
    with pytest.raises(CertificateError):
        certificate_revoke(certificate=certificate, by=administrator, reason="  ")
    response = client_for(administrator).post(_url(certificate) + "cabut/", {"alasan": ""}, follow=True)
    assert "Isi alasan pencabutan" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_when_revoke_reason_is_too_long_then_refused_with_the_limit_and_nothing_changes(certificate, administrator):
    response = client_for(administrator).post(_url(certificate) + "cabut/", {"alasan": "x" * 501}, follow=True)
    assert "paling panjang 500 karakter" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and certificate.revoke_reason == ""


def test_when_revoke_is_posted_without_csrf_token_then_403_and_nothing_changes(certificate, administrator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    assert client.post(_url(certificate) + "cabut/", {"alasan": "Salah data"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_when_manager_revokes_from_the_kelola_page_then_it_is_revoked_and_listed_so(
    certificate, course, instructor, learner
):
    course.instructors.add(instructor)
    course.save()
    client = client_for(instructor)
    manage = client.get(course.url + "kelola/").content.decode()
    assert certificate.number in manage and f'action="/sertifikat/{certificate.code}/cabut/"' in manage
    response = client.post(_url(certificate) + "cabut/", {"alasan": "Salah data peserta"})
    assert response.status_code == 302 and response["Location"] == course.url + "kelola/"
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == instructor
    assert certificate.revoke_reason == "Salah data peserta"
    assert "Salah data peserta" in client.get(course.url + "kelola/").content.decode()
    # The learner may see the certificate but not revoke it.
    assert client_for(learner).post(_url(certificate) + "cabut/", {"alasan": "x"}).status_code == 403


def test_when_certificates_are_issued_then_numbers_are_unique_and_sequential_per_programme_and_year(catalogue, course):
    pka = CoursePageFactory(parent=catalogue, programme=Programme.PKA)
    ModulePageFactory(parent=pka)
    for _ in range(3):
        _complete(course, UserFactory())
    _complete(pka, UserFactory())
    year = timezone.localdate().year
    technical = list(Certificate.objects.filter(programme=Programme.TECHNICAL).values_list("number", flat=True))
    assert technical == [f"SIGER/TECHNICAL/{year}/{n:06d}" for n in (1, 2, 3)]
    assert Certificate.objects.get(programme=Programme.PKA).number == f"SIGER/PKA/{year}/000001"
    assert len(set(Certificate.objects.values_list("code", flat=True))) == 4


def test_when_course_is_completed_then_dashboard_links_to_its_certificate(certificate, learner):
    page = client_for(learner).get("/saya/").content.decode()
    assert f'href="/sertifikat/{certificate.code}/"' in page


def test_when_names_hold_markup_then_certificate_pages_escape_them(course):
    learner = UserFactory(full_name='<script>alert("x")</script>')
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    for response in (client_for(learner).get(_url(certificate)), Client().get(_verify_url(certificate))):
        page = response.content.decode()
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;" in page


def test_when_demo_is_seeded_twice_then_completed_learners_have_one_certificate_each():
    demo_seed()
    completed = Enrollment.objects.completed()
    assert completed.exists()
    assert Certificate.objects.count() == completed.count()
    numbers = set(Certificate.objects.values_list("number", flat=True))
    demo_seed()
    assert Certificate.objects.count() == completed.count()
    assert set(Certificate.objects.values_list("number", flat=True)) == numbers
