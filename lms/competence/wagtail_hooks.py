"""The competence record's settings in the Wagtail admin, for administrators (BPSDM) only: JP conversions, OPD
roles (verifier, head), ASN profiles, IP ASN points and the SIASN export's columns. Who may edit them is
lms.access.user_can_manage_competence_settings, not a model permission a group could hand out."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.access import user_can_manage_competence_settings
from lms.competence.models import (
    AsnProfile,
    CompetencePointRule,
    JpConversion,
    SiasnColumn,
    SiasnTrainingType,
    UnitRole,
)
from lms.competence.siasn import siasn_source_choices, siasn_training_type_keys
from lms.models import Role


class AdministratorsOnlyPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action) -> bool:
        return user_can_manage_competence_settings(user)

    def user_has_any_permission(self, user, actions) -> bool:
        return user_can_manage_competence_settings(user)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, role=Role.ADMINISTRATOR)


for _model in (JpConversion, UnitRole, AsnProfile, CompetencePointRule, SiasnColumn, SiasnTrainingType):
    register_permission_policy(_model, AdministratorsOnlyPolicy(_model), exact_class=True)


class JpConversionViewSet(SnippetViewSet):
    model = JpConversion
    icon = "calculator"
    menu_label = gettext_lazy("Konversi JP")
    list_display = ["form", "unit", "jp_per_unit", "max_jp_per_activity", "confirmed"]
    list_filter = ["form", "unit", "confirmed"]
    panels = [
        FieldPanel("form"),
        FieldPanel("unit"),
        FieldPanel("jp_per_unit"),
        FieldPanel("max_jp_per_activity"),
        FieldPanel("confirmed"),
        FieldPanel("note"),
    ]


class UnitRoleViewSet(SnippetViewSet):
    model = UnitRole
    icon = "user"
    menu_label = gettext_lazy("Peran di OPD")
    list_display = ["user", "work_unit", "kind", "granted_at"]
    list_filter = ["kind", "work_unit"]
    search_fields = ["user__full_name", "user__nip"]
    panels = [FieldPanel("user"), FieldPanel("work_unit"), FieldPanel("kind")]


class AsnProfileViewSet(SnippetViewSet):
    model = AsnProfile
    icon = "user"
    menu_label = gettext_lazy("Profil ASN")
    list_display = ["user", "position_group", "contract_starts_on"]
    list_filter = ["position_group"]
    search_fields = ["user__full_name", "user__nip"]
    panels = [FieldPanel("user"), FieldPanel("position_group"), FieldPanel("contract_starts_on")]


class CompetencePointRuleViewSet(SnippetViewSet):
    model = CompetencePointRule
    icon = "list-ol"
    menu_label = gettext_lazy("Poin kompetensi IP ASN")
    list_display = ["position_kind", "component", "points", "confirmed"]
    panels = [
        FieldPanel("position_kind"),
        FieldPanel("component"),
        FieldPanel("points"),
        FieldPanel("confirmed"),
        FieldPanel("note"),
    ]


class SiasnColumnViewSet(SnippetViewSet):
    model = SiasnColumn
    icon = "table"
    menu_label = gettext_lazy("Kolom ekspor SIASN")
    list_display = ["position", "header", "source"]
    panels = [
        FieldPanel("position"),
        FieldPanel("header"),
        FieldPanel("source", widget=forms.Select(choices=siasn_source_choices)),
    ]


class SiasnTrainingTypeViewSet(SnippetViewSet):
    model = SiasnTrainingType
    icon = "tag"
    menu_label = gettext_lazy("Jenis diklat SIASN")
    list_display = ["key", "name", "code"]
    search_fields = ["key", "name", "code"]
    panels = [
        FieldPanel("key", widget=forms.Select(choices=siasn_training_type_keys)),
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("note"),
    ]


class CompetenceViewSetGroup(SnippetViewSetGroup):
    items = (
        JpConversionViewSet,
        UnitRoleViewSet,
        AsnProfileViewSet,
        CompetencePointRuleViewSet,
        SiasnColumnViewSet,
        SiasnTrainingTypeViewSet,
    )
    menu_icon = "clipboard-list"
    menu_label = gettext_lazy("Rekam kompetensi")
    menu_name = "competence"


register_snippet(CompetenceViewSetGroup)


@hooks.register("after_create_snippet")
def _unit_role_granted_by(request: HttpRequest, instance) -> None:
    """Who granted an OPD role is recorded, not typed."""
    if isinstance(instance, UnitRole) and instance.granted_by_id is None:
        UnitRole.objects.filter(pk=instance.pk).update(granted_by=request.user)
