"""Whether a programme's structure can be graded: checked by the course editor and the template editor alike, so
that grading (lms.programmes.grading) never meets weights that do not add up or a key used twice."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

HUNDRED = Decimal(100)


def _keys_twice(rows: list[dict]) -> list[str]:
    seen: set[str] = set()
    twice = []
    for row in rows:
        key = row.get("key") or ""
        if key in seen:
            twice.append(key)
        seen.add(key)
    return twice


def structure_errors(
    *,
    phases: list[dict],
    components: list[dict],
    bands: list[dict],
    criteria: list[dict],
    requires_graduation: bool,
) -> list[str]:
    """The problems of a structure given as the cleaned rows of its formsets (deleted rows left out)."""
    errors = []
    for phase in phases:
        starts, ends = phase.get("starts_on"), phase.get("ends_on")
        if starts and ends and ends < starts:
            errors.append(_("Fase %(name)s selesai sebelum mulai.") % {"name": phase.get("name", "")})
    for label, rows in ((_("komponen penilaian"), components), (_("kriteria seminar"), criteria)):
        if not rows:
            continue
        total = sum((row.get("weight") or Decimal(0) for row in rows), Decimal(0))
        if total != HUNDRED:
            errors.append(
                _("Bobot %(what)s harus berjumlah 100%%, sekarang %(total)s%%.") % {"what": label, "total": total}
            )
        for key in _keys_twice(rows):
            errors.append(_("Kode %(key)s dipakai lebih dari sekali pada %(what)s.") % {"key": key, "what": label})
    if bands:
        if not any(row.get("passes") for row in bands):
            errors.append(_("Sedikitnya satu predikat harus berarti lulus."))
        if min(row.get("min_score") or Decimal(0) for row in bands) > 0:
            errors.append(_("Predikat terendah harus mulai dari nilai 0, agar setiap nilai akhir berpredikat."))
    if requires_graduation and not (components and bands):
        errors.append(_("STTPP setelah keputusan kelulusan memerlukan komponen penilaian dan predikat (tab Program)."))
    return errors


def formset_rows(formset) -> list[dict]:
    """The cleaned rows of a valid inline formset that are kept (not marked for deletion, not left empty)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        rows.append(data)
    return rows
