"""The one way Siger hands a table to a spreadsheet: CSV (UTF-8 with a BOM) or XLSX (openpyxl).

Every export goes through here so that there is one formula-injection guard and one encoding: a cell a person
typed (a name, an OPD, a reason) that starts with = + - @ (or a tab or carriage return) is a formula to Excel,
LibreOffice and Google Sheets, and to openpyxl itself, which stores such a string as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def cell_safe(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers and dates as they are, text never read as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float | datetime.date | datetime.datetime):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            # Spreadsheets have no time zones: the wall-clock time in WIB, as the rest of the interface shows.
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    text = str(value)
    return "'" + text if text[:1] in FORMULA_PREFIXES else text


def _csv_text(value: Any) -> str:
    value = cell_safe(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def table_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A table as CSV bytes: UTF-8 with a BOM, so that Excel reads names with accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_text(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_text(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = "Siger") -> bytes:
    """A table as an XLSX workbook of one sheet."""
    workbook = Workbook(write_only=True)
    # Excel refuses sheet titles over 31 characters or with []:*?/\
    sheet = workbook.create_sheet(title="".join(c for c in title if c not in "[]:*?/\\")[:31] or "Siger")
    sheet.append([cell_safe(cell) for cell in header])
    for row in rows:
        sheet.append([cell_safe(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(
    *, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], fmt: str = "csv", title: str = "Siger"
) -> HttpResponse:
    """A download of one table; `filename` without its extension, `fmt` "csv" or "xlsx"."""
    if fmt == "xlsx":
        response = HttpResponse(table_xlsx(header, rows, title=title), content_type=XLSX_CONTENT_TYPE)
    else:
        fmt = "csv"
        response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
