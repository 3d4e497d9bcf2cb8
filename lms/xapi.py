"""xAPI intake for H5P activities placed in module pages: raw statements, attempts, pass and completion.

Domain facts (seen with h5p-standalone and the hub content types):
- H5P statements carry no id; the player bridge adds one, so a retried post is recognised.
- H5P.QuestionSet and H5P.InteractiveVideo children emit `answered` too, with
  `context.contextActivities.parent` set and the object id `<activity IRI>?subContentId=...`; only the
  top-level statement (no parent, object id = the activity IRI) is an attempt of the activity.
- A clicked MultiChoice/TrueFalse sends `answered` with `result.score`; a finished QuestionSet sends
  `completed` with the set's score.
- The client's actor is never trusted: every statement is stored as the session user's.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import H5PActivity
from lms.models import (
    ActivityAttempt,
    ActivityResult,
    ActivityState,
    CompletionRule,
    Enrollment,
    ModulePage,
    ProgressSource,
    User,
    XAPIStatement,
)
from lms.services import progress_complete

VERB_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"

M = TypeVar("M", bound=Model)

MAX_BATCH = 200
MAX_STATEMENT_BYTES = 64 * 1024
MAX_STATE_BYTES = 512 * 1024
DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class XAPIError(Exception):
    """Bad input (400), a conflicting duplicate (409) or an unknown activity (404); nothing was stored."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Placement:
    """An H5P activity as placed in a module: the block decides whether it is required and its pass mark."""

    module_id: int
    block_id: str
    activity: H5PActivity
    required: bool
    pass_mark: int
    loaded_module: ModulePage | None = field(default=None, repr=False, compare=False)

    @cached_property
    def module(self) -> ModulePage:
        # The intake needs only the id, and loads the page only when a pass may complete the module.
        return self.loaded_module or ModulePage.objects.get(pk=self.module_id)


@dataclass
class IntakeResult:
    stored: int = 0
    duplicates: int = 0
    attempts: list[ActivityAttempt] = field(default_factory=list)
    passed: bool = False
    module_completed: bool = False

    def as_dict(self) -> dict[str, Any]:
        last = self.attempts[-1] if self.attempts else None
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "attempts": len(self.attempts),
            "last_percent": last.percent if last else None,
            "passed": self.passed,
            "module_completed": self.module_completed,
        }


def _placements(module: ModulePage) -> dict[str, tuple[int, bool, int]]:
    """block id -> (activity pk, required, pass mark) of the module's H5P blocks.

    Turning the StreamField into blocks is most of an intake's cost, so the result is cached under a hash of
    the body's raw JSON: any change to the body gives a new key, so a stale placement is never used."""
    raw = json.dumps(list(module.body.raw_data), sort_keys=True, default=str)
    key = f"h5p-placements:{module.pk}:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"
    # Content-addressed, so a per-process cache is safe when the project has one.
    store = caches["local" if "local" in settings.CACHES else "default"]
    placements = store.get(key)
    if placements is None:
        placements = {
            block.id: (block.value["activity"].pk, bool(block.value.get("required")), int(block.value["pass_mark"]))
            for block in module.body
            if block.block_type == "h5p_activity" and block.value.get("activity")
        }
        store.set(key, placements, timeout=3600)
    return placements


def placement_get(*, module: ModulePage, block_id: str) -> Placement | None:
    """The H5P block with this id in the module's body, or None."""
    found = _placements(module).get(block_id)
    if found is None:
        return None
    activity_pk, required, pass_mark = found
    activity = H5PActivity.objects.filter(pk=activity_pk).only("uuid", "title").first()
    if activity is None:
        return None
    return Placement(module.pk, block_id, activity, required, pass_mark, loaded_module=module)


# --- Parsing: pure, raises XAPIError(400) --------------------------------------------------------------------


@dataclass
class _Parsed:
    statement_id: uuid.UUID
    verb: str
    body: dict[str, Any]
    body_hash: str
    top_level: bool


def _number(value: Any) -> bool:
    # JSON allows 1e999 (infinity) and Python's parser NaN: neither is a score, nor storable in PostgreSQL JSON.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _bad(code: str, message: str) -> XAPIError:
    return XAPIError(400, code, message)


def _check_score(result: dict[str, Any]) -> None:
    score = result.get("score")
    if score is None:
        return
    if not isinstance(score, dict) or not all(_number(score[k]) for k in score if k in ("raw", "min", "max", "scaled")):
        raise _bad("score_invalid", _("Nilai (score) tidak valid."))
    raw, low, high, scaled = (score.get(k) for k in ("raw", "min", "max", "scaled"))
    if scaled is not None and not -1 <= scaled <= 1:
        raise _bad("score_out_of_range", _("Nilai skala harus di antara -1 dan 1."))
    if low is not None and high is not None and low > high:
        raise _bad("score_out_of_range", _("Nilai minimum lebih besar dari maksimum."))
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise _bad("score_out_of_range", _("Nilai di luar rentang minimum–maksimum."))
    if raw is not None and high is None and low is None and raw < 0:
        raise _bad("score_out_of_range", _("Nilai tidak boleh negatif tanpa batas minimum."))


def duration_parse(value: str) -> datetime.timedelta:
    """ISO 8601 duration as H5P writes it (e.g. PT12.34S)."""
    match = DURATION.match(value) if isinstance(value, str) and value not in ("P", "PT") else None
    if not match or value.endswith("T"):
        raise _bad("duration_invalid", _("Durasi tidak valid."))
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return datetime.timedelta(
        days=parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )


def actor_for(user: User) -> dict[str, Any]:
    return {"objectType": "Agent", "name": user.full_name, "account": {"homePage": "siger", "name": str(user.pk)}}


def statement_parse(raw: Any, *, user: User, placement: Placement) -> _Parsed:
    """Check one statement and return it with the session user as actor."""
    if not isinstance(raw, dict):
        raise _bad("not_object", _("Pernyataan xAPI harus berupa objek JSON."))
    body = dict(raw)
    try:
        statement_id = uuid.UUID(str(body.get("id"))) if body.get("id") is not None else uuid.uuid4()
    except ValueError:
        raise _bad("id_invalid", _("Id pernyataan bukan UUID.")) from None
    body["id"] = str(statement_id)
    verb = body.get("verb")
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str) or not verb["id"]:
        raise _bad("verb_invalid", _("Kata kerja (verb) pernyataan tidak ada."))
    obj = body.get("object")
    iri = placement.activity.iri
    object_id = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(object_id, str) or not (object_id == iri or object_id.startswith(iri + "?")):
        raise _bad("wrong_activity", _("Pernyataan ini bukan untuk aktivitas ini."))
    result = body.get("result", {})
    if not isinstance(result, dict):
        raise _bad("result_invalid", _("Hasil (result) tidak valid."))
    _check_score(result)
    if "duration" in result:
        duration_parse(result["duration"])
    context = body.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    parent = activities.get("parent") if isinstance(activities, dict) else None
    body["actor"] = actor_for(user)  # never the client's
    for key in ("stored", "authority"):
        body.pop(key, None)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(canonical) > MAX_STATEMENT_BYTES:
        raise _bad("too_large", _("Pernyataan xAPI terlalu besar."))
    return _Parsed(
        statement_id=statement_id,
        verb=verb["id"],
        body=body,
        body_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        top_level=not parent and object_id == iri,
    )


# --- Attempts: one handler per verb ---------------------------------------------------------------------------


def _scored_attempt(parsed: _Parsed, *, success: bool | None = None) -> dict[str, Any]:
    result = parsed.body.get("result", {})
    score = result.get("score") or {}
    raw, high, scaled = score.get("raw"), score.get("max"), score.get("scaled")
    if scaled is None and raw is not None and high:
        scaled = raw / high
    return {
        "raw_score": raw,
        "max_score": high,
        "scaled_score": scaled,
        "success": result.get("success", success),
        "completion": result.get("completion"),
        "duration": duration_parse(result["duration"]) if "duration" in result else None,
    }


ATTEMPT_HANDLERS: dict[str, Callable[[_Parsed], dict[str, Any]]] = {
    VERB_ANSWERED: _scored_attempt,
    VERB_COMPLETED: _scored_attempt,
    VERB_PASSED: lambda parsed: _scored_attempt(parsed, success=True),
    VERB_FAILED: lambda parsed: _scored_attempt(parsed, success=False),
}


def _is_pass(fields: dict[str, Any], pass_mark: int) -> bool:
    scaled = fields["scaled_score"]
    if scaled is None:
        # Unscored content (a presentation) passes only a block whose pass mark is 0.
        return pass_mark == 0 and fields["completion"] is not False
    return scaled * 100 >= pass_mark - 1e-9


# --- Writes ---------------------------------------------------------------------------------------------------


def _existing_hashes(ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    return dict(XAPIStatement.objects.filter(statement_id__in=ids).values_list("statement_id", "body_hash"))


def _split_new(parsed: list[_Parsed], existing: dict[uuid.UUID, str]) -> tuple[list[_Parsed], int]:
    """New statements and the count of exact duplicates; a known id with another body is a conflict (409)."""
    seen = dict(existing)
    new, duplicates = [], 0
    for item in parsed:
        known = seen.get(item.statement_id)
        if known is None:
            seen[item.statement_id] = item.body_hash
            new.append(item)
        elif known == item.body_hash:
            duplicates += 1
        else:
            raise XAPIError(
                409,
                "conflict",
                _("Pernyataan dengan id %(id)s sudah ada dengan isi berbeda.") % {"id": item.statement_id},
            )
    return new, duplicates


def statements_record(
    *, user: User, placement: Placement, statements: list[Any], enrollment_id: int | None
) -> IntakeResult:
    """Store a batch of statements for one placed activity: all or nothing; then pass and completion."""
    if not isinstance(statements, list) or not statements:
        raise _bad("empty", _("Tidak ada pernyataan xAPI."))
    if len(statements) > MAX_BATCH:
        raise _bad("too_many", _("Maksimal %(n)d pernyataan per kiriman.") % {"n": MAX_BATCH})
    parsed = [statement_parse(raw, user=user, placement=placement) for raw in statements]
    ids = [p.statement_id for p in parsed]
    # Nearly every statement is new, so the first round inserts without looking. The unique statement id turns
    # a repeat (a retried post, or another request storing the same id at the same moment) into an
    # IntegrityError that rolls the round back; the next rounds compare with the stored bodies first.
    for look_first in (False, True, True):
        result = IntakeResult()
        try:
            with transaction.atomic():
                new, result.duplicates = _split_new(parsed, _existing_hashes(ids) if look_first else {})
                _store(user=user, placement=placement, new=new, result=result, enrollment_id=enrollment_id)
            return result
        except IntegrityError:
            continue
    raise XAPIError(409, "conflict", _("Pernyataan sedang disimpan oleh permintaan lain; kirim ulang."))


@cache
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, list[Field]]:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    returning = quote(model._meta.pk.column)
    # Names from the model's own metadata, quoted; no input reaches this text.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values}) RETURNING {returning}"  # noqa: S608
    return sql, fields


def _insert(rows: list[M]) -> list[M]:
    """Insert new rows and set their primary keys."""
    if len(rows) > 1 or not connection.features.can_return_columns_from_insert:
        return type(rows[0]).objects.bulk_create(rows)
    # One row (the usual post: one click) goes straight to the database: through save() or bulk_create() the ORM
    # takes longer to build this INSERT than the database takes to run it. Each field still prepares its value
    # for the database in use (a UUID, JSON or a date is written differently by PostgreSQL and SQLite).
    row = rows[0]
    sql, fields = _insert_sql(type(row), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields])
        row.pk = cursor.fetchone()[0]
    row._state.adding, row._state.db = False, connection.alias  # as bulk_create() leaves them
    return rows


def _store(
    *, user: User, placement: Placement, new: list[_Parsed], result: IntakeResult, enrollment_id: int | None
) -> None:
    if not new:
        return
    now = timezone.now()
    rows = _insert(
        [
            XAPIStatement(
                statement_id=p.statement_id,
                user=user,
                module_id=placement.module_id,
                block_id=placement.block_id,
                verb=p.verb,
                body=p.body,
                body_hash=p.body_hash,
                stored_at=now,
            )
            for p in new
        ]
    )
    result.stored = len(rows)
    attempts = []
    for p, row in zip(new, rows, strict=True):
        handler = ATTEMPT_HANDLERS.get(p.verb)
        if handler is None or not p.top_level:
            continue
        fields = handler(p)
        attempts.append(
            ActivityAttempt(
                user=user,
                module_id=placement.module_id,
                block_id=placement.block_id,
                statement=row,
                verb=p.verb,
                passed=_is_pass(fields, placement.pass_mark),
                created_at=now,
                **fields,
            )
        )
    if not attempts:
        return
    result.attempts = _insert(attempts)
    _result_update(user=user, placement=placement, attempts=attempts, result=result, enrollment_id=enrollment_id)


STANDING_SQL = (
    "SELECT id, best_scaled, passed_at IS NOT NULL FROM lms_activityresult"
    " WHERE user_id = %s AND module_id = %s AND block_id = %s"
)
STANDING_SQL_LOCKED = STANDING_SQL + " FOR UPDATE"


def _standing_locked(*, user_id: int, module_id: int, block_id: str) -> tuple[int, float | None, bool] | None:
    """(id, best scaled score, passed) of a learner's standing on an activity, locked until commit so that
    concurrent intakes each see the other's best score and first pass (SQLite has no row locks: it writes one
    transaction at a time)."""
    # Raw SQL: here the ORM takes ten times as long to build this query as the database takes to answer it.
    sql = STANDING_SQL_LOCKED if connection.features.has_select_for_update else STANDING_SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, module_id, block_id])
        row = cursor.fetchone()
    return (row[0], row[1], bool(row[2])) if row else None


def _result_update(
    *,
    user: User,
    placement: Placement,
    attempts: list[ActivityAttempt],
    result: IntakeResult,
    enrollment_id: int | None,
) -> None:
    now = timezone.now()
    best = max((a.scaled_score for a in attempts if a.scaled_score is not None), default=None)
    passing = any(a.passed for a in attempts)
    standing = _standing_locked(user_id=user.pk, module_id=placement.module_id, block_id=placement.block_id)
    if standing is None:
        # Another request creating it at the same moment makes this an IntegrityError: the round is retried.
        ActivityResult.objects.create(
            user=user,
            module_id=placement.module_id,
            block_id=placement.block_id,
            best_scaled=best,
            passed_at=now if passing else None,
        )
        newly_passed, result.passed = passing, passing
    else:
        standing_id, best_before, passed_before = standing
        changes: dict[str, Any] = {}
        if best is not None and (best_before is None or best > best_before):
            changes["best_scaled"] = best
        newly_passed = passing and not passed_before
        if newly_passed:
            changes["passed_at"] = now
        # Most attempts change nothing (no better than the best, or already passed): then nothing is written.
        if changes:
            ActivityResult.objects.filter(pk=standing_id).update(updated_at=now, **changes)
        result.passed = passed_before or newly_passed
    if newly_passed and placement.required and enrollment_id is not None:
        # Current only: the enrollment may have been cancelled since access was checked (see lms.xapi_grants).
        enrollment = Enrollment.objects.current().filter(pk=enrollment_id).first()
        if enrollment is not None:
            result.module_completed = module_complete_if_passed(enrollment=enrollment, module=placement.module)


def module_complete_if_passed(*, enrollment: Enrollment, module: ModulePage) -> bool:
    """Complete a module whose rule is 'activities passed' once every required activity in it is passed."""
    if module.completion_rule != CompletionRule.ACTIVITIES_PASSED:
        return False
    required = {block.id for block in module.required_activity_blocks()}
    if not required:
        return False
    passed = set(
        ActivityResult.objects.filter(
            user_id=enrollment.user_id, module_id=module.pk, block_id__in=required, passed_at__isnull=False
        ).values_list("block_id", flat=True)
    )
    if passed != required:
        return False
    progress_complete(enrollment=enrollment, item=module, source=ProgressSource.ACTIVITIES)
    return True


# --- Resume state ---------------------------------------------------------------------------------------------


def activity_state_get(*, user: User, placement: Placement) -> str | None:
    return (
        ActivityState.objects.filter(user=user, module_id=placement.module_id, block_id=placement.block_id)
        .values_list("data", flat=True)
        .first()
    )


def activity_state_save(*, user: User, placement: Placement, data: Any) -> ActivityState | None:
    """Save H5P content user data (a JSON string); an empty value clears it."""
    if data in (None, ""):
        ActivityState.objects.filter(user=user, module_id=placement.module_id, block_id=placement.block_id).delete()
        return None
    if not isinstance(data, str) or len(data) > MAX_STATE_BYTES:
        raise _bad("state_invalid", _("Status aktivitas tidak valid atau terlalu besar."))
    try:
        json.loads(data)
    except json.JSONDecodeError:
        raise _bad("state_invalid", _("Status aktivitas bukan JSON yang valid.")) from None
    state, _created = ActivityState.objects.update_or_create(
        user=user, module_id=placement.module_id, block_id=placement.block_id, defaults={"data": data}
    )
    return state
