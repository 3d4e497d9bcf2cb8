"""What every view of lms.programmes does before its work: find the run, and turn away whom lms.access refuses
(to the login when signed out, a 403 page saying why otherwise)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from lms.access import user_can_run_programme
from lms.models import CoursePage
from lms.views.errors import forbidden


def run_course(course_id: int) -> CoursePage:
    return get_object_or_404(CoursePage, pk=course_id)


def refused(request: HttpRequest, allowed: bool, reason, *, page=None) -> HttpResponse | None:
    """None when the signed-in person is allowed; else the response that turns them away."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not allowed:
        return forbidden(request, str(reason), page=page)
    return None


def manager_refused(request: HttpRequest, course: CoursePage, reason) -> HttpResponse | None:
    """The same for the pages of those who run the programme (lms.access.user_can_run_programme)."""
    allowed = request.user.is_authenticated and user_can_run_programme(request.user, course)
    return refused(request, allowed, reason, page=course)
