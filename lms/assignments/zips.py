"""Every submission of one assignment as one ZIP: a folder per learner ("<NIP> <Nama>") or per group, the
latest version's files under their original names, a text answer as jawaban.txt, and daftar.csv.

Names inside the archive come from people (a learner's file name, a group's name): they are reduced to one
plain path segment, so that no entry can climb out of its folder when the archive is extracted ("../../x.pdf",
"C:\\x", a leading "/"). The archive is written to a spooled temporary file, never held whole in memory:
200 learners × 20 MB would not fit."""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
import zipfile

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from lms.assignments.models import AssignmentPage, Submission, SubmissionVersion
from lms.cohorts.models import ClassMembership, GroupMembership
from lms.exports import table_csv

SPOOL_MAX_BYTES = 16 * 1024 * 1024  # past this, the archive goes to a temporary file on disk
NAME_MAX = 120
TEXT_ANSWER_NAME = "jawaban.txt"
LIST_NAME = "daftar.csv"


def zip_name_safe(name: str, *, fallback: str) -> str:
    """One path segment for a ZIP entry: no separators, no "..", no control characters, not empty."""
    name = unicodedata.normalize("NFC", name or "")
    # The last segment only, whichever separator the uploader's system used.
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in ':*?"<>|')
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip(" .")
    if not name:
        return fallback
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 8:
            return stem[: NAME_MAX - len(extension) - 1] + "." + extension
        return name[:NAME_MAX]
    return name


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or "name (2).ext", "name (3).ext"… when the folder already holds it (case-insensitively)."""
    candidate, n = name, 1
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}){'.' + extension if extension else ''}"
    taken.add(candidate.casefold())
    return candidate


def _submissions(assignment: AssignmentPage) -> list[Submission]:
    return list(
        Submission.objects.filter(assignment=assignment)
        .select_related("enrollment__user", "group__course_class")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=SubmissionVersion.objects.prefetch_related("files").order_by("-number"),
                to_attr="versions_newest_first",
            ),
            Prefetch(
                "group__memberships",
                queryset=GroupMembership.objects.select_related("enrollment__user").order_by("enrollment__user__nip"),
            ),
        )
        .order_by("enrollment__user__nip", "group__course_class__name", "group__name", "pk")
    )


def _class_names(submissions: list[Submission]) -> dict[int, str]:
    """enrollment id -> class name, for every learner in these submissions."""
    enrollment_ids = set()
    for submission in submissions:
        if submission.enrollment_id is not None:
            enrollment_ids.add(submission.enrollment_id)
        else:
            enrollment_ids.update(m.enrollment_id for m in submission.group.memberships.all())
    memberships = ClassMembership.objects.filter(enrollment_id__in=enrollment_ids).select_related("course_class")
    return {m.enrollment_id: m.course_class.name for m in memberships}


def _folder(submission: Submission) -> str:
    if submission.enrollment_id is not None:
        user = submission.enrollment.user
        return zip_name_safe(f"{user.nip} {user.full_name}", fallback=user.nip)
    group = submission.group
    return zip_name_safe(f"{group.name} ({group.course_class.name})", fallback=f"kelompok-{group.pk}")


def submissions_zip_build(*, assignment: AssignmentPage) -> tempfile.SpooledTemporaryFile:
    """The ZIP of an assignment's submissions, as an open file at position 0 (the caller closes it)."""
    submissions = _submissions(assignment)
    classes = _class_names(submissions)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115 (handed to the response)
    folders: set[str] = {LIST_NAME.casefold()}
    rows = []
    with zipfile.ZipFile(spool, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for submission in submissions:
            folder = _unique(_folder(submission), folders)
            version = submission.versions_newest_first[0] if submission.versions_newest_first else None
            taken: set[str] = set()
            if version is not None:
                if version.text.strip():
                    archive.writestr(f"{folder}/{_unique(TEXT_ANSWER_NAME, taken)}", version.text.encode("utf-8"))
                for stored in version.files.all():
                    fallback = f"berkas-{stored.pk}.{stored.extension}"
                    entry = f"{folder}/{_unique(zip_name_safe(stored.original_name, fallback=fallback), taken)}"
                    try:
                        source = stored.file.open("rb")
                    except (FileNotFoundError, OSError):
                        # Lost from storage (restored backup, manual cleanup): say so rather than fail the whole ZIP.
                        message = _("Berkas %(name)s tidak ditemukan di penyimpanan.") % {"name": stored.original_name}
                        archive.writestr(f"{entry}.hilang.txt", message.encode("utf-8"))
                        continue
                    with source, archive.open(entry, mode="w", force_zip64=True) as target:
                        shutil.copyfileobj(source, target, 1024 * 1024)
            members = (
                [submission.enrollment]
                if submission.enrollment_id is not None
                else [m.enrollment for m in submission.group.memberships.all()]
            )
            for enrollment in members:
                rows.append(
                    [
                        enrollment.user.nip,
                        enrollment.user.full_name,
                        classes.get(enrollment.pk, ""),
                        submission.group.name if submission.group_id else "",
                        submission.get_status_display(),
                        submission.score if submission.score is not None else "",
                        bool(version and version.is_late),
                        version.number if version else "",
                        folder,
                    ]
                )
        header = ["NIP", _("Nama"), _("Kelas"), _("Kelompok"), _("Status"), _("Nilai"), _("Terlambat"), _("Versi")]
        archive.writestr(LIST_NAME, table_csv([*header, _("Folder")], rows))
    spool.seek(0)
    return spool
