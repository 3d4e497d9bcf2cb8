"""SSO pieces that need no provider: token checks beyond the library's, claim matching, the pages when SSO is off
or the callback is forged, the login page's button, and the HTTPS rule in settings."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from lms.factories import UserFactory, nip_make
from lms.sso.backends import SigerOIDCBackend
from lms.sso.refusals import Refusal, SsoRefused
from lms.sso.selectors import sso_claim_nip, sso_users_matching
from tests.conftest import client_for
from tests.sso.fixtures import CLIENT_ID, sso_configure

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "https://sso.lampungprov.go.id"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _id_token(**overrides) -> str:
    now = datetime.datetime.now(tz=datetime.UTC)
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "x", "iat": now, "exp": now + datetime.timedelta(minutes=5)}
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, KEY, algorithm="RS256")


@pytest.fixture
def backend(settings):
    sso_configure(settings, ISSUER)
    backend = SigerOIDCBackend()
    backend.issuer = ISSUER
    return backend


def test_when_id_token_is_right_then_its_claims_are_returned(backend):
    assert backend._verify_jws(_id_token(sub="abc"), KEY.public_key())["sub"] == "abc"


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-app"},
        {"iss": "https://evil.example"},
        {"exp": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
        {"aud": None},
        {"aud": [CLIENT_ID, "another-app"], "azp": "another-app"},
    ],
    ids=["audience", "issuer", "expired", "no-audience", "azp"],
)
def test_when_id_token_is_not_for_siger_then_refused(backend, overrides):
    with pytest.raises(SuspiciousOperation):
        backend._verify_jws(_id_token(**overrides), KEY.public_key())


def test_when_id_token_is_hs256_with_the_client_secret_then_refused(backend, settings):
    token = jwt.encode({"iss": ISSUER, "aud": CLIENT_ID, "sub": "x"}, "s" * 32, algorithm="HS256")
    with pytest.raises(SuspiciousOperation):
        backend._verify_jws(token, KEY.public_key())


def test_when_password_login_carries_code_and_state_then_backend_stays_out(backend, rf):
    request = rf.get("/masuk/", {"code": "x", "state": "y"})
    assert backend.authenticate(request, username="1", password="2") is None


@pytest.mark.django_db
def test_nip_claim_is_normalized_and_matched_by_nip_only(settings):
    settings.SIGER_OIDC_NIP_CLAIM = "nip"
    user = UserFactory(nip=nip_make(seed=601), email="sama@example.go.id")
    UserFactory(nip=nip_make(seed=602), email="lain@example.go.id")
    spaced = f"{user.nip[:8]}.{user.nip[8:14]}-{user.nip[14:]}"

    assert list(sso_users_matching(claims={"nip": spaced, "email": "lain@example.go.id", "email_verified": True})) == [
        user
    ]
    assert sso_claim_nip(claims={"nip": ""}) == ""
    with pytest.raises(SsoRefused) as refused:
        sso_claim_nip(claims={"nip": "12345"})
    assert refused.value.refusal == Refusal.INVALID_NIP


@pytest.mark.django_db
def test_email_matches_only_when_verified():
    user = UserFactory(nip=nip_make(seed=603), email="Wati@Example.go.id")
    assert list(sso_users_matching(claims={"email": "wati@example.GO.id", "email_verified": "true"})) == [user]
    assert not sso_users_matching(claims={"email": "wati@example.go.id"}).exists()
    assert not sso_users_matching(claims={"email": "wati@example.go.id", "email_verified": "false"}).exists()


@pytest.mark.django_db
def test_when_sso_is_off_then_no_button_and_its_urls_say_so(settings):
    settings.SIGER_OIDC_ENABLED = False
    client = Client()

    login = client.get("/masuk/?next=/pelatihan/")
    start = client.get("/masuk/sso/")
    callback = client.get("/masuk/sso/callback/?code=x&state=y")

    assert "/masuk/sso/" not in login.content.decode()
    assert start.status_code == callback.status_code == 404
    assert "tidak diaktifkan" in start.content.decode()


@pytest.mark.django_db
def test_when_sso_is_on_then_login_page_offers_it_with_next(settings):
    sso_configure(settings, ISSUER)
    settings.SIGER_OIDC_LABEL = "SSO Lampung-In"

    page = Client().get("/masuk/?next=/live/7/").content.decode()

    assert 'href="/masuk/sso/?next=/live/7/"' in page
    assert "Masuk dengan SSO Lampung-In" in page


@pytest.mark.django_db
def test_when_callback_is_forged_then_400_page_without_calling_the_provider(settings):
    sso_configure(settings, "https://unreachable.invalid")  # any call to it would fail as 502, not 400
    client = Client()

    for query in ("code=x&state=y", "state=y", "", "code=x&state=y&error=access_denied", "error=server_error"):
        response = client.get(f"/masuk/sso/callback/?{query}")
        assert response.status_code in {400, 502}, query
        assert "Kembali ke halaman masuk" in response.content.decode()
    assert client.get("/masuk/sso/callback/?code=x&state=y").status_code == 400


@pytest.mark.django_db
def test_when_provider_error_arrives_then_a_signed_in_person_stays_signed_in(settings):
    """The library logs out on ?error=: any site could then log a person out with one link."""
    sso_configure(settings, ISSUER)
    user = UserFactory(nip=nip_make(seed=604))
    client = client_for(user)

    client.get("/masuk/sso/callback/?error=access_denied&state=zzz")

    assert client.get("/saya/").status_code == 200


@pytest.mark.parametrize(
    ("issuer", "starts"),
    [("http://sso.lampungprov.go.id", False), ("https://sso.lampungprov.go.id", True), ("http://127.0.0.1:9", True)],
)
def test_issuer_must_be_https_outside_loopback(issuer, starts):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SIGER_OIDC_")},
        "SIGER_OIDC_ISSUER": issuer,
        "SIGER_OIDC_CLIENT_ID": "siger",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    script = "import json, django; django.setup(); from django.conf import settings as s; "
    script += "print(json.dumps(s.AUTHENTICATION_BACKENDS))"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    if starts:
        assert "lms.sso.backends.SigerOIDCBackend" in json.loads(result.stdout.strip().splitlines()[-1])
    else:
        assert result.returncode != 0 and "HTTPS" in result.stderr
