from django import template
from django.utils.safestring import SafeString, mark_safe

from lms.qr import qr_svg

register = template.Library()


@register.simple_tag
def activation_qr(data: str, scale: int = 3) -> SafeString:
    """An inline SVG QR code of data (an activation link) for the screen and the printed card."""
    return mark_safe(qr_svg(data, scale=scale))  # noqa: S308 lms.qr writes only modules, never data
