"""Forms of the account import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.models import CoursePage

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas CSV atau XLSX"),
        help_text=_("Kolom: NIP, Nama, Gelar Depan, Gelar Belakang, Jabatan, Golongan, OPD/Unit Kerja, Email, No HP."),
    )
    course = forms.ModelChoiceField(
        label=_("Daftarkan ke pelatihan (opsional)"), queryset=CoursePage.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.order_by("title")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (maksimal 10 MB)."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Hanya berkas .csv atau .xlsx."))
        return upload


class ImportApplyForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    create_units = forms.BooleanField(label=_("Buat OPD baru"), required=False, widget=forms.HiddenInput)
