"""Accounts in bulk: validate every row of a cohort list, apply it in one transaction, activation links."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from lms.accounts.models import AccountImport, AccountProfile, ImportStatus
from lms.accounts.parsing import table_parse
from lms.events import ACCOUNTS_CREATED, ACTIVATION_RESEND_REQUESTED, emit
from lms.models import Enrollment, User, WorkUnit
from lms.models.people import RANKS, EmployeeType
from lms.models.progress import EnrollmentSource
from lms.nip import nip_validate
from lms.ratelimit import rate_limit_exceeded

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
USER_FIELDS = ("full_name", "email", "position", "rank", "employee_type")
PROFILE_FIELDS = ("phone", "title_prefix", "title_suffix")
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "i": "I", "ii": "II", "iii": "III", "iv": "IV"}
_UNIT_ABBREVIATIONS = {"dinas": "dinas", "dis": "dinas", "bdn": "badan", "kab": "kabupaten", "prov": "provinsi"}


class ImportRefused(Exception):
    """Apply was refused (stale preview, double submit, errors): nothing was written."""


# --- Normalisation (pure) --------------------------------------------------------------------------------------------


def rank_normalize(raw: str) -> str | None:
    """'III/a', 'III a', '3a', 'iii-A' -> 'III/a'; '' -> ''; None when it is no rank."""
    text = re.sub(r"[\s/\-.]", "", (raw or "").lower())
    if not text:
        return ""
    match = re.fullmatch(r"(iv|iii|ii|i|[1-4])([a-e])", text)
    if not match:
        return None
    rank = f"{_ROMAN[match.group(1)]}/{match.group(2)}"
    return rank if rank in RANKS else None


def unit_key(name: str) -> str:
    """An OPD name compared without case, punctuation, extra spaces or a few common abbreviations."""
    words = re.sub(r"[^a-z0-9 ]", " ", (name or "").lower()).split()
    return " ".join(_UNIT_ABBREVIATIONS.get(word, word) for word in words)


def phone_normalize(raw: str) -> str:
    """Digits with the Indonesian country code: '0812-3456 789' -> '628123456789'."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits


# --- Validation -----------------------------------------------------------------------------------------------------


def import_validate(*, rows: list[dict], course=None, create_units: bool = False) -> list[dict]:
    """Each row with an action (create/update/unchanged/error), its errors and changed fields. A fixed number
    of queries, whatever the number of rows."""
    results: list[dict] = []
    for raw in rows:
        errors: list[str] = []
        pppk = raw.get("employee_type", "").strip().upper() == "PPPK"
        nip = ""
        try:
            nip = nip_validate(raw.get("nip", ""), pppk=pppk)
        except ValidationError as error:
            errors.extend(error.messages)
        email = raw.get("email", "").strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_("Format email tidak valid."))
        name = " ".join(raw.get("name", "").split())
        if not name:
            errors.append(_("Nama kosong."))
        rank = rank_normalize(raw.get("rank", ""))
        if rank is None:
            errors.append(_("Golongan '%(v)s' tidak dikenal.") % {"v": raw.get("rank", "")})
        phone = phone_normalize(raw.get("phone", ""))
        if raw.get("phone") and not 9 <= len(phone) <= 15:
            errors.append(_("Nomor HP tidak valid."))
        data = {
            "nip": nip,
            "full_name": name,
            "email": email,
            "position": raw.get("position", "").strip(),
            "rank": rank or "",
            "employee_type": EmployeeType.PPPK if pppk else EmployeeType.PNS,
            "phone": phone,
            "title_prefix": raw.get("title_prefix", "").strip(),
            "title_suffix": raw.get("title_suffix", "").strip(),
            "work_unit": " ".join(raw.get("work_unit", "").split()),
        }
        results.append({"row": raw.get("row"), "data": data, "errors": errors, "changes": [], "new_unit": ""})

    # Duplicates inside the file.
    for field, label in (("nip", _("NIP")), ("email", _("email"))):
        first: dict[str, int] = {}
        for result in results:
            value = result["data"][field]
            if not value:
                continue
            if value in first:
                result["errors"].append(
                    _("%(label)s sama dengan baris %(row)s.") % {"label": label, "row": first[value]}
                )
            else:
                first[value] = result["row"]

    # Against the database: one query each.
    nips = [r["data"]["nip"] for r in results if r["data"]["nip"]]
    users = {u.nip: u for u in User.objects.filter(nip__in=nips).select_related("work_unit")}
    emails = [r["data"]["email"] for r in results if r["data"]["email"]]
    # Compared lower-cased, as the unique constraint does (and so its index serves the lookup).
    owners = dict(
        User.objects.annotate(email_ci=Lower("email")).filter(email_ci__in=set(emails)).values_list("email_ci", "nip")
    )
    profiles = {p.user_id: p for p in AccountProfile.objects.filter(user__nip__in=nips)}
    units = {unit_key(u.name): u for u in WorkUnit.objects.all()}
    enrolled: set[int] = set()
    if course is not None:
        enrolled = set(Enrollment.objects.filter(course=course, user__nip__in=nips).values_list("user_id", flat=True))

    for result in results:
        data = result["data"]
        if data["email"] and owners.get(data["email"], data["nip"]) != data["nip"]:
            result["errors"].append(_("Email sudah dipakai akun lain (NIP %(nip)s).") % {"nip": owners[data["email"]]})
        unit = units.get(unit_key(data["work_unit"])) if data["work_unit"] else None
        if data["work_unit"] and unit is None:
            result["new_unit"] = data["work_unit"]
            if not create_units:
                result["errors"].append(
                    _("OPD '%(opd)s' belum ada; centang 'buat OPD baru' untuk membuatnya.") % {"opd": data["work_unit"]}
                )
        user = users.get(data["nip"])
        if result["errors"]:
            result["action"] = ERROR
            continue
        if user is None:
            result["action"] = CREATE
            continue
        # Emails are one address whatever their case (the unique constraint says so).
        changes = [f for f in USER_FIELDS if data[f] and _comparable(f, getattr(user, f)) != _comparable(f, data[f])]
        if data["work_unit"] and (unit is None or user.work_unit_id != unit.pk):
            changes.append("work_unit")
        profile = profiles.get(user.pk)
        changes += [f for f in PROFILE_FIELDS if data[f] and getattr(profile, f, "") != data[f]]
        if course is not None and user.pk not in enrolled:
            changes.append("enrollment")
        result["changes"] = changes
        result["action"] = UPDATE if changes else UNCHANGED
    return results


def _comparable(field: str, value: str) -> str:
    return value.lower() if field == "email" else value


def import_counts(results: list[dict]) -> dict[str, int]:
    counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
    for result in results:
        counts[result["action"]] += 1
    return counts


def account_import_create(*, data: bytes, filename: str, by: User, course=None) -> AccountImport:
    """Parse an upload and keep its rows server-side for the preview. Raises ValidationError when unreadable."""
    rows = table_parse(data=data, filename=filename)
    if not rows:
        raise ValidationError(_("Berkas tidak berisi baris data."))
    return AccountImport.objects.create(
        filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(), rows=rows, course=course, created_by=by
    )


def import_fingerprint(results: list[dict]) -> str:
    """What the administrator saw: actions and changes per row. Apply refuses when the database moved since."""
    text = "|".join(f"{r['row']}:{r['action']}:{','.join(r['changes'])}:{r['new_unit']}" for r in results)
    return hashlib.sha256(text.encode()).hexdigest()


# --- Apply ----------------------------------------------------------------------------------------------------------


def account_import_apply(
    *, account_import: AccountImport, by: User, fingerprint: str, create_units: bool = False
) -> dict[str, int]:
    """All or nothing. Refuses a double submit, a preview the database no longer matches, and any error row."""
    with transaction.atomic():
        locked = AccountImport.objects.select_for_update().get(pk=account_import.pk)
        if locked.status != ImportStatus.PREVIEWED:
            raise ImportRefused(_("Impor ini sudah diterapkan."))
        course = locked.course
        results = import_validate(rows=locked.rows, course=course, create_units=create_units)
        if import_fingerprint(results) != fingerprint:
            raise ImportRefused(_("Data berubah sejak pratinjau; unggah ulang berkasnya."))
        counts = import_counts(results)
        if counts[ERROR]:
            raise ImportRefused(_("Masih ada baris bermasalah; perbaiki berkasnya lalu unggah ulang."))
        new_user_ids = _apply_rows(results=results, course=course, by=by)
        locked.status = ImportStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.summary = {**counts, "new_user_ids": new_user_ids}
        locked.save(update_fields=["status", "applied_at", "summary"])
        # Their activation emails are sent by a subscriber after the commit, outside this request.
        emit(ACCOUNTS_CREATED, user_ids=new_user_ids)
    account_import.refresh_from_db()
    return counts


def _apply_rows(*, results: list[dict], course, by: User) -> list[int]:
    units = {unit_key(u.name): u for u in WorkUnit.objects.all()}
    for result in results:
        name = result["new_unit"]
        if name and unit_key(name) not in units:
            units[unit_key(name)] = WorkUnit.objects.create(name=name[:200])
    active = [r for r in results if r["action"] in (CREATE, UPDATE)]
    users = {u.nip: u for u in User.objects.filter(nip__in=[r["data"]["nip"] for r in active])}
    profiles = {p.user_id: p for p in AccountProfile.objects.filter(user__in=users.values())}
    new_users, changed_users = [], []
    for result in active:
        data = result["data"]
        unit = units.get(unit_key(data["work_unit"])) if data["work_unit"] else None
        if result["action"] == CREATE:
            # An unusable password: hashing 10,000 real ones takes minutes, and nobody gets a shared default one;
            # each person sets their own through the activation link.
            new_users.append(
                User(
                    nip=data["nip"],
                    password=make_password(None),
                    **{f: data[f] for f in USER_FIELDS},
                    work_unit=unit,
                )
            )
        else:
            user = users[data["nip"]]
            for field in USER_FIELDS:
                if data[field]:
                    setattr(user, field, data[field])
            if unit is not None:
                user.work_unit = unit
            changed_users.append(user)
    created = User.objects.bulk_create(new_users, batch_size=1000)
    if changed_users:
        User.objects.bulk_update(changed_users, [*USER_FIELDS, "work_unit"], batch_size=1000)
    by_nip = {u.nip: u for u in [*created, *changed_users]}
    new_profiles, changed_profiles = [], []
    for result in active:
        data = result["data"]
        user = by_nip[data["nip"]]
        values = {f: data[f] for f in PROFILE_FIELDS if data[f]}
        profile = profiles.get(user.pk)
        if profile is None:
            if values:
                new_profiles.append(AccountProfile(user=user, **values))
        elif any(getattr(profile, f) != v for f, v in values.items()):
            for field, value in values.items():
                setattr(profile, field, value)
            changed_profiles.append(profile)
    AccountProfile.objects.bulk_create(new_profiles, batch_size=1000)
    if changed_profiles:
        AccountProfile.objects.bulk_update(changed_profiles, PROFILE_FIELDS, batch_size=1000)
    if course is not None:
        Enrollment.objects.bulk_create(
            [
                Enrollment(user=user, course=course, source=EnrollmentSource.BULK, enrolled_by=by)
                for user in by_nip.values()
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
    return [u.pk for u in created]


# --- Activation -----------------------------------------------------------------------------------------------------


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """A reset token of its own kind: its salt differs, so a reset link is no activation link and the reverse.
    It hashes the password, so it dies once the person sets one (and the same token is minted until then)."""

    key_salt = "lms.accounts.ActivationTokenGenerator"

    def check_token(self, user, token) -> bool:
        # The parent's check, with our validity instead of PASSWORD_RESET_TIMEOUT (a cohort's first sign-in
        # link lives longer than a reset link); an account that has a password is activated already.
        if user is None or not token or user.has_usable_password():
            return False
        try:
            ts = base36_to_int(str(token).split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= settings.SIGER_ACTIVATION_DAYS * 24 * 3600


activation_token = ActivationTokenGenerator()


def account_activation_path(*, user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:activate", args=[uidb64, activation_token.make_token(user)])


def account_activation_url(*, user: User) -> str:
    """The absolute one-time activation link of a not-yet-activated account."""
    return urljoin(settings.WAGTAILADMIN_BASE_URL, account_activation_path(user=user))


# --- Short activation links, for a printed card typed in by hand ------------------------------------------------
# /a/<uid>-<day>-<mac>/: the account in base 32, the day it was printed, and 40 bits of an HMAC over what the full
# token hashes too (password, last login, email). Nothing is stored: setting a password or changing the email kills
# it, and it lapses after SIGER_ACTIVATION_DAYS. Failed lookups are throttled per client address (views).
SHORT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off paper without doubt
_SHORT_SALT = "lms.accounts.activation-short"


def _short_encode(number: int, width: int = 1) -> str:
    digits = ""
    while number or len(digits) < width:
        number, digit = divmod(number, 32)
        digits = SHORT_ALPHABET[digit] + digits
    return digits


def _short_decode(text: str) -> int | None:
    if not text or len(text) > 13 or any(c not in SHORT_ALPHABET for c in text):
        return None
    number = 0
    for char in text:
        number = number * 32 + SHORT_ALPHABET.index(char)
    return number


def _short_day(now=None) -> int:
    return int((now or timezone.now()).timestamp() // 86400)


def _short_mac(user: User, day: int) -> str:
    value = f"{user.pk}|{day}|{user.password}|{user.last_login}|{user.email}"
    digest = salted_hmac(_SHORT_SALT, value, algorithm="sha256").digest()
    return _short_encode(int.from_bytes(digest[:5], "big"), width=8)


def account_activation_short_path(*, user: User) -> str:
    """A short stand-in for the activation link, e.g. /a/3K-HQ7-K7QPM2XD/."""
    day = _short_day()
    code = f"{_short_encode(user.pk)}-{_short_encode(day)}-{_short_mac(user, day)}"
    return reverse("accounts:activate_short", args=[code])


def account_activation_short_resolve(*, code: str) -> User | None:
    """The not-yet-activated account a short code stands for, or None (unknown, forged, lapsed or used)."""
    parts = code.upper().replace(" ", "").split("-")
    if len(parts) != 3:
        return None
    pk, day = _short_decode(parts[0]), _short_decode(parts[1])
    if pk is None or day is None or not 0 <= _short_day() - day <= settings.SIGER_ACTIVATION_DAYS:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.has_usable_password() or user.last_login is not None:
        return None
    return user if constant_time_compare(_short_mac(user, day), parts[2]) else None


class ResendRefused(Exception):
    """A resend of an activation link was refused (activated already, no email, too many): nothing was sent."""


RESEND_LIMIT = 3  # activation emails per account per hour, on top of the import's first one
RESEND_WINDOW = 3600


def account_activation_resend(*, user: User) -> None:
    """Email the person a fresh activation link. Earlier links stay valid until the account is activated or
    they expire: the printed card or WhatsApp message someone holds keeps working (see the report on tokens)."""
    if user.has_usable_password() or user.last_login is not None or not user.is_active:
        raise ResendRefused(_("Akun ini sudah aktif."))
    if not user.email:
        raise ResendRefused(_("Akun ini tidak punya email; kirim tautannya lewat WhatsApp atau cetak."))
    if rate_limit_exceeded(f"activation-resend:{user.pk}", limit=RESEND_LIMIT, window_seconds=RESEND_WINDOW):
        raise ResendRefused(
            _("Tautan untuk akun ini sudah dikirim ulang %(n)s kali dalam satu jam; coba lagi nanti.")
            % {"n": RESEND_LIMIT}
        )
    emit(ACTIVATION_RESEND_REQUESTED, user=user)
