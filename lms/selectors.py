"""Reads that cross relations. Query counts here must not grow with modules or enrollments."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.cache import caches
from django.db.models import Count, Q
from django.utils import timezone
from wagtail.models import Page

from lms.competence.jp import jp_total, person_period, person_target
from lms.models import (
    Certificate,
    CompletionRule,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
    ItemProgress,
    LiveSessionPage,
    ModulePage,
    ProgressStatus,
    User,
)
from lms.programmes.models import CoursePhase
from lms.programmes.phases import course_phases, phase_is_open, phases_digest

COURSE_ITEMS_CACHE_SECONDS = 6 * 3600


class StepState:
    COMPLETED = "completed"
    STARTED = "started"
    NOT_STARTED = "not_started"
    LOCKED = "locked"


@dataclass
class PathStep:
    page: ModulePage | LiveSessionPage
    number: int
    progress: ItemProgress | None
    locked: bool
    url: str = ""
    # A programme run's phase (lms.programmes.CoursePhase) the step belongs to, and the day it opens when the
    # phase has not started yet (the step is then locked whatever the learner's progress).
    phase: CoursePhase | None = None
    opens_on: datetime.date | None = None

    @property
    def completed(self) -> bool:
        return self.progress is not None and self.progress.status == ProgressStatus.COMPLETED

    @property
    def state(self) -> str:
        if self.completed:
            return StepState.COMPLETED
        if self.locked:
            return StepState.LOCKED
        return StepState.STARTED if self.progress else StepState.NOT_STARTED

    @property
    def is_live_session(self) -> bool:
        return isinstance(self.page, LiveSessionPage)

    @property
    def is_assignment(self) -> bool:
        return self.page.completion_rule == CompletionRule.GRADED


@dataclass
class CoursePath:
    course: CoursePage
    enrollment: Enrollment | None
    steps: list[PathStep] = field(default_factory=list)
    items_digest: str = ""
    # Which class's path this is when class-only sessions were skipped ("" otherwise): part of the fingerprint.
    variant: str = ""
    # A programme run's phases (name and dates shown as section headings), "" digest for a course without them.
    phases: list[CoursePhase] = field(default_factory=list)
    phases_digest: str = ""

    @property
    def fingerprint(self) -> str:
        """Identifies what the rendered path shows: the steps as published and this learner's state on each."""
        states = "".join("p" if step.opens_on else step.state[0] for step in self.steps)
        return (
            f"{self.course.pk}:{self.course.url_path}:{self.items_digest}{self.variant}:{self.phases_digest}:{states}"
        )

    @property
    def sections(self) -> list[PathSection]:
        """The steps grouped by phase, in path order (one section without a phase for an ordinary course)."""
        sections: list[PathSection] = []
        for step in self.steps:
            if not sections or sections[-1].phase is not step.phase:
                sections.append(PathSection(phase=step.phase))
            sections[-1].steps.append(step)
        return sections

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def completed_count(self) -> int:
        return sum(1 for step in self.steps if step.completed)

    @property
    def percent(self) -> int:
        return round(100 * self.completed_count / self.total) if self.total else 0

    @property
    def next_step(self) -> PathStep | None:
        return next((s for s in self.steps if not s.completed and not s.locked), None)

    def step_for(self, page_id: int) -> PathStep | None:
        return next((s for s in self.steps if s.page.pk == page_id), None)


@dataclass
class PathSection:
    phase: CoursePhase | None
    steps: list[PathStep] = field(default_factory=list)


def _course_items_query(course: CoursePage) -> list[ModulePage | LiveSessionPage]:
    # Per step type rather than through Page.specific(), so that the heavy rich fields (a module's
    # StreamField body) stay unloaded: the path never shows them.
    from lms.assignments.models import AssignmentPage  # a step type of its own area (lms.assignments)

    modules = ModulePage.objects.child_of(course).live().defer("body", "search_description")
    sessions = LiveSessionPage.objects.child_of(course).live().defer("description", "search_description")
    assignments = (
        AssignmentPage.objects.child_of(course)
        .live()
        .defer("instructions", "rubric", "attachments", "search_description")
    )
    return sorted([*modules, *sessions, *assignments], key=lambda page: page.path)


def _course_items_cached(course: CoursePage) -> tuple[str, list[ModulePage | LiveSessionPage]]:
    fingerprint = list(
        Page.objects.child_of(course).live().values_list("pk", "path", "last_published_at").order_by("path")
    )
    digest = hashlib.blake2b(repr(fingerprint).encode(), digest_size=12).hexdigest()
    key = f"lms:course-items:{course.pk}:{digest}"
    local = caches["local"]
    items = local.get(key)
    if items is None:
        items = _course_items_query(course)
        local.set(key, items, timeout=COURSE_ITEMS_CACHE_SECONDS)
    return digest, items


def course_items(*, course: CoursePage) -> list[ModulePage | LiveSessionPage]:
    """The live steps of a course, in path order.

    Building fifty page objects is most of a course page's cost, so they are cached under a fingerprint of
    the live children (id, tree position, publication time): publishing, unpublishing, adding, moving or
    deleting a step changes it, and a stale list can never be served.
    """
    return _course_items_cached(course)[1]


def enrollment_get(*, user: User, course: CoursePage) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.current().filter(user=user, course=course).first()


def _enrollment_class_id(enrollment: Enrollment) -> int | None:
    from lms.cohorts.models import ClassMembership

    return ClassMembership.objects.filter(enrollment=enrollment).values_list("course_class_id", flat=True).first()


def course_path(*, course: CoursePage, enrollment: Enrollment | None, unlocked: bool = False) -> CoursePath:
    """The ordered path with each step's progress and lock state for one learner (or none).

    `unlocked`: for those who manage the course, who open any step whatever their own progress."""
    digest, items = _course_items_cached(course)
    progress: dict[int, ItemProgress] = {}
    if enrollment is not None:
        progress = {p.item_id: p for p in ItemProgress.objects.filter(enrollment=enrollment)}
    steps = []
    blocked = False
    # A step's URL is its course's plus its slug (Wagtail's url_path scheme), without a site lookup per step.
    course_url = course.url or ""
    variant = ""
    # A class-only session (LiveSessionPage.course_class) is no step at all for the learners of other classes:
    # skipped, neither shown nor a gate. Those who manage the course (no enrollment, or unlocked) see them all.
    if enrollment is not None and not unlocked and any(getattr(i, "course_class_id", None) for i in items):
        own_class = _enrollment_class_id(enrollment)
        items = [i for i in items if getattr(i, "course_class_id", None) in (None, own_class)]
        variant = f"/k{own_class}"
    # A programme run's phases, fetched once and only when a step belongs to one (the cached steps carry phase_id).
    phases = course_phases(course_id=course.pk) if any(getattr(i, "phase_id", None) for i in items) else {}
    today = timezone.localdate()
    for number, item in enumerate(items, start=1):
        item_progress = progress.get(item.pk)
        # Live sessions happen at fixed times, so they are never locked; they still gate the steps after them.
        locked = course.sequential and blocked and not unlocked and not isinstance(item, LiveSessionPage)
        # A step of a phase that has not started is locked for learners, live sessions included (the phase's
        # date gates the whole section); those who manage the course open it all the same.
        phase = phases.get(getattr(item, "phase_id", None))
        opens_on = None
        if not unlocked and not phase_is_open(phase, today):
            locked, opens_on = True, phase.starts_on
        steps.append(
            PathStep(
                page=item,
                number=number,
                progress=item_progress,
                locked=locked,
                url=f"{course_url}{item.slug}/",
                phase=phase,
                opens_on=opens_on,
            )
        )
        if item_progress is None or item_progress.status != ProgressStatus.COMPLETED:
            blocked = True
    return CoursePath(
        course=course,
        enrollment=enrollment,
        steps=steps,
        items_digest=digest,
        variant=variant,
        phases=list(phases.values()),
        phases_digest=phases_digest(phases.values()) if phases else "",
    )


def catalogue_courses(*, index: Page, user: User) -> list[CoursePage]:
    """Live courses under the catalogue that are not archived, each annotated with `is_enrolled` for the user."""
    courses = list(
        CoursePage.objects.child_of(index)
        .live()
        .filter(archived_at__isnull=True)
        .select_related("cover_image")
        .order_by("path")
    )
    enrolled: set[int] = set()
    if user.is_authenticated:
        enrolled = set(
            Enrollment.objects.current().filter(user=user, course__in=courses).values_list("course_id", flat=True)
        )
    for course in courses:
        course.is_enrolled = course.pk in enrolled
    return courses


def _children_filter(courses: list[CoursePage]) -> Q:
    return reduce(or_, (Q(path__startswith=c.path, depth=c.depth + 1) for c in courses), Q(pk__in=[]))


def course_item_counts(*, courses: list[CoursePage]) -> dict[int, int]:
    """How many live steps each course has, in one query."""
    if not courses:
        return {}
    from lms.assignments.models import AssignmentPage

    step_types = [ModulePage, LiveSessionPage, AssignmentPage]
    paths = Page.objects.live().type(*step_types).filter(_children_filter(courses)).values_list("path", flat=True)
    by_path = {c.path: c.pk for c in courses}
    counts = dict.fromkeys(by_path.values(), 0)
    for path in paths:
        counts[by_path[path[: -Page.steplen]]] += 1
    return counts


@dataclass
class DashboardCourse:
    enrollment: Enrollment
    total: int
    completed: int

    @property
    def course(self) -> CoursePage:
        return self.enrollment.course

    @property
    def certificate(self) -> Certificate | None:
        try:
            return self.enrollment.certificate  # joined by dashboard_for: no query
        except Certificate.DoesNotExist:
            return None

    @property
    def percent(self) -> int:
        if self.enrollment.status == EnrollmentStatus.COMPLETED:
            return 100
        return round(100 * self.completed / self.total) if self.total else 0


@dataclass
class Dashboard:
    active: list[DashboardCourse]
    completed: list[DashboardCourse]
    upcoming_sessions: list[LiveSessionPage]
    jp_this_year: Decimal
    jp_target: int
    # The period the JP and target are counted over (a PPPK's contract year, else the calendar year).
    jp_period: tuple[datetime.date, datetime.date] | None = None

    @property
    def jp_percent(self) -> int:
        return min(100, round(100 * self.jp_this_year / self.jp_target)) if self.jp_target else 100


def upcoming_sessions(*, courses: list[CoursePage], now: datetime.datetime | None = None) -> list[LiveSessionPage]:
    if not courses:
        return []
    now = now or timezone.now()
    return list(
        LiveSessionPage.objects.live().filter(_children_filter(courses), ends_at__gte=now).order_by("starts_at")
    )


def dashboard_for(*, user: User, jp_target: int | None = None) -> Dashboard:
    enrollments = list(
        Enrollment.objects.current().filter(user=user).select_related("course", "certificate").order_by("-enrolled_at")
    )
    courses = [e.course for e in enrollments]
    totals = course_item_counts(courses=courses)
    completed_counts = dict(
        ItemProgress.objects.filter(enrollment__in=enrollments, status=ProgressStatus.COMPLETED, item__live=True)
        .values_list("enrollment_id")
        .annotate(n=Count("id"))
        .values_list("enrollment_id", "n")
    )
    rows = [
        DashboardCourse(enrollment=e, total=totals.get(e.course_id, 0), completed=completed_counts.get(e.pk, 0))
        for e in enrollments
    ]
    # A PNS's calendar year, a PPPK's contract year: what the target is judged on (lms.competence.jp).
    start, end = person_period(user=user, on=timezone.localdate())
    jp = jp_total(user_id=user.pk, start=start, end=end)
    active_courses = [e.course for e in enrollments if e.status == EnrollmentStatus.ACTIVE]
    sessions = upcoming_sessions(courses=active_courses)
    if any(s.course_class_id for s in sessions):
        # Class-only sessions: only those of one's own class (lms.cohorts).
        from lms.cohorts.models import ClassMembership

        own = set(ClassMembership.objects.filter(enrollment__in=enrollments).values_list("course_class_id", flat=True))
        sessions = [s for s in sessions if s.course_class_id is None or s.course_class_id in own]
    return Dashboard(
        active=[r for r in rows if r.enrollment.status == EnrollmentStatus.ACTIVE],
        completed=[r for r in rows if r.enrollment.status == EnrollmentStatus.COMPLETED],
        upcoming_sessions=sessions,
        jp_this_year=jp,
        jp_target=person_target(user=user) if jp_target is None else jp_target,
        jp_period=(start, end),
    )


@dataclass
class ProgressRow:
    user: User
    enrollment: Enrollment
    cells: list[ItemProgress | None]

    @property
    def completed(self) -> int:
        return sum(1 for c in self.cells if c is not None and c.status == ProgressStatus.COMPLETED)


def course_progress_table(
    *, course: CoursePage, course_class_id: int | None = None, course_class_ids: list[int] | None = None
) -> tuple[list[ModulePage | LiveSessionPage], list[ProgressRow]]:
    """Learners × path steps, for instructors and administrators; withdrawn learners are not in it.
    `course_class_id`: only that class's members; `course_class_ids`: only those classes' (lms.cohorts)."""
    items = course_items(course=course)
    enrollments_qs = Enrollment.objects.current().filter(course=course)
    if course_class_id is not None:
        enrollments_qs = enrollments_qs.filter(class_membership__course_class_id=course_class_id)
    if course_class_ids is not None:
        enrollments_qs = enrollments_qs.filter(class_membership__course_class_id__in=course_class_ids)
    enrollments = list(
        enrollments_qs.select_related("user", "user__work_unit").order_by("user__work_unit__name", "user__full_name")
    )
    cells: dict[tuple[int, int], ItemProgress] = {
        (p.enrollment_id, p.item_id): p for p in ItemProgress.objects.filter(enrollment__course=course)
    }
    rows = [
        ProgressRow(user=e.user, enrollment=e, cells=[cells.get((e.pk, item.pk)) for item in items])
        for e in enrollments
    ]
    return items, rows


# Codes are token_urlsafe (lms.models.certificates): anything else (a NUL byte, which PostgreSQL refuses with a
# DataError, or a pasted page of text) is no certificate, without asking the database.
_CERTIFICATE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def certificate_get_by_code(*, code: str) -> Certificate | None:
    """A certificate with what its pages need (the course, for those who manage it)."""
    if not _CERTIFICATE_CODE.fullmatch(code or ""):
        return None
    return Certificate.objects.select_related("enrollment__course").filter(code=code).first()


def course_certificates(*, course: CoursePage) -> list[Certificate]:
    """The certificates issued for a course, in number order, for its managers."""
    return list(Certificate.objects.filter(enrollment__course=course).order_by("year", "sequence"))
