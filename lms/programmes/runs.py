"""Creating a programme run (e.g. "PKA Angkatan II 2027") from a template in one step: the course with its phases
dated from the first day, its assessment components, predicate bands and seminar criteria, and one page per
standard step. Afterwards the run is an ordinary course that its instructors edit like any other."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Page

from lms.assignments.models import AssignmentPage
from lms.models import CompletionRule, CourseIndexPage, CoursePage, LiveSessionPage, ModulePage, SessionKind, User
from lms.programmes.models import (
    AssessmentComponent,
    CoursePhase,
    PredicateBand,
    ProgrammeTemplate,
    SeminarCriterion,
    StepKind,
)
from lms.programmes.phases import phase_dates
from lms.programmes.structure import structure_errors

# A live session of a phase starts on the phase's first day at this local time (the editor moves it afterwards).
SESSION_STARTS_AT = datetime.time(9, 0)
# An assignment of a phase is due at the end of the phase's last day, local time.
ASSIGNMENT_DUE_AT = datetime.time(23, 59)


class RunError(Exception):
    """A run could not be created: nothing was written."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _free_slug(parent: Page, *candidates: str) -> str:
    """The first candidate slug no child of `parent` uses, else the last one numbered."""
    taken = set(parent.get_children().values_list("slug", flat=True))
    bases = [slug for slug in (slugify(c)[:240] for c in candidates) if slug] or ["angkatan"]
    for slug in bases:
        if slug not in taken:
            return slug
    number = 2
    while f"{bases[-1]}-{number}" in taken:
        number += 1
    return f"{bases[-1]}-{number}"


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _step_page(step, phase: CoursePhase, *, slug: str) -> Page:
    """An unsaved page for a template step, dated by its phase."""
    common = {"title": step.title, "slug": slug, "duration_minutes": step.duration_minutes, "phase": phase}
    if step.kind == StepKind.LIVE_SESSION:
        # A webinar until the editor says otherwise: a classroom session needs a venue no template knows.
        starts_at = _local(phase.starts_on, SESSION_STARTS_AT)
        return LiveSessionPage(
            **common,
            kind=SessionKind.WEBINAR,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=max(step.duration_minutes, 1)),
            completion_rule=CompletionRule.ATTENDED,
        )
    if step.kind == StepKind.ASSIGNMENT:
        return AssignmentPage(
            **common,
            instructions=f"<p>{_('Petunjuk pengerjaan akan diisi oleh pengelola pelatihan.')}</p>",
            due_at=_local(phase.ends_on, ASSIGNMENT_DUE_AT),
            completion_rule=CompletionRule.GRADED,
        )
    return ModulePage(**common, completion_rule=CompletionRule.MARKED_DONE)


def _check(*, template: ProgrammeTemplate, parent: Page, title: str, batch: str, starts_on) -> None:
    if not title:
        raise RunError("title", _("Isi judul pelatihan."))
    if len(title) > 255:
        raise RunError("title", _("Judul pelatihan paling panjang 255 karakter."))
    if not batch:
        raise RunError("batch", _("Isi angkatan, mis. Angkatan II."))
    if len(batch) > 60:
        raise RunError("batch", _("Angkatan paling panjang 60 karakter."))
    if not isinstance(starts_on, datetime.date):
        raise RunError("starts_on", _("Isi tanggal mulai."))
    if not isinstance(parent.specific, CourseIndexPage):
        raise RunError("parent", _("Pelatihan hanya dapat dibuat di bawah katalog pelatihan."))
    phases = list(template.phases.all())
    if not phases:
        raise RunError("template", _("Templat ini belum memiliki fase."))
    if any(not 1 <= step.phase_number <= len(phases) for step in template.steps.all()):
        raise RunError("template", _("Ada langkah templat yang merujuk ke fase yang tidak ada."))
    # The template editor checks the same, but a template may predate the check: a run is never made ungradable.
    errors = structure_errors(
        phases=[],
        components=list(template.components.values("key", "weight")),
        bands=list(template.predicates.values("min_score", "passes")),
        criteria=list(template.criteria.values("key", "weight")),
        requires_graduation=True,
    )
    if errors:
        raise RunError("template", " ".join(errors))
    if CoursePage.objects.filter(title__iexact=title, batch__iexact=batch).exists():
        raise RunError(
            "duplicate",
            _("Pelatihan “%(title)s” %(batch)s sudah ada.") % {"title": title, "batch": batch},
        )


def programme_run_create(
    *,
    template: ProgrammeTemplate,
    parent: Page,
    title: str,
    batch: str,
    starts_on: datetime.date,
    by: User,
) -> CoursePage:
    """Create a run of a programme from its template, as a draft course under the catalogue."""
    title, batch = (title or "").strip(), (batch or "").strip()
    with transaction.atomic():
        # One creation at a time per template: two administrators pressing at once must not both pass the
        # duplicate check.
        template = ProgrammeTemplate.objects.select_for_update().get(pk=template.pk)
        _check(template=template, parent=parent, title=title, batch=batch, starts_on=starts_on)
        parent = parent.specific
        course = CoursePage(
            title=title,
            slug=_free_slug(parent, title, f"{title} {batch}"),
            programme=template.programme,
            jp_credit=template.jp_credit,
            summary=(template.description or template.name)[:500],
            batch=batch,
            requires_graduation=True,
            sequential=True,
            # A draft until an administrator publishes it: learners see nothing before that.
            live=False,
        )
        dates = [
            phase_dates(starts_on=starts_on, offset_days=p.offset_days, duration_days=p.duration_days)
            for p in template.phases.all()
        ]
        # sort_order is written out: the admin's formsets set it, a copy in code must too (the path and the
        # grading read the rows in this order).
        for n, (phase, (first, last)) in enumerate(zip(template.phases.all(), dates, strict=True)):
            course.phases.add(
                CoursePhase(sort_order=n, name=phase.name, kind=phase.kind, starts_on=first, ends_on=last)
            )
        course.starts_on, course.ends_on = starts_on, max(last for _first, last in dates)
        for n, c in enumerate(template.components.all()):
            course.assessment_components.add(
                AssessmentComponent(sort_order=n, key=c.key, name=c.name, weight=c.weight, source=c.source)
            )
        for n, p in enumerate(template.predicates.all()):
            course.predicate_bands.add(PredicateBand(sort_order=n, name=p.name, min_score=p.min_score, passes=p.passes))
        for n, c in enumerate(template.criteria.all()):
            course.seminar_criteria.add(
                SeminarCriterion(sort_order=n, key=c.key, name=c.name, weight=c.weight, description=c.description)
            )
        if by.is_instructor or by.is_administrator:
            course.instructors = [by]
        parent.add_child(instance=course)
        # The Wagtail editor opens the latest revision: without one it would show an empty history.
        course.save_revision(user=by)
        log(instance=course, action="wagtail.create", user=by)

        phases = list(CoursePhase.objects.filter(course=course).order_by("sort_order", "pk"))
        steps = sorted(template.steps.all(), key=lambda s: (s.phase_number, s.sort_order or 0, s.pk))
        for step in steps:
            page = _step_page(step, phases[step.phase_number - 1], slug=_free_slug(course, step.title))
            course.add_child(instance=page)
            # The steps are live under a draft course: nobody reaches them until the course is published.
            page.save_revision(user=by).publish(user=by, skip_permission_checks=True)
    return course
