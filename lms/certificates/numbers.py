"""The certificate number format of a programme: a small template such as "800/{seq:04d}/BPSDM/{roman_month}/{year}".

Administrators type it in the admin, so it is never handed to str.format: the template is parsed, every field must be
one of NUMBER_FIELDS by its exact name (no attribute or index access, no "!r" conversion), a number may only be
zero-padded ("{seq:04d}"), and the number is assembled here from those values alone. {seq} restarts each year for
each programme (lms.models.CertificateSequence), so a format must hold {seq} and {year} for numbers to stay unique.
"""

from __future__ import annotations

import re
import string
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NUMBER_MAX = 48  # Certificate.number's max_length
DEFAULT_FORMAT = "SIGER/{programme}/{year}/{seq:06d}"
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
INT_FIELDS = frozenset({"seq", "year", "month"})
TEXT_FIELDS = frozenset({"programme", "roman_month"})
NUMBER_FIELDS = INT_FIELDS | TEXT_FIELDS
REQUIRED_FIELDS = ("seq", "year")
# "" or "d" (as is), or "0Nd": zero-padded to N digits (1–9). Nothing else: no widths that fill memory.
_INT_SPEC = re.compile(r"(?:0[1-9])?d?", re.ASCII)
# The longest values a number can hold, to check a format against NUMBER_MAX once, when it is saved.
_LONGEST = {"seq": 999_999, "year": 9999, "month": 12, "programme": "FUNCTIONAL", "roman_month": "VIII"}

Part = tuple[str, str | None, str]  # literal text, then a field name (or None) and its format spec


def _parts(template: str) -> list[Part]:
    """The template's pieces, or ValidationError saying what is wrong with it."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise ValidationError(
            _("Kurung kurawal tidak berpasangan. Tulis kolom seperti {seq:04d}; untuk { atau } tulis {{ atau }}."),
            code="braces",
        ) from None
    parts: list[Part] = []
    for literal, field, spec, conversion in parsed:
        if any(unicodedata.category(ch)[0] == "C" for ch in literal):
            raise ValidationError(_("Format nomor tidak boleh berisi karakter kendali."), code="control")
        if field is None:
            parts.append((literal, None, ""))
            continue
        if field not in NUMBER_FIELDS:
            raise ValidationError(
                _("Kolom {%(field)s} tidak dikenal. Yang tersedia: %(fields)s.")
                % {"field": field, "fields": ", ".join(f"{{{name}}}" for name in sorted(NUMBER_FIELDS))},
                code="field",
            )
        if conversion is not None:
            raise ValidationError(_("Konversi seperti !r tidak diizinkan dalam format nomor."), code="conversion")
        spec = spec or ""
        if field in TEXT_FIELDS and spec:
            raise ValidationError(_("Kolom {%(field)s} tidak memakai format tambahan.") % {"field": field}, code="spec")
        if field in INT_FIELDS and not _INT_SPEC.fullmatch(spec):
            raise ValidationError(
                _("Format angka {%(field)s:%(spec)s} tidak diizinkan; gunakan misalnya {%(field)s:04d}.")
                % {"field": field, "spec": spec},
                code="spec",
            )
        parts.append((literal, field, spec))
    return parts


def _assemble(parts: list[Part], values: dict[str, int | str]) -> str:
    out = []
    for literal, field, spec in parts:
        out.append(literal)
        if field is not None:
            value = values[field]
            out.append(format(value, spec) if field in INT_FIELDS else str(value))
    return "".join(out)


def number_format_validate(template: str) -> None:
    """Raise ValidationError unless `template` is a safe, unique-making number format (a model field validator)."""
    parts = _parts(template)
    used = {field for _literal, field, _spec in parts if field is not None}
    missing = [name for name in REQUIRED_FIELDS if name not in used]
    if missing:
        raise ValidationError(
            _("Format nomor harus memuat %(fields)s agar setiap nomor sertifikat unik.")
            % {"fields": " dan ".join(f"{{{name}}}" for name in missing)},
            code="required",
        )
    longest = _assemble(parts, _LONGEST)
    if len(longest) > NUMBER_MAX:
        raise ValidationError(
            _("Nomor dengan format ini bisa mencapai %(length)d karakter; paling banyak %(max)d.")
            % {"length": len(longest), "max": NUMBER_MAX},
            code="length",
        )


def number_format_uses(template: str, field: str) -> bool:
    return any(name == field for _literal, name, _spec in _parts(template))


def number_render(*, template: str, programme: str, year: int, month: int, sequence: int) -> str:
    """The certificate number from a format that passed number_format_validate."""
    values: dict[str, int | str] = {
        "seq": sequence,
        "year": year,
        "month": month,
        "programme": programme.upper(),
        "roman_month": ROMAN_MONTHS[month - 1],
    }
    return _assemble(_parts(template), values)
