"""Grading a submission: a score (or a rubric), feedback, a returned file, or a request for revision.

A Grade is never edited: a regrade adds a row, and the Submission carries the current state. Only the latest
version is graded: an instructor whose form shows an older version (the learner handed in again meanwhile) is
told so, rather than grading work they have not seen."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.assignments.models import (
    AssignmentPage,
    Grade,
    GradeDecision,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
)
from lms.events import SUBMISSION_GRADED, emit
from lms.files import FileCheckError, FileKind, file_check, stored_files_discard
from lms.models import Enrollment, EnrollmentStatus, ProgressSource, User
from lms.services import progress_complete

SCORE_MAX = Decimal(100)
CENT = Decimal("0.01")
FEEDBACK_MAX = 10_000


class GradingError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RubricLevel:
    label: str
    points: Decimal
    description: str


@dataclass(frozen=True)
class RubricCriterion:
    name: str
    description: str
    levels: list[RubricLevel]

    @property
    def max_points(self) -> Decimal:
        return max((level.points for level in self.levels), default=Decimal(0))


def rubric_criteria(*, assignment: AssignmentPage) -> list[RubricCriterion]:
    """The assignment's rubric as plain values (criteria in order, each with its levels in order)."""
    criteria = []
    for block in assignment.rubric:
        value = block.value
        levels = [
            RubricLevel(
                label=str(level["label"]),
                points=Decimal(str(level["points"] if level["points"] is not None else 0)),
                description=str(level.get("description") or ""),
            )
            for level in value["levels"]
        ]
        criteria.append(
            RubricCriterion(name=str(value["name"]), description=str(value.get("description") or ""), levels=levels)
        )
    return criteria


def rubric_score(*, criteria: list[RubricCriterion], choices: dict[int, int]) -> Decimal:
    """Chosen points ÷ maximum points × 100, to two decimals. `choices` must name a level for every criterion."""
    if not criteria:
        raise GradingError("no_rubric", _("Tugas ini tidak memakai rubrik."))
    chosen = Decimal(0)
    for index, criterion in enumerate(criteria):
        level = choices.get(index)
        if level is None:
            raise GradingError(
                "rubric_incomplete",
                _("Pilih tingkat untuk setiap kriteria rubrik (belum: %(name)s).") % {"name": criterion.name},
            )
        if not 0 <= level < len(criterion.levels):
            raise GradingError(
                "rubric_level", _("Tingkat yang dipilih untuk %(name)s tidak ada.") % {"name": criterion.name}
            )
        chosen += criterion.levels[level].points
    maximum = sum((criterion.max_points for criterion in criteria), Decimal(0))
    if maximum <= 0:
        raise GradingError("rubric_empty", _("Rubrik tugas ini tidak memiliki poin; perbaiki rubriknya dahulu."))
    return (chosen / maximum * SCORE_MAX).quantize(CENT, rounding=ROUND_HALF_UP)


def _rubric_levels_check(criteria: list[RubricCriterion], choices: dict[int, int]) -> None:
    for index, level in choices.items():
        if not 0 <= index < len(criteria) or not 0 <= level < len(criteria[index].levels):
            raise GradingError("rubric_level", _("Tingkat rubrik yang dipilih tidak ada."))


def _rubric_snapshot(criteria: list[RubricCriterion], choices: dict[int, int]) -> list[dict]:
    return [
        {
            "name": criterion.name,
            "levels": [{"label": level.label, "points": str(level.points)} for level in criterion.levels],
            "chosen": choices.get(index),
        }
        for index, criterion in enumerate(criteria)
    ]


def _score_parse(score: object) -> Decimal | None:
    if score is None or score == "":
        return None
    try:
        value = Decimal(str(score)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise GradingError("score_invalid", _("Nilai harus berupa angka 0–100.")) from None
    if not value.is_finite() or not 0 <= value <= SCORE_MAX:
        raise GradingError("score_invalid", _("Nilai harus berupa angka 0–100."))
    return value


def _returned_file_check(returned_file: UploadedFile) -> tuple[str, str]:
    """The returned file's extension and name, checked by content like a learner's file (any kind Siger accepts,
    whatever the assignment asks of learners)."""
    max_bytes = settings.SIGER_ASSIGNMENT_MAX_MB * 1024 * 1024
    try:
        checked = file_check(upload=returned_file, kinds=list(FileKind.values), max_bytes=max_bytes)
    except FileCheckError as error:
        raise GradingError("returned_file", error.message) from None
    return checked.extension, checked.name


def _members_complete(*, submission: Submission, assignment: AssignmentPage, score: Decimal) -> list[Enrollment]:
    """Complete the step for every member still in the course (a withdrawn member's record stays as it was)."""
    completed = []
    for enrollment in submission.member_enrollments():
        if enrollment.status == EnrollmentStatus.WITHDRAWN:
            continue
        progress_complete(
            enrollment=enrollment,
            item=assignment,
            source=ProgressSource.GRADED,
            note=_("Nilai tugas %(score)s") % {"score": score},
        )
        completed.append(enrollment)
    return completed


def submission_grade(
    *,
    submission: Submission,
    version: SubmissionVersion,
    by: User,
    feedback: str,
    decision: str = GradeDecision.GRADED,
    score: object = None,
    rubric_choices: dict[int, int] | None = None,
    returned_file: UploadedFile | None = None,
) -> Grade:
    """Grade the latest version of a submission, or ask for a revision; completes the step at the pass mark."""
    if decision not in GradeDecision.values:
        raise GradingError("decision", _("Pilih: simpan nilai atau minta revisi."))
    feedback = (feedback or "").strip()
    if len(feedback) > FEEDBACK_MAX:
        raise GradingError("feedback_long", _("Umpan balik terlalu panjang (maksimal 10.000 karakter)."))
    if decision == GradeDecision.REVISION and not feedback:
        raise GradingError("feedback_required", _("Tuliskan apa yang perlu direvisi di umpan balik."))
    assignment = AssignmentPage.objects.get(pk=submission.assignment_id)
    criteria = rubric_criteria(assignment=assignment)
    choices = {int(k): int(v) for k, v in (rubric_choices or {}).items()}
    if criteria:
        # With a rubric the score is the rubric's: a typed score is not used. A revision request may carry the
        # levels chosen so far (kept in the snapshot); its score exists only when every criterion has one.
        if decision == GradeDecision.GRADED or len(choices) == len(criteria):
            value = rubric_score(criteria=criteria, choices=choices)
        else:
            _rubric_levels_check(criteria, choices)
            value = None
    else:
        value = _score_parse(score)
        if decision == GradeDecision.GRADED and value is None:
            raise GradingError("score_required", _("Isi nilai 0–100."))
    returned = _returned_file_check(returned_file) if returned_file else None

    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = Submission.objects.select_for_update().get(pk=submission.pk)
            latest = locked.versions.order_by("-number").first()
            if latest is None or latest.pk != version.pk:
                message = _("Peserta mengumpulkan versi baru (versi %(n)s) sejak formulir ini dibuka; periksa dahulu.")
                raise GradingError("stale", message % {"n": latest.number if latest else "?"})
            now = timezone.now()
            grade = Grade(
                submission=locked,
                version=latest,
                decision=decision,
                score=value,
                rubric_scores=_rubric_snapshot(criteria, choices) if criteria else [],
                feedback=feedback,
                graded_by=by,
                graded_at=now,
            )
            if returned is not None:
                grade.returned_extension, grade.returned_name = returned
                returned_file.seek(0)
                grade.returned_file.save(f"kembali.{grade.returned_extension}", returned_file, save=False)
                stored.append(grade.returned_file.name)
            grade.save()
            if decision == GradeDecision.REVISION:
                locked.status = SubmissionStatus.REVISION
                locked.save(update_fields=["status"])
            else:
                locked.status, locked.score, locked.graded_at = SubmissionStatus.GRADED, value, now
                locked.save(update_fields=["status", "score", "graded_at"])
                # Reaching the pass mark completes the step; a later lower regrade never takes it back (lms never
                # uncompletes a step: JP and certificates may already rest on it).
                if value >= assignment.pass_mark:
                    _members_complete(submission=locked, assignment=assignment, score=value)
            # Sent once the transaction commits (lms.events): a grading that rolls back notifies nobody.
            emit(SUBMISSION_GRADED, submission=locked)
    except BaseException:
        stored_files_discard(names=stored)  # the returned file of a grading that did not happen
        raise
    submission.status, submission.score, submission.graded_at = locked.status, locked.score, locked.graded_at
    return grade
