"""Cohort lists built in tests, as BKN/SIMPEG exports look."""

from __future__ import annotations

import io

from openpyxl import Workbook

from lms.factories import nip_make

HEADER = ["NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Jabatan", "Gol", "Unit Kerja", "Email", "No HP"]


def cohort_rows(count: int, *, start: int = 500000, unit: str = "Dinas Kesehatan") -> list[list[str]]:
    rows, seen = [], set()
    seed = start
    while len(rows) < count:
        nip = nip_make(seed=seed)
        seed += 1
        if nip in seen:
            continue
        seen.add(nip)
        n = len(rows)
        rows.append(
            [nip, f"Peserta {n}", "dr.", "M.Kes", "Analis", "III a", unit, f"p{seed}@asn.example.go.id", f"0812{n:07d}"]
        )
    return rows


def csv_bytes(rows, *, header=HEADER, delimiter=";", encoding="utf-8-sig") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Daftar peserta (ekspor SIMPEG)"])  # a title line above the header, as exports have
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
