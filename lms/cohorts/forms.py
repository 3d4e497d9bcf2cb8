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


class EnrollmentMoveForm(EnrollmentChangeForm):
    """Where to: a class of this course ("kelas:<id>"), or another course run, with or without one of its
    classes ("pelatihan:<id>", "pelatihan:<id>:kelas:<id>"). One select works on a phone without scripts."""

    target = forms.ChoiceField(label=_("Pindahkan ke"), choices=())
    field_order = ["target", "reason", "effective_on"]

    def __init__(self, *args, targets: list[tuple[str, object]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—"), *targets]


class GroupCreateForm(forms.Form):
    name = forms.CharField(label=_("Nama kelompok"), max_length=80)


class GroupAssignForm(forms.Form):
    """`group` empty: take the chosen participants out of their kelompok."""

    group = forms.TypedChoiceField(label=_("Kelompok"), coerce=int, empty_value=None, required=False, choices=())
    enrollment = forms.TypedMultipleChoiceField(label=_("Peserta"), coerce=int, choices=())

    def __init__(self, *args, group_ids: list[int], enrollment_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—"), *((pk, pk) for pk in group_ids)]
        self.fields["enrollment"].choices = [(pk, pk) for pk in enrollment_ids]


class ClassInstructorForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Pengajar"), coerce=int, choices=())
    action = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")])

    def __init__(self, *args, user_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(pk, pk) for pk in user_ids]
