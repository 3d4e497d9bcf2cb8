"""Nothing lost by a delete: the admin refuses to delete a page or a person that learner records depend on.

The database is the rule (learner records PROTECT their course, step, session and person), so the admin asks
it: a dry run of Django's deletion collector finds exactly what a delete would have to erase, through every
cascade (a course's modules, a module's statements, a session's attendance), without this module knowing the
record models of each app. The admin then refuses with a message that says what to do instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import router
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.db.models.deletion import Collector
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
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


def _records_text(blockers: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in blockers.items())


def _refuse_page(request: HttpRequest, page: Page, blockers: dict[str, int]) -> HttpResponse:
    specific = page.specific_deferred
    if isinstance(specific, CoursePage):
        instead = _("Batalkan penerbitan, atau arsipkan pelatihan (centang “Arsipkan pelatihan ini” lalu terbitkan).")
    else:
        instead = _("Batalkan penerbitan halaman ini bila tidak dipakai lagi.")
    refused = _("“%(title)s” tidak dapat dihapus: masih ada catatan peserta yang harus tetap tersimpan (%(records)s).")
    message = refused % {"title": page.get_admin_display_title(), "records": _records_text(blockers)} + " " + instead
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


def before_delete_page(request: HttpRequest, page: Page) -> HttpResponse | None:
    """Wagtail hook: refuse to delete a page (and its subtree) that learner records depend on."""
    blockers = page_deletion_blockers(page)
    return _refuse_page(request, page, blockers) if blockers else None


def before_delete_user(request: HttpRequest, user: User) -> HttpResponse | None:
    """Wagtail hook: refuse to delete a person who has learner records; deactivating is the way."""
    blockers = deletion_blockers([user])
    return _refuse_user(request, user, blockers) if blockers else None


def before_bulk_action(request: HttpRequest, action_type: str, objects: list, action_view) -> HttpResponse | None:
    """Wagtail hook: the same refusal for the bulk delete of pages and of users; nothing is deleted then."""
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
