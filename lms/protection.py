"""Nothing lost by a delete: the admin refuses to delete a page or a person that learner records depend on.

The database is the rule (learner records PROTECT their course, step, session and person), so the admin asks
it: a dry run of Django's deletion collector finds exactly what a delete would have to erase, through every
cascade (a course's modules, a module's statements, a session's attendance), without this module knowing the
record models of each app. The admin then refuses with a message that says what to do instead.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from django.db import router
from django.db.models import Model, ProtectedError, Q, QuerySet, RestrictedError
from django.db.models.deletion import Collector
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.models import Page

from lms.models import CoursePage, User


def deletion_blockers(objects: QuerySet | Iterable[Model]) -> dict[str, int]:
    """What deleting these objects would have to erase but may not: {plural model name: count}. Deletes nothing."""
    objects = list(objects)
    if not objects:
        return {}
    collector = Collector(using=router.db_for_write(type(objects[0])))
    try:
        collector.collect(objects)
    except ProtectedError as error:
        blocking = error.protected_objects
    except RestrictedError as error:
        blocking = error.restricted_objects
    else:
        return {}
    counts = Counter(str(obj._meta.verbose_name_plural) for obj in blocking)
    return dict(sorted(counts.items()))


def page_deletion_blockers(page: Page) -> dict[str, int]:
    """Blockers of deleting a page with everything below it (Wagtail deletes the subtree)."""
    return deletion_blockers(Page.objects.filter(path__startswith=page.path, depth__gte=page.depth))


def activity_blockers(activity) -> dict[str, int]:
    """Learner records on the blocks that place this H5P activity in a module: deleting the activity would leave
    those results without their activity and a required block that nobody can pass any more."""
    from lms.models import ActivityAttempt, ActivityResult, ModulePage, XAPIStatement

    placed = Q()
    for module in ModulePage.objects.only("pk", "body"):
        blocks = [
            block["id"]
            for block in module.body.raw_data
            if block.get("type") == "h5p_activity" and (block.get("value") or {}).get("activity") == activity.pk
        ]
        if blocks:
            placed |= Q(module_id=module.pk, block_id__in=blocks)
    if not placed:
        return {}
    counts = {
        str(model._meta.verbose_name_plural): model.objects.filter(placed).count()
        for model in (ActivityResult, ActivityAttempt, XAPIStatement)
    }
    return {name: count for name, count in sorted(counts.items()) if count}


def _records_text(blockers: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in blockers.items())


def _page_refusal_text(page: Page, blockers: dict[str, int]) -> str:
    refused = _("“%(title)s” tidak dapat dihapus: masih ada catatan peserta yang harus tetap tersimpan (%(records)s).")
    return refused % {"title": page.get_admin_display_title(), "records": _records_text(blockers)}


def _refuse_page(request: HttpRequest, page: Page, blockers: dict[str, int]) -> HttpResponse:
    specific = page.specific_deferred
    if isinstance(specific, CoursePage):
        instead = _("Batalkan penerbitan, atau arsipkan pelatihan (centang “Arsipkan pelatihan ini” lalu terbitkan).")
    else:
        instead = _("Batalkan penerbitan halaman ini bila tidak dipakai lagi.")
    message = _page_refusal_text(page, blockers) + " " + instead
    buttons = [messages.button(reverse("wagtailadmin_pages:edit", args=[page.pk]), _("Sunting"))]
    if page.live:
        buttons.append(messages.button(reverse("wagtailadmin_pages:unpublish", args=[page.pk]), _("Batalkan terbit")))
    messages.error(request, message, buttons=buttons)
    parent = page.get_parent()
    return redirect(reverse("wagtailadmin_explore", args=[parent.pk]) if parent else reverse("wagtailadmin_home"))


def _refuse_user(request: HttpRequest, user: User, blockers: dict[str, int]) -> HttpResponse:
    message = _(
        "Pengguna “%(name)s” tidak dapat dihapus: masih ada catatan pelatihannya yang harus tetap tersimpan "
        "(%(records)s). Nonaktifkan akunnya saja (hapus centang “Aktif”): ia tidak dapat masuk lagi, dan "
        "sertifikat serta JP-nya tetap tercatat."
    ) % {"name": user.get_full_name(), "records": _records_text(blockers)}
    edit_url = reverse("wagtailusers_users:edit", args=[user.pk])
    messages.error(request, message, buttons=[messages.button(edit_url, _("Sunting pengguna"))])
    return redirect(reverse("wagtailusers_users:index"))


def refuse_activity(request: HttpRequest, activity, blockers: dict[str, int]) -> HttpResponse:
    message = _(
        "Aktivitas H5P “%(title)s” tidak dapat dihapus: peserta sudah mengerjakannya di modul (%(records)s). "
        "Hasil mereka harus tetap tersimpan bersama aktivitasnya."
    ) % {"title": activity.title, "records": _records_text(blockers)}
    messages.error(request, message)
    return redirect(reverse("wagtailsnippets_content_h5pactivity:list"))


def before_delete_page(request: HttpRequest, page: Page) -> HttpResponse | None:
    """Wagtail hook: refuse to delete a page (and its subtree) that learner records depend on."""
    blockers = page_deletion_blockers(page)
    return _refuse_page(request, page, blockers) if blockers else None


def before_delete_user(request: HttpRequest, user: User) -> HttpResponse | None:
    """Wagtail hook: refuse to delete a person who has learner records; deactivating is the way."""
    blockers = deletion_blockers([user])
    return _refuse_user(request, user, blockers) if blockers else None


def _course_of(page: Page) -> int | None:
    """The id of the course a page is, or lies in; None outside every course."""
    if isinstance(page.specific_deferred, CoursePage):
        return page.pk
    course = CoursePage.objects.filter(
        path__in=[page.path[:n] for n in range(Page.steplen, len(page.path), Page.steplen)]
    )
    return course.values_list("pk", flat=True).first()


def _move_refusal_text(page: Page, blockers: dict[str, int]) -> str:
    return _(
        "“%(title)s” tidak dapat dipindah ke pelatihan lain: catatan peserta (%(records)s) tercatat pada "
        "pelatihannya sekarang. Salin halamannya ke pelatihan tujuan, lalu batalkan terbit yang lama."
    ) % {"title": page.get_admin_display_title(), "records": _records_text(blockers)}


def _refuse_move(request: HttpRequest, page: Page, blockers: dict[str, int]) -> HttpResponse:
    messages.error(request, _move_refusal_text(page, blockers))
    parent = page.get_parent()
    return redirect(reverse("wagtailadmin_explore", args=[parent.pk]) if parent else reverse("wagtailadmin_home"))


def move_blockers(page: Page, destination: Page) -> dict[str, int]:
    """Learner records a move would carry out of their course (a step with progress into another course, or
    out of every course): they would then count for, or be reported in, a course the learner never took."""
    if isinstance(page.specific_deferred, CoursePage) or _course_of(page) == _course_of(destination):
        return {}
    return page_deletion_blockers(page)


def before_move_page(request: HttpRequest, page: Page, destination: Page) -> HttpResponse | None:
    """Wagtail hook: a step that holds learner records stays in its course (reordering within it is fine)."""
    blockers = move_blockers(page, destination)
    return _refuse_move(request, page, blockers) if blockers else None


def before_bulk_action(request: HttpRequest, action_type: str, objects: list, action_view) -> HttpResponse | None:
    """Wagtail hook: the same refusal for the bulk delete of pages and of users, and the bulk move of pages;
    nothing is deleted or moved then."""
    if action_type == "move":
        destination = getattr(action_view, "cleaned_form", None) and action_view.cleaned_form.cleaned_data["chooser"]
        for obj in objects if destination else ():
            blockers = move_blockers(obj, destination)
            if blockers:
                return _refuse_move(request, obj, blockers)
        return None
    if action_type != "delete":
        return None
    for obj in objects:
        if isinstance(obj, Page):
            blockers = page_deletion_blockers(obj)
            if blockers:
                return _refuse_page(request, obj, blockers)
        elif isinstance(obj, User):
            blockers = deletion_blockers([obj])
            if blockers:
                return _refuse_user(request, obj, blockers)
    return None


# Wagtail's admin API runs page actions (/admin/api/main/pages/<id>/action/delete/, .../move/) without the admin
# hooks above: the same refusals, answered as the API answers (400, {"detail": ...}), before Wagtail's own view.
_API_CHILD_POSITIONS = {"first-child", "last-child", "sorted-child"}  # as wagtail.actions.move_page


def _api_action_refusal(request: HttpRequest, pk: int, action_name: str) -> str | None:
    page = Page.objects.filter(pk=pk).first()
    if page is None or not request.user.is_authenticated:
        return None
    # Someone who may not act on the page at all gets Wagtail's own refusal, which names nothing of it.
    permissions = page.permissions_for_user(request.user)
    if not (permissions.can_delete() if action_name == "delete" else permissions.can_move()):
        return None
    if action_name == "delete":
        blockers = page_deletion_blockers(page)
        return _page_refusal_text(page, blockers) if blockers else None
    try:
        data = json.loads(request.body or b"{}") if request.content_type == "application/json" else request.POST
        target = Page.objects.filter(pk=int(data.get("destination_page_id"))).first()
    except (ValueError, TypeError, AttributeError):
        return None  # Wagtail's serializer answers 400 for it
    if target is None:
        return None
    parent_after = target if data.get("position") in _API_CHILD_POSITIONS else target.get_parent()
    blockers = move_blockers(page, parent_after) if parent_after else {}
    return _move_refusal_text(page, blockers) if blockers else None


def page_api_action(request: HttpRequest, pk: int, action_name: str) -> HttpResponse:
    if request.method == "POST" and action_name in ("delete", "move"):
        refusal = _api_action_refusal(request, pk, action_name)
        if refusal:
            return JsonResponse({"detail": refusal}, status=400)
    match = resolve(f"/main/pages/{pk}/action/{action_name}/", urlconf="wagtail.admin.api.urls")
    return match.func(request, *match.args, **match.kwargs)
