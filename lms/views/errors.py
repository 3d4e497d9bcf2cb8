"""Doors that say no."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse


def forbidden(request: HttpRequest, reason: str, *, page=None) -> TemplateResponse:
    """The site's 403 page: why, and where to go instead."""
    return TemplateResponse(request, "403.html", {"reason": reason, "page": page}, status=403)
