"""SSO sign-in: start (also the super app's direct entry, /masuk/sso/?next=...) and the provider's callback.

mozilla-django-oidc does the protocol (state, nonce, PKCE, code exchange, JWKS); these views add discovery,
a stricter `next` (same-site only) and a clear page, never a 500, for whatever the callback receives."""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from lms.sso.provider import ProviderUnavailable, provider_endpoints, sso_enabled
from lms.sso.refusals import REFUSAL_PAGES, Refusal, SsoRefused

logger = logging.getLogger(__name__)

NEXT_SESSION_KEY = "oidc_login_next"  # the library's key: its callback reads it


def sso_safe_next(request: HttpRequest, url: str | None) -> str:
    """`url` if it stays on this site (a path, or this host), else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def sso_refusal_page(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    status, what, todo = REFUSAL_PAGES[refusal]
    login_url = reverse("lms:login")
    next_url = sso_safe_next(request, request.session.get(NEXT_SESSION_KEY)) if hasattr(request, "session") else ""
    context = {"refusal": refusal, "what": what, "todo": todo, "login_url": login_url, "next": next_url}
    return render(request, "sso/refused.html", context, status=status)


class SsoStartView(OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        # The library reads the endpoints from settings here; Siger finds them by discovery, in get().
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            return sso_refusal_page(request, Refusal.DISABLED)
        next_url = sso_safe_next(request, request.GET.get("next"))
        if request.user.is_authenticated:
            # The super app opens a deep link in a webview that is already signed in: no round trip.
            return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_endpoints().authorization
        except ProviderUnavailable as error:
            logger.warning("SSO provider unavailable: %s", error)
            return sso_refusal_page(request, Refusal.PROVIDER)
        self.OIDC_RP_CLIENT_ID = settings.SIGER_OIDC_CLIENT_ID
        response = super().get(request)
        request.session[NEXT_SESSION_KEY] = next_url or None
        return response


class SsoCallbackView(OIDCAuthenticationCallbackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            return sso_refusal_page(request, Refusal.DISABLED)
        states = request.session.get("oidc_states")
        states = states if isinstance(states, dict) else {}
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            # The provider refused or the person cancelled: that state is spent (no replay). The library would
            # also log out whoever is signed in, which would let any page log a person out with one link.
            if states.pop(state, None) is not None:
                request.session.modified = True
            cancelled = request.GET["error"] in {"access_denied", "login_required", "consent_required"}
            return sso_refusal_page(request, Refusal.CANCELLED if cancelled else Refusal.PROVIDER)
        if not request.GET.get("code") or state not in states:
            # Forged, replayed, or begun in another browser: nothing is sent to the provider.
            return sso_refusal_page(request, Refusal.EXPIRED)
        try:
            return super().get(request)
        except SsoRefused as refused:
            logger.info("SSO sign-in refused: %s", refused)
            return sso_refusal_page(request, refused.refusal)
        except requests.HTTPError as error:
            logger.warning("SSO token or userinfo request failed: %s", error)
            # invalid_grant: the code expired or was used already.
            status = getattr(error.response, "status_code", 0)
            return sso_refusal_page(request, Refusal.EXPIRED if status == 400 else Refusal.PROVIDER)
        except (ProviderUnavailable, SuspiciousOperation, requests.RequestException, jwt.PyJWTError) as error:
            logger.warning("SSO callback refused: %s", error)
            return sso_refusal_page(request, Refusal.PROVIDER)
        except (ValueError, KeyError, TypeError) as error:  # a provider answer that is not the JSON expected
            logger.warning("SSO provider answer unusable: %r", error)
            return sso_refusal_page(request, Refusal.PROVIDER)

    @property
    def success_url(self) -> str:
        # Checked again on the way out: the session value was set by SsoStartView, but costs nothing to re-check.
        next_url = sso_safe_next(self.request, self.request.session.get(NEXT_SESSION_KEY))
        return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)

    def login_failure(self) -> HttpResponse:
        return sso_refusal_page(self.request, Refusal.PROVIDER)
