"""Login and password reset as an attacker tries them beyond issue 7's cases: one account named by
its NIP and by its email, a forged Host header, an inactive account, a used link, 10 KB and odd identifiers."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from lms.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NIP = "198609262015051001"
EMAIL = "siti@lampungprov.go.id"
THROTTLED = "Terlalu banyak percobaan masuk. Coba lagi dalam"


def _login(client: Client, identifier: str, password: str = DEMO_PASSWORD, **extra):
    return client.post(reverse("lms:login"), {"username": identifier, "password": password}, **extra)


def _reset(client: Client, identifier: str, **extra):
    return client.post(reverse("lms:password_reset"), {"email": identifier}, **extra)


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/masuk/atur-sandi/\S+/)", message.body).group(1)


def test_when_guesses_alternate_between_the_nip_and_the_email_of_one_account_then_they_add_up_to_one_lock():
    # Before: the NIP and the email were two buckets, so an attacker had twice the free guesses and locks.
    UserFactory(nip=NIP, email=EMAIL)
    client = Client()
    for n in range(5):
        assert _login(client, (NIP, EMAIL.upper())[n % 2], "tebakan-salah", REMOTE_ADDR=f"198.51.100.{n}")
    for identifier in (EMAIL, NIP):
        response = _login(Client(), identifier, REMOTE_ADDR="203.0.113.9")
        assert THROTTLED in response.content.decode()
        assert "_auth_user_id" not in Client().session


def test_when_the_owner_logs_in_by_email_then_failures_by_nip_are_forgotten():
    UserFactory(nip=NIP, email=EMAIL)
    for _ in range(4):
        _login(Client(), NIP, "tebakan-salah")
    assert _login(Client(), EMAIL).status_code == 302
    for _ in range(4):
        _login(Client(), NIP, "tebakan-salah")
    assert _login(Client(), NIP).status_code == 302  # 4 + 4 would have locked without the reset


def test_when_an_unknown_identifier_is_guessed_then_it_is_locked_like_an_account():
    client = Client()
    for _ in range(5):
        _login(client, "199001012015011002", "tebakan-salah")
    assert THROTTLED in _login(client, "199001012015011002").content.decode()


def test_reset_links_ignore_a_forged_host_header(settings):
    settings.ALLOWED_HOSTS = ["*"]
    UserFactory(nip=NIP, email=EMAIL)
    assert _reset(Client(), NIP, HTTP_HOST="evil.example", HTTP_X_FORWARDED_HOST="evil.example").status_code == 302
    body = mail.outbox[0].body
    assert "evil.example" not in body
    assert re.search(r"https?://[^/\s]+/masuk/atur-sandi/", body).group(0).startswith(settings.WAGTAILADMIN_BASE_URL)


def test_an_inactive_account_gets_no_reset_email_and_the_same_answer():
    UserFactory(nip=NIP, email=EMAIL, is_active=False)
    response = _reset(Client(), NIP)
    assert response.status_code == 302 and response["Location"] == reverse("lms:password_reset_done")
    assert mail.outbox == []


def test_a_reset_link_cannot_be_used_twice_or_after_the_password_changed():
    user = UserFactory(nip=NIP, email=EMAIL)
    _reset(Client(), EMAIL)
    _reset(Client(), NIP, REMOTE_ADDR="198.51.100.7")
    first, second = (_link(message) for message in mail.outbox)
    client = Client()
    form_url = client.get(first, follow=True).redirect_chain[-1][0]
    new = {"new_password1": "Lampung-Sai-2026!", "new_password2": "Lampung-Sai-2026!"}
    assert client.post(form_url, new).status_code == 302
    for link in (first, second):  # the same link again, and one sent before the change
        other = Client()
        response = other.get(link, follow=True)
        assert "new_password1" not in response.content.decode()
        assert (
            other.post(
                response.redirect_chain[-1][0] if response.redirect_chain else link,
                {
                    "new_password1": "Dicuri-Lagi-2026!",
                    "new_password2": "Dicuri-Lagi-2026!",
                },
            ).status_code
            != 302
        )
    user.refresh_from_db()
    assert user.check_password("Lampung-Sai-2026!")


@pytest.mark.parametrize(
    "identifier",
    [
        "1" * 10_000,
        "a@" + "b" * 10_000,
        "\u0000" + NIP,
        "\u202e" + NIP,
        "\u200b@\u200b",
        "ﬀ@ß.example",
        "\ufeff" + EMAIL,
        " " * 300,
        "@",
    ],
    ids=["10kb_digits", "10kb_email", "nul", "rtl", "zero_width", "ligatures", "bom", "spaces", "at"],
)
def test_odd_identifiers_never_500(identifier):
    UserFactory(nip=NIP, email=EMAIL)
    assert _login(Client(), identifier, "tebakan-salah").status_code == 200
    assert _reset(Client(), identifier).status_code in (200, 302)


@pytest.mark.parametrize("raw", [b"%ED%A0%80", b"%FF%FE", b"%C0%80" + NIP.encode(), b"%00%00"])
def test_undecodable_identifiers_never_500(raw):
    # A lone surrogate or a broken UTF-8 sequence, as a browser or a script can send them.
    UserFactory(nip=NIP, email=EMAIL)
    form = "application/x-www-form-urlencoded"
    login = Client().post(reverse("lms:login"), data=b"username=" + raw + b"&password=x", content_type=form)
    reset = Client().post(reverse("lms:password_reset"), data=b"email=" + raw, content_type=form)
    assert login.status_code == 200 and reset.status_code in (200, 302)
