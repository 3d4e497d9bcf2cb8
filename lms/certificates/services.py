"""Writes: a certificate's PDF, stored once (lms.certificates.pdf), and a course's certificates as one ZIP."""

from __future__ import annotations

import re
import tempfile
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from lms.assignments.zips import zip_name_safe
from lms.certificates.pdf import certificate_pdf_render
from lms.models import Certificate

SPOOL_MAX_BYTES = 16 * 1024 * 1024  # past this, the archive goes to a temporary file on disk


def certificate_pdf_is_current(certificate: Certificate) -> bool:
    """A stored PDF states the certificate as it is: it exists and, if revoked, was made after the revocation."""
    if not certificate.pdf or certificate.pdf_generated_at is None:
        return False
    return not certificate.is_revoked or certificate.pdf_generated_at >= certificate.revoked_at


def _pdf_path(certificate: Certificate) -> str:
    # The code is the certificate's unguessable key; a revoked one gets a second name, so that a copy of the valid
    # file cached anywhere by its name is not mistaken for the current one.
    suffix = "-dicabut" if certificate.is_revoked else ""
    return f"certificates/{certificate.year}/{certificate.code}{suffix}.pdf"


def certificate_pdf_ensure(*, certificate: Certificate, remake: bool = False) -> Certificate:
    """The certificate with its stored PDF: made on first use, and made again only once after a revocation (or,
    with `remake`, when its file was lost from storage)."""
    if not remake and certificate_pdf_is_current(certificate):
        return certificate
    with transaction.atomic():
        # The row lock makes a concurrent second request wait, then find the first one's file.
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if remake or not certificate_pdf_is_current(locked):
            stale = locked.pdf.name if locked.pdf else ""
            # A file written for a transaction that then rolls back stays behind unreferenced: harmless.
            name = default_storage.save(_pdf_path(locked), ContentFile(certificate_pdf_render(certificate=locked)))
            locked.pdf.name, locked.pdf_generated_at = name, timezone.now()
            locked.save(update_fields=["pdf", "pdf_generated_at"])
            if stale and stale != name:
                # The valid certificate's file must not outlive its revocation.
                transaction.on_commit(lambda: default_storage.delete(stale))
    certificate.pdf, certificate.pdf_generated_at = locked.pdf, locked.pdf_generated_at
    return certificate


def certificate_pdf_filename(certificate: Certificate) -> str:
    """sertifikat-SIGER-PKA-2026-000001.pdf: the number without the separators a file name cannot hold."""
    return "sertifikat-" + re.sub(r"[^0-9A-Za-z._-]+", "-", certificate.number).strip("-.") + ".pdf"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    stem = name.removesuffix(".pdf")
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}).pdf"
    taken.add(candidate.casefold())
    return candidate


def certificates_zip_build(*, certificates: list[Certificate]) -> tempfile.SpooledTemporaryFile:
    """The certificates' PDFs (made now where missing) as one ZIP of "<NIP> <Nama>.pdf", open at position 0 (the
    caller closes it)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115 (handed to the response)
    taken: set[str] = set()
    # PDFs are compressed already: stored as they are.
    with zipfile.ZipFile(spool, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            certificate = certificate_pdf_ensure(certificate=certificate)
            # A slash in a name is not a folder: zip_name_safe would keep only what follows it (the NIP lost).
            person = re.sub(r"[/\\]+", " ", f"{certificate.learner_nip} {certificate.learner_name}")
            stem = zip_name_safe(" ".join(person.split()), fallback=certificate.code)
            entry = _unique(f"{stem}.pdf", taken)
            try:
                with certificate.pdf.open("rb") as source:
                    archive.writestr(entry, source.read())
            except (FileNotFoundError, OSError):
                # Lost from storage since it was made: made again rather than left out of the archive.
                certificate = certificate_pdf_ensure(certificate=certificate, remake=True)
                with certificate.pdf.open("rb") as source:
                    archive.writestr(entry, source.read())
    spool.seek(0)
    return spool
