"""Random mutations of a real H5P statement (fixed seed, no extra dependency) posted to the
statements and state endpoints: every answer is a 2xx or a 4xx with a reason, never a 500."""

from __future__ import annotations

import copy
import json
import os
import random
import uuid

import pytest
from django.test import Client

from tests.h5p_fixtures import media_root_fixture  # noqa: F401 - the media_root fixture
from tests.security.test_xapi_statements import activity, launched_client, placed, url  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

ROUNDS = int(os.environ.get("SIGER_FUZZ_ROUNDS", "150"))

ODD_VALUES = [
    None,
    True,
    False,
    0,
    -0,
    -0.0,
    1,
    -1,
    2**31,
    2**63,
    2**64,
    -(2**63) - 1,
    10**100,
    1e308,
    -1e308,
    5e-324,
    1.5,
    "",
    " ",
    "NaN",
    "Infinity",
    "-0",
    "1e308",
    "\ufeff",
    "\u202e\u200b\u200d",
    "\U0001f600" * 50,
    "\u0000",
    "x" * 9000,
    "http://",
    "urn:x",
    [],
    [None],
    [[[]]],
    {},
    {"": ""},
    {"id": None},
    ["Activity"],
    "P1D",
    "PT0S",
    "2025-02-30T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-23:59",
    "2020-01-01T00:00:00+99:00",
    "\\u0000",
    "\ud7ff",
    "\ue000",
    "\uffff",
]


def real_statement(h5p) -> dict:
    """A QuestionSet child's `answered`, as h5p-standalone sends it (with the bridge's id)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"name": "Peserta", "mbox": "mailto:peserta@example.org", "objectType": "Agent"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {
            "id": h5p.iri,
            "objectType": "Activity",
            "definition": {
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": 1},
                "name": {"en-US": "Soal"},
                "interactionType": "choice",
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "correctResponsesPattern": ["0"],
                "choices": [{"id": "0", "description": {"en-US": "Ya\n"}}],
            },
        },
        "context": {
            "contextActivities": {
                "category": [{"id": "http://h5p.org/libraries/H5P.MultiChoice-1.16", "objectType": "Activity"}]
            },
            "extensions": {"http://id.tincanapi.com/extension/ending-point": 1},
        },
        "result": {
            "score": {"min": 0, "max": 1, "raw": 1, "scaled": 1},
            "completion": True,
            "success": True,
            "duration": "PT2.57S",
            "response": "0",
        },
        "timestamp": "2025-01-01T00:00:00.000Z",
    }


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _set(body, path, value):
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def mutated(rng: random.Random, h5p) -> str | bytes:
    body = real_statement(h5p)
    paths = [p for p in _paths(body) if p]
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(paths)
        try:
            _set(body, path, copy.deepcopy(rng.choice(ODD_VALUES)))
        except (KeyError, IndexError, TypeError):
            pass
    text = json.dumps(rng.choice([body, [body], [body, body], {"x": body}]))
    trick = rng.random()
    if trick < 0.05:
        return "\ufeff" + text  # a BOM
    if trick < 0.10:
        return text.encode()[: rng.randint(0, len(text))]  # cut anywhere, even inside a UTF-8 sequence
    if trick < 0.15:
        return text[:-1] + ', "id": "' + str(uuid.uuid4()) + '"}' if text.endswith("}") else text  # duplicate key
    if trick < 0.20:
        return text.encode() + b"\xc3\x28"  # not UTF-8
    if trick < 0.25:
        return text.replace('"', "'", 1)
    return text


def test_random_statements_never_500(placed, activity, learner):  # noqa: F811
    client: Client = launched_client(learner, placed)
    rng = random.Random(7)
    for round_ in range(ROUNDS):
        body = mutated(rng, activity)
        reply = client.post(url(placed), data=body, content_type="application/json")
        assert reply.status_code < 500, (round_, body[:300], reply.content[:300])
        if reply.status_code >= 400:
            assert reply.json()["error"]


def test_random_states_never_500(placed, activity, learner):  # noqa: F811
    client: Client = launched_client(learner, placed)
    rng = random.Random(11)
    for round_ in range(ROUNDS):
        state = rng.choice(ODD_VALUES + [json.dumps(rng.choice(ODD_VALUES))])
        payload = rng.choice([{"state": state}, [state], state, {"state": state, "state2": 1}])
        method = rng.choice([client.put, client.post])
        reply = method(url(placed, "state"), data=json.dumps(payload), content_type="application/json")
        assert reply.status_code < 500, (round_, str(payload)[:300], reply.content[:300])


def test_a_form_content_type_with_the_csrf_header_is_refused_not_500(placed, activity, learner):  # noqa: F811
    # The CSRF check reads request.POST first; for multipart that consumes the stream and request.body raised.
    launched_client(learner, placed)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    token = "a" * 32
    client.cookies["csrftoken"] = token
    form = "multipart/form-data; boundary=xyz"
    for target, body in (
        (url(placed), json.dumps(real_statement(activity))),
        (url(placed, "state"), json.dumps({"state": "{}"})),
    ):
        reply = client.post(target, data=body, content_type=form, HTTP_X_CSRFTOKEN=token)
        assert reply.status_code == 415, reply.content[:300]
        assert reply.json()["error"] == "unsupported_media_type"
    # Without a boundary Django itself answers 400 before the view.
    reply = client.post(url(placed), data="{}", content_type="multipart/form-data", HTTP_X_CSRFTOKEN=token)
    assert reply.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_over_the_limit_is_413_without_being_read_whole(placed, activity, learner, settings):  # noqa: F811
    # Under ASGI a chunked body has no Content-Length, so Django's own size check does not see it and request.body
    # read all of it into memory (uvicorn sets no limit).
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.testing import ApplicationCommunicator

    from config.asgi import application

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    client = launched_client(learner, placed)
    token = "b" * 32
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}".encode()

    async def post(chunks: list[bytes]) -> tuple[int, bytes]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": url(placed),
            "raw_path": url(placed).encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"application/json"),
                (b"cookie", cookie),
                (b"x-csrftoken", token.encode()),
            ],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }
        app = ApplicationCommunicator(application, scope)
        for index, chunk in enumerate(chunks):
            await app.send_input({"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1})
        start = await app.receive_output(timeout=30)
        body = await app.receive_output(timeout=30)
        return start["status"], body.get("body", b"")

    def run(chunks):
        # On a worker thread: after a browser test, Playwright keeps an event loop running in this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, post(chunks)).result()

    status, body = run([b"[" + b" " * 16 * 1024] * 20 + [b"]"])
    assert status == 413, body[:300]
    assert json.loads(body)["error"] == "too_large"
    status, body = run([json.dumps(real_statement(activity)).encode()])
    assert status == 200, body[:300]
