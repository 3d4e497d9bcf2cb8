"""Reads for issuing certificates: a programme's settings and who signs."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from lms.models import Certificate, CertificateProgrammeSettings, CoursePage


def course_certificates_valid(*, course: CoursePage, course_class=None) -> list[Certificate]:
    """A course's certificates that are not revoked (of one class's members when given), in number order."""
    certificates = Certificate.objects.valid().filter(enrollment__course=course)
    if course_class is not None:
        certificates = certificates.filter(enrollment__class_membership__course_class=course_class)
    return list(certificates.order_by("year", "sequence"))


def certificate_programme_settings_get(*, programme: str) -> CertificateProgrammeSettings | None:
    return CertificateProgrammeSettings.objects.filter(programme=programme).first()


@dataclass(frozen=True)
class Signer:
    name: str
    title: str
    nip: str


def certificate_signer_for(*, course: CoursePage, programme_settings: CertificateProgrammeSettings | None) -> Signer:
    """Who signs a certificate of this course: the course's official, else the programme's, else the agency's
    (SIGER_CERTIFICATE_SIGNER_*). A name and its NIP come from the same level (a NIP names one person); a title
    left blank there is taken from the next level down (it names an office, "Kepala BPSDM ...")."""
    levels = [
        (course.signer_name, course.signer_title, course.signer_nip),
        (
            (programme_settings.signer_name, programme_settings.signer_title, programme_settings.signer_nip)
            if programme_settings is not None
            else ("", "", "")
        ),
        (
            settings.SIGER_CERTIFICATE_SIGNER_NAME,
            settings.SIGER_CERTIFICATE_SIGNER_TITLE,
            settings.SIGER_CERTIFICATE_SIGNER_NIP,
        ),
    ]
    start = next((i for i, (name, _title, _nip) in enumerate(levels) if name), len(levels) - 1)
    name, _title, nip = levels[start]
    title = next((level_title for _name, level_title, _nip in levels[start:] if level_title), "")
    if not name:
        # Nobody named anywhere: the title as the first level that gives one (as before programme settings).
        title = next((level_title for _name, level_title, _nip in levels if level_title), "")
        nip = next((level_nip for _name, _title, level_nip in levels if level_nip), "")
    return Signer(name=name, title=title, nip=nip)
