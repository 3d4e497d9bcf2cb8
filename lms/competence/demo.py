"""Demo data: a year of learning in the ledger, for the demo learners and a few hundred generated ASN in the demo's
OPDs, so that the compliance pages and the IP ASN estimate show something real: some ASN compliant, some behind,
some learning verified and some waiting for the OPD's verifier. Deterministic (seeded) and idempotent: a person who
already has learning in the ledger from the demo is left as they are."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from lms.competence.models import (
    ROUTE_OF_FORM,
    AsnProfile,
    EntrySource,
    EntryStatus,
    LedgerEntry,
    PositionGroup,
    UnitRole,
    UnitRoleKind,
)
from lms.factories import nip_make
from lms.models import EmployeeType, Role, User, WorkUnit

GENERATED_ASN = 300
DEMO_ORGANISER = "Penyelenggara demo"
# (form, title, JP choices)
ACTIVITIES = [
    ("bimtek", "Bimtek Penyusunan Laporan Kinerja", (8, 12, 16)),
    ("pelatihan", "Pelatihan Analisis Kebijakan Publik", (16, 24, 32)),
    ("kursus", "Kursus Pengelolaan Arsip Digital", (6, 10)),
    ("e_learning", "E-learning Literasi Digital ASN", (2, 4, 6)),
    ("webinar", "Webinar Pelayanan Publik Prima", (2, 3)),
    ("seminar", "Seminar Reformasi Birokrasi Daerah", (4, 8)),
    ("workshop", "Workshop Penyusunan SOP", (8,)),
    ("coaching", "Coaching Kinerja oleh Atasan", (2, 4)),
    ("komunitas_belajar", "Komunitas Belajar Pengadaan", (2, 3)),
    ("magang", "Magang di Kementerian PANRB", (16, 24)),
]
FIRST_NAMES = ["Ahmad", "Budi", "Citra", "Dian", "Eka", "Fitri", "Gilang", "Hana", "Indra", "Joko", "Kartika", "Lina"]
LAST_NAMES = ["Pratama", "Wulandari", "Saputra", "Anggraini", "Kurniawan", "Permata", "Hidayat", "Lestari", "Siregar"]
POSITION_GROUPS = [PositionGroup.EXECUTOR] * 5 + [PositionGroup.FUNCTIONAL] * 3 + [PositionGroup.SUPERVISOR] * 2


def _learning(
    rng: random.Random, user: User, *, today: datetime.date, appetite: float, administrator: User
) -> list[LedgerEntry]:
    """About a year of learning for one person; `appetite` 0–1 decides how much (and so who reaches 20 JP)."""
    entries = []
    for _ in range(rng.randint(0, round(2 + 7 * appetite))):
        form, title, choices = rng.choice(ACTIVITIES)
        ends_on = today - datetime.timedelta(days=rng.randrange(0, 365))
        waiting = rng.random() < 0.12 and ends_on > today - datetime.timedelta(days=60)
        entries.append(
            LedgerEntry(
                user=user,
                nip=user.nip,
                work_unit_id=user.work_unit_id,
                employee_type=user.employee_type,
                starts_on=ends_on - datetime.timedelta(days=rng.randint(0, 2)),
                ends_on=ends_on,
                jp=Decimal(rng.choice(choices)),
                route=ROUTE_OF_FORM[form],
                form=form,
                title=title,
                organiser=DEMO_ORGANISER,
                source=EntrySource.SUBMISSION,
                status=EntryStatus.WAITING if waiting else EntryStatus.RECORDED,
                reported_amount=None,
                verified_by=None if waiting else administrator,
                verified_at=None if waiting else timezone.now(),
            )
        )
    return entries


def demo_seed_competence(*, learners: list[User], administrator: User, opds: list[str], seed: int = 2026) -> None:
    """Seed the ledger of the demo learners and of GENERATED_ASN generated ASN (record-only accounts)."""
    today = timezone.localdate()
    units = [WorkUnit.objects.get_or_create(name=name)[0] for name in opds]
    people = list(learners)
    for n in range(GENERATED_ASN):
        rng = random.Random(seed * 1000 + n)
        pppk = n % 6 == 0
        nip = nip_make(seed=50_000 + n) if not pppk else str(199501012023042000 + n)
        user = User.objects.filter(nip=nip).first()
        if user is None:
            user = User(
                nip=nip,
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                employee_type=EmployeeType.PPPK if pppk else EmployeeType.PNS,
                work_unit=units[n % len(units)],
                position="Pelaksana" if not pppk else "Guru Ahli Pertama",
                role=Role.LEARNER,
            )
            user.set_unusable_password()  # a record for the reports; the person has not activated an account
            user.save()
            AsnProfile.objects.get_or_create(
                user=user,
                defaults={
                    "position_group": rng.choice(POSITION_GROUPS),
                    "contract_starts_on": datetime.date(2023, 4, 1) if pppk else None,
                },
            )
        people.append(user)
    for learner in learners:
        # The demo learners lead a section (Kepala Bidang/Bagian): supervisors or administrators.
        group = PositionGroup.ADMINISTRATOR if (learner.rank or "").startswith("IV") else PositionGroup.SUPERVISOR
        AsnProfile.objects.get_or_create(user=learner, defaults={"position_group": group})
    if len(learners) > 1 and learners[1].work_unit_id:
        # An OPD head for the demo: the second learner sees their OPD's compliance page.
        UnitRole.objects.get_or_create(
            user=learners[1],
            work_unit_id=learners[1].work_unit_id,
            kind=UnitRoleKind.HEAD,
            defaults={"granted_by": administrator},
        )
    already = set(
        LedgerEntry.objects.filter(organiser=DEMO_ORGANISER, user__in=people).values_list("user_id", flat=True)
    )
    entries = []
    for n, person in enumerate(people):  # the demo learners first, in their order
        if person.pk in already:
            continue
        rng = random.Random(seed * 7919 + n)
        appetite = (0.9 if n % 3 else 0.3) if n < len(learners) else rng.random()
        entries += _learning(rng, person, today=today, appetite=appetite, administrator=administrator)
    LedgerEntry.objects.bulk_create(entries, batch_size=500)
