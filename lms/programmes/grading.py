"""The final result of a programme run's participant, computed from the run's own rows (AssessmentComponent,
PredicateBand, SeminarCriterion on its CoursePage): no weight or threshold is written here.

Rules:
- MANUAL and PROJECT components: the latest ComponentScore of that key.
- ACADEMIC: the latest ComponentScore of that key when the manager entered one (an override); else the mean of
  the participant's graded work in the course: each H5P activity's best scaled score (×100) under the course's
  modules and each graded assignment's score (Submission.score, the latest grade). Work never attempted is not
  counted; no graded work at all leaves the component missing.
- SEMINAR: the panel result, the mean of the submitted sheets' totals, only when every current examiner
  (ParticipantGuide role "penguji", not ended) has submitted; no examiner or one not submitted → missing.
- Final = Σ weight × score / 100 over the components, only when every component has a score (else None, with the
  keys missing). Predicate = the band with the highest min_score ≤ final; `passes` is that band's.
- Every computed number is rounded to 2 decimals, half up (ROUND_HALF_UP), as it is shown and stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from lms.models import ActivityResult, CoursePage, Enrollment, EnrollmentStatus
from lms.programmes.models import ComponentScore, ComponentSource, GuideRole, ParticipantGuide, SeminarScoreSheet

CENT = Decimal("0.01")


def round2(value: Decimal | float | int) -> Decimal:
    """Two decimals, half up."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ComponentResult:
    key: str
    name: str
    weight: Decimal
    source: str
    score: Decimal | None


@dataclass
class Result:
    enrollment: Enrollment
    components: list[ComponentResult] = field(default_factory=list)
    final: Decimal | None = None
    predicate: str = ""
    passes: bool = False
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.final is not None

    def snapshot(self) -> list[dict]:
        """The components as stored with a graduation decision (JSON)."""
        return [
            {
                "key": c.key,
                "name": c.name,
                "weight": str(c.weight),
                "source": c.source,
                "score": None if c.score is None else str(c.score),
            }
            for c in self.components
        ]


def _latest_scores(enrollment_ids: list[int]) -> dict[tuple[int, str], Decimal]:
    latest: dict[tuple[int, str], Decimal] = {}
    # Ordered oldest first (model Meta): the last one written per (enrollment, key) wins.
    for enrollment_id, key, score in ComponentScore.objects.filter(enrollment_id__in=enrollment_ids).values_list(
        "enrollment_id", "key", "score"
    ):
        latest[(enrollment_id, key)] = score
    return latest


def _seminar_results(enrollment_ids: list[int]) -> dict[int, Decimal]:
    examiners: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, user_id in ParticipantGuide.objects.filter(
        enrollment_id__in=enrollment_ids, role=GuideRole.EXAMINER, ended_at__isnull=True
    ).values_list("enrollment_id", "user_id"):
        examiners[enrollment_id].add(user_id)
    totals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for enrollment_id, examiner_id, total in SeminarScoreSheet.objects.filter(
        enrollment_id__in=enrollment_ids, submitted_at__isnull=False, total__isnull=False
    ).values_list("enrollment_id", "examiner_id", "total"):
        totals[enrollment_id][examiner_id] = total
    result = {}
    for enrollment_id, panel in examiners.items():
        submitted = totals.get(enrollment_id, {})
        if panel and panel <= submitted.keys():
            result[enrollment_id] = round2(sum(submitted[u] for u in panel) / len(panel))
    return result


def seminar_panel_results(*, enrollment_ids: list[int]) -> dict[int, Decimal]:
    """Seminar panel results by enrollment, present only where every current examiner has submitted."""
    return _seminar_results(enrollment_ids)


def _academic_results(course: CoursePage, enrollments: list[Enrollment]) -> dict[int, Decimal]:
    from lms.assignments.models import AssignmentPage, Submission

    page_ids = list(course.get_descendants().values_list("pk", flat=True))
    by_user = {e.user_id: e.pk for e in enrollments}
    values: dict[int, list[Decimal]] = defaultdict(list)
    for user_id, best in ActivityResult.objects.filter(
        user_id__in=by_user.keys(), module_id__in=page_ids, best_scaled__isnull=False
    ).values_list("user_id", "best_scaled"):
        values[by_user[user_id]].append(Decimal(str(best)) * 100)
    assignment_ids = AssignmentPage.objects.filter(pk__in=page_ids).values_list("pk", flat=True)
    for enrollment_id, score in Submission.objects.filter(
        enrollment_id__in=by_user.values(), assignment_id__in=assignment_ids, score__isnull=False
    ).values_list("enrollment_id", "score"):
        values[enrollment_id].append(Decimal(score))
    return {eid: round2(sum(v) / len(v)) for eid, v in values.items() if v}


def _results(*, course: CoursePage, enrollments: list[Enrollment]) -> list[Result]:
    components = list(course.assessment_components.all())
    bands = sorted(course.predicate_bands.all(), key=lambda b: b.min_score, reverse=True)
    ids = [e.pk for e in enrollments]
    latest = _latest_scores(ids)
    seminar = _seminar_results(ids) if any(c.source == ComponentSource.SEMINAR for c in components) else {}
    academic = (
        _academic_results(course, enrollments) if any(c.source == ComponentSource.ACADEMIC for c in components) else {}
    )
    results = []
    for enrollment in enrollments:
        result = Result(enrollment=enrollment)
        for component in components:
            if component.source == ComponentSource.SEMINAR:
                score = seminar.get(enrollment.pk)
            elif component.source == ComponentSource.ACADEMIC:
                score = latest.get((enrollment.pk, component.key), academic.get(enrollment.pk))
            else:
                score = latest.get((enrollment.pk, component.key))
            result.components.append(
                ComponentResult(
                    key=component.key,
                    name=component.name,
                    weight=component.weight,
                    source=component.source,
                    score=score,
                )
            )
            if score is None:
                result.missing.append(component.key)
        if components and not result.missing:
            result.final = round2(sum(c.weight * c.score for c in result.components) / 100)
            band = next((b for b in bands if b.min_score <= result.final), None)
            if band is not None:
                result.predicate, result.passes = band.name, band.passes
        results.append(result)
    return results


def participant_result(*, enrollment: Enrollment) -> Result:
    """The result of one participant."""
    return _results(course=enrollment.course, enrollments=[enrollment])[0]


def course_results(*, course: CoursePage) -> list[Result]:
    """The results of a run's participants (withdrawn ones left out), in a few queries."""
    enrollments = list(
        Enrollment.objects.filter(course=course)
        .exclude(status=EnrollmentStatus.WITHDRAWN)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    return _results(course=course, enrollments=enrollments)
