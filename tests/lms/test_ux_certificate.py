"""The certificate names the training period the Indonesian way, snapshotted at issue time."""

import datetime

import pytest
from django.utils import translation

from lms.models import Certificate
from tests.conftest import client_for
from tests.lms.test_certificates import _complete, _url

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (D(2026, 12, 2), D(2026, 12, 6), "2–6 Desember 2026"),
        (D(2026, 11, 28), D(2026, 12, 2), "28 November – 2 Desember 2026"),
        (D(2026, 12, 29), D(2027, 1, 2), "29 Desember 2026 – 2 Januari 2027"),
        (D(2026, 12, 4), D(2026, 12, 4), "4 Desember 2026"),
        (None, D(2026, 12, 4), ""),
    ],
)
def test_period_label_in_indonesian(start, end, label):
    with translation.override("id"):
        assert Certificate(course_starts_on=start, course_ends_on=end).period_label == label


def test_when_course_dates_change_after_issue_then_certificate_keeps_its_period(course, learner):
    course.starts_on, course.ends_on = D(2026, 12, 2), D(2026, 12, 6)
    course.save()
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    course.starts_on, course.ends_on = D(2027, 1, 5), D(2027, 1, 9)
    course.save()
    certificate.refresh_from_db()
    assert (certificate.course_starts_on, certificate.course_ends_on) == (D(2026, 12, 2), D(2026, 12, 6))
    html = client_for(learner).get(_url(certificate), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'id="certificate-period"' in html and "2–6 Desember 2026" in html
    assert 'lang="id"' in html


def test_certificate_names_the_course_signer_as_it_was_at_issue(course, learner):
    course.signer_name, course.signer_title, course.signer_nip = (
        "Dr. Ir. Contoh Pejabat, M.Si.",
        "Kepala BPSDM Provinsi Lampung",
        "197001011995031001",
    )
    course.save()
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    course.signer_name = "Pejabat Baru"
    course.save()
    certificate.refresh_from_db()
    assert certificate.signer_name == "Dr. Ir. Contoh Pejabat, M.Si."
    html = client_for(learner).get(_url(certificate)).content.decode()
    signer = html.split('id="certificate-signer"', 1)[1].split("</div>", 1)[0]
    assert "Dr. Ir. Contoh Pejabat, M.Si." in signer and "Kepala BPSDM Provinsi Lampung" in signer
    assert "NIP 197001011995031001" in signer and "Pejabat Baru" not in html


def test_when_course_names_no_signer_then_the_agency_default_signs(course, learner, settings):
    settings.SIGER_CERTIFICATE_SIGNER_NAME = "Kepala Badan Default"
    settings.SIGER_CERTIFICATE_SIGNER_TITLE = "Kepala Badan"
    settings.SIGER_CERTIFICATE_SIGNER_NIP = ""
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    assert (certificate.signer_name, certificate.signer_title, certificate.signer_nip) == (
        "Kepala Badan Default",
        "Kepala Badan",
        "",
    )
    html = client_for(learner).get(_url(certificate)).content.decode()
    assert "Kepala Badan Default" in html and "NIP </p>" not in html
