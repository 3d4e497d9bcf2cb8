"""The final grade and predicate of a 40-participant run, checked against numbers computed here from the raw
scores with exact fractions (not with lms.programmes.grading)."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from lms.assignments.models import Submission, SubmissionStatus
from lms.factories import AssignmentPageFactory, UserFactory
from lms.models import ActivityResult
from lms.programmes.grading import course_results, participant_result
from lms.programmes.models import ComponentScore, SeminarScoreSheet
from tests.programmes.conftest import BANDS, COMPONENTS, CRITERIA, add_examiner, enroll

pytestmark = pytest.mark.django_db


def half_up(x: Fraction) -> Fraction:
    """2 decimals, half up, for non-negative numbers."""
    return Fraction(int(x * 100 + Fraction(1, 2)), 100)


def test_when_forty_participants_scored_then_final_and_predicate_match_independent_computation(run, manager):
    rng = random.Random(20261204)
    module = run.get_children().first()
    assignment = AssignmentPageFactory(parent=run)
    expected = {}
    for n in range(40):
        enrollment = enroll(run)
        raw = {}
        for key in ("sikap", "proyek"):
            # An earlier score then the one that counts (the latest).
            ComponentScore.objects.create(enrollment=enrollment, key=key, score=1, entered_by=manager)
            raw[key] = rng.randint(50, 100)
            ComponentScore.objects.create(enrollment=enrollment, key=key, score=raw[key], entered_by=manager)
        if n % 5 == 0:  # the manager's override of the academic component
            raw["akademik"] = Fraction(rng.randint(50, 100))
            ComponentScore.objects.create(
                enrollment=enrollment, key="akademik", score=raw["akademik"].numerator, entered_by=manager
            )
        else:
            parts = []
            for block in range(3):
                best = round(rng.uniform(0.4, 1.0), 3)
                ActivityResult.objects.create(
                    user=enrollment.user, module=module, block_id=f"b{block}", best_scaled=best
                )
                parts.append(Fraction(str(best)) * 100)
            grade = rng.randint(50, 100)
            Submission.objects.create(
                assignment=assignment,
                enrollment=enrollment,
                status=SubmissionStatus.GRADED,
                submitted_at=timezone.now(),
                score=grade,
            )
            parts.append(Fraction(grade))
            raw["akademik"] = half_up(sum(parts) / len(parts))
        totals = []
        for _ in range(rng.choice([2, 3])):
            examiner = add_examiner(enrollment)
            scores = {key: rng.randint(55, 100) for key, _w in CRITERIA}
            total = half_up(sum(Fraction(w) * scores[k] for k, w in CRITERIA) / sum(Fraction(w) for _k, w in CRITERIA))
            totals.append(total)
            SeminarScoreSheet.objects.create(
                enrollment=enrollment,
                examiner=examiner,
                scores=scores,
                total=Decimal(total.numerator) / Decimal(total.denominator),
                submitted_at=timezone.now(),
            )
        raw["seminar"] = half_up(sum(totals) / len(totals))
        final = half_up(sum(Fraction(w) * Fraction(raw[k]) for k, w, _s in COMPONENTS) / 100)
        band = max((b for b in BANDS if Fraction(b[1]) <= final), key=lambda b: b[1])
        expected[enrollment.pk] = (final, band[0], band[2])

    results = course_results(course=run)

    assert len(results) == 40
    for result in results:
        final, predicate, passes = expected[result.enrollment.pk]
        assert Fraction(result.final) == final, result.enrollment.pk
        assert (result.predicate, result.passes) == (predicate, passes)
        assert result.missing == []
    # The seed gives more than one band: the bands are really exercised.
    assert len({p for _f, p, _ in expected.values()}) >= 2


def test_when_course_results_then_queries_do_not_grow_with_participants(run, manager, django_assert_max_num_queries):
    for _ in range(30):
        enrollment = enroll(run)
        ComponentScore.objects.create(enrollment=enrollment, key="sikap", score=80, entered_by=manager)
    with django_assert_max_num_queries(12):
        course_results(course=run)


def test_when_a_component_is_missing_then_no_final_and_missing_listed(run, manager):
    enrollment = enroll(run)
    ComponentScore.objects.create(enrollment=enrollment, key="sikap", score=90, entered_by=manager)
    ComponentScore.objects.create(enrollment=enrollment, key="akademik", score=90, entered_by=manager)

    result = participant_result(enrollment=enrollment)

    assert result.final is None
    assert result.predicate == ""
    assert not result.passes
    assert result.missing == ["proyek", "seminar"]


def test_when_an_examiner_has_not_submitted_then_seminar_missing(run, manager):
    enrollment = enroll(run)
    for key in ("sikap", "akademik", "proyek"):
        ComponentScore.objects.create(enrollment=enrollment, key=key, score=90, entered_by=manager)
    done = add_examiner(enrollment)
    add_examiner(enrollment)
    SeminarScoreSheet.objects.create(
        enrollment=enrollment, examiner=done, scores={}, total=90, submitted_at=timezone.now()
    )

    assert participant_result(enrollment=enrollment).missing == ["seminar"]


def test_when_final_exactly_at_band_minimum_then_that_band(run, manager):
    enrollment = enroll(run)
    for key in ("sikap", "akademik", "proyek"):
        ComponentScore.objects.create(enrollment=enrollment, key=key, score="80.01", entered_by=manager)
    examiner = add_examiner(enrollment, UserFactory())
    SeminarScoreSheet.objects.create(
        enrollment=enrollment, examiner=examiner, scores={}, total="80.01", submitted_at=timezone.now()
    )

    result = participant_result(enrollment=enrollment)

    assert result.final == Decimal("80.01")
    assert (result.predicate, result.passes) == ("Memuaskan", True)
