"""Demo data: a PKA run created from the shipped template, today in its workplace phase, so that a visitor sees
the whole flow: coach, mentors and examiners assigned; change projects in every state (not started, draft,
returned, waiting for approval, approved and on track, approved and late); one seminar day scheduled with its
panels. Built through the same services as the product (programme_run_create, guide_assign, project_*), so the
demo cannot show what the product could not produce. Idempotent: an existing run is left as it is."""

from __future__ import annotations

import datetime

from django.utils import timezone

from lms.factories import nip_make
from lms.models import (
    CourseIndexPage,
    CoursePage,
    Enrollment,
    EnrollmentSource,
    LiveSessionPage,
    ModulePage,
    ProgressSource,
    Role,
    User,
)
from lms.programmes.graduation import component_score_enter
from lms.programmes.guides import guide_assign
from lms.programmes.models import (
    ComponentSource,
    GuideRole,
    Milestone,
    MilestoneTerm,
    PhaseKind,
    ProgrammeTemplate,
    ReviewDecision,
)
from lms.programmes.projects import (
    MilestoneInput,
    logbook_add,
    milestone_comment,
    milestone_confirm,
    project_review,
    project_save_draft,
    project_submit,
)
from lms.programmes.runs import programme_run_create
from lms.programmes.seminar import seminar_slot_set
from lms.services import enrollment_create, progress_complete

RUN_TITLE = "PKA Angkatan II 2026"
RUN_BATCH = "Angkatan II"
TEMPLATE_NAME = "PKA"
# (title, problem) of each participant's change project; the index decides the state it is left in.
PROJECTS = [
    (
        "Digitalisasi Layanan Izin Usaha Mikro melalui Aplikasi SIGAP",
        "Permohonan izin usaha mikro masih diproses manual dan rata-rata selesai dalam 14 hari kerja.",
    ),
    (
        "Penguatan Sistem Arsip Elektronik Dinas",
        "Arsip surat masuk dan keluar tersebar di komputer staf dan sulit ditelusuri saat audit.",
    ),
    (
        "Dasbor Kinerja OPD Berbasis Data Terbuka",
        "Capaian indikator kinerja dilaporkan triwulanan dalam berkas terpisah dan terlambat dibaca pimpinan.",
    ),
    (
        "Layanan Konsultasi Pengadaan Daring untuk Desa",
        "Perangkat desa kesulitan mendapat pendampingan pengadaan tanpa datang ke ibu kota provinsi.",
    ),
    (
        "Standar Pelayanan Terpadu Satu Pintu Kabupaten",
        "Standar pelayanan belum seragam antarloket sehingga waktu layanan berbeda-beda.",
    ),
]


def _person(*, seed: int, name: str, position: str, role: str, work_unit) -> User:
    from lms.factories import UserFactory
    from lms.roles import user_set_role

    nip = nip_make(seed=seed)
    user = User.objects.filter(nip=nip).first()
    if user is None:
        user = UserFactory(
            nip=nip,
            full_name=name,
            position=position,
            work_unit=work_unit,
            email=f"{nip}@asn.lampungprov.go.id",
        )
    if user.role != role:
        user_set_role(user=user, role=role)
    return user


def _milestones(today: datetime.date, *, late: bool) -> list[MilestoneInput]:
    first = today - datetime.timedelta(days=10)
    second = today - datetime.timedelta(days=3) if late else today + datetime.timedelta(days=4)
    return [
        MilestoneInput(title="Membentuk tim efektif dan menyepakati rencana kerja", due_on=first),
        MilestoneInput(title="Menyusun prosedur dan rancangan layanan baru", due_on=second),
        MilestoneInput(title="Uji coba layanan pada satu unit", due_on=today + datetime.timedelta(days=12)),
        MilestoneInput(
            title="Penerapan di seluruh unit dan evaluasi",
            due_on=today + datetime.timedelta(days=180),
            term=MilestoneTerm.LONG,
        ),
    ]


def _start_for_workplace_phase(template: ProgrammeTemplate, today: datetime.date) -> datetime.date:
    """The first day of the run such that today falls a few days into its workplace phase."""
    workplace = template.phases.filter(kind=PhaseKind.WORKPLACE).order_by("sort_order").first()
    offset = workplace.offset_days if workplace is not None else 21
    return today - datetime.timedelta(days=offset + 12)


def demo_seed_programmes(
    *, index: CourseIndexPage, administrator: User, instructor: User, learners: list[User]
) -> CoursePage | None:
    """Seed the PKA run (once); None when the PKA template was removed by an administrator."""
    existing = CoursePage.objects.filter(title=RUN_TITLE, batch=RUN_BATCH).first()
    if existing is not None:
        return existing
    template = ProgrammeTemplate.objects.filter(name=TEMPLATE_NAME).first()
    if template is None:
        return None
    today = timezone.localdate()
    run = programme_run_create(
        template=template,
        parent=index,
        title=RUN_TITLE,
        batch=RUN_BATCH,
        starts_on=_start_for_workplace_phase(template, today),
        by=administrator,
    )
    run.instructors.add(instructor)
    run.signer_name = "Nama Pejabat Penanda Tangan (contoh)"
    run.signer_title = "Kepala Badan Pengembangan Sumber Daya Manusia Provinsi Lampung"
    run.signer_nip = "197501012000031001"
    run.save_revision(user=administrator).publish()
    for step in run.get_children().not_live().specific():
        step.save_revision(user=administrator).publish()
    run = CoursePage.objects.get(pk=run.pk)

    work_unit = instructor.work_unit
    examiner = _person(
        seed=3,
        name="Dr. Siti Rahmawati, M.Si.",
        position="Widyaiswara Ahli Utama",
        role=Role.INSTRUCTOR,
        work_unit=work_unit,
    )
    mentors = [
        _person(
            seed=40,
            name="Ir. Hendra Gunawan, M.T.",
            position="Kepala Dinas",
            role=Role.LEARNER,
            work_unit=learners[0].work_unit,
        ),
        _person(
            seed=41,
            name="Dra. Yuliana Sari, M.M.",
            position="Sekretaris Badan",
            role=Role.LEARNER,
            work_unit=learners[1].work_unit,
        ),
    ]
    participants = learners[: len(PROJECTS) + 1]
    enrollments = []
    for n, learner in enumerate(participants):
        enrollment = Enrollment.objects.filter(user=learner, course=run).first() or enrollment_create(
            user=learner, course=run, source=EnrollmentSource.ADMIN, enrolled_by=administrator
        )
        enrollments.append(enrollment)
        mentor = mentors[n % len(mentors)]
        guide_assign(enrollment=enrollment, user=instructor, role=GuideRole.COACH, by=administrator)
        guide_assign(enrollment=enrollment, user=mentor, role=GuideRole.MENTOR, by=administrator)
        for person in (instructor, examiner):
            guide_assign(enrollment=enrollment, user=person, role=GuideRole.EXAMINER, by=administrator)

    # The phases already over are behind the participants: their steps done (the modules by the learner, the
    # assignment as the instructor's recorded decision), so the path opens at the workplace phase as it would.
    past = [
        step
        for step in run.get_children().specific()
        if getattr(step, "phase", None) is not None and step.phase.ends_on and step.phase.ends_on < today
    ]
    for enrollment in enrollments:
        for step in past:
            source = ProgressSource.MARKED_DONE if isinstance(step, ModulePage) else ProgressSource.OVERRIDE
            progress_complete(enrollment=enrollment, item=step, source=source, note="Data demo")

    for n, (title, problem) in enumerate(PROJECTS):
        enrollment, learner, mentor = enrollments[n], participants[n], mentors[n % len(mentors)]
        project = project_save_draft(
            enrollment=enrollment,
            by=learner,
            title=title,
            problem=problem,
            objectives="Mempercepat layanan dan membuat kinerjanya terukur.",
            stakeholders="Kepala OPD (mentor), tim efektif, unit layanan, masyarakat pengguna.",
            milestones=_milestones(today, late=n == 1),
        )
        if n == 4:
            continue  # left as a draft
        project_submit(project=project, by=learner)
        if n == 3:
            project_review(
                project=project,
                reviewer=instructor,
                decision=ReviewDecision.RETURN,
                comment="Perjelas indikator keberhasilan tiap tahapan jangka pendek.",
            )
            continue
        project_review(project=project, reviewer=mentor, decision=ReviewDecision.APPROVE)
        if n == 2:
            continue  # waiting for the coach
        project_review(project=project, reviewer=instructor, decision=ReviewDecision.APPROVE)
        # Fetched afresh: the in-memory project still says "submitted" after the reviews.
        first = Milestone.objects.select_related("project").filter(project_id=project.pk).order_by("due_on", "pk")[0]
        logbook_add(
            milestone=first,
            author=learner,
            text="Rapat pembentukan tim efektif bersama 6 staf; rencana kerja disepakati dan ditandatangani mentor.",
        )
        milestone_comment(milestone=first, author=mentor, text="Tim sudah terbentuk, lanjutkan.")
        for person in (mentor, instructor):
            milestone_confirm(milestone=first, by=person)

    seminar = (
        LiveSessionPage.objects.child_of(run).filter(phase__kind=PhaseKind.SEMINAR).order_by("starts_at").first()
        or LiveSessionPage.objects.child_of(run).order_by("-starts_at").first()
    )
    if seminar is not None:
        start = timezone.localtime(seminar.starts_at).replace(hour=9, minute=0, second=0, microsecond=0)
        for n, enrollment in enumerate(enrollments[:3]):
            seminar_slot_set(
                session=seminar,
                enrollment=enrollment,
                starts_at=start + datetime.timedelta(minutes=45 * n),
                room="Ruang Seminar 1",
                by=administrator,
            )
    manual = run.assessment_components.filter(source=ComponentSource.MANUAL).first()
    if manual is not None:
        for n, enrollment in enumerate(enrollments[:2]):
            component_score_enter(
                enrollment=enrollment,
                key=manual.key,
                score=86 + 3 * n,
                note="Penilaian coach dan penyelenggara",
                by=administrator,
            )
    return run
