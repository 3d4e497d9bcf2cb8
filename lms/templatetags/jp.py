"""JP written as people write them: 20, 2,5 (no trailing zeros, the language's decimal mark)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def jp(value) -> str:
    try:
        amount = Decimal(value or 0)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    amount = amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()
    return number_format(amount)
