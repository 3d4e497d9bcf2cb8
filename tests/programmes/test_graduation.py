from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from lms.competence.models import LedgerEntry
from lms.models import Certificate, EnrollmentStatus
from lms.programmes.graduation import GraduationError, component_score_enter, graduation_decide
from lms.programmes.models import ComponentScore, GraduationDecision, GraduationOutcome, SeminarScoreSheet
from tests.programmes.conftest import add_examiner, enroll

pytestmark = pytest.mark.django_db


def score_all(enrollment, manager, value):
    for key in ("sikap", "akademik", "proyek"):
        component_score_enter(enrollment=enrollment, key=key, score=value, note="", by=manager)
    SeminarScoreSheet.objects.create(
        enrollment=enrollment, examiner=add_examiner(enrollment), scores={}, total=value, submitted_at=timezone.now()
    )


def test_when_passed_then_sttpp_with_predicate_and_batch_and_jp_in_ledger(run, manager):
    enrollment = enroll(run)
    score_all(enrollment, manager, 92)

    decision = graduation_decide(enrollment=enrollment, outcome=GraduationOutcome.PASSED, reason="", by=manager)

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.jp_credit == 90
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert (certificate.predicate, certificate.batch) == ("Sangat Memuaskan", "Angkatan II")
    assert LedgerEntry.objects.get(enrollment=enrollment).jp == Decimal(90)
    assert decision.final_score == Decimal("92.00")
    assert [c["key"] for c in decision.components] == ["sikap", "akademik", "proyek", "seminar"]


@pytest.mark.parametrize("outcome", [GraduationOutcome.FAILED, GraduationOutcome.DEFERRED])
def test_when_failed_or_deferred_then_no_certificate_and_record_kept(run, manager, outcome):
    enrollment = enroll(run)
    score_all(enrollment, manager, 60)

    graduation_decide(enrollment=enrollment, outcome=outcome, reason="Belum memenuhi.", by=manager)

    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    assert not LedgerEntry.objects.filter(enrollment=enrollment).exists()
    assert ComponentScore.objects.filter(enrollment=enrollment).count() == 3
    assert GraduationDecision.objects.get(enrollment=enrollment).predicate == "Kurang Memuaskan"


def test_when_failed_without_reason_then_refused(run, manager):
    enrollment = enroll(run)
    with pytest.raises(GraduationError) as error:
        graduation_decide(enrollment=enrollment, outcome=GraduationOutcome.FAILED, reason=" ", by=manager)
    assert error.value.code == "reason"


def test_when_result_incomplete_then_pass_refused(run, manager):
    enrollment = enroll(run)
    component_score_enter(enrollment=enrollment, key="sikap", score=95, note="", by=manager)

    with pytest.raises(GraduationError) as error:
        graduation_decide(enrollment=enrollment, outcome=GraduationOutcome.PASSED, reason="", by=manager)

    assert error.value.code == "incomplete"
    assert not GraduationDecision.objects.exists() and not Certificate.objects.exists()


def test_when_predicate_does_not_pass_then_pass_refused(run, manager):
    enrollment = enroll(run)
    score_all(enrollment, manager, 65)

    with pytest.raises(GraduationError) as error:
        graduation_decide(enrollment=enrollment, outcome=GraduationOutcome.PASSED, reason="", by=manager)

    assert error.value.code == "not_passing"
    assert not Certificate.objects.exists()


def test_when_deferred_then_later_pass_issues_and_decision_after_pass_refused(run, manager):
    enrollment = enroll(run)
    score_all(enrollment, manager, 85)
    graduation_decide(enrollment=enrollment, outcome=GraduationOutcome.DEFERRED, reason="Revisi laporan.", by=manager)
    graduation_decide(enrollment=enrollment, outcome=GraduationOutcome.PASSED, reason="", by=manager)

    with pytest.raises(GraduationError) as error:
        graduation_decide(enrollment=enrollment, outcome=GraduationOutcome.FAILED, reason="Salah.", by=manager)

    assert error.value.code == "passed"
    assert Certificate.objects.get(enrollment=enrollment).predicate == "Memuaskan"


def test_when_component_score_out_of_range_or_seminar_then_refused(run, manager):
    enrollment = enroll(run)
    with pytest.raises(GraduationError):
        component_score_enter(enrollment=enrollment, key="sikap", score=101, note="", by=manager)
    with pytest.raises(GraduationError):
        component_score_enter(enrollment=enrollment, key="seminar", score=80, note="", by=manager)
    assert not ComponentScore.objects.exists()
