"""Component scores entered by hand and the graduation decision that issues the STTPP of a programme run."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.competence.services import ledger_record_completion
from lms.models import Enrollment, EnrollmentStatus, User
from lms.programmes.grading import participant_result, round2
from lms.programmes.models import ComponentScore, ComponentSource, GraduationDecision, GraduationOutcome
from lms.services import certificate_issue


class GraduationError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def graduation_latest(*, enrollment: Enrollment) -> GraduationDecision | None:
    return GraduationDecision.objects.filter(enrollment=enrollment).order_by("decided_at", "pk").last()


def component_score_enter(*, enrollment: Enrollment, key: str, score, note: str, by: User) -> ComponentScore:
    """Enter a score for a MANUAL, PROJECT or (as an override) ACADEMIC component; the manager's act (the caller
    checks access). The seminar's score is the panel's and cannot be entered here."""
    component = enrollment.course.assessment_components.filter(key=key).first()
    if component is None:
        raise GraduationError("unknown", _("Komponen penilaian tidak dikenal."))
    if component.source == ComponentSource.SEMINAR:
        raise GraduationError("seminar", _("Nilai seminar berasal dari lembar nilai para penguji."))
    try:
        value = Decimal(str(score))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value > 100:
        raise GraduationError("range", _("Nilai harus antara 0 dan 100."))
    return ComponentScore.objects.create(
        enrollment=enrollment, key=key, score=round2(value), note=note[:500], entered_by=by
    )


@transaction.atomic
def graduation_decide(*, enrollment: Enrollment, outcome: str, reason: str, by: User) -> GraduationDecision:
    """Record the manager's decision with a snapshot of the result; PASSED completes the enrollment, issues the
    STTPP with the predicate and records the JP."""
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("course").get(pk=enrollment.pk)
    if outcome not in GraduationOutcome.values:
        raise GraduationError("outcome", _("Keputusan tidak dikenal."))
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise GraduationError("withdrawn", _("Peserta ini mengundurkan diri."))
    latest = graduation_latest(enrollment=enrollment)
    if latest is not None and latest.outcome == GraduationOutcome.PASSED:
        raise GraduationError(
            "passed",
            _("Peserta ini sudah dinyatakan lulus dan STTPP-nya terbit; untuk membatalkan, cabut sertifikatnya."),
        )
    reason = reason.strip()
    if outcome != GraduationOutcome.PASSED and not reason:
        raise GraduationError("reason", _("Tuliskan alasan keputusan ini."))
    result = participant_result(enrollment=enrollment)
    if outcome == GraduationOutcome.PASSED:
        if not result.complete:
            raise GraduationError(
                "incomplete",
                _("Nilai belum lengkap: %s. Peserta belum dapat dinyatakan lulus.") % ", ".join(result.missing),
            )
        if not result.passes:
            raise GraduationError(
                "not_passing",
                _("Nilai akhir %(final)s (%(predicate)s) tidak memenuhi syarat lulus.")
                % {"final": result.final, "predicate": result.predicate or "-"},
            )
    decision = GraduationDecision.objects.create(
        enrollment=enrollment,
        outcome=outcome,
        reason=reason,
        final_score=result.final,
        predicate=result.predicate,
        components=result.snapshot(),
        decided_by=by,
    )
    if outcome == GraduationOutcome.PASSED:
        if enrollment.status != EnrollmentStatus.COMPLETED or enrollment.completed_at is None:
            enrollment.status = EnrollmentStatus.COMPLETED
            enrollment.completed_at = timezone.now()
            enrollment.jp_credit = enrollment.course.jp_credit
            enrollment.save(update_fields=["status", "completed_at", "jp_credit"])
        certificate = certificate_issue(enrollment=enrollment, issued_by=by, predicate=result.predicate)
        ledger_record_completion(enrollment=enrollment, certificate=certificate)
    return decision
