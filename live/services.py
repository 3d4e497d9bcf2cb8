"""Writes and workflows of live sessions: chat, moderation, presence, attendance and classroom check-in."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live.models import (
    CHAT_MAX_LENGTH,
    PIN_MAX_LENGTH,
    Attendance,
    ChatMessage,
    HandRaise,
    Mute,
    PresenceInterval,
    RoomState,
)
from live.selectors import attendance_seconds, presence_ttl_seconds
from lms.access import user_can_moderate_session
from lms.models import CompletionRule, LiveSessionPage, ProgressSource, User
from lms.ratelimit import rate_limit_exceeded
from lms.selectors import enrollment_get
from lms.services import progress_complete, progress_reopen

# Per person and room: enough for a lively discussion, too few for a flood.
CHAT_RATE_LIMIT = 5
CHAT_RATE_WINDOW_SECONDS = 10
CHECKIN_RATE_LIMIT = 5
CHECKIN_RATE_WINDOW_SECONDS = 60
CHECKIN_WINDOW_SECONDS = 30
CHECKIN_CODE_DIGITS = 6

# Control characters other than tab and newline: PostgreSQL refuses NUL and the rest only hide text. Lone
# surrogates (json.loads accepts "\ud800") cannot be encoded for the database at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


class LiveError(Exception):
    """A refused action: `code` for programs, `message` (Bahasa Indonesia) for people. Nothing was changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _require_moderator(session: LiveSessionPage, user: User) -> None:
    if not user_can_moderate_session(user, session):
        raise LiveError("forbidden", _("Hanya pengajar sesi ini yang dapat melakukannya."))


def _require_participant(session: LiveSessionPage, user: User) -> None:
    """Attendance is decided only for those on the session's report: learners enrolled in its course and whoever
    already came (presence or an attendance record). Anyone else would appear on the report, NIP and OPD
    included, so an instructor could read any account's details by posting its id."""
    came = (
        Attendance.objects.filter(session=session, user=user).exists()
        or PresenceInterval.objects.filter(session=session, user=user).exists()
    )
    if not came and enrollment_get(user=user, course=session.get_parent().specific) is None:
        raise LiveError("not_found", _("Peserta tidak ditemukan."))


def _clean_text(text: object, *, max_length: int) -> str:
    if not isinstance(text, str):
        raise LiveError("invalid", _("Pesan harus berupa teks."))
    text = _CONTROL.sub("", text).strip()
    if not text:
        raise LiveError("empty", _("Pesan kosong."))
    if len(text) > max_length:
        raise LiveError("too_long", _("Pesan terlalu panjang (maksimal %(n)d karakter).") % {"n": max_length})
    return text


def room_state_get(*, session: LiveSessionPage) -> RoomState:
    state, _created = RoomState.objects.get_or_create(session=session)
    return state


# --- Chat ---------------------------------------------------------------------------------------------------


def chat_message_post(
    *, session: LiveSessionPage, user: User, text: object, client_id: str = "", is_moderator: bool = False
) -> tuple[ChatMessage, bool]:
    """Store a chat message; returns it and whether it is new (False: a resend of one already stored)."""
    client_id = client_id[:40] if isinstance(client_id, str) else ""
    if client_id:
        existing = (
            ChatMessage.objects.filter(session=session, author=user, client_id=client_id)
            .select_related("author")
            .first()
        )
        if existing is not None:
            return existing, False
    text = _clean_text(text, max_length=CHAT_MAX_LENGTH)
    if not is_moderator:
        if not room_state_get(session=session).chat_open:
            raise LiveError("chat_closed", _("Obrolan sedang ditutup oleh pengajar."))
        if Mute.objects.filter(session=session, user=user).exists():
            raise LiveError("muted", _("Anda dibisukan oleh pengajar."))
    if rate_limit_exceeded(
        f"live-chat:{session.pk}:{user.pk}", limit=CHAT_RATE_LIMIT, window_seconds=CHAT_RATE_WINDOW_SECONDS
    ):
        raise LiveError(
            "rate_limited",
            _("Terlalu banyak pesan. Tunggu %(s)d detik lalu kirim lagi.") % {"s": CHAT_RATE_WINDOW_SECONDS},
        )
    try:
        with transaction.atomic():
            message = ChatMessage.objects.create(session=session, author=user, text=text, client_id=client_id)
    except IntegrityError:
        # The same client id arrived twice at once (a resend racing the original).
        return ChatMessage.objects.select_related("author").get(
            session=session, author=user, client_id=client_id
        ), False
    message.author = user
    return message, True


def chat_message_delete(*, session: LiveSessionPage, moderator: User, message_id: object) -> ChatMessage:
    """Remove a message for everyone (kept in the database, hidden from the room)."""
    _require_moderator(session, moderator)
    if not isinstance(message_id, int):
        raise LiveError("invalid", _("Pesan tidak ditemukan."))
    message = ChatMessage.objects.filter(session=session, pk=message_id).first()
    if message is None:
        raise LiveError("not_found", _("Pesan tidak ditemukan."))
    if message.deleted_at is None:
        message.deleted_at, message.deleted_by = timezone.now(), moderator
        message.save(update_fields=["deleted_at", "deleted_by"])
    return message


# --- Moderation ---------------------------------------------------------------------------------------------


def participant_mute_set(*, session: LiveSessionPage, moderator: User, user_id: object, muted: bool) -> int:
    """Mute or unmute one participant's chat; returns the participant's id."""
    _require_moderator(session, moderator)
    target = User.objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if target is None:
        raise LiveError("not_found", _("Peserta tidak ditemukan."))
    if muted:
        Mute.objects.get_or_create(session=session, user=target, defaults={"muted_by": moderator})
    else:
        Mute.objects.filter(session=session, user=target).delete()
    return target.pk


def room_pin_set(*, session: LiveSessionPage, moderator: User, text: object) -> RoomState:
    """Pin an announcement above the chat (an empty text unpins)."""
    _require_moderator(session, moderator)
    if not isinstance(text, str):
        raise LiveError("invalid", _("Pengumuman harus berupa teks."))
    text = _CONTROL.sub("", text).strip()
    if len(text) > PIN_MAX_LENGTH:
        raise LiveError("too_long", _("Pengumuman terlalu panjang (maksimal %(n)d karakter).") % {"n": PIN_MAX_LENGTH})
    state = room_state_get(session=session)
    state.pinned_text, state.pinned_at = text, timezone.now() if text else None
    state.save(update_fields=["pinned_text", "pinned_at"])
    return state


def room_chat_open_set(*, session: LiveSessionPage, moderator: User, is_open: bool) -> RoomState:
    """Close or reopen the chat for learners."""
    _require_moderator(session, moderator)
    state = room_state_get(session=session)
    state.chat_open = is_open
    state.save(update_fields=["chat_open"])
    return state


HAND_RATE_LIMIT = 10
HAND_RATE_WINDOW_SECONDS = 30


def _hand_throttle(session: LiveSessionPage, user: User) -> None:
    if rate_limit_exceeded(
        f"live-hand:{session.pk}:{user.pk}", limit=HAND_RATE_LIMIT, window_seconds=HAND_RATE_WINDOW_SECONDS
    ):
        raise LiveError("rate_limited", _("Terlalu sering. Tunggu sebentar lalu coba lagi."))


def hand_raise(*, session: LiveSessionPage, user: User) -> int:
    _hand_throttle(session, user)
    HandRaise.objects.get_or_create(session=session, user=user)
    return user.pk


def hand_lower(*, session: LiveSessionPage, user: User, target_id: object = None) -> int:
    """Lower a hand: one's own, or anyone's for the session's instructors."""
    if target_id is None or target_id == user.pk:
        target_id = user.pk
    else:
        _require_moderator(session, user)
        if not isinstance(target_id, int):
            raise LiveError("invalid", _("Peserta tidak ditemukan."))
    _hand_throttle(session, user)
    HandRaise.objects.filter(session=session, user_id=target_id).delete()
    return target_id


# --- Presence and attendance ---------------------------------------------------------------------------------


def presence_open(*, session: LiveSessionPage, user: User, connection: str, is_moderator: bool) -> PresenceInterval:
    """A socket joined the room: open its interval."""
    now = timezone.now()
    return PresenceInterval.objects.create(
        session=session,
        user=user,
        connection=connection,
        is_moderator=is_moderator,
        started_at=now,
        last_seen_at=now,
    )


def presence_close(*, connection: str) -> Attendance | None:
    """A socket left: close its interval and bring the person's attendance up to date."""
    interval = PresenceInterval.objects.open().filter(connection=connection).select_related("session").first()
    if interval is None:
        return None
    now = timezone.now()
    PresenceInterval.objects.filter(pk=interval.pk).update(ended_at=now, last_seen_at=now)
    return attendance_refresh(session=interval.session, user_id=interval.user_id)


def presence_heartbeat(*, connections: list[str]) -> None:
    """This process's sockets are alive."""
    if connections:
        PresenceInterval.objects.open().filter(connection__in=connections).update(last_seen_at=timezone.now())


def presence_expire(*, session_id: int) -> list[int]:
    """Close the intervals whose heartbeat stopped (their server process died) at their last heartbeat;
    returns the people concerned."""
    cutoff = timezone.now() - datetime.timedelta(seconds=presence_ttl_seconds())
    stale = list(
        PresenceInterval.objects.open()
        .filter(session_id=session_id, source=PresenceInterval.Source.SOCKET, last_seen_at__lt=cutoff)
        .values_list("pk", "user_id", "last_seen_at")
    )
    for pk, _user_id, last_seen in stale:
        PresenceInterval.objects.filter(pk=pk, ended_at__isnull=True).update(ended_at=last_seen)
    user_ids = sorted({user_id for _pk, user_id, _seen in stale})
    if user_ids:
        session = LiveSessionPage.objects.get(pk=session_id)
        for user_id in user_ids:
            attendance_refresh(session=session, user_id=user_id)
    return user_ids


def _required_seconds(session: LiveSessionPage) -> int:
    return session.scheduled_minutes * 60 * session.attendance_threshold_percent // 100


@transaction.atomic
def attendance_refresh(*, session: LiveSessionPage, user_id: int) -> Attendance:
    """Recompute a person's time present and, once it reaches the session's rule, mark the session attended."""
    attendance, _created = Attendance.objects.select_for_update().get_or_create(session=session, user_id=user_id)
    intervals = PresenceInterval.objects.filter(session=session, user_id=user_id)
    attendance.seconds_present = attendance_seconds(session=session, intervals=intervals, now=timezone.now())
    was_attended = attendance.attended
    computed = attendance.seconds_present >= _required_seconds(session)
    attendance.attended = attendance.override if attendance.override is not None else computed
    attendance.updated_at = timezone.now()
    attendance.save()
    if attendance.attended and not was_attended and attendance.override is None:
        _progress_attended(session=session, user_id=user_id, source=ProgressSource.ATTENDANCE)
    return attendance


def _progress_attended(*, session: LiveSessionPage, user_id: int, source: str, note: str = "") -> None:
    if session.completion_rule != CompletionRule.ATTENDED and source == ProgressSource.ATTENDANCE:
        return
    user = User.objects.get(pk=user_id)
    enrollment = enrollment_get(user=user, course=session.get_parent().specific)
    if enrollment is not None:  # instructors attend without being enrolled
        progress_complete(enrollment=enrollment, item=session, source=source, note=note)


@transaction.atomic
def attendance_override(
    *, session: LiveSessionPage, moderator: User, user: User, attended: bool, reason: str
) -> Attendance:
    """An instructor decides attendance, with a reason, whatever presence says."""
    _require_moderator(session, moderator)
    _require_participant(session, user)
    reason = _CONTROL.sub("", reason or "").strip()[:255]
    if not reason:
        raise LiveError("reason_required", _("Tuliskan alasan perubahan kehadiran."))
    attendance, _created = Attendance.objects.select_for_update().get_or_create(session=session, user=user)
    attendance.override, attendance.override_reason, attendance.override_by = attended, reason, moderator
    attendance.attended, attendance.updated_at = attended, timezone.now()
    attendance.save()
    enrollment = enrollment_get(user=user, course=session.get_parent().specific)
    if enrollment is not None:
        if attended:
            progress_complete(enrollment=enrollment, item=session, source=ProgressSource.OVERRIDE, note=reason)
        else:
            progress_reopen(enrollment=enrollment, item=session, note=reason, by=moderator)
    return attendance


def attendance_tick(*, session: LiveSessionPage, moderator: User, user: User) -> Attendance:
    """An instructor ticks a person present in a classroom: present for the whole scheduled time."""
    _require_moderator(session, moderator)
    _require_participant(session, user)
    if not PresenceInterval.objects.filter(session=session, user=user, source=PresenceInterval.Source.MANUAL).exists():
        PresenceInterval.objects.create(
            session=session,
            user=user,
            source=PresenceInterval.Source.MANUAL,
            started_at=session.starts_at,
            last_seen_at=session.ends_at,
            ended_at=session.ends_at,
        )
    return attendance_refresh(session=session, user_id=user.pk)


# --- Classroom check-in --------------------------------------------------------------------------------------


def checkin_code(*, session_id: int, window: int | None = None) -> str:
    """The short code shown in the classroom: HMAC of the session and the current 30-second window."""
    if window is None:
        window = int(time.time()) // CHECKIN_WINDOW_SECONDS
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"siger-live-checkin:{session_id}:{window}".encode(), hashlib.sha256
    ).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CHECKIN_CODE_DIGITS).zfill(CHECKIN_CODE_DIGITS)


def checkin_code_valid(*, session_id: int, code: str) -> bool:
    """The current code, or the previous one (read off the screen just before it changed)."""
    window = int(time.time()) // CHECKIN_WINDOW_SECONDS
    code = re.sub(r"\s", "", code or "")
    return any(hmac.compare_digest(code, checkin_code(session_id=session_id, window=w)) for w in (window, window - 1))


def attendance_checkin(*, session: LiveSessionPage, user: User, code: str) -> Attendance:
    """A learner in the classroom typed or scanned the code: present from now to the end of the session."""
    if rate_limit_exceeded(
        f"live-checkin:{user.pk}", limit=CHECKIN_RATE_LIMIT, window_seconds=CHECKIN_RATE_WINDOW_SECONDS
    ):
        raise LiveError("rate_limited", _("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi."))
    if not checkin_code_valid(session_id=session.pk, code=code):
        raise LiveError("bad_code", _("Kode presensi salah atau sudah kedaluwarsa."))
    now = timezone.now()
    if now >= session.ends_at:
        raise LiveError("ended", _("Sesi sudah selesai."))
    if not PresenceInterval.objects.filter(session=session, user=user, source=PresenceInterval.Source.CHECKIN).exists():
        PresenceInterval.objects.create(
            session=session,
            user=user,
            source=PresenceInterval.Source.CHECKIN,
            started_at=now,
            last_seen_at=session.ends_at,
            ended_at=session.ends_at,
        )
    return attendance_refresh(session=session, user_id=user.pk)
