"""The assignment editor in the Wagtail admin."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.programmes.admin_forms import PathItemPageForm


class AssignmentPageForm(PathItemPageForm):
    """The accepted file kinds as ticked boxes; stored as the comma-separated list AssignmentPage reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "accepted_types" not in self.fields:
            return
        # Imported here: lms.assignments.models imports this module to set base_form_class.
        from lms.files import FileKind

        old = self.fields["accepted_types"]
        self.fields["accepted_types"] = forms.MultipleChoiceField(
            label=old.label,
            choices=FileKind.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text=_("Diperiksa dari isi berkas, bukan hanya dari namanya."),
        )
        self.initial["accepted_types"] = self.instance.accepted_kinds

    def clean_accepted_types(self) -> str:
        from lms.files import FileKind

        chosen = set(self.cleaned_data.get("accepted_types") or [])
        # In FileKind's order, so that the stored value does not depend on the order of the ticks.
        return ",".join(kind for kind in FileKind.values if kind in chosen)
