"""What happened in lms, announced to whoever listens: lms emits, other apps subscribe (notifications in its
AppConfig.ready()). Dependencies stay one way: lms never imports a subscriber.

Handlers run after the surrounding transaction commits (at once when there is none), so a rolled-back action
announces nothing; a handler that fails is logged and never breaks the action that emitted the event."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

# Event names and the payload each one carries (keyword arguments of emit and of every handler).
ENROLLMENT_CREATED = "enrollment.created"  # enrollment: Enrollment (new, or re-activated after a withdrawal)
CERTIFICATE_ISSUED = "certificate.issued"  # certificate: Certificate
SUBMISSION_GRADED = "submission.graded"  # submission: lms.assignments Submission
ACCOUNTS_CREATED = "accounts.created"  # user_ids: list[int] of accounts that still need activating
ACTIVATION_RESEND_REQUESTED = "accounts.activation_resend_requested"  # user: User, not activated, with an email
LEARNING_VERIFIED = "learning.verified"  # entry: lms.competence LedgerEntry submitted, now recorded or rejected

EVENTS = frozenset(
    {
        ENROLLMENT_CREATED,
        CERTIFICATE_ISSUED,
        SUBMISSION_GRADED,
        ACCOUNTS_CREATED,
        ACTIVATION_RESEND_REQUESTED,
        LEARNING_VERIFIED,
    }
)

Handler = Callable[..., object]
_handlers: dict[str, list[Handler]] = {event: [] for event in EVENTS}


def subscribe(event: str, handler: Handler) -> None:
    """Run handler(**payload) after every emit of event. Subscribing twice is one subscription (ready() may
    run more than once)."""
    if event not in _handlers:
        raise ValueError(f"unknown event {event!r}")
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def emit(event: str, **payload: object) -> None:
    """Announce event to its handlers once the current transaction commits."""
    if event not in _handlers:
        raise ValueError(f"unknown event {event!r}")
    for handler in list(_handlers[event]):
        # One callback per handler: one failing does not keep the others from running.
        transaction.on_commit(partial(_run, event, handler, payload))


def _run(event: str, handler: Handler, payload: dict[str, object]) -> None:
    try:
        handler(**payload)
    except Exception:  # the action already happened; a subscriber's failure is logged, not raised
        logger.exception("event %s: handler %s failed", event, getattr(handler, "__qualname__", handler))
