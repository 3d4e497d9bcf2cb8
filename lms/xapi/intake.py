"""xAPI intake for H5P activities placed in module pages: raw statements, attempts, pass and completion, resume
state, and the launch record that says an activity was opened. Services that write; parsing is in parse.py.

Domain facts (seen with h5p-standalone and the hub content types):
- H5P statements carry no id; the player bridge adds one, so a retried post is recognised.
- H5P.QuestionSet and H5P.InteractiveVideo children emit `answered` too, with
  `context.contextActivities.parent` set and the object id `<activity IRI>?subContentId=...`; only the
  top-level statement (no parent, object id = the activity IRI) is an attempt of the activity.
- A clicked MultiChoice/TrueFalse sends `answered` with `result.score`; a finished QuestionSet sends
  `completed` with the set's score.
- The client's actor is never trusted: every statement is stored as the session user's.
- "Opened" means the player of this block was launched for this user: when the module page's player asks for
  its saved state (GET .../state/, which it does before it runs the content), the server stores a `launched`
  statement of its own. Statements for an activity never launched for the user are refused (403 not_opened).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache as shared_cache
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
from lms.xapi.parse import (
    MAX_BATCH,
    VERB_ANSWERED,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_LAUNCHED,
    VERB_PASSED,
    ParsedStatement,
    XAPIError,
    batch_parse,
    duration_parse,
    score_check,
    state_check,
)

M = TypeVar("M", bound=Model)
OPENED_SECONDS = 24 * 3600


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


@dataclass
class IntakeResult:
    stored: int = 0
    duplicates: int = 0
    attempts: list[ActivityAttempt] = field(default_factory=list)
    passed: bool = False
    module_completed: bool = False
    # Set when this intake completed the module, so the page updates its status card, progress bar and "next
    # step" link without a reload (static/siger/h5p/embed.js).
    progress_percent: int | None = None
    next_url: str = ""
    next_title: str = ""

    def as_dict(self) -> dict[str, Any]:
        last = self.attempts[-1] if self.attempts else None
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "attempts": len(self.attempts),
            "last_percent": last.percent if last else None,
            "passed": self.passed,
            "module_completed": self.module_completed,
            "progress_percent": self.progress_percent,
            "next_url": self.next_url,
            "next_title": self.next_title,
            "max_batch": MAX_BATCH,
        }


def actor_for(user: User) -> dict[str, Any]:
    return {"objectType": "Agent", "name": user.full_name, "account": {"homePage": "siger", "name": str(user.pk)}}


# --- Launch: "was this activity opened by this user?" -----------------------------------------------------------


def _opened_key(user_id: int, module_id: int, block_id: str) -> str:
    block = hashlib.blake2b(block_id.encode(), digest_size=16).hexdigest()
    return f"xapi:opened:{user_id}:{module_id}:{block}"


def activity_launch_record(*, user: User, placement: Placement) -> None:
    """Store (once) a `launched` statement: the player of this placed activity was opened for this user."""
    key = _opened_key(user.pk, placement.module_id, placement.block_id)
    if shared_cache.get(key):
        return
    mine = XAPIStatement.objects.filter(user=user, module_id=placement.module_id, block_id=placement.block_id)
    if not mine.filter(verb=VERB_LAUNCHED).exists():
        now = timezone.now()
        body = {
            "id": str(uuid.uuid4()),
            "actor": actor_for(user),
            "verb": {"id": VERB_LAUNCHED, "display": {"en-US": "launched"}},
            "object": {"id": placement.activity.iri, "objectType": "Activity"},
            "timestamp": now.isoformat(),
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        XAPIStatement.objects.create(
            statement_id=body["id"],
            user=user,
            module_id=placement.module_id,
            block_id=placement.block_id,
            verb=VERB_LAUNCHED,
            body=body,
            body_hash=hashlib.sha256(canonical.encode()).hexdigest(),
            stored_at=now,
        )
    shared_cache.set(key, True, timeout=OPENED_SECONDS)


def activity_opened(*, user: User, placement: Placement) -> bool:
    """Was the player of this placed activity launched for this user (see activity_launch_record)?"""
    key = _opened_key(user.pk, placement.module_id, placement.block_id)
    if shared_cache.get(key):
        return True
    opened = XAPIStatement.objects.filter(
        user=user, module_id=placement.module_id, block_id=placement.block_id, verb=VERB_LAUNCHED
    ).exists()
    if opened:
        shared_cache.set(key, True, timeout=OPENED_SECONDS)
    return opened


# --- Attempts: one handler per verb ---------------------------------------------------------------------------


def _scored_attempt(parsed: ParsedStatement, *, success: bool | None = None) -> dict[str, Any]:
    result = parsed.body.get("result", {})
    score = result.get("score") or {}
    raw, high = score.get("raw"), score.get("max")
    # Checked by the parser: when raw and max are given, this is raw/max whatever the client said.
    scaled = score_check(score or None)
    return {
        "raw_score": None if raw is None else float(raw),
        "max_score": None if high is None else float(high),
        "scaled_score": scaled,
        "success": result.get("success", success),
        "completion": result.get("completion"),
        "duration": duration_parse(result["duration"]) if "duration" in result else None,
    }


ATTEMPT_HANDLERS: dict[str, Callable[[ParsedStatement], dict[str, Any]]] = {
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


def _split_new(parsed: list[ParsedStatement], existing: dict[uuid.UUID, str]) -> tuple[list[ParsedStatement], int]:
    """New statements and the count of exact duplicates; a known id with another body is a conflict (409)."""
    seen = dict(existing)
    new, duplicates = [], 0
    for index, item in enumerate(parsed):
        known = seen.get(item.statement_id)
        if known is None:
            seen[item.statement_id] = item.body_hash
            new.append(item)
        elif known == item.body_hash:
            duplicates += 1
        else:
            message = _("Pernyataan dengan id %(id)s sudah ada dengan isi berbeda.") % {"id": item.statement_id}
            rejected = [{"index": index, "id": str(item.statement_id), "error": "conflict", "message": message}]
            raise XAPIError(409, "conflict", message, rejected=rejected)
    return new, duplicates


def statements_record(*, user: User, placement: Placement, payload: Any, enrollment_id: int | None) -> IntakeResult:
    """Store one statement or a batch for one placed activity: all or nothing; then pass and completion.

    A batch with a bad statement is refused as a whole, naming each bad one (XAPIError.rejected), so that the
    page drops those and sends the rest again."""
    parsed = batch_parse(payload, actor=actor_for(user), activity_iri=placement.activity.iri, now=timezone.now())
    if not activity_opened(user=user, placement=placement):
        raise XAPIError(403, "not_opened", _("Aktivitas ini belum pernah dibuka di halaman modulnya."))
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
    *, user: User, placement: Placement, new: list[ParsedStatement], result: IntakeResult, enrollment_id: int | None
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
        # Current only: the enrollment may have been cancelled since access was checked (see lms.xapi.grants).
        enrollment = Enrollment.objects.current().filter(pk=enrollment_id).first()
        if enrollment is not None:
            result.module_completed = module_complete_if_passed(enrollment=enrollment, module=placement.module)
            if result.module_completed:
                _standing_after_completion(result=result, enrollment=enrollment, module=placement.module)


def _standing_after_completion(*, result: IntakeResult, enrollment: Enrollment, module: ModulePage) -> None:
    """The learner's course progress and the step after this module, read once the module is complete (rare:
    once per module and learner, so the path's queries do not weigh on ordinary statements)."""
    from lms.selectors import course_path

    path = course_path(course=module.get_parent().specific, enrollment=enrollment)
    result.progress_percent = path.percent
    step = path.step_for(module.pk)
    index = path.steps.index(step) if step else -1
    following = path.steps[index + 1] if 0 <= index < len(path.steps) - 1 else None
    if following is not None and not following.locked:
        result.next_url, result.next_title = following.url, following.page.title


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
    state_check(data)
    state, _created = ActivityState.objects.update_or_create(
        user=user, module_id=placement.module_id, block_id=placement.block_id, defaults={"data": data}
    )
    return state
