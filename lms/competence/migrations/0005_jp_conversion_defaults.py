"""Default JP conversions (per form of learning × unit) and the default SIASN export columns.

Only the unit "JP" (the learning already states its JP) is taken as confirmed: Peraturan LAN 10/2018 defines the
lesson hour (1 JP = 45 minutes for classical learning) and the 20 JP a year, but the per-session and per-day values
below for non-classical forms are the province's working assumptions, marked `confirmed=False` so that BPSDM
reviews them in the admin. The unit "jam" needs no row: it is always offered and converted with
settings.SIGER_MINUTES_PER_JP (lms.competence.submissions.conversion). Existing rows are left untouched."""

from decimal import Decimal

from django.db import migrations

ASSUMED = "Asumsi kerja BPSDM, belum terkonfirmasi peraturan: tinjau."
STATED = "JP sesuai yang tertulis di sertifikat/surat keterangan (tanpa konversi)."

# form: [(unit, jp per unit, max JP per activity or None)], besides the unit "jp" every form has.
DEFAULTS: dict[str, list[tuple[str, str, str | None]]] = {
    "pelatihan": [("hari", "8", None)],
    "seminar": [("sesi", "2", "8"), ("hari", "4", "8")],
    "workshop": [("sesi", "2", None), ("hari", "8", None)],
    "kursus": [("sesi", "2", None), ("hari", "8", None)],
    "bimtek": [("hari", "8", None)],
    "e_learning": [],
    "webinar": [("sesi", "2", "4")],
    "jarak_jauh": [("hari", "8", None)],
    "coaching": [("sesi", "2", "10")],
    "mentoring": [("sesi", "2", "10")],
    "magang": [("hari", "8", None)],
    "praktik_kerja": [("hari", "8", None)],
    "komunitas_belajar": [("sesi", "2", "4")],
    "penugasan_khusus": [("hari", "4", "40")],
    "belajar_mandiri": [("sesi", "1", "4")],
    "patok_banding": [("hari", "8", "24")],
    "datasering": [("hari", "8", None)],
}

# (header, source); sources as lms.competence.siasn.SOURCES at the time of writing.
SIASN_COLUMNS = [
    ("NIP", "nip"),
    ("Nama", "name"),
    ("Jenis Diklat", "training_type"),
    ("Nama Diklat/Kursus", "title"),
    ("Institusi Penyelenggara", "organiser"),
    ("Tanggal Mulai", "starts_on"),
    ("Tanggal Selesai", "ends_on"),
    ("Jumlah Jam (JP)", "jp"),
    ("Nomor Sertifikat", "certificate_number"),
    ("Tanggal Sertifikat", "certificate_date"),
    ("Tahun", "year"),
]


def add_defaults(apps, schema_editor):
    JpConversion = apps.get_model("competence", "JpConversion")
    SiasnColumn = apps.get_model("competence", "SiasnColumn")
    for form, rows in DEFAULTS.items():
        JpConversion.objects.get_or_create(
            form=form, unit="jp", defaults={"jp_per_unit": Decimal("1"), "confirmed": True, "note": STATED}
        )
        for unit, jp_per_unit, cap in rows:
            JpConversion.objects.get_or_create(
                form=form,
                unit=unit,
                defaults={
                    "jp_per_unit": Decimal(jp_per_unit),
                    "max_jp_per_activity": Decimal(cap) if cap else None,
                    "confirmed": False,
                    "note": ASSUMED,
                },
            )
    if not SiasnColumn.objects.exists():
        SiasnColumn.objects.bulk_create(
            SiasnColumn(position=i, header=header, source=source)
            for i, (header, source) in enumerate(SIASN_COLUMNS, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("competence", "0004_submissions_conversion_profiles")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
