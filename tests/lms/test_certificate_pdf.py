"""Certificates as PDF (issue 9, point 6): an A4 PDF made once and stored, made again only to say DICABUT, served
behind the certificate's own door; a course's certificates as one ZIP; BPSDM's own number format per programme."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from lms.certificates.numbers import ROMAN_MONTHS, number_format_validate
from lms.certificates.pdf import BUILTIN_FONTS, certificate_pdf_render
from lms.cohorts.services import class_members_assign, course_class_create
from lms.factories import CoursePageFactory, UserFactory
from lms.models import Certificate, CertificateProgrammeSettings, Programme
from lms.services import certificate_revoke
from tests.conftest import S3_BUCKET as BUCKET
from tests.conftest import client_for
from tests.h5p_fixtures import media_root_fixture  # noqa: F401 - the media_root fixture
from tests.lms.test_certificates import _complete

pytestmark = pytest.mark.django_db

BASE_URL = "https://siger.bpsdm.lampungprov.go.id"


@pytest.fixture(autouse=True)
def _private_media(media_root, settings):
    settings.WAGTAILADMIN_BASE_URL = BASE_URL
    return media_root


@pytest.fixture
def certificate(course, learner) -> Certificate:
    return Certificate.objects.get(enrollment=_complete(course, learner))


def _pdf_url(certificate) -> str:
    return f"/sertifikat/{certificate.code}/pdf/"


def _zip_url(course, query: str = "") -> str:
    return f"/sertifikat/pelatihan/{course.pk}.zip{query}"


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _download(client: Client, certificate) -> bytes:
    response = client.get(_pdf_url(certificate))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


# --- The PDF -------------------------------------------------------------------------------------------------------


def test_when_the_learner_downloads_the_pdf_then_it_states_the_certificate_as_an_attachment(certificate, learner):
    response = client_for(learner).get(_pdf_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="sertifikat-SIGER-TECHNICAL-' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    text = _text(data)
    for stated in (
        "SERTIFIKAT",
        certificate.number,
        "Peserta Uji",
        certificate.learner_nip,
        "Pelatihan Uji",
        certificate.programme_name,
        "sebanyak 20 jam pelajaran (JP)",
        certificate.signer_title.split()[0],
    ):
        assert stated in text, stated
    # The QR code's address is printed beside it: SIGER_BASE_URL, not the Host this request came with.
    assert f"{BASE_URL}/verifikasi/{certificate.code}/" in text
    assert "DICABUT" not in text
    certificate.refresh_from_db()
    assert certificate.pdf.name == f"certificates/{certificate.year}/{certificate.code}.pdf"


def test_when_the_pdf_is_asked_again_then_the_stored_file_is_served_not_made_again(certificate, learner):
    client = client_for(learner)
    first = _download(client, certificate)
    certificate.refresh_from_db()
    name, made_at = certificate.pdf.name, certificate.pdf_generated_at
    modified = default_storage.get_modified_time(name)
    second = _download(client, certificate)
    certificate.refresh_from_db()
    assert (certificate.pdf.name, certificate.pdf_generated_at) == (name, made_at)
    assert default_storage.get_modified_time(name) == modified
    assert first == second
    assert len(os.listdir(default_storage.path(f"certificates/{certificate.year}"))) == 1


def test_when_revoked_then_the_pdf_is_made_once_more_and_says_dicabut(
    certificate, learner, instructor, course, django_capture_on_commit_callbacks
):
    course.instructors.add(instructor)
    course.save()
    client = client_for(learner)
    _download(client, certificate)
    certificate.refresh_from_db()
    valid_name = certificate.pdf.name
    certificate_revoke(certificate=certificate, by=instructor, reason="Presensi dipalsukan")
    with django_capture_on_commit_callbacks(execute=True):
        text = _text(_download(client, certificate))
    assert "DICABUT" in text and "Presensi dipalsukan" in text
    certificate.refresh_from_db()
    assert certificate.pdf.name.endswith("-dicabut.pdf") and certificate.pdf_generated_at >= certificate.revoked_at
    # The valid-looking file is gone; the revoked one is not made a third time.
    assert not default_storage.exists(valid_name)
    name, made_at = certificate.pdf.name, certificate.pdf_generated_at
    _download(client, certificate)
    certificate.refresh_from_db()
    assert (certificate.pdf.name, certificate.pdf_generated_at) == (name, made_at)


def test_when_the_stored_file_is_lost_then_it_is_made_again_not_a_404(certificate, learner):
    client = client_for(learner)
    _download(client, certificate)
    certificate.refresh_from_db()
    default_storage.delete(certificate.pdf.name)
    assert _download(client, certificate).startswith(b"%PDF")
    certificate.refresh_from_db()
    assert default_storage.exists(certificate.pdf.name)


def test_when_another_learner_or_nobody_asks_for_the_pdf_then_no_file_and_nothing_made(certificate):
    assert client_for(UserFactory()).get(_pdf_url(certificate)).status_code == 404
    anonymous = Client().get(_pdf_url(certificate))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/masuk/")
    certificate.refresh_from_db()
    assert not certificate.pdf and certificate.pdf_generated_at is None


def test_when_the_course_instructor_asks_for_a_learners_pdf_then_served(certificate, instructor, course):
    course.instructors.add(instructor)
    course.save()
    from lms.roles import course_instructors_sync

    course_instructors_sync(course=course)
    assert _download(client_for(instructor), certificate).startswith(b"%PDF")


def test_when_the_name_has_characters_outside_latin1_then_the_pdf_prints_it(course):
    learner = UserFactory(full_name="Nguyễn Thị Hằng Đặng — Ağça Şükrü")
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    text = _text(_download(client_for(learner), certificate))
    assert "Nguyễn Thị Hằng Đặng" in text and "Şükrü" in text


def test_when_the_unicode_fonts_are_missing_then_the_builtin_fonts_print_without_failing(course):
    learner = UserFactory(full_name="Nguyễn Đặng 王小明")
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    data = certificate_pdf_render(certificate=certificate, fonts=BUILTIN_FONTS)
    assert data.startswith(b"%PDF")
    text = _text(data)
    # Accents the built-in fonts lack are dropped to the base letter; other scripts become "?".
    assert "Nguyen Dang ???" in text
    assert certificate.number in text


def test_the_certificate_page_links_to_its_pdf(certificate, learner):
    html = client_for(learner).get(f"/sertifikat/{certificate.code}/").content.decode()
    assert f'href="/sertifikat/{certificate.code}/pdf/"' in html and "Unduh PDF" in html


# --- The ZIP of a course -------------------------------------------------------------------------------------------


@pytest.fixture
def graduates(course):
    people = [
        UserFactory(full_name="Budi Santoso"),
        UserFactory(full_name='Siti/Aminah: "Putri"?'),
        UserFactory(full_name="Dicabut Saja"),
    ]
    return [Certificate.objects.get(enrollment=_complete(course, person)) for person in people]


def test_when_a_manager_downloads_the_zip_then_one_pdf_per_valid_certificate_named_by_nip_and_name(
    graduates, course, administrator
):
    budi, siti, revoked = graduates
    certificate_revoke(certificate=revoked, by=administrator, reason="Salah peserta")
    response = client_for(administrator).get(_zip_url(course))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted([f"{budi.learner_nip} Budi Santoso.pdf", f"{siti.learner_nip} Siti Aminah Putri.pdf"])
    for name in names:
        data = archive.read(name)
        assert data.startswith(b"%PDF")
    assert budi.number in _text(archive.read(f"{budi.learner_nip} Budi Santoso.pdf"))
    # Made once for the ZIP, then stored: the single download serves the same file.
    budi.refresh_from_db()
    assert budi.pdf and budi.pdf_generated_at is not None


def test_when_a_class_is_chosen_then_the_zip_holds_only_its_members(graduates, course, administrator):
    budi = graduates[0]
    course_class = course_class_create(course=course, name="Kelas A")
    class_members_assign(course_class=course_class, enrollments=[budi.enrollment], by=administrator)
    response = client_for(administrator).get(_zip_url(course, f"?kelas={course_class.pk}"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"{budi.learner_nip} Budi Santoso.pdf"]


def test_when_the_course_has_no_valid_certificate_then_back_to_kelola_with_a_message(course, administrator):
    response = client_for(administrator).get(_zip_url(course), follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0].endswith("/kelola/")
    assert "Belum ada sertifikat yang sah" in response.content.decode()


@pytest.mark.parametrize("who", ["learner", "other_instructor"])
def test_when_someone_who_does_not_manage_the_course_asks_for_the_zip_then_refused(graduates, course, who):
    from lms.models import Role
    from lms.roles import user_set_role

    person = graduates[0].enrollment.user
    if who == "other_instructor":
        person = user_set_role(user=UserFactory(), role=Role.INSTRUCTOR)
        other = CoursePageFactory(parent=course.get_parent())
        other.instructors.add(person)
        other.save()
    response = client_for(person).get(_zip_url(course))
    assert response.status_code == 403
    assert response.get("Content-Type", "").startswith("text/html")
    assert not Certificate.objects.exclude(pdf="").exists()


def test_the_kelola_page_links_to_the_zip(graduates, course, administrator):
    html = client_for(administrator).get(course.url + "kelola/").content.decode()
    assert f'href="/sertifikat/pelatihan/{course.pk}.zip"' in html
    assert f'href="/sertifikat/{graduates[0].code}/pdf/"' in html


# --- Number format per programme -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "BPSDM/{year}",  # no {seq}: numbers would repeat
        "BPSDM/{seq:04d}",  # no {year}: {seq} restarts each year
        "{seq.real}/{year}",  # attribute access
        "{seq}/{year[0]}",  # index access
        "{seq!r}/{year}",  # conversion
        "{nama}/{seq}/{year}",  # unknown field
        "{seq:>1000}/{year}",  # a width that fills memory
        "{seq:{year}}/{year}",  # nested field
        "{programme:x}/{seq}/{year}",
        "BPSDM/{seq/{year}",  # unbalanced
        "X" * 45 + "/{seq}/{year}",  # longer than a number may be
        "BPSDM/{seq}/{year}\n",  # control character
    ],
)
def test_when_a_number_format_is_unsafe_or_not_unique_then_it_is_refused(template):
    with pytest.raises(ValidationError):
        number_format_validate(template)
    row = CertificateProgrammeSettings(programme=Programme.PKA, number_format=template)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "number_format" in error.value.message_dict


@pytest.mark.parametrize(
    "template",
    ["800/{seq:04d}/BPSDM/{roman_month}/{year}", "SERT.{seq}/{programme}/{month:02d}/{year}", "{{{seq}}}-{year}"],
)
def test_when_a_number_format_is_safe_then_it_is_accepted(template):
    number_format_validate(template)
    CertificateProgrammeSettings(programme=Programme.PKA, number_format=template).full_clean()


def test_when_two_programmes_would_share_one_format_without_programme_then_the_second_is_refused():
    CertificateProgrammeSettings.objects.create(programme=Programme.PKA, number_format="BPSDM/{seq}/{year}")
    row = CertificateProgrammeSettings(programme=Programme.PKP, number_format="BPSDM/{seq}/{year}")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "number_format" in error.value.message_dict
    CertificateProgrammeSettings(programme=Programme.PKP, number_format="BPSDM/{programme}/{seq}/{year}").full_clean()


def test_when_the_programme_has_a_format_then_certificates_are_numbered_by_it(course, learner):
    CertificateProgrammeSettings.objects.create(
        programme=Programme.TECHNICAL, number_format="800/{seq:04d}/BPSDM/{roman_month}/{year}"
    )
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    now = timezone.localtime(certificate.issued_at)
    assert certificate.number == f"800/0001/BPSDM/{ROMAN_MONTHS[now.month - 1]}/{now.year}"
    second = Certificate.objects.get(enrollment=_complete(course, UserFactory()))
    assert second.number == f"800/0002/BPSDM/{ROMAN_MONTHS[now.month - 1]}/{now.year}"


def test_when_a_programme_has_no_format_then_the_siger_default_stays(course, learner):
    CertificateProgrammeSettings.objects.create(programme=Programme.TECHNICAL, signer_name="Pejabat Program")
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    assert certificate.number == f"SIGER/TECHNICAL/{certificate.year}/000001"


def test_when_a_format_would_repeat_an_issued_number_then_the_default_number_is_used(catalogue):
    pka = CoursePageFactory(parent=catalogue, programme=Programme.PKA)
    pkp = CoursePageFactory(parent=catalogue, programme=Programme.PKP)
    from lms.factories import ModulePageFactory

    for course in (pka, pkp):
        ModulePageFactory(parent=course)
    settings_pka = CertificateProgrammeSettings.objects.create(programme=Programme.PKA, number_format="N/{seq}/{year}")
    first = Certificate.objects.get(enrollment=_complete(pka, UserFactory()))
    assert first.number == f"N/1/{first.year}"
    # PKA moves to another format; PKP takes the old one over, and its first number would be PKA's.
    settings_pka.number_format = "PKA/{seq}/{year}"
    settings_pka.save()
    CertificateProgrammeSettings.objects.create(programme=Programme.PKP, number_format="N/{seq}/{year}")
    second = Certificate.objects.get(enrollment=_complete(pkp, UserFactory()))
    assert second.number == f"SIGER/PKP/{second.year}/000001"
    assert Certificate.objects.count() == 2


def test_when_a_stored_format_is_invalid_then_completion_still_issues_with_the_default(course, learner):
    # Written around the admin's validation (a database edit): the completion must not fail for it.
    CertificateProgrammeSettings.objects.create(programme=Programme.TECHNICAL, number_format="{seq.real}")
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    assert certificate.number == f"SIGER/TECHNICAL/{certificate.year}/000001"


# --- Who signs --------------------------------------------------------------------------------------------------


def test_when_the_course_names_no_signer_then_the_programme_signer_signs(course, learner, settings):
    settings.SIGER_CERTIFICATE_SIGNER_NAME = "Pejabat Bawaan"
    settings.SIGER_CERTIFICATE_SIGNER_NIP = "196501011990031001"
    CertificateProgrammeSettings.objects.create(
        programme=Programme.TECHNICAL, signer_name="Dr. Pejabat Program", signer_nip="197201012000031002"
    )
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    # The programme's official with their own NIP; the office's title from the agency default.
    assert (certificate.signer_name, certificate.signer_nip) == ("Dr. Pejabat Program", "197201012000031002")
    assert certificate.signer_title == settings.SIGER_CERTIFICATE_SIGNER_TITLE


def test_when_the_course_names_a_signer_then_the_course_signer_wins(course, learner):
    CertificateProgrammeSettings.objects.create(
        programme=Programme.TECHNICAL, signer_name="Dr. Pejabat Program", signer_title="Kepala Program"
    )
    course.signer_name, course.signer_title = "Pejabat Pelatihan", "Kepala Bidang"
    course.save()
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    assert (certificate.signer_name, certificate.signer_title, certificate.signer_nip) == (
        "Pejabat Pelatihan",
        "Kepala Bidang",
        "",
    )


def test_when_the_programme_signer_nip_is_not_18_digits_then_refused():
    row = CertificateProgrammeSettings(programme=Programme.PKA, signer_nip="12345")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "signer_nip" in error.value.message_dict
    row.signer_nip = "19720101 200003 1 002"
    row.full_clean()
    assert row.signer_nip == "197201012000031002"


# --- On S3 -------------------------------------------------------------------------------------------------------


def test_on_s3_the_pdf_is_stored_in_the_bucket_and_handed_out_as_a_presigned_attachment(
    s3,  # noqa: F811
    course,
    learner,
    administrator,
):
    certificate = Certificate.objects.get(enrollment=_complete(course, learner))
    response = client_for(learner).get(_pdf_url(certificate))
    assert response.status_code == 302
    location = response["Location"]
    assert f"/{BUCKET}/certificates/{certificate.year}/{certificate.code}.pdf" in location
    assert "X-Amz-Signature=" in location and "response-content-disposition=attachment" in location
    assert response["Cache-Control"] == "private, no-store"
    key = f"certificates/{certificate.year}/{certificate.code}.pdf"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().startswith(b"%PDF")
    # The course's ZIP reads the stored files from the bucket too.
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client_for(administrator).get(_zip_url(course)).streaming_content)))
    assert archive.read(f"{certificate.learner_nip} Peserta Uji.pdf").startswith(b"%PDF")


# --- The admin ---------------------------------------------------------------------------------------------------


def test_when_an_administrator_saves_programme_settings_in_the_admin_then_bad_formats_are_refused(administrator):
    from django.urls import reverse

    client = client_for(administrator)
    add_url = reverse("wagtailsnippets_lms_certificateprogrammesettings:add")
    assert client.get(add_url).status_code == 200
    body = {"programme": Programme.PKA, "number_format": "{seq.real}/{year}", "signer_nip": ""}
    refused = client.post(add_url, body)
    assert refused.status_code == 200 and "tidak dikenal" in refused.content.decode()
    assert not CertificateProgrammeSettings.objects.exists()
    body["number_format"] = "800/{seq:04d}/BPSDM/{roman_month}/{year}"
    assert client.post(add_url, body).status_code == 302
    assert CertificateProgrammeSettings.objects.get().number_format == "800/{seq:04d}/BPSDM/{roman_month}/{year}"


def test_when_an_instructor_opens_the_programme_settings_admin_then_refused(instructor):
    from django.urls import reverse

    response = client_for(instructor).get(reverse("wagtailsnippets_lms_certificateprogrammesettings:add"))
    assert response.status_code in (302, 403)
    assert not CertificateProgrammeSettings.objects.exists()


def test_when_the_certificate_is_a_programme_runs_sttpp_then_pdf_and_pages_state_predicate_and_batch(
    certificate, learner
):
    certificate.predicate, certificate.batch = "Sangat Memuaskan", "Angkatan II"
    certificate.save(update_fields=["predicate", "batch"])
    text = _text(certificate_pdf_render(certificate=certificate))
    assert "STTPP" in text and "SERTIFIKAT" not in text
    assert "Surat Tanda Tamat Pendidikan dan Pelatihan" in text
    assert "dengan predikat Sangat Memuaskan" in text
    assert "Angkatan II" in text
    page = client_for(learner).get(f"/sertifikat/{certificate.code}/").content.decode()
    assert 'id="certificate-predicate"' in page and "Sangat Memuaskan" in page and "Angkatan II" in page
    verify = Client().get(f"/verifikasi/{certificate.code}/").content.decode()
    assert 'id="verify-predicate">Sangat Memuaskan<' in verify and "Angkatan II" in verify
