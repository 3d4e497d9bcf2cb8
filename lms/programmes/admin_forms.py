"""Admin forms of lms.programmes: the step editor's phase select (PathItemPage.phase), only the phases of the
step's own course; and the programme template editor's checks.

Imported by lms.models (the base form of every step page), so nothing from lms.models or lms.programmes.models
is imported at module level."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm


class PathItemPageForm(WagtailAdminPageForm):
    """Offers, and accepts, only the phases of the course the step is in: the queryset is also what the posted
    value is validated against, so a phase of another course is refused on the server."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("phase")
        if field is None:
            return
        parent = self.parent_page
        if parent is None and self.instance.pk:
            parent = self.instance.get_parent()
        field.queryset = field.queryset.filter(course_id=parent.pk if parent is not None else None).order_by(
            "sort_order", "pk"
        )
        field.error_messages["invalid_choice"] = _("Pilih salah satu fase pelatihan ini.")


class ProgrammeTemplateForm(WagtailAdminModelForm):
    """The template editor refuses what the course editor refuses (lms.programmes.structure: weights adding up to
    100, keys used once, a lowest band from 0), and a step placed in a phase the template does not have."""

    def clean(self):
        cleaned = super().clean()
        from lms.programmes.structure import formset_rows, structure_errors

        names = ("phases", "steps", "components", "predicates", "criteria")
        formsets = {name: self.formsets.get(name) for name in names}
        # Only when every formset is valid on its own: their field errors are shown first.
        if not all(formset is not None and formset.is_valid() for formset in formsets.values()):
            return cleaned
        rows = {name: formset_rows(formsets[name]) for name in names}
        errors = structure_errors(
            phases=rows["phases"],
            components=rows["components"],
            bands=rows["predicates"],
            criteria=rows["criteria"],
            requires_graduation=False,
        )
        phases = len(rows["phases"])
        if any(not 1 <= (step.get("phase_number") or 0) <= phases for step in rows["steps"]):
            errors.append(_("Fase ke- pada langkah standar harus antara 1 dan %(count)s.") % {"count": phases})
        for error in errors:
            self.add_error(None, error)
        return cleaned
