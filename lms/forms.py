from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lms.ratelimit import rate_limit_exceeded


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("NIP atau email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("NIP/email atau kata sandi salah."),
        "throttled": _("Terlalu banyak percobaan masuk. Coba lagi dalam beberapa menit."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm caps the field at the NIP's 18 characters; emails are longer.
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = 254

    def clean(self):
        ip = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        identifier = (self.data.get("username") or "").strip().lower()
        if rate_limit_exceeded(f"login:{ip}:{identifier}", limit=10, window_seconds=300):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        return super().clean()


class BulkEnrollmentForm(forms.Form):
    csv_file = forms.FileField(
        label=_("Berkas CSV berisi NIP"),
        help_text=_("Satu NIP per baris; kolom berjudul 'nip' atau kolom pertama."),
    )

    MAX_BYTES = 1024 * 1024

    def clean_csv_file(self) -> str:
        upload = self.cleaned_data["csv_file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (maksimal 1 MB)."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("Berkas bukan teks CSV."))
