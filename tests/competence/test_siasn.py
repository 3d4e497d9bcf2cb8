"""The SIASN training-history export: columns as SiasnColumn says, only learning that stands, scoped by OPD."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lms.competence.models import EntrySource, EntryStatus, LedgerEntry, SiasnColumn, UnitRole, UnitRoleKind
from lms.competence.services import ledger_reverse
from lms.competence.submissions import learning_approve, learning_reject, learning_submit
from lms.factories import UserFactory, WorkUnitFactory
from lms.models import Role
from lms.roles import user_set_role
from tests.conftest import client_for
from tests.h5p_fixtures import media_root_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() - datetime.timedelta(days=10)
DEFAULT_HEADERS = [
    "NIP",
    "Nama",
    "Jenis Diklat",
    "Nama Diklat/Kursus",
    "Institusi Penyelenggara",
    "Tanggal Mulai",
    "Tanggal Selesai",
    "Jumlah Jam (JP)",
    "Nomor Sertifikat",
    "Tanggal Sertifikat",
    "Tahun",
]


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def world(media_root):
    unit_a, unit_b = WorkUnitFactory(name="Dinas A"), WorkUnitFactory(name="Dinas B")
    admin = user_set_role(user=UserFactory(full_name="Admin BPSDM"), role=Role.ADMINISTRATOR)
    verifier_a = UserFactory(work_unit=unit_a)
    UnitRole.objects.create(user=verifier_a, work_unit=unit_a, kind=UnitRoleKind.VERIFIER)
    head_a = UserFactory(work_unit=unit_a)
    UnitRole.objects.create(user=head_a, work_unit=unit_a, kind=UnitRoleKind.HEAD)
    ana, bima = UserFactory(work_unit=unit_a, full_name="Ana"), UserFactory(work_unit=unit_b, full_name="Bima")

    def submitted(user, title, **extra):
        return learning_submit(
            user=user,
            form=extra.pop("form", "kursus"),
            title=title,
            organiser="Lembaga Kursus",
            starts_on=extra.pop("starts_on", DAY),
            ends_on=extra.pop("ends_on", DAY),
            amount=Decimal("2"),
            unit="hari",
            certificate_number=extra.pop("certificate_number", ""),
            evidence=SimpleUploadedFile("s.pdf", b"%PDF-1.4 s", content_type="application/pdf"),
        )

    recorded = submitted(ana, "Kursus Tercatat", certificate_number="K-1")
    learning_approve(entry=recorded, by=verifier_a)
    submitted(ana, "Kursus Menunggu")
    learning_reject(entry=submitted(ana, "Kursus Ditolak"), by=verifier_a, reason="Tidak sah")
    cancelled = submitted(ana, "Kursus Dibatalkan")
    learning_approve(entry=cancelled, by=admin)
    ledger_reverse(entry=LedgerEntry.objects.get(pk=cancelled.pk), by=admin, reason="Sertifikat palsu")
    other = submitted(bima, "Kursus OPD B", form="seminar")
    learning_approve(entry=other, by=admin)
    return {"admin": admin, "verifier_a": verifier_a, "head_a": head_a, "unit_a": unit_a, "unit_b": unit_b}


def test_default_columns_in_order_and_only_learning_that_stands(world):
    rows = _rows(client_for(world["admin"]).get(reverse("competence:siasn_export"), {"format": "csv"}))
    assert rows[0] == DEFAULT_HEADERS
    titles = [row[3] for row in rows[1:]]
    assert sorted(titles) == ["Kursus OPD B", "Kursus Tercatat"]
    ana = next(row for row in rows[1:] if row[3] == "Kursus Tercatat")
    assert ana[1:3] == ["Ana", "Kursus"]
    assert ana[4:11] == [
        "Lembaga Kursus",
        DAY.isoformat(),
        DAY.isoformat(),
        "16",
        "K-1",
        DAY.isoformat(),
        str(DAY.year),
    ]
    assert next(row for row in rows[1:] if row[3] == "Kursus OPD B")[2] == "Seminar"
    # The ledger still holds all of them: the export chooses.
    assert LedgerEntry.objects.filter(source=EntrySource.REVERSAL).count() == 1
    assert LedgerEntry.objects.filter(status=EntryStatus.WAITING).count() == 1


def test_columns_follow_what_the_administrators_set(world):
    SiasnColumn.objects.all().delete()
    SiasnColumn.objects.create(position=2, header="JP", source="jp")
    SiasnColumn.objects.create(position=1, header="Nomor Induk", source="nip")
    SiasnColumn.objects.create(position=3, header="OPD", source="work_unit")
    rows = _rows(client_for(world["admin"]).get(reverse("competence:siasn_export"), {"format": "csv"}))
    assert rows[0] == ["Nomor Induk", "JP", "OPD"]
    assert sorted(row[2] for row in rows[1:]) == ["Dinas A", "Dinas B"]


def test_xlsx_has_the_same_table(world):
    response = client_for(world["admin"]).get(reverse("competence:siasn_export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert list(values[0]) == DEFAULT_HEADERS and len(values) == 3


@pytest.mark.parametrize("who", ["verifier_a", "head_a"])
def test_an_opd_verifier_or_head_exports_only_their_own_opd(world, who):
    client = client_for(world[who])
    rows = _rows(client.get(reverse("competence:siasn_export"), {"format": "csv"}))
    assert [row[3] for row in rows[1:]] == ["Kursus Tercatat"]
    # Asking for another OPD is refused (not one of the choices), nothing exported.
    other = client.get(reverse("competence:siasn_export"), {"format": "csv", "work_unit": world["unit_b"].pk})
    assert other.status_code == 400 and "text/csv" not in other["Content-Type"]


def test_the_date_range_filters_by_end_date(world):
    client = client_for(world["admin"])
    after = (DAY + datetime.timedelta(days=1)).isoformat()
    assert len(_rows(client.get(reverse("competence:siasn_export"), {"format": "csv", "start": after}))) == 1
    on_day = {"format": "csv", "start": DAY.isoformat(), "end": DAY.isoformat(), "work_unit": world["unit_b"].pk}
    assert [row[3] for row in _rows(client.get(reverse("competence:siasn_export"), on_day))[1:]] == ["Kursus OPD B"]
    reversed_range = client.get(
        reverse("competence:siasn_export"), {"start": DAY.isoformat(), "end": (DAY - datetime.timedelta(1)).isoformat()}
    )
    assert reversed_range.status_code == 400


def test_a_learner_without_an_opd_role_cannot_export(world):
    response = client_for(UserFactory()).get(reverse("competence:siasn_export"), {"format": "csv"})
    assert response.status_code == 403


def test_the_page_previews_the_rows(world):
    page = client_for(world["admin"]).get(reverse("competence:siasn_export"), {"work_unit": ""})
    assert page.status_code == 200
    assert "Kursus Tercatat" in page.content.decode() and "Kursus Menunggu" not in page.content.decode()


def test_a_whole_number_column_rounds_the_jp(world):
    SiasnColumn.objects.all().delete()
    SiasnColumn.objects.create(position=1, header="jumlahJam", source="jp_whole")
    recorded = LedgerEntry.objects.get(title="Kursus Tercatat")
    LedgerEntry.objects.filter(pk=recorded.pk).update(jp=Decimal("2.67"))
    rows = _rows(client_for(world["head_a"]).get(reverse("competence:siasn_export"), {"format": "csv"}))
    assert rows == [["jumlahJam"], ["3"]]


def test_the_training_type_and_its_siasn_code_come_from_the_administrators_table(world):
    from lms.competence.models import SiasnTrainingType

    SiasnColumn.objects.all().delete()
    SiasnColumn.objects.create(position=1, header="Nama", source="title")
    SiasnColumn.objects.create(position=2, header="jenisDiklat", source="training_type")
    SiasnColumn.objects.create(position=3, header="jenisDiklatId", source="training_type_code")
    # Seeded with SIASN's names and no codes: the codes are BKN's, filled in by BPSDM.
    assert SiasnTrainingType.objects.get(key="form:seminar").code == ""
    SiasnTrainingType.objects.filter(key="form:seminar").update(name="Seminar/Lokakarya", code="7")
    rows = _rows(client_for(world["admin"]).get(reverse("competence:siasn_export"), {"format": "csv"}))
    assert sorted(rows[1:]) == [["Kursus OPD B", "Seminar/Lokakarya", "7"], ["Kursus Tercatat", "Kursus", ""]]
    # A form without a row is named by its form, with no code.
    SiasnTrainingType.objects.filter(key="form:kursus").delete()
    rows = _rows(client_for(world["admin"]).get(reverse("competence:siasn_export"), {"format": "csv"}))
    assert ["Kursus Tercatat", "Kursus", ""] in rows
