"""xAPI statements as an attacker writes them: every malformed one is a 400 with its reason and stores nothing (on
PostgreSQL and on SQLite), a lying score never passes, nothing completes content that was never opened, and a
batch answers per statement so that the page can drop the bad ones and keep the rest."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from content.services import package_import
from lms.models import ActivityAttempt, ActivityResult, ItemProgress, ProgressStatus, XAPIStatement
from lms.services import enrollment_create
from lms.xapi.parse import MAX_BATCH, VERB_ANSWERED, VERB_COMPLETED, VERB_LAUNCHED, VERB_PASSED
from tests.conftest import client_for
from tests.h5p_fixtures import (
    block_ids,
    build_zip,
    h5p_course,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    package_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(media_root):
    return package_import(source=build_zip(package_files(title="Kuis Keamanan")))


@pytest.fixture
def placed(catalogue, activity, learner):
    course, module = h5p_course(catalogue, [activity], pass_mark=70)
    enrollment = enrollment_create(user=learner, course=course)
    return {"module": module, "block": block_ids(module)[0], "enrollment": enrollment}


def url(placed, kind: str = "statements") -> str:
    return f"/xapi/{placed['module'].pk}/{placed['block']}/{kind}/"


def launched_client(user, placed) -> Client:
    client = client_for(user)
    assert client.get(url(placed, "state")).status_code == 200  # what the module page's player does first
    return client


def send(client: Client, placed, payload) -> object:
    data = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url(placed), data=data, content_type="application/json")


def posted():
    return XAPIStatement.objects.exclude(verb=VERB_LAUNCHED)


def good(activity, *, verb=VERB_ANSWERED, **result) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"name": "Peserta", "mbox": "mailto:peserta@example.org"},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"id": activity.iri, "objectType": "Activity"},
        "result": {"score": {"min": 0, "raw": 1, "max": 1, "scaled": 1}, "success": True, "duration": "PT3S"} | result,
    }


def changed(path: str, value):
    """A good statement with the value at a dotted path replaced (or removed, for REMOVE)."""

    def build(activity):
        body = good(activity)
        *parents, last = path.split(".")
        node = body
        for key in parents:
            node = node.setdefault(key, {})
        if value is REMOVE:
            node.pop(last, None)
        else:
            node[last] = value(activity) if callable(value) else value
        return body

    return build


REMOVE = object()


def nested(depth: int) -> dict:
    node: dict = {}
    for _ in range(depth):
        node = {"a": node}
    return node


def deeply_nested_text(activity, depth: int) -> str:
    # As text: json.dumps itself would hit the recursion limit.
    return (
        json.dumps(good(activity))[:-1] + ', "context": {"extensions": ' + '{"a":' * depth + "{}" + "}" * depth + "}}"
    )


def future(minutes: int) -> str:
    return (timezone.now() + datetime.timedelta(minutes=minutes)).isoformat()


# (name, payload builder or raw body, expected error code)
BAD_STATEMENTS = [
    # The attacks.
    ("lying_scaled_score", changed("result.score", {"raw": 0, "max": 10, "min": 0, "scaled": 1}), "score_inconsistent"),
    ("success_as_string", changed("result.success", "yes"), "success_invalid"),
    ("duration_ten_billion_days", changed("result.duration", "P9999999999D"), "duration_invalid"),
    ("duration_over_a_year", changed("result.duration", "P999999D"), "duration_out_of_range"),
    ("verb_id_over_255", changed("verb.id", "http://example.org/" + "v" * 300), "verb_too_long"),
    ("nested_brackets_2kb", "[" * 2048 + "]" * 2048, "too_deep"),
    ("nested_objects_deep_in_context", lambda a: deeply_nested_text(a, 5000), "too_deep"),
    ("nested_objects_under_the_recursion_limit", changed("result.extensions", nested(200)), "too_deep"),
    ("timestamp_next_week", changed("timestamp", lambda a: future(7 * 24 * 60)), "timestamp_in_future"),
    # What PostgreSQL refuses to store.
    ("nul_character", changed("result.response", "a\u0000b"), "string_invalid"),
    ("nan_literal", '{"result": {"score": {"raw": NaN}}}', "invalid_json"),
    ("float_overflow", '{"result": {"extensions": {"x": 1e999}}}', "invalid_json"),
    ("integer_of_5000_digits", '{"result": {"extensions": {"x": ' + "9" * 5000 + "}}}", "invalid_json"),
    ("not_json", "not json", "invalid_json"),
    ("not_utf8", b"\xff\xfe{}", "invalid_json"),
    ("byte_order_mark", lambda a: "\ufeff" + json.dumps(good(a)), "invalid_json"),
    (
        "utf8_cut_inside_a_character",
        lambda a: json.dumps(good(a), ensure_ascii=False).encode()[:-1] + b"\xc3",
        "invalid_json",
    ),
    ("empty_body", b"", "invalid_json"),
    # Shape.
    ("empty_batch", [], "empty"),
    ("batch_of_strings", ["a string"], "not_object"),
    ("number", 5, "not_object"),
    ("id_not_a_uuid", changed("id", "not-a-uuid"), "id_invalid"),
    ("id_a_number", changed("id", 12345), "id_invalid"),
    ("verb_missing", changed("verb", REMOVE), "verb_invalid"),
    ("verb_a_string", changed("verb", "answered"), "verb_invalid"),
    ("verb_id_not_an_iri", changed("verb.id", "answered"), "verb_invalid"),
    ("verb_display_not_a_map", changed("verb.display", ["answered"]), "verb_invalid"),
    ("verb_launched_is_the_server_s", changed("verb.id", VERB_LAUNCHED), "verb_reserved"),
    ("object_missing", changed("object", REMOVE), "object_invalid"),
    ("object_another_activity", changed("object.id", "http://example.org/other"), "wrong_activity"),
    ("object_id_too_long", changed("object.id", lambda a: a.iri + "?x=" + "y" * 3000), "object_invalid"),
    ("object_an_agent", changed("object.objectType", "Agent"), "object_invalid"),
    ("object_definition_a_string", changed("object.definition", "quiz"), "object_invalid"),
    ("property_name_too_long", changed("x" * 300, 1), "property_invalid"),
    ("result_a_list", changed("result", [1]), "result_invalid"),
    ("completion_as_string", changed("result.completion", "true"), "completion_invalid"),
    ("response_a_number", changed("result.response", 42), "response_invalid"),
    ("extensions_a_list", changed("result.extensions", [1]), "extensions_invalid"),
    ("score_a_string", changed("result.score", {"raw": "10", "max": 10}), "score_invalid"),
    ("score_a_boolean", changed("result.score", {"raw": True, "max": 10}), "score_invalid"),
    ("score_above_max", changed("result.score", {"min": 0, "raw": 11, "max": 10}), "score_out_of_range"),
    ("score_min_above_max", changed("result.score", {"min": 5, "raw": 5, "max": 1}), "score_out_of_range"),
    ("scaled_above_one", changed("result.score", {"scaled": 1.5}), "score_out_of_range"),
    (
        "zero_of_zero_scaled_one",
        changed("result.score", {"min": 0, "raw": 0, "max": 0, "scaled": 1}),
        "score_inconsistent",
    ),
    (
        "negative_min_lifting_scaled",
        changed("result.score", {"min": -10, "raw": 0, "max": 10, "scaled": 0.5}),
        "score_inconsistent",
    ),
    ("scaled_alone", changed("result.score", {"scaled": 1}), "score_unverifiable"),
    ("score_of_400_digits", changed("result.score", {"min": 0, "raw": 1, "max": 10**400}), "score_invalid"),
    ("object_type_a_list", changed("object.objectType", ["Activity"]), "object_invalid"),
    ("duration_empty", changed("result.duration", "PT"), "duration_invalid"),
    ("duration_in_years", changed("result.duration", "P1Y"), "duration_invalid"),
    ("duration_in_words", changed("result.duration", "12 seconds"), "duration_invalid"),
    ("duration_a_number", changed("result.duration", 12), "duration_invalid"),
    ("timestamp_in_words", changed("timestamp", "yesterday"), "timestamp_invalid"),
    ("timestamp_month_13", changed("timestamp", "2025-13-01T00:00:00Z"), "timestamp_invalid"),
    ("context_a_list", changed("context", ["odd"]), "context_invalid"),
    ("context_activities_a_list", changed("context.contextActivities", ["odd"]), "context_invalid"),
    ("context_parent_a_number", changed("context.contextActivities", {"parent": 5}), "context_invalid"),
    ("statement_over_64kb", changed("result.response", "x" * 70_000), "too_large"),
]


def test_the_table_holds_at_least_thirty_bad_statements():
    assert len(BAD_STATEMENTS) >= 30 and len({name for name, *_ in BAD_STATEMENTS}) == len(BAD_STATEMENTS)


@pytest.mark.parametrize(("name", "payload", "code"), BAD_STATEMENTS, ids=[row[0] for row in BAD_STATEMENTS])
def test_a_malformed_statement_is_400_with_its_reason_and_stores_nothing(
    placed, activity, learner, name, payload, code
):
    client = launched_client(learner, placed)
    body = payload(activity) if callable(payload) else payload
    reply = send(client, placed, body)
    assert reply.status_code == 400, reply.content[:300]
    answer = reply.json()
    assert answer["error"] == code and answer["message"]
    assert not posted().exists() and not ActivityAttempt.objects.exists()


def test_lone_surrogate_in_a_statement_for_this_activity_is_400(placed, activity, learner):
    # Built by hand: json.dumps would escape it the same way, but the intent is the raw escape on the wire.
    text = json.dumps(good(activity))[:-1] + ', "x": "\\udc00"}'
    reply = send(launched_client(learner, placed), placed, text)
    assert (reply.status_code, reply.json()["error"]) == (400, "string_invalid")
    assert not posted().exists()


def test_a_lying_score_is_not_a_pass_and_a_missing_scaled_is_computed(placed, activity, learner):
    client = launched_client(learner, placed)
    assert send(client, placed, good(activity, score={"min": 0, "raw": 0, "max": 10, "scaled": 1})).status_code == 400
    assert not ActivityResult.objects.filter(passed_at__isnull=False).exists()
    reply = send(client, placed, good(activity, score={"min": 0, "raw": 5, "max": 10}, success=False))
    assert reply.status_code == 200 and reply.json()["passed"] is False
    assert ActivityAttempt.objects.get().scaled_score == 0.5


def test_a_large_integer_score_is_stored_on_every_database(placed, activity, learner):
    body = good(activity, score={"min": 0, "raw": 10**11, "max": 10**12}, success=False)
    assert send(launched_client(learner, placed), placed, body).status_code == 200
    assert ActivityAttempt.objects.get().scaled_score == 0.1


def test_a_timestamp_within_the_clock_skew_is_accepted(placed, activity, learner):
    body = good(activity) | {"timestamp": future(2)}
    assert send(launched_client(learner, placed), placed, body).status_code == 200


def test_completion_of_content_never_opened_is_refused(placed, activity, learner):
    client = client_for(learner)  # never loaded the module page's player
    for verb in (VERB_COMPLETED, VERB_PASSED, VERB_ANSWERED):
        reply = send(client, placed, good(activity, verb=verb))
        assert (reply.status_code, reply.json()["error"]) == (403, "not_opened")
    assert not XAPIStatement.objects.exists() and not ActivityResult.objects.exists()
    assert not ItemProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()

    assert client.get(url(placed, "state")).status_code == 200  # the player launches
    launch = XAPIStatement.objects.get()
    assert (launch.verb, launch.user, launch.block_id) == (VERB_LAUNCHED, learner, placed["block"])
    reply = send(client, placed, good(activity, verb=VERB_COMPLETED))
    assert reply.status_code == 200 and reply.json()["module_completed"] is True
    client.get(url(placed, "state"))
    assert XAPIStatement.objects.filter(verb=VERB_LAUNCHED).count() == 1  # recorded once


def test_a_batch_over_the_limit_is_refused_with_the_limit_and_one_at_the_limit_is_stored(placed, activity, learner):
    client = launched_client(learner, placed)
    too_many = [good(activity, success=False, score={"raw": 0, "max": 1}) for _ in range(MAX_BATCH + 1)]
    reply = send(client, placed, too_many)
    assert (reply.status_code, reply.json()["error"], reply.json()["max_batch"]) == (400, "too_many", MAX_BATCH)
    assert not posted().exists()
    reply = send(client, placed, too_many[:MAX_BATCH])
    assert reply.status_code == 200 and reply.json()["stored"] == MAX_BATCH
    assert client.get(url(placed, "state")).json()["max_batch"] == MAX_BATCH  # what the page reads


def test_a_batch_names_each_rejected_statement_and_the_rest_is_stored_when_sent_again(placed, activity, learner):
    client = launched_client(learner, placed)
    batch = [good(activity, success=False, score={"raw": 0, "max": 1}) for _ in range(5)]
    batch[1]["result"]["success"] = "yes"
    batch[3]["verb"]["id"] = "x" * 300
    reply = send(client, placed, batch)
    assert (reply.status_code, reply.json()["error"]) == (400, "statements_rejected")
    rejected = reply.json()["rejected"]
    assert [(r["index"], r["id"], r["error"]) for r in rejected] == [
        (1, batch[1]["id"], "success_invalid"),
        (3, batch[3]["id"], "verb_too_long"),
    ]
    assert not posted().exists()  # all or nothing: the page drops the rejected ones and sends the rest
    rest = [s for i, s in enumerate(batch) if i not in {r["index"] for r in rejected}]
    reply = send(client, placed, rest)
    assert reply.status_code == 200 and reply.json()["stored"] == 3


@pytest.mark.parametrize(
    "state",
    [
        "[" * 5000 + "]" * 5000,  # RecursionError in the parser
        json.dumps(nested(100)),  # under the recursion limit, over the depth bound
        '{"a": "b\u0000c"}',  # PostgreSQL text refuses NUL
        '{"a": "\ud800"}',  # no UTF-8 for a lone surrogate
        '{"a": NaN}',
        "x" * (512 * 1024 + 1),
        42,
    ],
    ids=["brackets", "deep", "nul", "surrogate", "nan", "too_large", "number"],
)
def test_a_malformed_resume_state_is_400_and_saves_nothing(placed, learner, state):
    client = launched_client(learner, placed)
    reply = client.put(url(placed, "state"), data=json.dumps({"state": state}), content_type="application/json")
    assert (reply.status_code, reply.json()["error"]) == (400, "state_invalid")
    assert client.get(url(placed, "state")).json()["state"] is None


def test_a_module_id_beyond_any_integer_column_is_404_not_500(learner):
    reply = client_for(learner).post(f"/xapi/{10**30}/x/statements/", data="{}", content_type="application/json")
    assert reply.status_code == 404


def test_a_report_of_a_module_id_beyond_any_integer_column_is_404_not_500(instructor):
    assert client_for(instructor).get(f"/laporan-aktivitas/{10**30}/x/").status_code == 404
