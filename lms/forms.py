from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from lms.auth import (
    login_account_key,
    login_attempt_begin,
    login_failure_record,
    login_identifier_normalize,
    login_success_record,
    password_reset_wait_minutes,
    user_lookup,
)


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("NIP atau email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("NIP/email atau kata sandi salah."),
        "throttled": _("Terlalu banyak percobaan masuk. Coba lagi dalam %(minutes)s menit."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm caps the field at the NIP's 18 characters; emails are longer.
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = 254

    def clean(self):
        identifier = login_account_key(self.data.get("username"))
        if identifier and self.data.get("password"):
            # Taken before the password is checked: a locked account answers the same whether the guess was right.
            minutes = login_attempt_begin(self.request, identifier)
            if minutes:
                raise forms.ValidationError(
                    self.error_messages["throttled"], code="throttled", params={"minutes": minutes}
                )
        try:
            cleaned_data = super().clean()
        except forms.ValidationError:
            if identifier and self.data.get("password"):
                login_failure_record(self.request)
            raise
        if self.user_cache is not None:
            login_success_record(identifier)
        return cleaned_data


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, asked for a NIP or an email: many ASN know their NIP better than which address
    Siger holds. Whatever is typed, the answer is the same page, so it tells nobody which accounts exist."""

    # Named "email" because PasswordResetForm.save() reads cleaned_data["email"] and hands it to get_users().
    email = forms.CharField(
        label=_("NIP atau email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "throttled": _("Terlalu banyak permintaan atur ulang kata sandi. Coba lagi dalam %(minutes)s menit."),
    }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self) -> str:
        identifier = self.cleaned_data["email"].strip()
        if not login_identifier_normalize(identifier):
            raise forms.ValidationError(_("Isi NIP atau email."), code="required")
        return identifier

    def clean(self):
        cleaned_data = super().clean()
        identifier = login_account_key(cleaned_data.get("email", ""))
        minutes = password_reset_wait_minutes(self.request, identifier)
        if minutes:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled", params={"minutes": minutes})
        return cleaned_data

    def get_users(self, email: str):
        users = get_user_model()._default_manager.filter(user_lookup(email), is_active=True).exclude(email="")
        return (user for user in users if user.has_usable_password())


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
