"""Pure parsing of a BKN/SIMPEG cohort list (CSV or XLSX) into rows keyed by canonical field names."""

from __future__ import annotations

import csv
import io
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Canonical field -> header spellings accepted (compared after header_key()).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "nip": ("nip", "nipbaru", "nomorindukpegawai"),
    "name": ("nama", "namalengkap", "namapegawai"),
    "title_prefix": ("gelardepan",),
    "title_suffix": ("gelarbelakang",),
    "position": ("jabatan", "namajabatan"),
    "rank": ("golongan", "gol", "golongan/ruang", "golruang", "pangkat/golongan", "golonganruang", "pangkatgolongan"),
    "work_unit": ("opd", "unitkerja", "opd/unitkerja", "opdunitkerja", "satuankerja", "skpd", "instansi"),
    "email": ("email", "e-mail", "surel", "alamatemail"),
    "phone": ("nomorhp", "nohp", "hp", "nomortelepon", "notelp", "telepon", "nowa", "nomorwa", "whatsapp"),
    "employee_type": ("jenis", "jenisasn", "jenispegawai", "status", "statuspegawai"),
    "course_class": ("kelas",),
}
_LOOKUP = {alias.replace("/", ""): field for field, aliases in HEADER_ALIASES.items() for alias in aliases}
REQUIRED = ("nip", "name")
MAX_ROWS = 20000
MAX_COLUMNS = 64  # the BKN/SIMPEG layout has about ten
MAX_TITLE_ROWS = 10  # title lines allowed above the header row (table_parse looks in the first ten)


def header_key(text: str) -> str:
    """'No. HP ' -> 'nohp', 'Golongan/Ruang' -> 'golonganruang': case, spaces and punctuation do not matter."""
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a NIP or phone typed into a number cell
    return str(value).strip()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValidationError(_("Berkas XLSX tidak dapat dibaca.")) from error
    rows: list[list[str]] = []
    try:
        sheet = workbook.worksheets[0]
        # An XLSX is a zip: a few MB can unpack to millions of cells. Read lazily, bounded in rows and columns, so
        # that an oversized sheet is refused by table_parse's row limit instead of filling memory first.
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell(value) for value in row])
            if len(rows) > MAX_ROWS + MAX_TITLE_ROWS:
                break
    except Exception as error:  # a damaged sheet fails while it is read, not only when it is opened
        raise ValidationError(_("Berkas XLSX tidak dapat dibaca.")) from error
    finally:
        workbook.close()
    return rows


def table_parse(*, data: bytes, filename: str) -> list[dict]:
    """Rows as {"row": spreadsheet row number, field: text}. Raises ValidationError for an unreadable file or
    a header without NIP and nama."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        table = _xlsx_rows(data)
    else:
        table = _csv_rows(data)
    # The header is the first row naming a NIP column (SIMPEG exports often carry a title line above it).
    index = next(
        (i for i, row in enumerate(table[:10]) if "nip" in [_LOOKUP.get(header_key(cell)) for cell in row]), None
    )
    if index is None:
        raise ValidationError(_("Baris judul dengan kolom NIP tidak ditemukan."))
    keys = [_LOOKUP.get(header_key(cell)) for cell in table[index]]
    missing = [field for field in REQUIRED if field not in keys]
    if missing:
        raise ValidationError(_("Kolom wajib tidak ada: %(cols)s.") % {"cols": ", ".join(missing)})
    rows = []
    for number, raw in enumerate(table[index + 1 :], start=index + 2):
        values = {key: _cell(raw[i]) for i, key in enumerate(keys) if key and i < len(raw)}
        if not any(values.values()):
            continue
        rows.append({"row": number, **{field: values.get(field, "") for field in HEADER_ALIASES}})
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("Terlalu banyak baris (maksimal %(n)s).") % {"n": MAX_ROWS})
    return rows
