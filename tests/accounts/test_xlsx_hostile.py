"""Hostile XLSX uploads get a clear refusal, never a 500 or a sheet read whole into memory."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from lms.accounts.parsing import MAX_ROWS, table_parse


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_when_a_worksheet_is_damaged_inside_a_valid_zip_then_refused_clearly():
    good = _xlsx([["NIP", "Nama"], ["198609262015051001", "Budi"]])
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut mid-element
            target.writestr(item, data)
    with pytest.raises(ValidationError, match="XLSX"):
        table_parse(data=damaged.getvalue(), filename="peserta.xlsx")


def test_when_a_sheet_has_more_rows_than_allowed_then_refused_by_the_row_limit():
    rows = [["NIP", "Nama"], *([["198609262015051001", "Budi"]] * (MAX_ROWS + 30))]
    with pytest.raises(ValidationError, match=str(MAX_ROWS)):
        table_parse(data=_xlsx(rows), filename="peserta.xlsx")
