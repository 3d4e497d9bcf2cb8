"""Forms of the competence record: a learner's report of outside learning, a verifier's decision, the SIASN export."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.competence.models import ConversionUnit, LearningForm
from lms.competence.submissions import EVIDENCE_KINDS, LearningError, amount_parse
from lms.exports import FORMATS
from lms.files import accepted_extensions

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LearningSubmitForm(forms.Form):
    form = forms.ChoiceField(label=_("Bentuk pembelajaran"), choices=[("", "—"), *LearningForm.choices])
    title = forms.CharField(label=_("Judul kegiatan"), max_length=255)
    organiser = forms.CharField(label=_("Penyelenggara"), max_length=255)
    starts_on = forms.DateField(label=_("Tanggal mulai"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Tanggal selesai"), widget=DATE_WIDGET)
    amount = forms.CharField(
        label=_("Jumlah"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6})
    )
    unit = forms.ChoiceField(label=_("Satuan"), choices=ConversionUnit.choices)
    certificate_number = forms.CharField(label=_("Nomor sertifikat (jika ada)"), max_length=100, required=False)
    evidence = forms.FileField(
        label=_("Bukti: sertifikat atau surat keterangan (PDF, JPG atau PNG, paling besar 5 MB)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in accepted_extensions(EVIDENCE_KINDS))}
        ),
    )

    def clean_amount(self) -> Decimal:
        try:
            return amount_parse(self.cleaned_data["amount"])
        except LearningError as error:
            raise forms.ValidationError(error.message) from None


class LearningDecisionForm(forms.Form):
    jp = forms.DecimalField(
        label=_("JP yang dicatat"), max_digits=7, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    reason = forms.CharField(
        label=_("Alasan (wajib jika JP diubah atau ditolak)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SiasnExportForm(forms.Form):
    work_unit = forms.TypedChoiceField(label=_("Unit kerja (OPD)"), coerce=int, required=False, empty_value=None)
    start = forms.DateField(label=_("Selesai sejak"), widget=DATE_WIDGET, required=False)
    end = forms.DateField(label=_("Selesai sampai"), widget=DATE_WIDGET, required=False)
    format = forms.ChoiceField(choices=[(f, f.upper()) for f in FORMATS], required=False)

    def __init__(self, *args, work_units: list[tuple[int, str]], all_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        empty = _("Semua OPD") if all_allowed else _("Semua OPD saya")
        self.fields["work_unit"].choices = [("", empty), *work_units]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data
