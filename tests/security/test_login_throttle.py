"""Login and password reset, tried as an attacker would: one account under many spellings and many addresses,
many accounts from one address, forged X-Forwarded-For, the admin's reset page; and the owner gets back in."""

import re
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from lms.factories import DEMO_PASSWORD, UserFactory
from lms.ratelimit import client_ip

pytestmark = pytest.mark.django_db

NIP = "198609262015051001"
NIP_SPELLINGS = ["198609262015051001", "1986 0926 2015 05 1 001", "198609262015051001.", "19860926-201505-1-001"]
THROTTLED = "Terlalu banyak percobaan masuk. Coba lagi dalam"


@pytest.fixture
def fast_locks(settings):
    """Seconds instead of minutes, so the tests can wait a lock out for real."""
    settings.SIGER_LOGIN_ACCOUNT_FAILURES = 5
    settings.SIGER_LOGIN_LOCK_SECONDS = 1
    settings.SIGER_LOGIN_MAX_LOCK_SECONDS = 2
    return settings


def _login(client: Client, identifier: str, password: str = DEMO_PASSWORD, **extra):
    return client.post(reverse("lms:login"), {"username": identifier, "password": password}, **extra)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail_times(client: Client, count: int, identifiers: list[str] = NIP_SPELLINGS, **extra) -> None:
    for n in range(count):
        response = _login(client, identifiers[n % len(identifiers)], "tebakan-salah", **extra)
        assert response.status_code == 200


# --- one account, one bucket --------------------------------------------------------------------------------------


def test_when_nip_is_spelled_four_ways_then_failures_add_up_to_one_lock():
    UserFactory(nip=NIP)
    client = Client()
    _fail_times(client, 5)
    response = _login(client, NIP)
    assert THROTTLED in response.content.decode()
    assert "Coba lagi dalam 1 menit." in response.content.decode()
    assert not _logged_in(client)


def test_when_email_is_spelled_in_other_cases_and_spaces_then_failures_add_up_to_one_lock():
    UserFactory(nip=NIP, email="Siti@Lampungprov.go.id")
    client = Client()
    _fail_times(
        client,
        5,
        ["siti@lampungprov.go.id", " SITI@LAMPUNGPROV.GO.ID ", "sıti@lampungprov.go.id", "ſiti@lampungprov.go.id"],
    )
    response = _login(client, "siti@lampungprov.go.id")
    assert THROTTLED in response.content.decode()
    assert not _logged_in(client)


def test_when_guesses_come_from_many_addresses_then_the_account_is_still_locked():
    UserFactory(nip=NIP)
    for n in range(5):
        _login(Client(), NIP, "tebakan-salah", REMOTE_ADDR=f"198.51.100.{n + 1}")
    client = Client()
    response = _login(client, NIP, REMOTE_ADDR="198.51.100.200")
    assert THROTTLED in response.content.decode()
    assert not _logged_in(client)


def test_when_the_lock_is_on_then_even_the_right_password_answers_the_same():
    """A right guess during the lock must not be told apart from a wrong one."""
    UserFactory(nip=NIP)
    client = Client()
    _fail_times(client, 5)
    right, wrong = _login(client, NIP), _login(client, NIP, "tebakan-salah")
    assert right.content.decode().count(THROTTLED) == wrong.content.decode().count(THROTTLED) == 1


def test_when_guesses_arrive_in_parallel_then_no_more_than_the_free_ones_are_checked():
    """Counted before the password check: twenty guesses sent at once cannot all pass a check made before any of
    them has failed."""
    UserFactory(nip=NIP)
    start = threading.Barrier(20)
    answers: list[str] = []

    def guess(n: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
            start.wait()
            answers.append(_login(client, NIP_SPELLINGS[n % 4], f"tebakan-{n}").content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    checked = [answer for answer in answers if "NIP/email atau kata sandi salah" in answer]
    assert len(answers) == 20
    assert len(checked) <= 5
    assert sum(THROTTLED in answer for answer in answers) >= 15


# --- the owner gets back in --------------------------------------------------------------------------------------


def test_when_the_attack_stops_then_the_owner_logs_in_after_the_lock(fast_locks):
    UserFactory(nip=NIP)
    attacker = Client()
    _fail_times(attacker, 5)
    # Hammering a locked account is refused without counting, so it does not extend the lock.
    _fail_times(attacker, 30)
    owner = Client()
    assert THROTTLED in _login(owner, NIP).content.decode()
    time.sleep(1.2)
    response = _login(owner, NIP)
    assert response.status_code == 302
    assert _logged_in(owner)


def test_when_guessing_goes_on_after_each_lock_then_the_lock_grows_up_to_its_cap(fast_locks):
    UserFactory(nip=NIP)
    attacker, owner = Client(), Client()
    _fail_times(attacker, 5)  # lock: 1 s
    time.sleep(1.2)
    _fail_times(attacker, 1)  # lock: 2 s
    time.sleep(1.2)
    assert THROTTLED in _login(owner, NIP).content.decode(), "the second lock is longer than the first"
    time.sleep(1.0)
    _fail_times(attacker, 1)  # would be 4 s; capped at 2 s
    time.sleep(2.2)
    assert _login(owner, NIP).status_code == 302


def test_when_the_owner_logs_in_then_earlier_failures_are_forgotten():
    UserFactory(nip=NIP)
    client = Client()
    for _round in range(3):
        _fail_times(client, 4, [NIP])  # a typo-prone owner, one short of the lock each time
        assert _login(client, NIP).status_code == 302
        client.logout()


# --- per client IP -----------------------------------------------------------------------------------------------


def test_when_one_address_tries_many_accounts_then_it_is_throttled_and_others_are_not(settings):
    settings.SIGER_LOGIN_IP_FAILURES = 10
    UserFactory(nip=NIP)
    sprayer = Client()
    for n in range(10):
        _login(sprayer, f"19800101200501{n:04d}", "Rahasia123!")
    response = _login(sprayer, NIP)
    assert THROTTLED in response.content.decode()
    assert not _logged_in(sprayer)
    colleague = Client()
    assert _login(colleague, NIP, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_ip_limit(settings):
    settings.SIGER_BEHIND_PROXY = False
    settings.SIGER_LOGIN_IP_FAILURES = 10
    UserFactory(nip=NIP)
    sprayer = Client()
    for n in range(10):
        _login(sprayer, f"19800101200501{n:04d}", "Rahasia123!", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = _login(sprayer, NIP, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert THROTTLED in response.content.decode()


def test_behind_a_proxy_the_client_is_the_rightmost_forwarded_address(settings):
    settings.SIGER_BEHIND_PROXY = True
    settings.SIGER_LOGIN_IP_FAILURES = 10
    UserFactory(nip=NIP)
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for n in range(10):
        # The client forges the left part; our proxy appends the address it saw.
        _login(proxy, f"19800101200501{n:04d}", "x", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.7")
    assert THROTTLED in _login(proxy, NIP, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7").content.decode()
    # Another person behind the same proxy is not affected.
    assert _login(proxy, NIP, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


def test_client_ip_skips_trusted_proxies_and_ignores_the_header_without_a_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.1")
    settings.SIGER_BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.2"
    settings.SIGER_BEHIND_PROXY = True
    settings.SIGER_TRUSTED_PROXIES = ["127.0.0.1/32", "10.0.0.0/8"]
    assert client_ip(request) == "203.0.113.7"
    settings.SIGER_TRUSTED_PROXIES = ["127.0.0.1/32"]
    assert client_ip(request) == "10.0.0.1"
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")
    assert client_ip(garbage) == "10.0.0.2"


# --- password reset ----------------------------------------------------------------------------------------------


def _reset(client: Client, identifier: str, **extra):
    return client.post(reverse("lms:password_reset"), {"email": identifier}, **extra)


def test_the_admin_password_reset_goes_to_siger_own():
    response = Client().get("/admin/password_reset/")
    assert response.status_code == 302
    assert response["Location"] == reverse("lms:password_reset")


def test_when_a_reset_is_asked_by_nip_then_the_owner_sets_a_new_password_and_logs_in():
    user = UserFactory(nip=NIP, email="siti@lampungprov.go.id")
    client = Client()
    response = _reset(client, "1986 0926 2015 05 1 001")
    assert response.status_code == 302 and response["Location"] == reverse("lms:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["siti@lampungprov.go.id"]
    link = re.search(r"https?://[^/\s]+(/masuk/atur-sandi/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "Kata sandi baru" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "Lampung-Sai-2026!", "new_password2": "Lampung-Sai-2026!"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("lms:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("Lampung-Sai-2026!")
    assert _login(Client(), NIP, "Lampung-Sai-2026!").status_code == 302


def test_when_a_reset_names_an_unknown_account_then_the_answer_is_the_same_and_nothing_is_sent():
    UserFactory(nip=NIP, email="siti@lampungprov.go.id")
    known = _reset(Client(), NIP)
    unknown = _reset(Client(), "199001012015011002", REMOTE_ADDR="198.51.100.2")
    no_email = _reset(Client(), "tidak.ada@lampungprov.go.id", REMOTE_ADDR="198.51.100.3")
    assert known.status_code == unknown.status_code == no_email.status_code == 302
    assert known["Location"] == unknown["Location"] == no_email["Location"]
    assert len(mail.outbox) == 1


def test_when_resets_are_flooded_per_account_then_they_are_throttled_whatever_the_spelling():
    UserFactory(nip=NIP, email="siti@lampungprov.go.id")
    for n, spelling in enumerate(NIP_SPELLINGS[:3]):
        assert _reset(Client(), spelling, REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 302
    response = _reset(Client(), NIP_SPELLINGS[3], REMOTE_ADDR="198.51.100.50")
    assert response.status_code == 200
    assert "Terlalu banyak permintaan atur ulang kata sandi. Coba lagi dalam" in response.content.decode()
    assert len(mail.outbox) == 3


def test_when_resets_are_flooded_from_one_address_then_it_is_throttled():
    UserFactory(nip=NIP, email="siti@lampungprov.go.id")
    client = Client()
    for n in range(20):
        _reset(client, f"19800101200501{n:04d}")
    response = _reset(client, NIP)
    assert "Terlalu banyak permintaan atur ulang kata sandi" in response.content.decode()
    assert len(mail.outbox) == 0


def test_when_the_owner_resets_the_password_then_an_attacker_lock_no_longer_applies():
    UserFactory(nip=NIP, email="siti@lampungprov.go.id")
    _fail_times(Client(), 5)
    client = Client()
    _reset(client, "siti@lampungprov.go.id")
    link = re.search(r"https?://[^/\s]+(/masuk/atur-sandi/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "Lampung-Sai-2026!", "new_password2": "Lampung-Sai-2026!"})
    assert _login(Client(), NIP, "Lampung-Sai-2026!").status_code == 302
