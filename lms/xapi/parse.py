"""Parsing and checking xAPI statements: pure functions, no database. Every refusal is an XAPIError with a
machine-readable code and an Indonesian message, so that bad input is a 400 with its reason, never a 500.

What PostgreSQL refuses (and would turn into a 500 when the row is written) is refused here first: NUL characters
and lone surrogates in strings, NaN and infinities, verb ids longer than the 255-character column. Nesting is
bounded while the body is read (the C JSON parser recurses; a few KB of brackets raise RecursionError) and again
per statement.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

VERB_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
# Recorded by the server (never accepted from a client) when the player of a placed activity is launched.
VERB_LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"

MAX_BATCH = 200
MAX_STATEMENT_BYTES = 64 * 1024
MAX_STATE_BYTES = 512 * 1024
MAX_DEPTH = 32
MAX_VERB_ID = 255  # XAPIStatement.verb and ActivityAttempt.verb columns
MAX_IRI = 2048
MAX_KEY = 255
MAX_SCORE = 1e12
# Above this, a duration is a client bug or an attack (timedelta overflows at 999,999,999 days).
MAX_DURATION = datetime.timedelta(days=366)
CLOCK_SKEW = datetime.timedelta(minutes=5)
# A score's scaled value must agree with raw/max this closely (H5P rounds nothing, but clients may).
SCALED_TOLERANCE = 0.005

# Strict ISO 8601 duration as xAPI uses it, without the calendar units (years, months) whose length varies.
DURATION = re.compile(
    r"^P(?=\d|T\d)(?:(?P<weeks>\d{1,6})W)?(?:(?P<days>\d{1,6})D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d{1,8})H)?(?:(?P<minutes>\d{1,10})M)?(?:(?P<seconds>\d{1,12}(?:\.\d{1,20})?)S)?)?$"
)
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


class XAPIError(Exception):
    """Bad input (400), a conflicting duplicate (409), a refusal (403) or an unknown activity (404); nothing was
    stored. `rejected` lists the statements of a batch that were refused, each with its index and reason."""

    def __init__(self, status: int, code: str, message: str, *, rejected: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.rejected = status, code, message, rejected or []

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"error": self.code, "message": self.message, "max_batch": MAX_BATCH}
        if self.rejected:
            answer["rejected"] = self.rejected
        return answer


def bad(code: str, message: str) -> XAPIError:
    return XAPIError(400, code, message)


@dataclass
class ParsedStatement:
    statement_id: uuid.UUID
    verb: str
    body: dict[str, Any]
    body_hash: str
    top_level: bool


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise ValueError(text)
    return value


def _no_constant(text: str) -> Any:
    raise ValueError(text)  # NaN, Infinity, -Infinity: not JSON, and not storable in PostgreSQL


def body_load(raw: bytes) -> Any:
    """The request body as JSON, refused (400) when it is not strict JSON or is nested too deeply."""
    try:
        text = raw.decode("utf-8")
        return json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:
        raise bad("too_deep", _("Isi kiriman bersarang terlalu dalam.")) from None
    # ValueError covers JSONDecodeError, refused constants and integers over Python's digit limit.
    except (ValueError, UnicodeDecodeError):
        raise bad("invalid_json", _("Isi kiriman bukan JSON yang valid.")) from None


def _depth_ok(value: Any, limit: int = MAX_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values() if isinstance(child, dict | list))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return True


def _number(value: Any) -> bool:
    # Bounded: an integer of 400 digits is valid JSON but no float, and SQLite's columns stop at 2**63.
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= MAX_SCORE


def _iri(value: Any, *, limit: int = MAX_IRI) -> bool:
    return isinstance(value, str) and len(value) <= limit and bool(IRI.match(value))


def _language_map(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and len(k) <= 35 and isinstance(v, str) for k, v in value.items()
    )


def score_check(score: Any) -> float | None:
    """The scaled score a statement's `result.score` stands for, or a 400. When raw and max are both given,
    scaled must equal raw/max (it is computed from them when absent): `{raw: 0, max: 10, scaled: 1}` is a lie;
    a scaled value without them cannot be checked and is refused."""
    if score is None:
        return None
    keys = ("raw", "min", "max", "scaled")
    if not isinstance(score, dict) or any(k in score and not _number(score[k]) for k in keys):
        raise bad("score_invalid", _("Nilai (score) tidak valid."))
    raw, low, high, scaled = (score.get(k) for k in ("raw", "min", "max", "scaled"))
    if scaled is not None and not -1 <= scaled <= 1:
        raise bad("score_out_of_range", _("Nilai skala harus di antara -1 dan 1."))
    if low is not None and high is not None and low > high:
        raise bad("score_out_of_range", _("Nilai minimum lebih besar dari maksimum."))
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise bad("score_out_of_range", _("Nilai di luar rentang minimum–maksimum."))
    if raw is not None and high is None and low is None and raw < 0:
        raise bad("score_out_of_range", _("Nilai tidak boleh negatif tanpa batas minimum."))
    if raw is not None and high is not None:
        expected = raw / high if high > 0 else 0.0
        if scaled is None:
            return expected
        # H5P writes raw/max (its min is always 0). Not (raw-min)/(max-min): a negative min would lift raw 0.
        # The value computed here is kept, not the client's: a rounding allowance never lifts a score to a pass.
        if abs(scaled - expected) <= SCALED_TOLERANCE:
            return expected
        raise bad("score_inconsistent", _("Nilai skala tidak sesuai dengan nilai mentah dibagi maksimum."))
    if scaled is not None:
        # H5P always sends raw and max with it; alone, `scaled: 1` would be a pass that nothing can check.
        raise bad("score_unverifiable", _("Nilai skala harus disertai nilai mentah (raw) dan maksimum (max)."))
    return None


def duration_parse(value: Any) -> datetime.timedelta:
    """An ISO 8601 duration as H5P writes it (e.g. PT12.34S), at most MAX_DURATION."""
    match = DURATION.match(value) if isinstance(value, str) and len(value) <= 64 else None
    if not match:
        raise bad("duration_invalid", _("Durasi tidak valid (format ISO 8601, mis. PT12.5S)."))
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    seconds = (
        parts.get("weeks", 0) * 7 * 86400
        + parts.get("days", 0) * 86400
        + parts.get("hours", 0) * 3600
        + parts.get("minutes", 0) * 60
        + parts.get("seconds", 0)
    )
    if seconds > MAX_DURATION.total_seconds():
        raise bad("duration_out_of_range", _("Durasi terlalu panjang."))
    return datetime.timedelta(seconds=seconds)


def timestamp_check(value: Any, *, now: datetime.datetime) -> None:
    """A statement's timestamp must be ISO 8601 and not in the future (beyond a few minutes of clock skew)."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) and len(value) <= 64 else None
    except ValueError:  # well-formed but impossible, e.g. month 13
        moment = None
    if moment is None:
        raise bad("timestamp_invalid", _("Waktu (timestamp) tidak valid."))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    if moment > now + CLOCK_SKEW:
        raise bad("timestamp_in_future", _("Waktu (timestamp) pernyataan ada di masa depan."))


def _activity_refs(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(isinstance(item, dict) and _iri(item.get("id")) for item in items)


def _context_check(context: Any) -> list[Any] | None:
    """The context's parent activities, after checking its shape."""
    if context is None:
        return None
    if not isinstance(context, dict):
        raise bad("context_invalid", _("Konteks (context) pernyataan tidak valid."))
    activities = context.get("contextActivities")
    if activities is None:
        return None
    if not isinstance(activities, dict) or not all(_activity_refs(v) for v in activities.values()):
        raise bad("context_invalid", _("Konteks (contextActivities) pernyataan tidak valid."))
    parent = activities.get("parent")
    return parent if isinstance(parent, list) else [parent] if parent else None


def _result_check(result: Any) -> None:
    if not isinstance(result, dict):
        raise bad("result_invalid", _("Hasil (result) tidak valid."))
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            raise bad(f"{key}_invalid", _("Nilai %(key)s harus true atau false.") % {"key": key})
    if "response" in result and not isinstance(result["response"], str):
        raise bad("response_invalid", _("Jawaban (response) harus berupa teks."))
    if "extensions" in result and not isinstance(result["extensions"], dict):
        raise bad("extensions_invalid", _("Ekstensi harus berupa objek."))
    score_check(result.get("score"))
    if "duration" in result:
        duration_parse(result["duration"])


def statement_parse(raw: Any, *, actor: dict[str, Any], activity_iri: str, now: datetime.datetime) -> ParsedStatement:
    """Check one statement and return it with `actor` (the session user's) in place of the client's."""
    if not isinstance(raw, dict):
        raise bad("not_object", _("Pernyataan xAPI harus berupa objek JSON."))
    if not _depth_ok(raw):
        raise bad("too_deep", _("Pernyataan xAPI bersarang terlalu dalam."))
    body = dict(raw)
    if any(not isinstance(key, str) or len(key) > MAX_KEY for key in body):
        raise bad("property_invalid", _("Nama properti pernyataan tidak valid."))
    sid = body.get("id")
    try:
        if sid is not None and (not isinstance(sid, str) or len(sid) > 64):
            raise ValueError(sid)
        statement_id = uuid.UUID(sid) if sid is not None else uuid.uuid4()
    except ValueError:
        raise bad("id_invalid", _("Id pernyataan bukan UUID.")) from None
    body["id"] = str(statement_id)

    verb = body.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    if not isinstance(verb_id, str) or not verb_id:
        raise bad("verb_invalid", _("Kata kerja (verb) pernyataan tidak ada."))
    if len(verb_id) > MAX_VERB_ID:
        raise bad("verb_too_long", _("Id kata kerja (verb) paling panjang %(n)d karakter.") % {"n": MAX_VERB_ID})
    if not IRI.match(verb_id):
        raise bad("verb_invalid", _("Id kata kerja (verb) harus berupa IRI."))
    if verb_id == VERB_LAUNCHED:
        raise bad("verb_reserved", _("Kata kerja ini hanya dicatat oleh server."))
    if "display" in verb and not _language_map(verb["display"]):
        raise bad("verb_invalid", _("Tampilan kata kerja (verb.display) tidak valid."))

    obj = body.get("object")
    object_id = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(object_id, str) or len(object_id) > MAX_IRI:
        raise bad("object_invalid", _("Objek pernyataan tidak ada atau id-nya terlalu panjang."))
    if not (object_id == activity_iri or object_id.startswith(activity_iri + "?")):
        raise bad("wrong_activity", _("Pernyataan ini bukan untuk aktivitas ini."))
    if obj.get("objectType", "Activity") != "Activity":
        raise bad("object_invalid", _("Jenis objek pernyataan harus Activity."))
    if "definition" in obj and not isinstance(obj["definition"], dict):
        raise bad("object_invalid", _("Definisi objek tidak valid."))

    if "result" in body:
        _result_check(body["result"])
    parent = _context_check(body.get("context"))
    if "timestamp" in body:
        timestamp_check(body["timestamp"], now=now)

    body["actor"] = actor  # never the client's
    for key in ("stored", "authority"):
        body.pop(key, None)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(canonical) > MAX_STATEMENT_BYTES:
        raise bad("too_large", _("Pernyataan xAPI terlalu besar."))
    # PostgreSQL's JSON refuses the NUL character, and UTF-8 has no lone surrogates (JSON lets both through).
    if "\\u0000" in canonical:
        raise bad("string_invalid", _("Teks pernyataan memuat karakter NUL."))
    try:
        encoded = canonical.encode()
    except UnicodeEncodeError:
        raise bad("string_invalid", _("Teks pernyataan memuat karakter Unicode yang tidak valid.")) from None
    return ParsedStatement(
        statement_id=statement_id,
        verb=verb_id,
        body=body,
        body_hash=hashlib.sha256(encoded).hexdigest(),
        top_level=not parent and object_id == activity_iri,
    )


def state_check(data: Any) -> None:
    """H5P content user data: a JSON string, bounded in size and depth, that PostgreSQL can store."""
    if not isinstance(data, str) or len(data) > MAX_STATE_BYTES:
        raise bad("state_invalid", _("Status aktivitas tidak valid atau terlalu besar."))
    if "\x00" in data:
        raise bad("state_invalid", _("Status aktivitas memuat karakter NUL."))
    try:
        data.encode()
        parsed = json.loads(data, parse_float=_finite_float, parse_constant=_no_constant)
    except (ValueError, UnicodeEncodeError, RecursionError):
        raise bad("state_invalid", _("Status aktivitas bukan JSON yang valid.")) from None
    if not _depth_ok(parsed, limit=64):
        raise bad("state_invalid", _("Status aktivitas bersarang terlalu dalam."))


def batch_parse(
    payload: Any, *, actor: dict[str, Any], activity_iri: str, now: datetime.datetime
) -> list[ParsedStatement]:
    """Every statement of a post (one object or an array), or a 400 naming each refused statement by index."""
    statements = payload if isinstance(payload, list) else [payload]
    if not statements:
        raise bad("empty", _("Tidak ada pernyataan xAPI."))
    if len(statements) > MAX_BATCH:
        raise bad("too_many", _("Maksimal %(n)d pernyataan per kiriman.") % {"n": MAX_BATCH})
    parsed, rejected = [], []
    for index, raw in enumerate(statements):
        try:
            parsed.append(statement_parse(raw, actor=actor, activity_iri=activity_iri, now=now))
        except XAPIError as error:
            sid = raw.get("id")[:64] if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
            rejected.append({"index": index, "id": sid, "error": error.code, "message": error.message})
    if not rejected:
        return parsed
    if len(statements) == 1:
        first = rejected[0]
        raise XAPIError(400, first["error"], first["message"], rejected=rejected)
    raise XAPIError(
        400,
        "statements_rejected",
        _("%(n)d pernyataan ditolak; tidak ada yang disimpan. Kirim ulang sisanya tanpa yang ditolak.")
        % {"n": len(rejected)},
        rejected=rejected,
    )
