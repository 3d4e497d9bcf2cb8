"""Getting activation links to people: emails after the import's commit (the request does not wait), a throttled
"kirim ulang" per person, and printable cards with a QR code."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from lms.accounts.models import AccountImport
from lms.accounts.services import (
    RESEND_LIMIT,
    account_activation_short_path,
    account_activation_short_resolve,
    activation_token,
)
from lms.factories import UserFactory, WorkUnitFactory
from lms.models import User
from lms.notifications.models import Notification, NotificationKind
from tests.accounts.helpers import cohort_rows, csv_bytes
from tests.conftest import client_for

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "notifications": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
pytestmark = pytest.mark.django_db


def _import_through_pages(client, rows) -> tuple[AccountImport, float]:
    """Upload, preview and apply as an administrator does; returns the import and how long the apply took."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = client.post(
        reverse("accounts:import_upload"), {"file": SimpleUploadedFile("peserta.csv", csv_bytes(rows))}
    )
    preview = client.get(upload.url)
    assert preview.context["can_apply"]
    started = time.monotonic()
    applied = client.post(upload.url, {"fingerprint": preview.context["fingerprint"]})
    elapsed = time.monotonic() - started
    assert applied.status_code == 302
    return preview.context["account_import"], elapsed


def _activation_notes():
    return Notification.objects.filter(kind=NotificationKind.ACCOUNT_ACTIVATION)


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.notifications.slow_email.SteadyEmailBackend")
def test_apply_returns_before_the_emails_of_200_accounts_are_sent(administrator):
    """The embedded default (thread backend), a mail server taking 30 ms a message: the apply request returns
    while the emails are still going out in the background, each with its own link."""
    WorkUnitFactory(name="Dinas Kesehatan")
    rows = cohort_rows(200)
    _account_import, elapsed = _import_through_pages(client_for(administrator), rows)
    sent_when_answered = len(mail.outbox)
    assert User.objects.filter(nip__in=[r[0] for r in rows]).count() == 200
    assert elapsed < 3 and sent_when_answered < 200  # 200 emails alone take 6 s
    deadline = time.monotonic() + 30
    # Until the background thread is done with the database too (it marks each row emailed after sending it).
    while _activation_notes().exclude(emailed_at=None).count() < 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r[7] for r in rows)
    assert len({note.url for note in _activation_notes()}) == 200


@override_settings(TASKS=IMMEDIATE)
def test_resend_emails_a_fresh_link_a_few_times_an_hour(administrator, django_capture_on_commit_callbacks):
    newcomer = UserFactory(email="baru@asn.example.go.id")
    newcomer.set_unusable_password()
    newcomer.save()
    client = client_for(administrator)
    url = reverse("accounts:activation_resend", args=[newcomer.pk])
    for _ in range(RESEND_LIMIT):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"impor": "7"}, follow=True)
        assert "Tautan aktivasi baru dikirim ke baru@asn.example.go.id" in response.content.decode()
    assert response.redirect_chain[0][0] == reverse("accounts:activation_list") + "?impor=7"
    assert _activation_notes().filter(user=newcomer).count() == RESEND_LIMIT
    assert [m.to for m in mail.outbox] == [["baru@asn.example.go.id"]] * RESEND_LIMIT
    token = _activation_notes().filter(user=newcomer).latest("pk").url.rstrip("/").rsplit("/", 1)[1]
    assert activation_token.check_token(newcomer, token)  # the emailed link opens the activation page

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, follow=True)
    assert "sudah dikirim ulang 3 kali" in refused.content.decode()
    assert _activation_notes().filter(user=newcomer).count() == RESEND_LIMIT and len(mail.outbox) == RESEND_LIMIT


@override_settings(TASKS=IMMEDIATE)
def test_resend_refused_for_active_accounts_and_accounts_without_email(
    administrator, learner, django_capture_on_commit_callbacks
):
    no_email = UserFactory(email="")
    no_email.set_unusable_password()
    no_email.save()
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        active = client.post(reverse("accounts:activation_resend", args=[learner.pk]), follow=True)
        silent = client.post(reverse("accounts:activation_resend", args=[no_email.pk]), follow=True)
    assert "sudah aktif" in active.content.decode()
    assert "tidak punya email" in silent.content.decode()
    assert not _activation_notes().exists() and mail.outbox == []
    assert client.post(reverse("accounts:activation_resend", args=[999999])).status_code == 404
    assert client.get(reverse("accounts:activation_resend", args=[no_email.pk])).status_code == 405


def test_resend_only_for_administrators(learner, instructor):
    newcomer = UserFactory()
    newcomer.set_unusable_password()
    newcomer.save()
    for user in (learner, instructor):
        response = client_for(user).post(reverse("accounts:activation_resend", args=[newcomer.pk]))
        assert response.status_code == 403
    assert not _activation_notes().exists()


def test_activation_cards_carry_a_qr_code_and_print_on_a4(administrator):
    WorkUnitFactory(name="Dinas Kesehatan")
    client = client_for(administrator)
    rows = cohort_rows(3)
    rows[1][7] = ""  # without email: no resend button on that card
    account_import, _elapsed = _import_through_pages(client, rows)
    page = client.get(reverse("accounts:activation_list") + f"?impor={account_import.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and html.count('class="activation-card"') == 3
    assert html.count("<svg width=") == 3 and html.count('class="qr-code"') == 3
    assert "@page { size:A4 portrait" in html and "break-inside:avoid" in html
    assert html.count(reverse("accounts:activation_resend", args=[User.objects.get(nip=rows[0][0]).pk])) == 1
    assert html.count("Kirim ulang") == 2
    # The card shows the short address to type in (and links the full one); both lead to the activation page.
    first = page.context["rows"][0]
    typed = first.short_url.split("://", 1)[1]
    assert f'href="{first.url}">{typed}<' in html and len(typed) < len(first.url) - 25
    response = Client().get("/" + typed.split("/", 1)[1].lower())  # typed in lower case, by someone else's phone
    assert response.status_code == 302 and response.url.startswith("/aktifkan/")
    assert Client().get(response.url).status_code == 200


def test_short_link_dies_with_activation_and_lapses(administrator, settings):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    code = account_activation_short_path(user=user).strip("/").split("/")[-1]
    assert account_activation_short_resolve(code=code) == user
    uid, day, mac = code.split("-")
    forged = mac[:-1] + ("2" if mac[-1] != "2" else "3")
    assert account_activation_short_resolve(code=f"{uid}-{day}-{forged}") is None
    other = UserFactory()
    other.set_unusable_password()
    other.save()
    other_uid = account_activation_short_path(user=other).strip("/").split("/")[-1].split("-")[0]
    assert account_activation_short_resolve(code=f"{other_uid}-{day}-{mac}") is None  # a MAC is bound to its account
    settings.SIGER_ACTIVATION_DAYS = -1  # every printed day is now too old
    assert account_activation_short_resolve(code=code) is None
    settings.SIGER_ACTIVATION_DAYS = 14
    user.set_password("Sawah-Lampung-2026")
    user.save()
    assert account_activation_short_resolve(code=code) is None
    for bad in ("", "xx", "0O-1I-ABCDEFGH", "2-2-2-2", "Z" * 40 + "-2-22222222"):
        assert account_activation_short_resolve(code=bad) is None


def test_short_link_failures_are_throttled_per_address(client):
    codes = [client.get(f"/a/2-2-2222222{c}/").status_code for c in "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"]
    assert codes[:30] == [404] * 30 and codes[-1] == 429
