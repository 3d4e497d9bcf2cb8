"""The room socket: checks access at the handshake, then parses actions, calls one service each and publishes
the result to the room through the hub."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from live import events, services
from live.bus import BusUnavailable
from live.hub import Member, hub_get
from live.limits import Slot
from live.opening import room_may_enter
from live.selectors import room_snapshot
from lms.access import user_can_join_session, user_can_moderate_session
from lms.models import LiveSessionPage

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 8 * 1024
# A room frame is one flat object. More containers than this (counted outside strings) is not one of ours, and
# json.loads recurses once per level: 2 KB of "[" raises RecursionError.
MAX_FRAME_CONTAINERS = 4
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"')
# ASCII digits only: str.isdigit() also accepts "²" and other digits that int() refuses.
_DIGITS = re.compile(r"[0-9]{1,18}", re.ASCII)
MAX_PAGE_ID = 2**31 - 1  # Wagtail page ids are 32-bit


def frame_burst() -> int:
    """Frames a socket may send at once; past them, FRAME_RATE a second. Each action queries the database (a
    learner's refused moderation too) on a shared thread pool: a flood is answered without touching it."""
    return getattr(settings, "SIGER_LIVE_FRAME_BURST", 60)


def frame_rate() -> float:
    return getattr(settings, "SIGER_LIVE_FRAME_RATE", 20)


# A room's database calls are independent of each other: run them on the thread pool. Channels' default
# (thread-sensitive) funnels every socket's queries through one thread, which made 2,000 joins take minutes.
db = functools.partial(database_sync_to_async, thread_sensitive=False)


def _room_access(user, session_id: int) -> tuple[LiveSessionPage, bool] | None:
    session = LiveSessionPage.objects.filter(pk=session_id).first()
    if session is None or not user.is_authenticated or not user_can_join_session(user, session):
        return None
    return session, user_can_moderate_session(user, session)


NOT_OPEN = "not_open"  # _room_enter's answer for a learner before the room opens


def _room_enter(user, session_id: int, connection: str) -> tuple[LiveSessionPage, bool] | str | None:
    """Check access and, when granted, open the socket's presence interval: one trip to the database thread."""
    access = _room_access(user, session_id)
    if access is not None and not room_may_enter(session=access[0], is_moderator=access[1]):
        return NOT_OPEN
    if access is not None:
        services.presence_open(session=access[0], user=user, connection=connection, is_moderator=access[1])
    return access


def _server_send(send):
    """The ASGI server's own `send`, under Channels' session middleware: its wrapper saves session cookies on
    HTTP responses, does nothing for websocket frames, and cost a quarter of each delivery in a 2,000-socket
    room (measured with tests/perf/webinar.py)."""
    while getattr(getattr(send, "__self__", None), "real_send", None) is not None:
        send = send.__self__.real_send
    return send


class BadParameter(ValueError):
    pass


def _id_parse(value: object, *, maximum: int) -> int:
    if not isinstance(value, str) or not _DIGITS.fullmatch(value) or not 0 < int(value) <= maximum:
        raise BadParameter(repr(value)[:40])
    return int(value)


def _after_id(scope: dict[str, Any]) -> int | None:
    """The last message id a resuming client has (`?after=`), or None; anything but one plain id is refused."""
    values = parse_qs(scope.get("query_string", b"").decode("ascii", errors="replace")).get("after")
    if values is None:
        return None
    if len(values) != 1:
        raise BadParameter("after")
    return _id_parse(values[0], maximum=2**63 - 1)


def _client_ip(scope: dict[str, Any]) -> str | None:
    client = scope.get("client")
    return str(client[0])[:64] if client else None


def _frame_parse(text_data: str | None) -> dict[str, Any] | None:
    """A client frame as a dict with a string `action`, or None for anything else. Size and nesting are bounded
    before json.loads sees it."""
    if text_data is None or len(text_data) > MAX_FRAME_CHARS:
        return None
    structure = _JSON_STRING.sub("", text_data)
    if structure.count("{") + structure.count("[") > MAX_FRAME_CONTAINERS:
        return None
    try:
        data = json.loads(text_data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        return None
    return data


class RoomConsumer(AsyncWebsocketConsumer):
    # The hub fans frames out; a per-socket channel-layer channel (a Redis subscription each) is not needed.
    channel_layer_alias = None

    HANDLERS = {
        events.SEND: "chat_send",
        events.DELETE: "chat_delete",
        events.MUTE: "participant_mute",
        events.UNMUTE: "participant_unmute",
        events.PIN: "room_pin",
        events.CLOSE_CHAT: "chat_close",
        events.OPEN_CHAT: "chat_open",
        events.RAISE_HAND: "hand_raise",
        events.LOWER_HAND: "hand_lower",
    }

    member: Member | None = None
    slot: Slot | None = None
    # Set from the moment the presence interval may exist until it is closed.
    entered = False
    # Frames this socket may still send now (a token bucket, see frame_burst()), and when it was last filled.
    frame_tokens: float | None = None
    frame_tokens_at = 0.0

    async def connect(self) -> None:
        """Whatever happens here, a socket that does not end up in the room leaves nothing behind: no presence
        interval, no hub member, no place in the socket caps."""
        joined = False
        try:
            joined = await self._enter()
        except Exception:
            logger.exception("joining room failed")
            with contextlib.suppress(Exception):
                await self.close(code=events.CLOSE_SERVER_ERROR)
        finally:
            if not joined:
                await self._leave()

    async def _enter(self) -> bool:
        """Join the room; True when joined, False when refused (the socket is then closed)."""
        self.user = self.scope["user"]
        self.hub = hub_get()
        self.connection = uuid.uuid4().hex
        try:
            self.session_id = _id_parse(str(self.scope["url_route"]["kwargs"]["session_id"]), maximum=MAX_PAGE_ID)
            after_id = _after_id(self.scope)
        except BadParameter:
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return False
        slot = Slot(connection=self.connection, user_id=self.user.pk, ip=_client_ip(self.scope))
        if await self.hub.limits.acquire(slot) is not None:
            await self.close()  # too many sockets for this person or address; the page retries with backoff
            return False
        self.slot = slot
        self.entered = True
        access = await db(_room_enter)(self.user, self.session_id, self.connection)
        if access is None:
            self.entered = False  # refused: nothing was opened
            await self.close()
            return False
        if access == NOT_OPEN:
            # Accepted only to say why: a refused handshake (HTTP 403) looks like a lost connection to the page.
            self.entered = False
            await self.accept()
            await self.close(code=events.CLOSE_NOT_OPEN)
            return False
        self.session, self.is_moderator = access
        await self.accept()
        member = Member(
            send=_server_send(self.base_send),
            user_id=self.user.pk,
            connection=self.connection,
            slot=slot,
            task=asyncio.current_task(),
        )
        try:
            present = await self.hub.join(self.session_id, member)
        except BusUnavailable:  # Redis is down: nothing joined; the page retries
            await self.close(code=events.CLOSE_BUS_LOST)
            return False
        self.member = member
        snapshot = await db(room_snapshot)(session_id=self.session_id, user=self.user, after_id=after_id)
        me = {"id": self.user.pk, "name": self.user.get_full_name(), "moderator": self.is_moderator}
        member.start(events.hello(fields={"me": me, **snapshot}, presence_json=present))
        await self.hub.publish_presence_changed(self.session_id)
        return True

    async def _leave(self) -> None:
        """Leave the room, close the presence interval and give back the socket's places; safe to call twice."""
        member, self.member = self.member, None
        entered, self.entered = self.entered, False
        slot, self.slot = self.slot, None
        try:
            if member is not None:
                self.hub.leave(self.session_id, member)
            if entered:
                await db(services.presence_close)(connection=self.connection)
            if member is not None:
                await self.hub.publish_presence_changed(self.session_id)
        except Exception:  # the heartbeat expiry closes the interval later
            logger.exception("leaving room failed")
        finally:
            if slot is not None:
                await self.hub.limits.release(slot)

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Whatever a frame holds, it gets a reply and the socket stays a well-behaved member of the room."""
        try:
            await self._receive(text_data)
        except Exception:
            logger.exception("room frame handling failed")
            self._reply(events.error(code="server_error", message=_("Terjadi gangguan. Coba lagi.")))

    async def _receive(self, text_data: str | None) -> None:
        if self.member is None:
            return
        if not self._frame_allowed():
            self._reply(events.error(code="rate_limited", message=_("Terlalu sering. Tunggu sebentar lalu coba lagi.")))
            return
        data = _frame_parse(text_data)
        handler = self.HANDLERS.get(data["action"]) if data is not None else None
        if handler is None:
            self._reply(events.error(code="invalid", message=_("Permintaan tidak dikenal.")))
            return
        client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else ""
        try:
            await getattr(self, handler)(data)
        except services.LiveError as error:
            self._reply(events.error(code=error.code, message=error.message, client_id=client_id))
        except Exception:
            logger.exception("room action %s failed", handler)
            self._reply(
                events.error(code="server_error", message=_("Terjadi gangguan. Coba lagi."), client_id=client_id)
            )

    def _frame_allowed(self) -> bool:
        now, burst = time.monotonic(), frame_burst()
        if self.frame_tokens is None:
            self.frame_tokens = burst
        else:
            self.frame_tokens = min(burst, self.frame_tokens + (now - self.frame_tokens_at) * frame_rate())
        self.frame_tokens_at = now
        if self.frame_tokens < 1:
            return False
        self.frame_tokens -= 1
        return True

    def _reply(self, frame: dict[str, Any]) -> None:
        if self.member is not None:
            self.member.push_frame(frame)

    async def _call(self, service, **kwargs):
        return await db(service)(session=self.session, **kwargs)

    # --- action handlers -------------------------------------------------------------------------------------

    async def chat_send(self, data: dict[str, Any]) -> None:
        client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else ""
        message, created = await self._call(
            services.chat_message_post,
            user=self.user,
            text=data.get("text"),
            client_id=client_id,
            is_moderator=self.is_moderator,
        )
        # Committed: only now is the sender told, and only the sender.
        self._reply(events.chat_ack(message, client_id=client_id))
        if created:
            await self.hub.publish(self.session_id, events.chat_message(message))

    async def chat_delete(self, data: dict[str, Any]) -> None:
        message = await self._call(services.chat_message_delete, moderator=self.user, message_id=data.get("id"))
        await self.hub.publish(self.session_id, events.chat_deleted(message.pk))

    async def participant_mute(self, data: dict[str, Any], *, muted: bool = True) -> None:
        user_id = await self._call(
            services.participant_mute_set, moderator=self.user, user_id=data.get("user_id"), muted=muted
        )
        await self.hub.publish(self.session_id, events.muted(user_id=user_id, is_muted=muted))

    async def participant_unmute(self, data: dict[str, Any]) -> None:
        await self.participant_mute(data, muted=False)

    async def room_pin(self, data: dict[str, Any]) -> None:
        state = await self._call(services.room_pin_set, moderator=self.user, text=data.get("text", ""))
        await self.hub.publish(self.session_id, events.room_state(chat_open=state.chat_open, pinned=state.pinned_text))

    async def chat_close(self, data: dict[str, Any], *, is_open: bool = False) -> None:
        state = await self._call(services.room_chat_open_set, moderator=self.user, is_open=is_open)
        await self.hub.publish(self.session_id, events.room_state(chat_open=state.chat_open, pinned=state.pinned_text))

    async def chat_open(self, data: dict[str, Any]) -> None:
        await self.chat_close(data, is_open=True)

    async def hand_raise(self, data: dict[str, Any]) -> None:
        user_id = await self._call(services.hand_raise, user=self.user)
        await self.hub.publish(self.session_id, events.hand(user_id=user_id, raised=True))

    async def hand_lower(self, data: dict[str, Any]) -> None:
        user_id = await self._call(services.hand_lower, user=self.user, target_id=data.get("user_id"))
        await self.hub.publish(self.session_id, events.hand(user_id=user_id, raised=False))
