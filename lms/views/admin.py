"""Where the Wagtail admin sends whoever it refuses."""

from __future__ import annotations

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from lms.views.errors import forbidden


def admin_login(request: HttpRequest) -> HttpResponse:
    """Where Wagtail sends whoever it refuses. Not logged in: Siger's login page. Logged in without admin access:
    a 403 page. Sending them to the login page, which returns a logged-in person to `next`, looped /admin/ ↔
    /masuk/ until the browser gave up."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if not request.user.is_authenticated:
        return redirect_to_login(next_url or reverse("wagtailadmin_home"))
    if request.user.has_perm("wagtailadmin.access_admin"):
        return redirect(next_url or "wagtailadmin_home")
    return forbidden(
        request,
        _(
            "Halaman admin hanya untuk widyaiswara dan administrator. Anda masuk sebagai %(name)s, yang tidak "
            "memiliki akses admin."
        )
        % {"name": request.user.get_full_name()},
    )
