"""Template context of lms.programmes, for every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def programmes(request: HttpRequest) -> dict:
    """`guides_anyone`: does the signed-in person coach, mentor or examine anyone now (the "Peserta bimbingan saya"
    link)? Lazy: the one exists() query runs only on a page that shows the link."""
    from lms.programmes.guides import user_guides_anyone

    user = getattr(request, "user", None)
    return {"guides_anyone": SimpleLazyObject(lambda: user is not None and user_guides_anyone(user=user))}
