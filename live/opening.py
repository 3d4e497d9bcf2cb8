"""When a session's room opens: the one rule shared by the room page and the socket."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.models import LiveSessionPage


class RoomState(models.TextChoices):
    NOT_OPEN = "not_open", _("belum dimulai")
    OPEN = "open", _("berlangsung")
    ENDED = "ended", _("sudah selesai")


def room_opens_at(*, session: LiveSessionPage) -> datetime.datetime:
    """A room opens a little before the start so people can test sound and settle in; not days early, when a
    "Terhubung." to an empty room only confuses."""
    minutes = getattr(settings, "SIGER_LIVE_ROOM_OPENS_MINUTES", 30)
    return session.starts_at - datetime.timedelta(minutes=minutes)


def room_state(*, session: LiveSessionPage, now: datetime.datetime | None = None) -> RoomState:
    now = now or timezone.now()
    if now < room_opens_at(session=session):
        return RoomState.NOT_OPEN
    if now >= session.ends_at:
        return RoomState.ENDED
    return RoomState.OPEN


def room_may_enter(*, session: LiveSessionPage, is_moderator: bool, now: datetime.datetime | None = None) -> bool:
    """Learners wait for the opening; instructors and moderators may enter any time to prepare (pin the
    agenda, test the check-in QR) before the learners arrive. After the end the room stays readable: presence
    no longer counts, since attendance is clipped to the scheduled window (live/selectors.py)."""
    return is_moderator or room_state(session=session, now=now) != RoomState.NOT_OPEN
