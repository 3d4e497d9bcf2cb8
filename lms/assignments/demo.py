"""Demo data: a "Rancangan Aktualisasi" assignment in the PKA course, with a rubric of three criteria, one
learner's graded (passed) hand-in and another's waiting in the grading queue. Idempotent."""

from __future__ import annotations

import datetime
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lms.assignments.grading import submission_grade
from lms.assignments.models import AssignmentPage, Submission, SubmissionMode
from lms.assignments.services import submission_submit
from lms.factories import AssignmentPageFactory
from lms.models import CoursePage, Enrollment, EnrollmentStatus, ProgressSource, User
from lms.selectors import course_path
from lms.services import progress_complete

SLUG = "rancangan-aktualisasi"
RUBRIC = [
    (
        "Identifikasi isu strategis",
        [("Kurang", 1, "Isu tidak terkait unit kerja."), ("Cukup", 2, ""), ("Baik", 3, ""), ("Sangat baik", 4, "")],
    ),
    (
        "Rencana kegiatan dan tahapan",
        [
            ("Kurang", 1, ""),
            ("Cukup", 2, ""),
            ("Baik", 3, ""),
            ("Sangat baik", 4, "Tahapan, jadwal, dan output jelas."),
        ],
    ),
    (
        "Keterkaitan dengan nilai dasar ASN (BerAKHLAK)",
        [("Kurang", 1, ""), ("Cukup", 2, ""), ("Baik", 3, ""), ("Sangat baik", 4, "")],
    ),
]


def demo_pdf(*, title: str, lines: list[str]) -> bytes:
    """A small valid PDF (one A4 page of Helvetica text), written here so the demo ships no third-party file."""

    def escape(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = [f"BT /F1 16 Tf 56 780 Td ({escape(title)}) Tj ET"]
    rows += [f"BT /F1 11 Tf 56 {750 - 18 * n} Td ({escape(line)}) Tj ET" for n, line in enumerate(lines)]
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _rubric_json() -> str:
    return json.dumps(
        [
            {
                "type": "criterion",
                "value": {
                    "name": name,
                    "description": "",
                    "levels": [
                        {"label": label, "points": points, "description": text} for label, points, text in levels
                    ],
                },
            }
            for name, levels in RUBRIC
        ]
    )


def _assignment(course: CoursePage) -> AssignmentPage:
    existing = AssignmentPage.objects.child_of(course).filter(slug=SLUG).first()
    if existing is not None:
        return existing
    due = (timezone.localtime() + datetime.timedelta(days=10)).replace(hour=23, minute=59, second=0, microsecond=0)
    page = AssignmentPageFactory(
        parent=course,
        title="Rancangan Aktualisasi",
        slug=SLUG,
        instructions=(
            "<p>Susun rancangan aktualisasi (aksi perubahan) di unit kerja Anda: isu strategis, gagasan pemecahan, "
            "tahapan kegiatan dengan jadwal, dan keterkaitannya dengan nilai dasar ASN BerAKHLAK.</p>"
            "<p>Unggah dalam PDF atau DOCX, paling banyak 3 berkas. Mentor Anda menandatangani lembar persetujuan.</p>"
        ),
        due_at=due,
        late_until=due + datetime.timedelta(days=2),
        submission_mode=SubmissionMode.FILE_OR_TEXT,
        pass_mark=70,
        duration_minutes=180,
        rubric=_rubric_json(),
    )
    # Fourth step of the path, after the first three modules: learners who finished them can hand in now.
    siblings = list(course.get_children().order_by("path"))
    if len(siblings) > 4:
        page.move(siblings[3], pos="left")
    page = AssignmentPage.objects.get(pk=page.pk)
    page.save_revision().publish()
    return page


def _learners(course: CoursePage, assignment: AssignmentPage, count: int) -> list[Enrollment]:
    """`count` active learners for whom the assignment step is open: those who finished the steps before it,
    then (if too few) the furthest along, who finish those steps now, as a learner would before handing in."""
    enrollments = list(
        Enrollment.objects.filter(course=course, status=EnrollmentStatus.ACTIVE)
        .select_related("user")
        .order_by("user__nip")
    )
    paths = {enrollment.pk: course_path(course=course, enrollment=enrollment) for enrollment in enrollments}
    if any(path.step_for(assignment.pk) is None for path in paths.values()):
        return []  # not a step of the path (unpublished): nobody hands in
    ready = [e for e in enrollments if not paths[e.pk].step_for(assignment.pk).locked]
    others = sorted(
        (e for e in enrollments if e not in ready), key=lambda e: -sum(step.completed for step in paths[e.pk].steps)
    )
    for enrollment in others[: max(0, count - len(ready))]:
        for step in paths[enrollment.pk].steps:
            if step.page.pk == assignment.pk:
                break
            if not step.completed:
                progress_complete(enrollment=enrollment, item=step.page, source=ProgressSource.MARKED_DONE)
        ready.append(enrollment)
    return ready[:count]


def _hand_in(assignment: AssignmentPage, enrollment: Enrollment, *, file_name: str, text: str) -> Submission:
    user = enrollment.user
    pdf = demo_pdf(
        title="Rancangan Aktualisasi",
        lines=[
            f"Nama: {user.full_name}",
            f"NIP: {user.nip}",
            f"Jabatan: {user.position}",
            "Isu strategis: layanan yang belum terdigitalisasi di unit kerja.",
            "Gagasan: layanan daring terpadu dengan jadwal 8 minggu.",
        ],
    )
    return submission_submit(
        assignment=assignment,
        enrollment=enrollment,
        files=[SimpleUploadedFile(file_name, pdf, content_type="application/pdf")],
        text=text,
        by=user,
    )


def demo_seed_assignments(*, course: CoursePage, instructor: User) -> AssignmentPage:
    """Idempotent: the assignment is found by its slug, and hand-ins are made only while it has none."""
    assignment = _assignment(course)
    if Submission.objects.filter(assignment=assignment).exists():
        return assignment
    learners = _learners(course, assignment, 2)
    if not learners:
        return assignment
    graded = _hand_in(
        assignment,
        learners[0],
        file_name="Rancangan Aktualisasi.pdf",
        text="Rancangan terlampir; lembar persetujuan mentor sudah ditandatangani.",
    )
    submission_grade(
        submission=graded,
        version=graded.latest_version,
        by=instructor,
        rubric_choices={0: 3, 1: 2, 2: 3},
        feedback=(
            "Isu strategis tajam dan relevan. Perjelas indikator keberhasilan tiap tahapan sebelum seminar; "
            "selebihnya siap dilaksanakan."
        ),
    )
    if len(learners) > 1:
        _hand_in(assignment, learners[1], file_name="Rancangan Aktualisasi.pdf", text="")
    return assignment
