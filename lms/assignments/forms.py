"""The learner's hand-in form: the checks themselves are the service's (lms.assignments.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.assignments.models import AssignmentPage
from lms.assignments.services import TEXT_MAX
from lms.files import accepted_extensions


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class SubmissionForm(forms.Form):
    uploads = MultipleFileField(label=_("Berkas"), required=False)
    text = forms.CharField(
        label=_("Jawaban"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=False,  # the service trims; it also counts what was typed, not what the browser kept
    )

    def __init__(self, *args, assignment: AssignmentPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        if assignment.accepts_files:
            accept = ",".join(f".{ext}" for ext in accepted_extensions(assignment.accepted_kinds))
            self.fields["uploads"].widget.attrs.update({"accept": accept, "multiple": True})
        else:
            del self.fields["uploads"]
        if not assignment.accepts_text:
            del self.fields["text"]

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""
