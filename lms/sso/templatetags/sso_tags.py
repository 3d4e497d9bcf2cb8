from django import template
from django.conf import settings

from lms.sso.provider import sso_enabled

register = template.Library()


@register.inclusion_tag("sso/button.html")
def sso_button(next_url: str = "") -> dict:
    """The "Masuk dengan SSO" button, only when SSO is configured; carries `next` (already checked by the login
    view, and checked again by sso:start)."""
    return {"enabled": sso_enabled(), "label": settings.SIGER_OIDC_LABEL, "next": next_url}
