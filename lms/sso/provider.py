"""Where the province's OpenID Connect provider is: explicit endpoints, or its discovery document.

The discovery document is fetched on first use (the first SSO sign-in, never at start-up or on a password
login) and kept for the life of the process: a provider that is down at that moment makes SSO fail with a page
that says so, and the next attempt fetches again."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings

DISCOVERY_PATH = "/.well-known/openid-configuration"


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read or is not one Siger can trust."""


@dataclass(frozen=True)
class ProviderEndpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str
    end_session: str = ""


_lock = threading.Lock()
_discovered: dict[str, ProviderEndpoints] = {}


def sso_enabled() -> bool:
    """SSO is offered only when the environment names a provider and a client."""
    return bool(settings.SIGER_OIDC_ENABLED)


def url_is_acceptable(url: str) -> bool:
    """HTTPS, or plain HTTP on this machine only (the test provider): tokens never cross a network in clear."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and (parts.hostname or "") in {"127.0.0.1", "localhost", "::1"}


def _fetch_discovery(issuer: str) -> ProviderEndpoints:
    try:
        response = requests.get(issuer + DISCOVERY_PATH, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery failed: {error}") from error
    if not isinstance(document, dict):
        raise ProviderUnavailable("discovery document is not an object")
    # OpenID Connect Discovery 1.0 §4.3: the issuer in the document must be exactly the one configured, or a
    # document served elsewhere could point Siger at another provider's keys.
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderUnavailable(f"discovery issuer {document.get('issuer')!r} is not {issuer!r}")
    try:
        endpoints = ProviderEndpoints(
            issuer=document["issuer"],
            authorization=document["authorization_endpoint"],
            token=document["token_endpoint"],
            userinfo=document["userinfo_endpoint"],
            jwks=document["jwks_uri"],
            end_session=document.get("end_session_endpoint", ""),
        )
    except KeyError as error:
        raise ProviderUnavailable(f"discovery document lacks {error}") from error
    for url in (endpoints.authorization, endpoints.token, endpoints.userinfo, endpoints.jwks):
        if not isinstance(url, str) or not url_is_acceptable(url):
            raise ProviderUnavailable(f"endpoint {url!r} is not HTTPS")
    return endpoints


def provider_endpoints() -> ProviderEndpoints:
    """The provider's endpoints: those set in the environment win, the rest come from discovery."""
    issuer = settings.SIGER_OIDC_ISSUER
    explicit = settings.SIGER_OIDC_ENDPOINTS
    if all(explicit.get(name) for name in ("authorization", "token", "userinfo", "jwks")):
        return ProviderEndpoints(issuer=issuer, **explicit)
    with _lock:
        endpoints = _discovered.get(issuer)
    if endpoints is None:
        endpoints = _fetch_discovery(issuer)
        with _lock:
            _discovered[issuer] = endpoints
    overrides = {name: url for name, url in explicit.items() if url}
    if overrides:
        endpoints = ProviderEndpoints(**{**endpoints.__dict__, **overrides})
    return endpoints


def provider_forget() -> None:
    """Fetch the discovery document again on next use (tests start providers on new ports)."""
    with _lock:
        _discovered.clear()
