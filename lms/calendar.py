"""iCalendar (RFC 5545) files for live sessions: 'Tambahkan ke kalender'."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from django.utils import timezone
from django.utils.html import strip_tags

from lms.models import LiveSessionPage, SessionKind


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", r"\;").replace(",", r"\,").replace("\r\n", r"\n").replace("\n", r"\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _stamp(value) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(sessions: Iterable[LiveSessionPage], *, base_url: str) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Siger//LMS ASN//ID", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    now = _stamp(timezone.now())
    for session in sessions:
        url = base_url.rstrip("/") + session.url
        location = session.venue if session.kind == SessionKind.CLASSROOM else (session.conference_url or url)
        description = strip_tags(session.description or "").strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:siger-session-{session.pk}@siger",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(session.starts_at)}",
            f"DTEND:{_stamp(session.ends_at)}",
            f"SUMMARY:{_escape(session.title)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape((description + chr(10) + url).strip())}",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
