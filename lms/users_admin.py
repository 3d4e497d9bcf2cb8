"""Wagtail's user administration, with the ASN fields (NIP, OPD, jabatan, golongan) and Siger's roles.

Nobody grants more than they hold (lms.access): only a superuser creates or changes a superuser or ticks
"superuser"; an administrator gives at most the administrator role. Groups are not on the form: they follow the
role and the courses a person teaches (lms.roles), so a group cannot be used to grant what the role does not."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_user_views
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from lms.access import roles_grantable_by, user_can_change_user, user_can_grant_superuser
from lms.nip import nip_normalize
from lms.roles import user_set_role

ASN_FIELDS = ("full_name", "employee_type", "work_unit", "position", "rank", "role")


class _AsnFieldsMixin(forms.ModelForm):
    # Indonesian names are often a single word: one full-name field replaces first and last name.
    first_name = None
    last_name = None
    # Longer than 18 so that '19860926 201505 1 001' can be typed; the model validates the digits.
    nip = forms.CharField(label=_("NIP"), max_length=30, help_text=_("18 angka; spasi boleh."))

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        if for_user is None:
            return
        # A field that is not on the form cannot be posted: the value stays what it was.
        if not user_can_grant_superuser(for_user):
            self.fields.pop("is_superuser", None)
        grantable = set(roles_grantable_by(for_user))
        role_field = self.fields["role"]
        role_field.choices = [(value, label) for value, label in role_field.choices if value in grantable]

    def clean_nip(self) -> str:
        return nip_normalize(self.cleaned_data["nip"])

    def save(self, commit: bool = True):
        user = super().save(commit=commit)
        if commit:
            # After the form's own saving, so that the role's group is the one that sticks.
            user_set_role(user=user, role=user.role)
        return user


class SigerUserCreationForm(_AsnFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - {"first_name", "last_name", "groups"}) | set(ASN_FIELDS)


class SigerUserEditForm(_AsnFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - {"first_name", "last_name", "groups"}) | set(ASN_FIELDS)


class _ForUserFormMixin:
    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class UserCreateView(_ForUserFormMixin, wagtail_user_views.CreateView):
    pass


class UserEditView(_ForUserFormMixin, wagtail_user_views.EditView):
    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        # An administrator cannot open, let alone change, an account ranked above their own (a superuser).
        if not self.editing_self and not user_can_change_user(request.user, self.object):
            raise PermissionDenied


class UserViewSet(WagtailUserViewSet):
    add_view_class = UserCreateView
    edit_view_class = UserEditView

    def get_form_class(self, for_update: bool = False):
        return SigerUserEditForm if for_update else SigerUserCreationForm
