"""Wagtail admin hooks: H5P activities are edited by their uploader; users changed in bulk by no one ranked below
them; documents served only to those who may open where they are used. (Course page permissions follow the
course's instructors through lms.roles, on every publish.)"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content.models import H5PActivity
from lms.access import user_can_change_user, user_can_edit_activity, user_can_open_document
from lms.models import CertificateProgrammeSettings, User, WorkUnit
from lms.views.errors import forbidden


class WorkUnitViewSet(SnippetViewSet):
    model = WorkUnit
    icon = "group"
    menu_label = "Unit kerja (OPD)"
    add_to_admin_menu = True
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


register_snippet(WorkUnitViewSet)


class CertificateProgrammeSettingsViewSet(SnippetViewSet):
    """Per programme: the certificate number format and the default signer (lms.certificates)."""

    model = CertificateProgrammeSettings
    icon = "doc-full"
    menu_label = gettext_lazy("Sertifikat per program")
    add_to_settings_menu = True
    list_display = ["programme", "number_format", "signer_name"]


register_snippet(CertificateProgrammeSettingsViewSet)


# --- H5P activities: edited and deleted by the uploader or administrators ---------------------------------------


@hooks.register("before_edit_snippet")
def _activity_edit_guard(request: HttpRequest, instance) -> HttpResponse | None:
    if isinstance(instance, H5PActivity) and not user_can_edit_activity(request.user, instance):
        return forbidden(request, _("Aktivitas H5P ini hanya dapat diubah oleh pengunggahnya dan administrator."))
    return None


@hooks.register("before_delete_snippet")
def _activity_delete_guard(request: HttpRequest, instances) -> HttpResponse | None:
    for instance in instances:
        if isinstance(instance, H5PActivity) and not user_can_edit_activity(request.user, instance):
            return forbidden(request, _("Aktivitas H5P ini hanya dapat dihapus oleh pengunggahnya dan administrator."))
        if isinstance(instance, H5PActivity) and (blockers := protection.activity_blockers(instance)):
            return protection.refuse_activity(request, instance, blockers)
    return None


# --- Users in bulk: the same rule as the user form (lms.users_admin) ----------------------------------------------


@hooks.register("before_bulk_action")
def _user_bulk_guard(request: HttpRequest, action_type: str, objects, action) -> HttpResponse | None:
    if getattr(action, "model", None) is not User:
        return None
    # Groups follow roles and taught courses (lms.roles); assigning them by hand would grant around the role.
    if action_type == "assign_role" and not request.user.is_superuser:
        return forbidden(request, _("Peran diberikan lewat formulir pengguna, bukan lewat grup."))
    if any(not user_can_change_user(request.user, person) for person in objects):
        return forbidden(request, _("Akun superuser hanya dapat diubah oleh superuser."))
    return None


# --- Pages: Wagtail's move confirmation checks only when posted; its page showed anyone the move --------------------


@hooks.register("before_move_page")
def _move_permission(request: HttpRequest, page, destination) -> HttpResponse | None:
    if not page.permissions_for_user(request.user).can_move_to(destination):
        return forbidden(request, _("Hanya pengajar pelatihan ini dan administrator yang dapat membuka halaman ini."))
    return None


# --- Documents: the module's door, then the file ------------------------------------------------------------------


@hooks.register("before_serve_document")
def _document_access(document, request: HttpRequest) -> HttpResponse | None:
    if not user_can_open_document(request.user, document):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return forbidden(request, _("Dokumen ini hanya untuk peserta modul yang memakainya."))
    try:
        document.file.path  # noqa: B018 - local storage: Wagtail streams it (with ETag)
    except NotImplementedError:
        # Remote storage (S3): the file is not proxied through Python; the storage's URL is presigned and expires
        # (AWS_QUERYSTRING_AUTH), so it is handed out only now, after the check, and never cached.
        response = redirect(document.file.url)
        add_never_cache_headers(response)
        return response
    return None


# Nothing lost by a delete (lms/protection.py): pages and people that learner records depend on are not deleted
# from the admin, one by one or in bulk; the admin says to unpublish, archive or deactivate instead.
from lms import protection  # noqa: E402

hooks.register("before_delete_page", protection.before_delete_page)
hooks.register("before_move_page", protection.before_move_page)
hooks.register("before_delete_user", protection.before_delete_user)
hooks.register("before_bulk_action", protection.before_bulk_action)
