"""The seminar card of a participant's record page (templates/programmes/participant.html): their slot and, once
every examiner of the panel has submitted, the panel's result."""

from __future__ import annotations

from django import template

from lms.programmes.grading import seminar_panel_results
from lms.programmes.models import GuideRole, SeminarSlot

register = template.Library()


@register.inclusion_tag("programmes/seminar_participant_card.html", takes_context=True)
def participant_seminar(context: template.Context, enrollment) -> dict:
    """Only the panel's result, never one examiner's scores: the page is seen by the participant and by each of
    their guides, and an examiner must not learn the others' scores before submitting (lms.programmes.seminar)."""
    roles = context.get("my_roles") or []
    return {
        "enrollment": enrollment,
        "slots": list(SeminarSlot.objects.filter(enrollment=enrollment).select_related("session")),
        "panel_result": seminar_panel_results(enrollment_ids=[enrollment.pk]).get(enrollment.pk),
        "is_examiner": GuideRole.EXAMINER in roles,
        "can_run": bool(context.get("can_run")),
    }
