"""Programme runs: views of this area (lms.programmes)."""

from __future__ import annotations

from django.urls import path  # noqa: F401

# Paths under /program/..., names in the "programmes" namespace.
urlpatterns: list = []
