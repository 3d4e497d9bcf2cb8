"""A real OpenID Connect provider (panva's oidc-provider, tests/sso/provider.mjs) on a loopback port, and the
settings that point Siger at it. A test module imports `oidc_provider_fixture` and `sso_settings_fixture` and asks
for them as `oidc_provider` and `sso_settings`."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.net import free_port, wait_for_port

SCRIPT = Path(__file__).with_name("provider.mjs")
REPO = Path(__file__).resolve().parents[2]
CLIENT_ID = "siger-test"
CLIENT_SECRET = "siger-test-secret"  # noqa: S105 a test provider's
TESTSERVER_CALLBACK = "http://testserver/masuk/sso/callback/"


@dataclass
class TestProvider:
    issuer: str
    accounts_file: Path
    process: subprocess.Popen

    __test__ = False  # not a test class for pytest

    def account_set(self, login: str, **claims) -> str:
        """Give the provider a person (read by the provider at each sign-in); returns the login to type."""
        accounts = json.loads(self.accounts_file.read_text())
        accounts[login] = claims
        temporary = self.accounts_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(accounts))
        temporary.replace(self.accounts_file)
        return login


def _provider_start(tmp_dir: Path, redirect_uris: list[str]) -> TestProvider:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "oidc-provider").exists():
        pytest.fail("node and the oidc-provider devDependency are needed (npm ci)")
    port = free_port()
    accounts = tmp_dir / "accounts.json"
    accounts.write_text("{}")
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": json.dumps(redirect_uris),
        "ACCOUNTS_FILE": str(accounts),
        "NODE_NO_WARNINGS": "1",
    }
    log = (tmp_dir / "provider.log").open("w")
    process = subprocess.Popen([node, str(SCRIPT)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        wait_for_port(port, process=process, timeout=30)
    except RuntimeError:
        process.kill()
        raise
    return TestProvider(issuer=f"http://127.0.0.1:{port}", accounts_file=accounts, process=process)


@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture(live_url, tmp_path_factory):
    provider = _provider_start(
        tmp_path_factory.mktemp("oidc-provider"), [f"{live_url}/masuk/sso/callback/", TESTSERVER_CALLBACK]
    )
    yield provider
    provider.process.terminate()
    try:
        provider.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        provider.process.kill()


def sso_configure(settings, issuer: str, *, create_users: bool = False) -> None:
    """What SIGER_OIDC_ISSUER/CLIENT_ID/SECRET in the environment give (config/settings.py), on the fly."""
    from lms.sso.provider import provider_forget

    settings.SIGER_OIDC_ISSUER = issuer
    settings.SIGER_OIDC_CLIENT_ID = settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.SIGER_OIDC_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.SIGER_OIDC_ENABLED = True
    settings.SIGER_OIDC_CREATE_USERS = create_users
    if "lms.sso.backends.SigerOIDCBackend" not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "lms.sso.backends.SigerOIDCBackend"]
    provider_forget()


@pytest.fixture(name="sso_settings")
def sso_settings_fixture(settings, oidc_provider):
    from lms.sso.provider import provider_forget

    sso_configure(settings, oidc_provider.issuer)
    yield oidc_provider
    provider_forget()


# --- Driving the flow with a real HTTP client --------------------------------------------------------------------


def provider_login_form(response: requests.Response) -> str:
    """The absolute URL the provider's login form posts to."""
    match = re.search(r'<form[^>]*action="([^"]+)"', response.text)
    assert match and 'name="login"' in response.text, response.text[:500]
    return urljoin(response.url, html.unescape(match.group(1)))


def sso_callback_url(http: requests.Session, base_url: str, login: str, *, next_url: str | None = None) -> str:
    """Start SSO at Siger, sign in at the provider, and stop just before the browser would return to Siger: the
    callback URL (code and state) the provider sent it to."""
    start = http.get(f"{base_url}/masuk/sso/", params={"next": next_url} if next_url else None, timeout=15)
    response = http.post(
        provider_login_form(start), data={"prompt": "login", "login": login, "password": "x"}, allow_redirects=False
    )
    for _hop in range(10):
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(f"{base_url}/masuk/sso/callback/"):
            return location
        response = http.get(location, allow_redirects=False, timeout=15)
    raise AssertionError("the provider never sent the browser back to Siger")


def sso_sign_in(base_url: str, login: str, *, next_url: str | None = None, http: requests.Session | None = None):
    """The whole round trip; returns (the final response, the HTTP session)."""
    http = http or requests.Session()
    callback = sso_callback_url(http, base_url, login, next_url=next_url)
    return http.get(callback, timeout=15), http


def signed_in_user_id(http: requests.Session) -> int | None:
    """Who Siger's session cookie signs in (None: nobody)."""
    from django.conf import settings

    session_key = http.cookies.get("sessionid")
    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    user_id = store.get("_auth_user_id")
    return int(user_id) if user_id else None
