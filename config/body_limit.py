"""A bound on HTTP request bodies, enforced while they arrive.

Django's ASGI handler writes a whole request body to a temporary file before any view or middleware runs, and a
chunked body has no Content-Length for DATA_UPLOAD_MAX_MEMORY_SIZE to refuse: without this, one anonymous POST
could fill the server's disk. uvicorn has no body limit of its own (its --ws-max-size covers websockets only).
"""

from __future__ import annotations

from django.conf import settings


class _BodyTooLarge(Exception):
    pass


def _refusal_body() -> bytes:
    return b"Permintaan terlalu besar. / Request body too large.\n"


class BodySizeLimitMiddleware:
    """ASGI middleware around Django: 413 for a declared Content-Length over SIGER_MAX_REQUEST_BYTES, and for a
    body that grows past it while it streams in."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.SIGER_MAX_REQUEST_BYTES
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self._refuse(send)
        received = 0

        async def receive_bounded():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, receive_bounded, send)
        except _BodyTooLarge:
            # Django reads the whole body before it answers anything, so no response has started yet.
            await self._refuse(send)

    @staticmethod
    async def _refuse(send) -> None:
        body = _refusal_body()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
