"""Forms of the kelola page's "Kelas & peserta" section."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.cohorts.services import REASON_MAX


class ClassCreateForm(forms.Form):
    name = forms.CharField(label=_("Nama kelas"), max_length=80)
    code = forms.SlugField(label=_("Kode"), max_length=20, required=False)


class ClassAssignForm(forms.Form):
    course_class = forms.IntegerField(label=_("Kelas"))
    enrollment = forms.TypedMultipleChoiceField(label=_("Peserta"), coerce=int, choices=())

    def __init__(self, *args, enrollment_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].choices = [(pk, pk) for pk in enrollment_ids]


class EnrollmentChangeForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    effective_on = forms.DateField(
        label=_("Berlaku sejak"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
