"""The one CSV/XLSX export helper: one formula guard and one encoding for every export."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lms.exports import cell_safe, table_csv, table_response, table_xlsx
from lms.factories import UserFactory
from lms.models import Role, WorkUnit
from lms.roles import user_set_role

HOSTILE = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", HOSTILE)
def test_when_text_starts_like_a_formula_then_it_is_quoted(text):
    assert cell_safe(text) == "'" + text


def test_when_values_are_numbers_or_dates_then_they_stay_typed():
    assert cell_safe(-5) == -5
    assert cell_safe(2.5) == 2.5
    assert cell_safe(datetime.date(2026, 12, 4)) == datetime.date(2026, 12, 4)
    assert cell_safe(None) == ""
    assert cell_safe(True) == "ya"


def test_when_an_aware_time_is_exported_then_it_is_wall_clock_wib():
    moment = datetime.datetime(2026, 12, 4, 2, 0, tzinfo=datetime.UTC)
    assert cell_safe(moment) == datetime.datetime(2026, 12, 4, 9, 0)  # Asia/Jakarta, UTC+7


def test_when_csv_is_written_then_it_is_utf8_with_a_bom_and_guarded():
    body = table_csv(["Nama", "OPD"], [["Siti Rahmawati", "=cmd|' /C calc'!A0"], ["Agus", "Dinas Pendidikan"]])
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "'=cmd" in text and "Dinas Pendidikan" in text


def test_when_xlsx_is_written_then_no_cell_is_a_formula():
    data = table_xlsx(["Nama", "JP"], [[text, 12] for text in HOSTILE], title="Laporan: [JP]/OPD?")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Laporan JPOPD"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # XML keeps no bare carriage return: it reads back as a line feed, still quoted.
    assert [row[0] for row in rows] == ["'" + text.replace("\r", "\n") for text in HOSTILE]
    assert all(row[1] == 12 for row in rows)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_when_a_download_is_asked_then_it_is_an_attachment_of_its_format():
    response = table_response(filename="laporan", header=["a"], rows=[[1]], fmt="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="laporan.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert table_response(filename="x", header=["a"], rows=[], fmt="html")["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
def test_when_the_opd_report_is_downloaded_as_xlsx_then_a_hostile_opd_name_is_text(client):
    UserFactory(work_unit=WorkUnit.objects.create(name="=1+1 Dinas"))  # the report lists OPDs with members
    admin = user_set_role(user=UserFactory(), role=Role.ADMINISTRATOR)
    client.force_login(admin)
    year = timezone.localdate().year
    response = client.get(reverse("lms:work_unit_report") + f"?tahun={year}&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=1+1 Dinas" in names
