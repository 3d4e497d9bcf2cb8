"""Reads of live sessions: room snapshot for a joining socket, presence, attendance time and the report."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from live import events
from live.models import Attendance, ChatMessage, HandRaise, Mute, PresenceInterval, RoomState
from lms.access import user_can_join_session
from lms.models import Enrollment, LiveSessionPage, User

HISTORY_LIMIT = 100
# Messages commit in id order but may be published out of it by different processes: a client resuming from
# id N also receives what was written shortly before N (it drops the ids it already has).
CATCH_UP_MARGIN = datetime.timedelta(seconds=30)


def heartbeat_seconds() -> int:
    """How often each server process confirms its sockets are alive."""
    return getattr(settings, "SIGER_LIVE_HEARTBEAT_SECONDS", 10)


def presence_ttl_seconds() -> int:
    """A socket whose process missed three heartbeats is gone (the process died)."""
    return 3 * heartbeat_seconds()


def access_recheck_seconds() -> int:
    """How often each room re-checks that the people in it may still be there."""
    return getattr(settings, "SIGER_LIVE_ACCESS_RECHECK_SECONDS", 30)


def room_members_refused(*, session_id: int, user_ids: Collection[int]) -> set[int]:
    """Of the people in a room, those who may no longer be there. Cheap for a full room: one query keeps the
    learners with a current enrollment in the course (the ordinary reason to be there); everyone else (withdrawn
    learners, instructors, administrators, deactivated accounts) is decided by lms.access, one by one. A learner
    whose step became locked again keeps the socket until it reconnects."""
    session = LiveSessionPage.objects.filter(pk=session_id).first()
    if session is None:
        return set(user_ids)
    suspects = set(user_ids)
    if session.live:
        course_id = session.get_parent().pk
        members = Enrollment.objects.current().filter(course_id=course_id, user_id__in=suspects, user__is_active=True)
        if session.course_class_id:  # a class-only session: only that class's members are ordinary learners
            members = members.filter(class_membership__course_class_id=session.course_class_id)
        suspects -= set(members.values_list("user_id", flat=True))
    users = {user.pk: user for user in User.objects.filter(pk__in=suspects)}
    return {pk for pk in suspects if pk not in users or not user_can_join_session(users[pk], session)}


def chat_history(*, session_id: int, after_id: int | None = None) -> list[dict[str, Any]]:
    """Recent visible messages, or those a client resuming from `after_id` may have missed."""
    messages = ChatMessage.objects.visible().filter(session_id=session_id).select_related("author")
    if after_id:
        anchor = ChatMessage.objects.filter(session_id=session_id, pk=after_id).values_list("created_at", flat=True)
        since = Q(pk__gt=after_id)
        if anchor:
            since |= Q(created_at__gte=anchor[0] - CATCH_UP_MARGIN)
        # A long absence still gets only the newest HISTORY_LIMIT * 10, in order.
        rows = list(messages.filter(since).order_by("-id")[: HISTORY_LIMIT * 10])
    else:
        rows = list(messages.order_by("-id")[:HISTORY_LIMIT])
    return [events.message_payload(m) for m in reversed(rows)]


def room_snapshot(*, session_id: int, user: User, after_id: int | None) -> dict[str, Any]:
    """What a joining socket needs besides presence: history, deletions, room switches, hands, own mute."""
    state = RoomState.objects.filter(session_id=session_id).first()
    return {
        "messages": chat_history(session_id=session_id, after_id=after_id),
        # Lets a resuming client drop lines deleted while it was away.
        "deleted": list(
            ChatMessage.objects.filter(session_id=session_id, deleted_at__isnull=False)
            .order_by("-id")
            .values_list("pk", flat=True)[:500]
        ),
        "room": {
            "chat_open": state.chat_open if state else True,
            "pinned": state.pinned_text if state else "",
        },
        "hands": list(HandRaise.objects.filter(session_id=session_id).values_list("user_id", flat=True)),
        "muted": list(Mute.objects.filter(session_id=session_id).values_list("user_id", flat=True)),
    }


def presence_list(*, session_id: int, ttl_seconds: int) -> dict[int, dict[str, Any]]:
    """Who is in the room now, once per person however many tabs: open socket intervals with a fresh heartbeat."""
    cutoff = timezone.now() - datetime.timedelta(seconds=ttl_seconds)
    rows = (
        PresenceInterval.objects.open()
        .filter(session_id=session_id, source=PresenceInterval.Source.SOCKET, last_seen_at__gte=cutoff)
        .values_list("user_id", "user__full_name", "user__nip", "user__work_unit__name", "is_moderator")
    )
    present: dict[int, dict[str, Any]] = {}
    rows = list(rows)
    classes = _present_classes(session_id=session_id, user_ids={row[0] for row in rows}) if rows else {}
    for user_id, full_name, nip, work_unit, is_moderator in rows:
        known = present.get(user_id)
        if known is None or (is_moderator and known["role"] != "moderator"):
            present[user_id] = events.participant_payload(
                user_id=user_id,
                name=full_name or nip,
                work_unit=work_unit or "",
                is_moderator=is_moderator,
                course_class_id=classes.get(user_id),
            )
    return present


def _present_classes(*, session_id: int, user_ids: set[int]) -> dict[int, int]:
    """user id -> class id (lms.cohorts) in the session's course, for those in a class."""
    from lms.cohorts.models import ClassMembership

    path = LiveSessionPage.objects.filter(pk=session_id).values_list("path", flat=True).first()
    if path is None:
        return {}
    course_path = path[: -LiveSessionPage.steplen]
    return dict(
        ClassMembership.objects.filter(
            course_class__course__path=course_path, enrollment__user_id__in=user_ids
        ).values_list("enrollment__user_id", "course_class_id")
    )


def attendance_seconds(
    *, session: LiveSessionPage, intervals: Iterable[PresenceInterval], now: datetime.datetime
) -> int:
    """Seconds present within the scheduled time, from the union of the intervals (overlaps count once). An open
    interval lasts until now, or until its last heartbeat when that is older than the presence TTL."""
    stale_before = now - datetime.timedelta(seconds=presence_ttl_seconds())
    spans = []
    for interval in intervals:
        end = interval.ended_at
        if end is None:
            end = interval.last_seen_at if interval.last_seen_at < stale_before else now
        start, end = max(interval.started_at, session.starts_at), min(end, session.ends_at)
        if end > start:
            spans.append((start, end))
    total = 0.0
    current_start = current_end = None
    for start, end in sorted(spans):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return int(total)


@dataclass
class AttendanceRow:
    user: User
    attendance: Attendance | None
    sources: list[str]

    @property
    def minutes(self) -> int:
        return self.attendance.minutes_present if self.attendance else 0

    @property
    def attended(self) -> bool:
        return bool(self.attendance and self.attendance.attended)


def attendance_report(*, session: LiveSessionPage, course_class_ids: list[int] | None = None) -> list[AttendanceRow]:
    """Every enrolled learner and everyone else who came, by name, with minutes and verdict. `course_class_ids`:
    only the learners of those classes (lms.cohorts)."""
    course = session.get_parent()
    expected = Enrollment.objects.current().filter(course_id=course.pk)
    if session.course_class_id:  # a class-only session expects only that class
        expected = expected.filter(class_membership__course_class_id=session.course_class_id)
    if course_class_ids is not None:
        expected = expected.filter(class_membership__course_class_id__in=course_class_ids)
    enrolled = set(expected.values_list("user_id", flat=True))
    by_user = {a.user_id: a for a in Attendance.objects.filter(session=session)}
    if course_class_ids is not None:  # those who came from outside the classes are not in a class's report
        by_user = {user_id: a for user_id, a in by_user.items() if user_id in enrolled}
    sources: dict[int, set[str]] = {}
    for user_id, source in PresenceInterval.objects.filter(session=session).values_list("user_id", "source"):
        sources.setdefault(user_id, set()).add(source)
    users = User.objects.filter(pk__in=enrolled | set(by_user)).select_related("work_unit").order_by("full_name")
    labels = dict(PresenceInterval.Source.choices)
    return [
        AttendanceRow(
            user=user,
            attendance=by_user.get(user.pk),
            sources=[str(labels[s]) for s in sorted(sources.get(user.pk, ()))],
        )
        for user in users
    ]
