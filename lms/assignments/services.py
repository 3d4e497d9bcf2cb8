"""Handing in an assignment (the learner's side). Grading is in lms.assignments.grading."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lms.assignments.models import AssignmentPage, Submission, SubmissionFile, SubmissionStatus, SubmissionVersion
from lms.files import MB, CheckedFile, FileCheckError, file_check, stored_files_discard
from lms.models import Enrollment, EnrollmentStatus, User

TEXT_MAX = 50_000


class SubmissionError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H.i") + " WIB"


def _owner(*, assignment: AssignmentPage, enrollment: Enrollment) -> dict:
    """Who the submission belongs to: the learner, or (per group) the learner's study group."""
    if not assignment.is_group:
        return {"enrollment": enrollment}
    from lms.cohorts.selectors import enrollment_group

    group = enrollment_group(enrollment=enrollment)
    if group is None:
        raise SubmissionError(
            _("Tugas ini dikerjakan per kelompok, dan Anda belum masuk kelompok. Hubungi pengajar Anda.")
        )
    return {"group": group}


def _submission_lock(*, assignment: AssignmentPage, owner: dict, now) -> Submission:
    """The owner's submission, locked for this transaction; created (locked) on the first hand-in."""
    found = Submission.objects.select_for_update().filter(assignment=assignment, **owner).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Submission.objects.create(
                assignment=assignment, status=SubmissionStatus.SUBMITTED, submitted_at=now, **owner
            )
    except IntegrityError:
        # A group member handed in at the same moment: theirs exists now; wait for it and add a version.
        return Submission.objects.select_for_update().get(assignment=assignment, **owner)


def _files_check(*, assignment: AssignmentPage, files: list[UploadedFile]) -> list[CheckedFile]:
    if len(files) > assignment.max_files:
        raise SubmissionError(_("Paling banyak %(n)s berkas per pengumpulan.") % {"n": assignment.max_files})
    max_bytes = min(assignment.max_file_mb, settings.SIGER_ASSIGNMENT_MAX_MB) * MB
    checked = []
    for upload in files:
        try:
            checked.append(file_check(upload=upload, kinds=assignment.accepted_kinds, max_bytes=max_bytes))
        except FileCheckError as error:
            raise SubmissionError(error.message) from None
    return checked


def submission_submit(
    *, assignment: AssignmentPage, enrollment: Enrollment, files: list[UploadedFile], text: str, by: User
) -> Submission:
    """Hand in (again) files and/or a text: a new version of the learner's (or group's) submission; all or nothing."""
    now = timezone.now()
    files = [upload for upload in files or [] if upload]
    text = (text or "").replace("\r\n", "\n").strip()
    if enrollment.status != EnrollmentStatus.ACTIVE or enrollment.course_id != assignment.get_parent().pk:
        raise SubmissionError(_("Hanya peserta aktif pelatihan ini yang dapat mengumpulkan tugas."))
    if not assignment.live:
        raise SubmissionError(_("Tugas ini belum dibuka."))
    if enrollment.user_id != by.pk:
        raise SubmissionError(_("Tugas dikumpulkan oleh pesertanya sendiri."))
    if not assignment.is_open(now):
        raise SubmissionError(_("Pengumpulan sudah ditutup pada %(when)s.") % {"when": _when(assignment.closes_at)})
    if files and not assignment.accepts_files:
        raise SubmissionError(_("Tugas ini dijawab dengan teks, tanpa berkas."))
    if text and not assignment.accepts_text:
        raise SubmissionError(_("Tugas ini dikumpulkan sebagai berkas, tanpa jawaban teks."))
    if not files and not text:
        if assignment.accepts_files and assignment.accepts_text:
            raise SubmissionError(_("Belum ada yang dikumpulkan: unggah berkas atau tulis jawaban Anda."))
        if assignment.accepts_files:
            raise SubmissionError(_("Pilih berkas yang akan dikumpulkan."))
        raise SubmissionError(_("Tulis jawaban Anda terlebih dahulu."))
    if len(text) > TEXT_MAX:
        raise SubmissionError(_("Jawaban terlalu panjang (paling banyak %(n)s karakter).") % {"n": f"{TEXT_MAX:,}"})
    checked = _files_check(assignment=assignment, files=files)
    owner = _owner(assignment=assignment, enrollment=enrollment)

    stored: list[str] = []
    try:
        with transaction.atomic():
            submission = _submission_lock(assignment=assignment, owner=owner, now=now)
            if submission.status == SubmissionStatus.GRADED and (submission.score or 0) >= assignment.pass_mark:
                raise SubmissionError(_("Tugas ini sudah dinilai lulus; tidak dapat dikumpulkan lagi."))
            number = (submission.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = SubmissionVersion.objects.create(
                submission=submission,
                number=number,
                text=text,
                submitted_by=by,
                submitted_at=now,
                is_late=assignment.is_late(now),
            )
            for upload, info in zip(files, checked, strict=True):
                stored_file = SubmissionFile(
                    version=version,
                    original_name=info.name,
                    extension=info.extension,
                    content_type=info.content_type,
                    size=info.size,
                    stored_prefix=f"{assignment.pk}/{submission.pk}",
                )
                upload.seek(0)
                stored_file.file.save(f"berkas.{info.extension}", upload, save=False)
                stored.append(stored_file.file.name)
                stored_file.save()
            submission.status = SubmissionStatus.SUBMITTED
            submission.submitted_at = now
            submission.save(update_fields=["status", "submitted_at"])
    except BaseException:
        stored_files_discard(names=stored)
        raise
    return submission
