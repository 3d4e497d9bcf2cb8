"""The learner's outside learning on "Pelatihan Saya": {% load competence_learning %}{% learning_recent %}."""

from __future__ import annotations

from django import template

from lms.access import user_unit_scope
from lms.competence.models import EntrySource, EntryStatus, LedgerEntry

register = template.Library()
RECENT = 5


@register.inclusion_tag("competence/learning_dashboard.html", takes_context=True)
def learning_recent(context) -> dict:
    user = context["request"].user
    mine = LedgerEntry.objects.filter(user=user, source=EntrySource.SUBMISSION)
    scope = user_unit_scope(user, "verifier")
    return {
        "entries": list(mine.order_by("-created_at", "-pk")[:RECENT]),
        "waiting": mine.filter(status=EntryStatus.WAITING).count(),
        "can_verify": scope is None or bool(scope),
        "can_export": scope is None or bool(user_unit_scope(user, "head", "verifier")),
        "request": context["request"],
    }
