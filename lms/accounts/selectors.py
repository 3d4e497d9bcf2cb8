"""Reads of the account import."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urljoin

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lms.accounts.models import AccountImport
from lms.models import User


@dataclass(frozen=True)
class ActivationRow:
    user: User
    url: str
    short_url: str
    phone: str
    whatsapp: str


def accounts_not_activated(*, account_import: AccountImport | None = None) -> QuerySet[User]:
    """Accounts that have never set a password (an import's new ones, or all of them)."""
    users = User.objects.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX, last_login__isnull=True, is_active=True)
    if account_import is not None:
        users = users.filter(pk__in=account_import.summary.get("new_user_ids", []))
    return users.select_related("work_unit", "account_profile").order_by("work_unit__name", "full_name")


def activation_rows(*, users) -> list[ActivationRow]:
    """Each person's link, and a wa.me link carrying the message (the same token until they activate)."""
    from lms.accounts.services import account_activation_short_path, account_activation_url

    rows = []
    for user in users:
        url = account_activation_url(user=user)
        profile = getattr(user, "account_profile", None)
        phone = profile.phone if profile else ""
        text = _("Yth. %(name)s, aktifkan akun Siger Anda dan buat kata sandi di: %(url)s") % {
            "name": user.full_name,
            "url": url,
        }
        whatsapp = f"https://wa.me/{phone}?text={quote(text)}" if phone else ""
        short_url = urljoin(settings.WAGTAILADMIN_BASE_URL, account_activation_short_path(user=user))
        rows.append(ActivationRow(user=user, url=url, short_url=short_url, phone=phone, whatsapp=whatsapp))
    return rows
