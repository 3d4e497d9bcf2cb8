"""Socket frames and room-bus messages: their type names and payloads, in one place.

Frames go to browsers as JSON objects with a `type`. Actions come from browsers as JSON objects with an
`action`. Between server processes the bus carries one message per room per event: either a frame to forward
to every local member as it is (encoded once, by the process that published it), or a hint that presence
changed.
"""

from __future__ import annotations

import json
from typing import Any

# --- Server → browser frames ------------------------------------------------------------------------------
HELLO = "hello"
CHAT_MESSAGE = "chat.message"
CHAT_ACK = "chat.ack"
CHAT_DELETED = "chat.deleted"
ROOM_STATE = "room.state"
MUTED = "participant.muted"
HAND = "hand"
PRESENCE = "presence"
ERROR = "error"

# --- Browser → server actions -----------------------------------------------------------------------------
SEND = "chat.send"
DELETE = "chat.delete"
MUTE = "mute"
UNMUTE = "unmute"
PIN = "pin"
CLOSE_CHAT = "chat.close"
OPEN_CHAT = "chat.open"
RAISE_HAND = "hand.raise"
LOWER_HAND = "hand.lower"

# --- Bus messages (bytes: one kind byte, then the payload) --------------------------------------------------
BUS_FRAME = b"F"
BUS_PRESENCE_CHANGED = b"P"
BUS_ACCESS_RECHECK = b"A"  # someone's access changed (an enrollment withdrawn or moved): re-check the room now

# --- Close codes ------------------------------------------------------------------------------------------
CLOSE_SLOW_READER = 4008  # the member's outbox overflowed; it reconnects and catches up
CLOSE_BUS_LOST = 4012  # this process lost the cross-process bus; reconnect and catch up
CLOSE_ACCESS_REVOKED = 4403  # the person may no longer be in the room (enrollment withdrawn, session closed)
CLOSE_NOT_OPEN = 4425  # the room is not open yet (live/opening.py); the page shows the countdown instead
CLOSE_SERVER_ERROR = 1011  # the socket's own handling failed; it left the room and may reconnect


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def hello(*, fields: dict[str, Any], presence_json: str) -> str:
    """The first frame a socket gets: `fields` plus the room's present list, already encoded once for all."""
    return encode({"type": HELLO, **fields})[:-1] + ',"presence":' + presence_json + "}"


def participant_payload(
    *, user_id: int, name: str, work_unit: str, is_moderator: bool, course_class_id: int | None = None
) -> dict[str, Any]:
    """`kelas`: the learner's class in the course (lms.cohorts), for the moderator's class filter; 0 for none."""
    role = "moderator" if is_moderator else "learner"
    return {"id": user_id, "name": name, "opd": work_unit, "role": role, "kelas": course_class_id or 0}


def message_payload(message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author_id": message.author_id,
        "author": message.author.get_full_name(),
        "text": message.text,
        "at": message.created_at.isoformat(),
    }


def chat_message(message) -> dict[str, Any]:
    return {"type": CHAT_MESSAGE, "message": message_payload(message)}


def chat_ack(message, *, client_id: str) -> dict[str, Any]:
    return {"type": CHAT_ACK, "client_id": client_id, "message": message_payload(message)}


def chat_deleted(message_id: int) -> dict[str, Any]:
    return {"type": CHAT_DELETED, "id": message_id}


def room_state(*, chat_open: bool, pinned: str) -> dict[str, Any]:
    return {"type": ROOM_STATE, "chat_open": chat_open, "pinned": pinned}


def muted(*, user_id: int, is_muted: bool) -> dict[str, Any]:
    return {"type": MUTED, "user_id": user_id, "muted": is_muted}


def hand(*, user_id: int, raised: bool) -> dict[str, Any]:
    return {"type": HAND, "user_id": user_id, "raised": raised}


def presence(*, joined: list[dict[str, Any]], left: list[int]) -> dict[str, Any]:
    return {"type": PRESENCE, "joined": joined, "left": left}


def error(*, code: str, message: str, client_id: str = "") -> dict[str, Any]:
    return {"type": ERROR, "code": code, "message": message, "client_id": client_id}
