"""Request bodies are bounded while they arrive: Django's ASGI handler would otherwise spool any body, a chunked
one without Content-Length included, to disk before a view could refuse it."""

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import override_settings

from tests.live.aio import async_test

LIMIT = 1000


def _scope(headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/masuk/",
        "raw_path": b"/masuk/",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/x-www-form-urlencoded"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _post(chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """Send the body in chunks as a chunked upload arrives; returns the status and how many chunks were taken."""
    from config.asgi import application

    communicator = ApplicationCommunicator(application, _scope(headers))
    sent = 0
    for index, chunk in enumerate(chunks):
        await communicator.send_input({"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1})
        sent += 1
    start = await communicator.receive_output(timeout=20)
    while (await communicator.receive_output(timeout=20)).get("more_body"):
        pass
    return start["status"], sent


@pytest.mark.django_db(transaction=True)
@override_settings(SIGER_MAX_REQUEST_BYTES=LIMIT)
@async_test
async def test_when_a_chunked_body_grows_past_the_limit_then_413():
    status, _sent = await _post([b"a=" + b"x" * 400] * 5, headers=[])
    assert status == 413


@pytest.mark.django_db(transaction=True)
@override_settings(SIGER_MAX_REQUEST_BYTES=LIMIT)
@async_test
async def test_when_content_length_declares_too_much_then_413_before_the_body_is_read():
    status, _sent = await _post([b""], headers=[(b"content-length", str(LIMIT + 1).encode())])
    assert status == 413


@pytest.mark.django_db(transaction=True)
@override_settings(SIGER_MAX_REQUEST_BYTES=LIMIT)
@async_test
async def test_when_the_body_is_within_the_limit_then_django_answers():
    status, _sent = await _post([b"username=", b"x&password=y"], headers=[])
    assert status != 413  # the login form's own answer (a CSRF refusal here: no token was sent)
