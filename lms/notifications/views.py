"""The notification list, marking read, and the email preferences: each person's own only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.access import user_can_read_notification
from lms.notifications.models import Notification
from lms.notifications.selectors import notification_list, notification_preferences, notification_unread_count
from lms.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
)


@login_required
def notification_index(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": notification_unread_count(user=request.user)},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk)
    if not user_can_read_notification(request.user, notification):
        raise Http404  # someone else's: as if it did not exist
    notification_mark_read(user=request.user, notification=notification)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:index")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(user=request.user)
    messages.success(request, _("Semua notifikasi ditandai sudah dibaca."))
    return redirect("notifications:index")


@login_required
def notification_preferences_view(request: HttpRequest) -> HttpResponse:
    rows = notification_preferences(user=request.user)
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        notification_preferences_set(user=request.user, email_by_kind={kind: kind in chosen for kind, _l, _e in rows})
        messages.success(request, _("Pengaturan notifikasi disimpan."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"rows": rows})
