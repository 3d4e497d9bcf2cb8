"""Programme templates and creating a run from one, in the Wagtail admin: for administrators only
(lms.access.user_can_create_programme_run, not a model permission a group could hand out)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.access import user_can_create_programme_run
from lms.models import Role
from lms.programmes.admin_forms import ProgrammeTemplateForm
from lms.programmes.models import ProgrammeTemplate
from lms.programmes.views import runs


class AdministratorsOnlyPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action) -> bool:
        return user_can_create_programme_run(user)

    def user_has_any_permission(self, user, actions) -> bool:
        return user_can_create_programme_run(user)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, role=Role.ADMINISTRATOR)


register_permission_policy(ProgrammeTemplate, AdministratorsOnlyPolicy(ProgrammeTemplate), exact_class=True)


class ProgrammeTemplateViewSet(SnippetViewSet):
    model = ProgrammeTemplate
    icon = "clipboard-list"
    menu_label = gettext_lazy("Templat program")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["name", "programme", "jp_credit", BooleanColumn("confirmed", label=gettext_lazy("Terkonfirmasi"))]
    list_filter = ["programme", "confirmed"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("programme"), FieldPanel("jp_credit")]),
            FieldPanel("description"),
            MultiFieldPanel([FieldPanel("confirmed"), FieldPanel("note")], heading=gettext_lazy("Sumber")),
            InlinePanel("phases", heading=gettext_lazy("Fase"), label=gettext_lazy("fase")),
            InlinePanel("steps", heading=gettext_lazy("Langkah standar"), label=gettext_lazy("langkah")),
            InlinePanel("components", heading=gettext_lazy("Komponen penilaian"), label=gettext_lazy("komponen")),
            InlinePanel("predicates", heading=gettext_lazy("Predikat"), label=gettext_lazy("predikat")),
            InlinePanel("criteria", heading=gettext_lazy("Kriteria seminar"), label=gettext_lazy("kriteria")),
        ],
        base_form_class=ProgrammeTemplateForm,
    )


register_snippet(ProgrammeTemplateViewSet)


@hooks.register("register_admin_urls")
def _run_urls():
    return [path("program/angkatan-baru/", runs.run_create, name="programmes_run_create")]


class AdministratorsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return user_can_create_programme_run(request.user)


@hooks.register("register_admin_menu_item")
def _run_menu_item():
    return AdministratorsMenuItem(
        gettext_lazy("Buat angkatan dari templat"),
        reverse("programmes_run_create"),
        name="programmes-run-create",
        icon_name="form",
        order=251,
    )
