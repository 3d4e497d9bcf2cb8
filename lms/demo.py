"""The demo: a realistic blended PKA course with instructors, OPDs and learners part-way through, and a PBJ
course some have completed, with their certificates. Idempotent."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from content.models import H5PActivity
from content.services import package_import
from lms.factories import (
    CoursePageFactory,
    LiveSessionPageFactory,
    ModulePageFactory,
    UserFactory,
    WorkUnitFactory,
    nip_make,
)
from lms.models import (
    CompletionRule,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    EnrollmentSource,
    ModulePage,
    Programme,
    ProgressSource,
    Role,
    SessionKind,
    User,
)
from lms.roles import user_set_role
from lms.services import certificate_issue, enrollment_create, progress_complete
from lms.setup import siger_setup

OPDS = [
    "Badan Pengembangan Sumber Daya Manusia (BPSDM)",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kesehatan",
    "Biro Pengadaan Barang dan Jasa",
    "Badan Perencanaan Pembangunan Daerah (Bappeda)",
    "Dinas Komunikasi, Informatika dan Statistik",
]

LEARNERS = [
    ("Siti Rahmawati", "Kepala Bidang Pembinaan SMA", "III/d", 1),
    ("Andi Saputra", "Kepala Bagian Umum", "IV/a", 2),
    ("Dewi Lestari", "Kepala Bidang Pelayanan Kesehatan", "III/d", 2),
    ("Rudi Hartono", "Kepala Bagian Perencanaan", "IV/a", 3),
    ("Nurul Hidayah", "Kepala Bidang Statistik", "III/d", 5),
    ("Agus Setiawan", "Kepala Bidang Infrastruktur", "IV/a", 4),
    ("Maya Sari", "Kepala Bagian Keuangan", "III/d", 1),
    ("Bambang Wijaya", "Kepala Bidang Aplikasi Informatika", "IV/b", 5),
    ("Rina Marlina", "Kepala Bidang Sumber Daya Kesehatan", "III/d", 2),
    ("Hendra Gunawan", "Kepala Bagian Layanan Pengadaan", "IV/a", 3),
    ("Yuliana Putri", "Kepala Bidang Kurikulum", "III/c", 1),
    ("Fajar Nugroho", "Kepala Bidang Pengembangan Kompetensi", "IV/a", 0),
]

MODULES = [
    (
        "Orientasi dan Kontrak Belajar",
        "orientasi",
        CompletionRule.VIEWED,
        [
            (
                "paragraph",
                "<p>Selamat datang di PKA Angkatan I BPSDM Provinsi Lampung. Pelatihan ini memadukan "
                "belajar mandiri daring, webinar, dan kelas tatap muka.</p>",
            ),
            (
                "callout",
                {
                    "style": "info",
                    "title": "Kontrak belajar",
                    "text": "<p>Selesaikan setiap modul sebelum sesi langsung berikutnya.</p>",
                },
            ),
        ],
    ),
    (
        "Kepemimpinan Kinerja",
        "kepemimpinan-kinerja",
        CompletionRule.MARKED_DONE,
        [
            ("heading", "Pemimpin sebagai penggerak kinerja"),
            (
                "paragraph",
                "<p>Administrator memimpin unit kerja untuk mencapai sasaran kinerja organisasi melalui "
                "perencanaan, pengorganisasian, dan pengendalian yang berorientasi hasil.</p>",
            ),
            (
                "callout",
                {
                    "style": "tip",
                    "title": "Refleksi",
                    "text": "<p>Tuliskan tiga sasaran kinerja unit Anda tahun ini.</p>",
                },
            ),
        ],
    ),
    (
        "Manajemen Kinerja Organisasi",
        "manajemen-kinerja",
        CompletionRule.MARKED_DONE,
        [
            ("heading", "Dari Renstra ke Sasaran Kinerja Pegawai"),
            ("paragraph", "<p>Cascading kinerja menghubungkan rencana strategis OPD dengan SKP setiap pegawai.</p>"),
        ],
    ),
    (
        "Inovasi Pelayanan Publik",
        "inovasi-pelayanan",
        CompletionRule.MARKED_DONE,
        [
            ("heading", "Berpikir inovatif"),
            ("paragraph", "<p>Inovasi pelayanan publik berangkat dari masalah nyata pengguna layanan.</p>"),
            (
                "callout",
                {
                    "style": "warning",
                    "title": "Tugas",
                    "text": "<p>Identifikasi satu masalah layanan di OPD Anda sebagai calon aksi perubahan.</p>",
                },
            ),
        ],
    ),
    (
        "Aksi Perubahan: Rancangan dan Implementasi",
        "aksi-perubahan",
        CompletionRule.MARKED_DONE,
        [
            ("heading", "Menyusun rancangan aksi perubahan"),
            (
                "paragraph",
                "<p>Rancangan memuat latar belakang, tujuan, tahapan (milestone), pemangku kepentingan, "
                "dan ukuran keberhasilan, disetujui oleh mentor (atasan langsung).</p>",
            ),
        ],
    ),
]


@dataclass
class DemoLogins:
    administrator: User
    instructor: User
    learners: list[User]
    programme_run: CoursePage | None = None


def _user(*, seed: int, name: str, role: str, position: str, rank: str, opd: str, email: str = "") -> User:
    user = UserFactory(
        nip=nip_make(seed=seed),
        full_name=name,
        position=position,
        rank=rank,
        work_unit=WorkUnitFactory(name=opd),
        email=email or f"{nip_make(seed=seed)}@asn.lampungprov.go.id",
    )
    if user.role != role:
        user_set_role(user=user, role=role)
    return user


def _pka_course(index: CourseIndexPage, instructor: User) -> CoursePage:
    course = CoursePage.objects.filter(slug="pka-angkatan-1").first()
    if course is not None:
        return course
    today = timezone.localdate()
    course = CoursePageFactory(
        parent=index,
        title="Pelatihan Kepemimpinan Administrator (PKA) Angkatan I",
        slug="pka-angkatan-1",
        programme=Programme.PKA,
        jp_credit=40,
        sequential=True,
        summary="Pelatihan kepemimpinan bagi pejabat administrator (eselon III) Pemerintah Provinsi Lampung: "
        "belajar mandiri, webinar, kelas tatap muka, dan aksi perubahan.",
        description="<p>PKA membekali administrator untuk memimpin kinerja dan melakukan aksi perubahan di "
        "unit kerjanya, bersama coach dan mentor.</p>",
        starts_on=today - datetime.timedelta(days=14),
        ends_on=today + datetime.timedelta(days=60),
        # A placeholder official (the demo names no real person); SIGER_CERTIFICATE_SIGNER_* is the agency default.
        signer_name="Nama Pejabat Penanda Tangan (contoh)",
        signer_title="Kepala Badan Pengembangan Sumber Daya Manusia Provinsi Lampung",
        signer_nip="197501012000031001",
    )
    course.instructors.add(instructor)
    course.save_revision().publish()
    jakarta_now = timezone.localtime()
    webinar_start = (jakarta_now + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    classroom_start = (jakarta_now + datetime.timedelta(days=9)).replace(hour=8, minute=0, second=0, microsecond=0)
    plan = [*MODULES[:3], "webinar", MODULES[3], "classroom", MODULES[4]]
    for entry in plan:
        if entry == "webinar":
            LiveSessionPageFactory(
                parent=course,
                title="Webinar: Kepemimpinan di Era Digital",
                slug="webinar-kepemimpinan-digital",
                kind=SessionKind.WEBINAR,
                starts_at=webinar_start,
                ends_at=webinar_start + datetime.timedelta(hours=2),
                conference_url="https://meet.jit.si/siger-pka-angkatan-1",
                duration_minutes=120,
                description="<p>Narasumber: Widyaiswara Ahli Utama BPSDM Provinsi Lampung.</p>",
            )
        elif entry == "classroom":
            LiveSessionPageFactory(
                parent=course,
                title="Kelas Tatap Muka: Seminar Rancangan Aksi Perubahan",
                slug="seminar-rancangan",
                kind=SessionKind.CLASSROOM,
                starts_at=classroom_start,
                ends_at=classroom_start + datetime.timedelta(hours=7),
                conference_url="",
                duration_minutes=420,
                venue="Aula BPSDM Provinsi Lampung, Jl. Sultan Agung No. 1, Bandar Lampung",
                capacity=40,
            )
        else:
            title, slug, rule, body = entry
            ModulePageFactory(
                parent=course,
                title=title,
                slug=slug,
                completion_rule=rule,
                body=body,
                intro=f"Modul belajar mandiri: {title}.",
            )
    return course


def _pbj_course(index: CourseIndexPage, instructor: User) -> CoursePage:
    course = CoursePage.objects.filter(slug="pbj-tingkat-dasar").first()
    if course is not None:
        return course
    course = CoursePageFactory(
        parent=index,
        title="Pelatihan Pengadaan Barang/Jasa Tingkat Dasar",
        slug="pbj-tingkat-dasar",
        programme=Programme.PBJ,
        jp_credit=24,
        sequential=False,
        summary="Dasar-dasar pengadaan barang/jasa pemerintah sesuai Perpres 16/2018 dan perubahannya.",
    )
    course.instructors.add(instructor)
    course.save_revision().publish()
    for title, slug in (
        ("Prinsip dan Etika Pengadaan", "prinsip-etika"),
        ("Perencanaan Pengadaan", "perencanaan"),
        ("Pemilihan Penyedia", "pemilihan-penyedia"),
    ):
        ModulePageFactory(
            parent=course,
            title=title,
            slug=slug,
            completion_rule=CompletionRule.MARKED_DONE,
            body=[("paragraph", f"<p>{title}: materi belajar mandiri.</p>")],
        )
    return course


@transaction.atomic
def demo_seed() -> DemoLogins:
    """Seed the demo (safe to run again: existing records are kept)."""
    index = siger_setup()
    admin = _user(
        seed=1,
        name="Ratna Dewi, S.Sos., M.Si.",
        role=Role.ADMINISTRATOR,
        position="Kepala Bidang Penyelenggaraan Pelatihan",
        rank="IV/b",
        opd=OPDS[0],
        email="admin@siger.example.go.id",
    )
    instructor = _user(
        seed=2,
        name="Dr. Ahmad Fauzi, M.Pd.",
        role=Role.INSTRUCTOR,
        position="Widyaiswara Ahli Madya",
        rank="IV/c",
        opd=OPDS[0],
        email="widyaiswara@siger.example.go.id",
    )
    pka = _pka_course(index, instructor)
    pbj = _pbj_course(index, instructor)
    learners = [
        _user(seed=100 + n, name=name, role=Role.LEARNER, position=position, rank=rank, opd=OPDS[opd])
        for n, (name, position, rank, opd) in enumerate(LEARNERS)
    ]
    pka_items = list(pka.get_children().specific())
    pbj_items = list(pbj.get_children().specific())
    for n, learner in enumerate(learners):
        if Enrollment.objects.filter(user=learner).exists() or n == len(learners) - 1:
            continue  # the last learner is left unenrolled, to try self-enrollment
        enrollment = enrollment_create(user=learner, course=pka, source=EnrollmentSource.ADMIN, enrolled_by=admin)
        for item in pka_items[: n % 4]:
            progress_complete(enrollment=enrollment, item=item, source=ProgressSource.MARKED_DONE)
        if n % 3 == 0:
            pbj_enrollment = enrollment_create(
                user=learner, course=pbj, source=EnrollmentSource.ADMIN, enrolled_by=admin
            )
            for item in pbj_items:
                progress_complete(enrollment=pbj_enrollment, item=item, source=ProgressSource.MARKED_DONE)
    # Completion issues certificates; this also covers a database seeded before certificates existed.
    for enrollment in Enrollment.objects.completed().filter(course=pbj):
        certificate_issue(enrollment=enrollment)
    from lms.cohorts.demo import demo_seed_cohorts

    demo_seed_cohorts(course=pka, administrator=admin, instructor=instructor)
    from lms.assignments.demo import demo_seed_assignments

    demo_seed_assignments(course=pka, instructor=instructor)
    from lms.notifications.demo import demo_seed_notifications

    demo_seed_notifications(learner=learners[0])
    from lms.competence.demo import demo_seed_competence

    demo_seed_competence(learners=learners, administrator=admin, opds=OPDS)
    from lms.programmes.demo import demo_seed_programmes

    run = demo_seed_programmes(index=index, administrator=admin, instructor=instructor, learners=learners)
    return DemoLogins(administrator=admin, instructor=instructor, learners=learners, programme_run=run)


# --- H5P activities (seed_demo --h5p-dir) -----------------------------------------------------------------

H5P_DEMO_PACKAGES = ("H5P.MultiChoice", "H5P.TrueFalse", "H5P.QuestionSet")
H5P_MODULE_SLUG = "kuis-interaktif"
H5P_PLACEHOLDER = (
    "<p>Aktivitas H5P demo belum dipasang. Jalankan <code>python manage.py seed_demo --h5p-dir "
    "../shared/h5p-samples/hub</code> untuk menambahkan kuis pilihan ganda, benar/salah dan rangkaian soal.</p>"
)


def _demo_activities(h5p_dir: str, uploaded_by: User) -> list:
    activities = []
    for name in H5P_DEMO_PACKAGES:
        path = Path(h5p_dir) / f"{name}.h5p"
        existing = H5PActivity.objects.filter(main_library__machine_name=name, uploaded_by=uploaded_by).first()
        if existing is not None:
            activities.append(existing)
        elif path.is_file():
            activities.append(package_import(source=str(path), uploaded_by=uploaded_by))
    return activities


def demo_seed_h5p(*, h5p_dir: str = "") -> str:
    """Place demo H5P activities in a PKA module (rule: activities passed), or a placeholder without packages."""
    course = CoursePage.objects.filter(slug="pka-angkatan-1").first()
    instructor = User.objects.filter(email="widyaiswara@siger.example.go.id").first()
    if course is None or instructor is None:
        return "Kursus demo belum ada: jalankan seed_demo tanpa --h5p-dir dulu."
    activities = _demo_activities(h5p_dir, instructor) if h5p_dir else []
    module = ModulePage.objects.child_of(course).filter(slug=H5P_MODULE_SLUG).first()
    if activities:
        body = [("paragraph", "<p>Kerjakan ketiga kuis berikut; modul selesai saat semuanya lulus (nilai 60%).</p>")]
        body += [("h5p_activity", {"activity": a, "required": True, "pass_mark": 60}) for a in activities]
        rule = CompletionRule.ACTIVITIES_PASSED
    else:
        body = [("callout", {"style": "info", "title": "Aktivitas H5P", "text": H5P_PLACEHOLDER})]
        rule = CompletionRule.MARKED_DONE
    if module is None:
        ModulePageFactory(
            parent=course,
            title="Kuis Interaktif Kepemimpinan",
            slug=H5P_MODULE_SLUG,
            completion_rule=rule,
            body=body,
            intro="Latihan interaktif (H5P) untuk menguji pemahaman modul kepemimpinan.",
        )
    elif activities and module.completion_rule != CompletionRule.ACTIVITIES_PASSED:
        module.body, module.completion_rule = body, rule
        module.save_revision().publish()
    if activities:
        return f"Modul H5P demo: {len(activities)} aktivitas ({', '.join(a.title for a in activities)})."
    return "Modul H5P demo berisi petunjuk (tanpa --h5p-dir atau paket tidak ditemukan)."
