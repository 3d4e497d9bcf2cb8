"""Wagtail's user administration, with the ASN fields (NIP, OPD, jabatan, golongan) and Siger's roles."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from lms.nip import nip_normalize
from lms.roles import user_set_role

ASN_FIELDS = ("full_name", "employee_type", "work_unit", "position", "rank", "role")


class _AsnFieldsMixin(forms.ModelForm):
    # Indonesian names are often a single word: one full-name field replaces first and last name.
    first_name = None
    last_name = None
    # Longer than 18 so that '19860926 201505 1 001' can be typed; the model validates the digits.
    nip = forms.CharField(label=_("NIP"), max_length=30, help_text=_("18 angka; spasi boleh."))

    def clean_nip(self) -> str:
        return nip_normalize(self.cleaned_data["nip"])

    def save(self, commit: bool = True):
        user = super().save(commit=commit)
        if commit:
            # After the form's own group assignment, so that the role's group is the one that sticks.
            user_set_role(user=user, role=user.role)
        return user


class SigerUserCreationForm(_AsnFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - {"first_name", "last_name"}) | set(ASN_FIELDS)


class SigerUserEditForm(_AsnFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - {"first_name", "last_name"}) | set(ASN_FIELDS)


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update: bool = False):
        return SigerUserEditForm if for_update else SigerUserCreationForm
