"""Default points of the IP ASN competence dimension (of 40) per position kind and component.

Following the scheme of PermenPANRB 38/2018 (Pengukuran Indeks Profesionalitas ASN) as commonly applied:
structural/functional positions score leadership or functional training fit for the position, technical training
of at least 20 JP in the last year and seminars/workshops; pelaksana positions score technical training and
seminars only. The point values below could not be confirmed against the regulation's annex here: they are
marked `confirmed=False` for BPSDM to review in the admin. Existing rows are left untouched."""

from decimal import Decimal

from django.db import migrations

UNCONFIRMED = "PermenPANRB 38/2018 (nilai belum terkonfirmasi dengan lampiran peraturan): tinjau."

DEFAULTS = [
    ("struktural_fungsional", "diklat_jenjang", "15"),
    ("struktural_fungsional", "teknis_20jp", "15"),
    ("struktural_fungsional", "seminar", "10"),
    ("pelaksana", "diklat_jenjang", "0"),
    ("pelaksana", "teknis_20jp", "25"),
    ("pelaksana", "seminar", "15"),
]


# The compliance report (lms.competence.compliance) reads every recorded entry of a year: on PostgreSQL a covering
# index lets it do so with an index-only scan instead of reading whole rows (titles, reasons...). PostgreSQL only
# (INCLUDE); outside the model's Meta because Django cannot express it portably, so `makemigrations` ignores it.
COVERING_INDEX = "competence_period_cover"


def add_covering_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {COVERING_INDEX} ON competence_ledgerentry (status, ends_on) "
            "INCLUDE (user_id, work_unit_id, jp, id)"
        )


def drop_covering_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {COVERING_INDEX}")


def add_defaults(apps, schema_editor):
    CompetencePointRule = apps.get_model("competence", "CompetencePointRule")
    for position_kind, component, points in DEFAULTS:
        CompetencePointRule.objects.get_or_create(
            position_kind=position_kind,
            component=component,
            defaults={"points": Decimal(points), "confirmed": False, "note": UNCONFIRMED},
        )


class Migration(migrations.Migration):
    dependencies = [("competence", "0005_jp_conversion_defaults")]

    operations = [
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
        migrations.RunPython(add_covering_index, drop_covering_index),
    ]
