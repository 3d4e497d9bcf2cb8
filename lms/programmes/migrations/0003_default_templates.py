"""The four programme templates BPSDM runs (Latsar CPNS, PKP, PKA, PKN Tingkat II), as editable defaults.

The shape (phases, agendas, a workplace project and a seminar) follows LAN's public decrees: PerLAN 1/2021
(Latsar CPNS), PerLAN 15/2019 (PKP), PerLAN 16/2019 (PKA), PerLAN 2/2019 (PKN Tingkat II). The weights, predicate
thresholds, phase lengths and JP are plausible defaults, not figures checked against those decrees: every template
is left `confirmed=False` with a note saying so, for an administrator to confirm or correct in the admin.

The data lives here, not imported from the app, so that this migration keeps meaning what it meant when written.
Idempotent: a template that already exists (perhaps edited by an administrator) is left as it is."""

from decimal import Decimal

from django.db import migrations

BANDS = [  # name, min_score, passes
    ("Sangat memuaskan", "90.01", True),
    ("Memuaskan", "80.01", True),
    ("Cukup memuaskan", "70.01", True),
    ("Kurang memuaskan", "60.01", False),
    ("Tidak memuaskan", "0", False),
]

LEADERSHIP_CRITERIA = [  # key, name, weight, description
    (
        "substansi",
        "Substansi aksi perubahan",
        "40",
        "Ketepatan masalah, kualitas hasil jangka pendek dan manfaatnya bagi organisasi.",
    ),
    (
        "kepemimpinan",
        "Kepemimpinan dalam pelaksanaan",
        "30",
        "Pengelolaan pemangku kepentingan, kolaborasi dan inovasi selama aksi perubahan.",
    ),
    ("penyajian", "Penyajian", "15", "Sistematika, kejelasan dan ketepatan waktu paparan."),
    ("tanya_jawab", "Tanya jawab", "15", "Ketepatan dan argumentasi jawaban atas pertanyaan penguji."),
]


def _leadership_components(project_name):
    return [  # key, name, weight, source
        ("sikap_perilaku", "Sikap perilaku", "20", "manual"),
        ("akademik", "Evaluasi akademik", "20", "akademik"),
        ("aksi_perubahan", project_name, "40", "proyek"),
        ("seminar", "Seminar aksi perubahan", "20", "seminar"),
    ]


NOTE_DEFAULTS = (
    "Bobot komponen, batas predikat, lama fase dan JP adalah nilai bawaan yang belum dicocokkan dengan peraturan: "
    "periksa dan sesuaikan sebelum menandai templat ini terkonfirmasi."
)

TEMPLATES = [
    {
        "name": "Latsar CPNS",
        "programme": "latsar",
        "jp_credit": 497,
        "description": (
            "Pelatihan Dasar CPNS pola blended learning: pembelajaran mandiri (MOOC), pembelajaran jarak jauh, "
            "klasikal, habituasi/aktualisasi nilai dasar BerAKHLAK di tempat kerja dengan coach dan mentor, "
            "lalu seminar aktualisasi."
        ),
        "note": "Alur dan agenda mengikuti Peraturan LAN Nomor 1 Tahun 2021 tentang Pelatihan Dasar CPNS. "
        + NOTE_DEFAULTS,
        "phases": [  # name, kind, offset_days, duration_days
            ("Pembelajaran mandiri (MOOC)", "mandiri", 0, 14),
            ("Pembelajaran jarak jauh", "jarak_jauh", 14, 14),
            ("Pembelajaran klasikal", "klasikal", 28, 7),
            ("Habituasi/aktualisasi", "tempat_kerja", 35, 30),
            ("Seminar aktualisasi", "seminar", 65, 2),
        ],
        "steps": [  # phase_number, title, kind, duration_minutes
            (1, "Sikap Perilaku Bela Negara", "modul", 180),
            (1, "Nilai-Nilai Dasar PNS (BerAKHLAK)", "modul", 180),
            (2, "Kedudukan dan Peran PNS: Smart ASN dan Manajemen ASN", "modul", 180),
            (2, "Evaluasi akademik jarak jauh", "modul", 90),
            (3, "Rancangan aktualisasi", "tugas", 135),
            (4, "Laporan habituasi/aktualisasi", "tugas", 135),
            (5, "Seminar aktualisasi", "sesi", 180),
        ],
        "components": [
            ("sikap_perilaku", "Sikap perilaku", "20", "manual"),
            ("akademik", "Evaluasi akademik", "20", "akademik"),
            ("aktualisasi", "Aktualisasi nilai dasar (habituasi)", "40", "proyek"),
            ("seminar", "Seminar aktualisasi", "20", "seminar"),
        ],
        "criteria": [
            (
                "substansi",
                "Substansi aktualisasi nilai dasar",
                "40",
                "Kegiatan habituasi sesuai rancangan dan keterkaitannya dengan nilai BerAKHLAK.",
            ),
            ("penguasaan", "Penguasaan dan penyajian", "30", "Sistematika, kejelasan dan penguasaan materi."),
            ("tanya_jawab", "Tanya jawab", "30", "Ketepatan dan argumentasi jawaban atas pertanyaan penguji."),
        ],
    },
    {
        "name": "PKP",
        "programme": "pkp",
        "jp_credit": 278,
        "description": (
            "Pelatihan Kepemimpinan Pengawas: e-learning asinkron dan sinkron, klasikal, aksi perubahan di tempat "
            "kerja dengan coach dan mentor, lalu seminar aksi perubahan di hadapan penguji."
        ),
        "note": "Alur dan agenda mengikuti Peraturan LAN Nomor 15 Tahun 2019 tentang Pelatihan Kepemimpinan "
        "Pengawas. " + NOTE_DEFAULTS,
        "phases": [
            ("Pembelajaran mandiri (e-learning asinkron)", "mandiri", 0, 10),
            ("Pembelajaran jarak jauh (e-learning sinkron)", "jarak_jauh", 10, 10),
            ("Pembelajaran klasikal", "klasikal", 20, 7),
            ("Aksi perubahan (tempat kerja)", "tempat_kerja", 27, 45),
            ("Seminar aksi perubahan", "seminar", 72, 2),
        ],
        "steps": [
            (1, "Kepemimpinan Pancasila dan Bela Negara", "modul", 180),
            (2, "Kepemimpinan Pelayanan", "modul", 180),
            (2, "Manajemen Pelayanan", "modul", 180),
            (3, "Rancangan aksi perubahan", "tugas", 135),
            (4, "Laporan aksi perubahan", "tugas", 135),
            (5, "Seminar aksi perubahan", "sesi", 180),
        ],
        "components": _leadership_components("Aksi perubahan"),
        "criteria": LEADERSHIP_CRITERIA,
    },
    {
        "name": "PKA",
        "programme": "pka",
        "jp_credit": 390,
        "description": (
            "Pelatihan Kepemimpinan Administrator: e-learning asinkron dan sinkron, klasikal dan studi lapangan, "
            "aksi perubahan di tempat kerja dengan coach dan mentor, lalu seminar aksi perubahan di hadapan penguji."
        ),
        "note": "Alur dan agenda mengikuti Peraturan LAN Nomor 16 Tahun 2019 tentang Pelatihan Kepemimpinan "
        "Administrator. " + NOTE_DEFAULTS,
        "phases": [
            ("Pembelajaran mandiri (e-learning asinkron)", "mandiri", 0, 14),
            ("Pembelajaran jarak jauh (e-learning sinkron)", "jarak_jauh", 14, 14),
            ("Pembelajaran klasikal dan studi lapangan", "klasikal", 28, 14),
            ("Aksi perubahan (tempat kerja)", "tempat_kerja", 42, 60),
            ("Seminar aksi perubahan", "seminar", 102, 3),
        ],
        "steps": [
            (1, "Kepemimpinan Pancasila dan Bela Negara", "modul", 180),
            (2, "Kepemimpinan Kinerja", "modul", 180),
            (2, "Manajemen Kinerja", "modul", 180),
            (3, "Studi lapangan (benchmarking)", "modul", 270),
            (3, "Rancangan aksi perubahan", "tugas", 135),
            (4, "Laporan aksi perubahan", "tugas", 135),
            (5, "Seminar aksi perubahan", "sesi", 180),
        ],
        "components": _leadership_components("Aksi perubahan"),
        "criteria": LEADERSHIP_CRITERIA,
    },
    {
        "name": "PKN Tingkat II",
        "programme": "pkn2",
        "jp_credit": 405,
        "description": (
            "Pelatihan Kepemimpinan Nasional Tingkat II: pembelajaran klasikal dan nonklasikal, studi lapangan, "
            "aksi perubahan di tempat kerja dengan coach dan mentor, lalu seminar (laboratorium kepemimpinan)."
        ),
        "note": "Alur dan agenda mengikuti Peraturan LAN Nomor 2 Tahun 2019 tentang Pelatihan Kepemimpinan "
        "Nasional Tingkat II. " + NOTE_DEFAULTS,
        "phases": [
            ("Pembelajaran mandiri (e-learning asinkron)", "mandiri", 0, 14),
            ("Pembelajaran klasikal dan studi lapangan", "klasikal", 14, 21),
            ("Aksi perubahan (tempat kerja)", "tempat_kerja", 35, 60),
            ("Seminar aksi perubahan (laboratorium kepemimpinan)", "seminar", 95, 3),
        ],
        "steps": [
            (1, "Kepemimpinan Pancasila dan Bela Negara", "modul", 180),
            (1, "Kepemimpinan Strategis", "modul", 180),
            (2, "Manajemen Strategis", "modul", 180),
            (2, "Rancangan aksi perubahan", "tugas", 135),
            (3, "Laporan aksi perubahan", "tugas", 135),
            (4, "Seminar aksi perubahan", "sesi", 180),
        ],
        "components": _leadership_components("Aksi perubahan"),
        "criteria": LEADERSHIP_CRITERIA,
    },
]


def create_templates(apps, schema_editor):
    ProgrammeTemplate = apps.get_model("programmes", "ProgrammeTemplate")
    TemplatePhase = apps.get_model("programmes", "TemplatePhase")
    TemplateStep = apps.get_model("programmes", "TemplateStep")
    TemplateComponent = apps.get_model("programmes", "TemplateComponent")
    TemplatePredicate = apps.get_model("programmes", "TemplatePredicate")
    TemplateCriterion = apps.get_model("programmes", "TemplateCriterion")
    for data in TEMPLATES:
        template, created = ProgrammeTemplate.objects.get_or_create(
            name=data["name"],
            defaults={
                "programme": data["programme"],
                "jp_credit": data["jp_credit"],
                "description": data["description"],
                "note": data["note"],
                "confirmed": False,
            },
        )
        if not created:
            continue
        for order, (name, kind, offset, duration) in enumerate(data["phases"]):
            TemplatePhase.objects.create(
                template=template, sort_order=order, name=name, kind=kind, offset_days=offset, duration_days=duration
            )
        for order, (phase_number, title, kind, minutes) in enumerate(data["steps"]):
            TemplateStep.objects.create(
                template=template,
                sort_order=order,
                phase_number=phase_number,
                title=title,
                kind=kind,
                duration_minutes=minutes,
            )
        for order, (key, name, weight, source) in enumerate(data["components"]):
            TemplateComponent.objects.create(
                template=template, sort_order=order, key=key, name=name, weight=Decimal(weight), source=source
            )
        for order, (name, min_score, passes) in enumerate(BANDS):
            TemplatePredicate.objects.create(
                template=template, sort_order=order, name=name, min_score=Decimal(min_score), passes=passes
            )
        for order, (key, name, weight, description) in enumerate(data["criteria"]):
            TemplateCriterion.objects.create(
                template=template,
                sort_order=order,
                key=key,
                name=name,
                weight=Decimal(weight),
                description=description,
            )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_guide_import")]

    # Reversing keeps the templates: an administrator may have edited them, and no schema depends on them.
    operations = [migrations.RunPython(create_templates, migrations.RunPython.noop)]
