"""The instructor's grading form: the version graded, a score or one level per rubric criterion, feedback, a
returned file, and the decision (the button pressed)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lms.assignments.grading import FEEDBACK_MAX, RubricCriterion
from lms.assignments.models import GradeDecision

RUBRIC_FIELD = "kriteria_{}"


class GradeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=GradeDecision.choices)
    score = forms.DecimalField(
        label=_("Nilai (0–100)"), required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    feedback = forms.CharField(
        label=_("Umpan balik"), required=False, max_length=FEEDBACK_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    returned_file = forms.FileField(
        label=_("Berkas umpan balik (opsional)"),
        required=False,
    )

    def __init__(self, *args, criteria: list[RubricCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["returned_file"].help_text = _("PDF, DOCX, XLSX, PPTX atau gambar; maksimal %(mb)s MB.") % {
            "mb": settings.SIGER_ASSIGNMENT_MAX_MB
        }
        self.criteria = criteria
        for index, criterion in enumerate(criteria):
            self.fields[RUBRIC_FIELD.format(index)] = forms.TypedChoiceField(
                label=criterion.name,
                required=False,
                coerce=int,
                choices=[(str(n), level.label) for n, level in enumerate(criterion.levels)],
                widget=forms.RadioSelect,
            )

    def rubric_choices(self) -> dict[int, int]:
        """criterion index -> chosen level index, for the criteria a level was chosen for."""
        choices = {}
        for index in range(len(self.criteria)):
            value = self.cleaned_data.get(RUBRIC_FIELD.format(index))
            if value not in (None, ""):
                choices[index] = int(value)
        return choices
