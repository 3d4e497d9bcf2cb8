"""The room socket: checks access at the handshake, then parses actions, calls one service each and publishes
the result to the room through the hub."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import uuid
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from live import events, services
from live.bus import BusUnavailable
from live.hub import Member, hub_get
from live.selectors import room_snapshot
from lms.access import user_can_join_session, user_can_moderate_session
from lms.models import LiveSessionPage

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 8 * 1024


# A room's database calls are independent of each other: run them on the thread pool. Channels' default
# (thread-sensitive) funnels every socket's queries through one thread, which made 2,000 joins take minutes.
db = functools.partial(database_sync_to_async, thread_sensitive=False)


def _room_access(user, session_id: int) -> tuple[LiveSessionPage, bool] | None:
    session = LiveSessionPage.objects.filter(pk=session_id).first()
    if session is None or not user.is_authenticated or not user_can_join_session(user, session):
        return None
    return session, user_can_moderate_session(user, session)


def _room_enter(user, session_id: int, connection: str) -> tuple[LiveSessionPage, bool] | None:
    """Check access and, when granted, open the socket's presence interval: one trip to the database thread."""
    access = _room_access(user, session_id)
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


def _after_id(scope: dict[str, Any]) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode(errors="replace")).get("after", [""])
    return int(values[0]) if values[0].isdigit() else None


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

    async def connect(self) -> None:
        self.user = self.scope["user"]
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        connection = uuid.uuid4().hex
        access = await db(_room_enter)(self.user, self.session_id, connection)
        if access is None:
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        self.session, self.is_moderator = access
        await self.accept()
        self.hub = hub_get()
        member = Member(send=_server_send(self.base_send), user_id=self.user.pk, connection=connection)
        try:
            present = await self.hub.join(self.session_id, member)
        except Exception as error:  # Redis or the database is down: nothing joined; the page retries
            if not isinstance(error, BusUnavailable):
                logger.exception("joining room %s failed", self.session_id)
            with contextlib.suppress(Exception):
                await db(services.presence_close)(connection=connection)
            await self.close(code=events.CLOSE_BUS_LOST)
            return
        self.member = member
        snapshot = await db(room_snapshot)(session_id=self.session_id, user=self.user, after_id=_after_id(self.scope))
        me = {"id": self.user.pk, "name": self.user.get_full_name(), "moderator": self.is_moderator}
        member.start(events.hello(fields={"me": me, **snapshot}, presence_json=present))
        await self.hub.publish_presence_changed(self.session_id)

    async def disconnect(self, code: int) -> None:
        member, self.member = self.member, None
        if member is None:
            return
        self.hub.leave(self.session_id, member)
        try:
            await db(services.presence_close)(connection=member.connection)
        except Exception:  # the heartbeat expiry closes it later
            logger.exception("closing a presence interval failed")
        await self.hub.publish_presence_changed(self.session_id)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.member is None:
            return
        try:
            if text_data is None or len(text_data) > MAX_FRAME_CHARS:
                raise ValueError
            data = json.loads(text_data)
            handler = getattr(self, self.HANDLERS[data["action"]])
        except (ValueError, TypeError, KeyError):
            self._reply(events.error(code="invalid", message=_("Permintaan tidak dikenal.")))
            return
        client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else ""
        try:
            await handler(data)
        except services.LiveError as error:
            self._reply(events.error(code=error.code, message=error.message, client_id=client_id))
        except Exception:
            logger.exception("room action %s failed", data.get("action"))
            self._reply(
                events.error(code="server_error", message=_("Terjadi gangguan. Coba lagi."), client_id=client_id)
            )

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
