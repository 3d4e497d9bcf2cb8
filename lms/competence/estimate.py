"""An estimate of the IP ASN competence dimension (of 40) from the ledger (issue 9, point 4). Reads only.

PermenPANRB 38/2018 scores competence from the person's development history; the points per component and
position kind are the CompetencePointRule table (defaults in migration 0006, marked unconfirmed). An estimate,
not BKN's figure: BKN reads SIASN, which lacks much of what the ledger holds.

The year's estimate is taken on 31 December of the year (the day the index looks back from), counting what is
recorded so far; "the last 12 months" is therefore that calendar year. Which ledger entries count for what:
- Level training ("diklat kepemimpinan/fungsional sesuai jenjang"), at any time up to that day, net of
  reversals: a Siger course of the programme fit for the position group (LEVEL_PROGRAMMES), or learning recorded
  outside a Siger course of form "pelatihan" whose title names that programme (LEVEL_KEYWORDS). For pelaksana
  the level training is Latsar; PermenPANRB gives pelaksana no points for it (the default rule is 0 points).
- Technical training of at least TECHNICAL_MIN_JP JP in the year: the JP of forms TECHNICAL_FORMS, level,
  basic and seminar programmes excepted (a PKA is a leadership training, not a technical one).
- Seminar/workshop: any JP left in the year of forms SEMINAR_FORMS (a webinar is how Siger's seminar
  programme runs, so it counts).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.competence.compliance import PersonYear, compliance_people
from lms.competence.jp import ZERO, jp_sums, year_bounds
from lms.competence.models import (
    CompetencePointRule,
    LearningForm,
    PointComponent,
    PointPositionKind,
    PositionGroup,
)
from lms.models import Programme, WorkUnit

MAX_POINTS = Decimal("40")
TECHNICAL_MIN_JP = Decimal("20")
TECHNICAL_FORMS = (
    LearningForm.TRAINING,
    LearningForm.COURSE,
    LearningForm.TECHNICAL_GUIDANCE,
    LearningForm.ELEARNING,
    LearningForm.DISTANCE,
)
SEMINAR_FORMS = (LearningForm.SEMINAR, LearningForm.WORKSHOP, LearningForm.WEBINAR)
# Siger programmes that are not technical training, whatever their form.
NOT_TECHNICAL_PROGRAMMES = (
    Programme.LATSAR,
    Programme.PKA,
    Programme.PKP,
    Programme.PKN2,
    Programme.FUNCTIONAL,
    Programme.SEMINAR,
)
LEVEL_PROGRAMMES: dict[str, str] = {
    PositionGroup.JPT: Programme.PKN2,
    PositionGroup.ADMINISTRATOR: Programme.PKA,
    PositionGroup.SUPERVISOR: Programme.PKP,
    PositionGroup.FUNCTIONAL: Programme.FUNCTIONAL,
    PositionGroup.EXECUTOR: Programme.LATSAR,
}
# Title words that make learning recorded outside Siger a level training (case-insensitive).
LEVEL_KEYWORDS: dict[str, tuple[str, ...]] = {
    PositionGroup.JPT: ("PKN", "Kepemimpinan Nasional"),
    PositionGroup.ADMINISTRATOR: ("PKA", "Kepemimpinan Administrator"),
    PositionGroup.SUPERVISOR: ("PKP", "Kepemimpinan Pengawas"),
    PositionGroup.FUNCTIONAL: ("Fungsional",),
    PositionGroup.EXECUTOR: ("Latsar", "Pelatihan Dasar"),
}
# Used when the table lacks a row (the table is seeded by migration 0006).
DEFAULT_POINTS: dict[tuple[str, str], Decimal] = {
    (PointPositionKind.STRUCTURAL_FUNCTIONAL, PointComponent.LEVEL_TRAINING): Decimal("15"),
    (PointPositionKind.STRUCTURAL_FUNCTIONAL, PointComponent.TECHNICAL_20JP): Decimal("15"),
    (PointPositionKind.STRUCTURAL_FUNCTIONAL, PointComponent.SEMINAR): Decimal("10"),
    (PointPositionKind.EXECUTOR, PointComponent.LEVEL_TRAINING): Decimal("0"),
    (PointPositionKind.EXECUTOR, PointComponent.TECHNICAL_20JP): Decimal("25"),
    (PointPositionKind.EXECUTOR, PointComponent.SEMINAR): Decimal("15"),
}


def position_kind(position_group: str) -> str:
    return (
        PointPositionKind.EXECUTOR
        if position_group == PositionGroup.EXECUTOR
        else PointPositionKind.STRUCTURAL_FUNCTIONAL
    )


def point_rules() -> dict[tuple[str, str], Decimal]:
    rules = dict(DEFAULT_POINTS)
    rules.update({(r.position_kind, r.component): r.points for r in CompetencePointRule.objects.all()})
    return rules


@dataclass
class Suggestion:
    component: str
    text: str
    points: Decimal


@dataclass
class Estimate:
    user_id: int
    position_group: str
    level_training: bool
    technical_jp: Decimal
    seminar: bool
    points: Decimal
    components: dict[str, Decimal]
    year: int
    rules: dict[tuple[str, str], Decimal] = field(repr=False)

    @cached_property
    def suggestions(self) -> list[Suggestion]:
        """What would raise the estimate, the most points first (at equal points the nearer step: technical
        JP, then a seminar, then a level training). Built on demand: a list of thousands needs only points."""
        kind = position_kind(self.position_group)
        deadline = _("31 Desember %(year)s") % {"year": self.year}
        steps = []
        if not self.technical_jp >= TECHNICAL_MIN_JP:
            missing = TECHNICAL_MIN_JP - max(self.technical_jp, ZERO)
            text = _("%(jp)s JP pelatihan teknis lagi sebelum %(deadline)s") % {
                "jp": _jp_text(missing),
                "deadline": deadline,
            }
            steps.append(
                Suggestion(
                    PointComponent.TECHNICAL_20JP, text, self.rules.get((kind, PointComponent.TECHNICAL_20JP), ZERO)
                )
            )
        if not self.seminar:
            text = _("Ikuti satu seminar, workshop atau webinar sebelum %(deadline)s") % {"deadline": deadline}
            steps.append(Suggestion(PointComponent.SEMINAR, text, self.rules.get((kind, PointComponent.SEMINAR), ZERO)))
        if not self.level_training:
            text = _("Ikuti %(programme)s, pelatihan sesuai jenjang jabatan Anda") % {
                "programme": Programme(LEVEL_PROGRAMMES[self.position_group]).label
            }
            steps.append(
                Suggestion(
                    PointComponent.LEVEL_TRAINING, text, self.rules.get((kind, PointComponent.LEVEL_TRAINING), ZERO)
                )
            )
        return sorted((step for step in steps if step.points > 0), key=lambda step: -step.points)

    @property
    def next_step(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None


@dataclass
class _Facts:
    technical_jp: Decimal = ZERO
    seminar_jp: Decimal = ZERO
    level_jp: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


def _keyword_q(group: str) -> Q:
    q = Q()
    for word in LEVEL_KEYWORDS[group]:
        q |= Q(title__icontains=word)
    return Q(form=LearningForm.TRAINING, enrollment__isnull=True) & q


def _facts(*, year: int, user_ids: Iterable[int] | None) -> dict[int, _Facts]:
    start, end = year_bounds(year)
    in_year = Q(ends_on__gte=start, ends_on__lte=end)
    facts: dict[int, _Facts] = defaultdict(_Facts)
    kinds = {
        "technical": in_year & Q(form__in=TECHNICAL_FORMS),
        "seminar": in_year & Q(form__in=SEMINAR_FORMS),
    }
    any_level = Q()
    for group in LEVEL_KEYWORDS:
        kinds[f"kw_{group}"] = _keyword_q(group)
        any_level |= _keyword_q(group)
    kinds["level_in_year"] = any_level & in_year
    for user_id, sums in jp_sums(kinds=kinds, end=end, user_ids=user_ids).items():
        person = facts[user_id]
        person.technical_jp += sums["technical"]
        person.seminar_jp += sums["seminar"]
        # Level training recorded outside Siger is not technical training.
        person.technical_jp -= sums["level_in_year"]
        for group in LEVEL_KEYWORDS:
            person.level_jp[group] += sums[f"kw_{group}"]
    # Siger courses: the programme decides (level training, or not technical at all).
    group_of_programme = {programme: group for group, programme in LEVEL_PROGRAMMES.items()}
    course_kinds = {}
    for programme in NOT_TECHNICAL_PROGRAMMES:
        of_programme = Q(enrollment__course__programme=programme)
        course_kinds[f"all_{programme}"] = of_programme
        course_kinds[f"technical_{programme}"] = of_programme & in_year & Q(form__in=TECHNICAL_FORMS)
    course_sums = jp_sums(
        kinds=course_kinds,
        end=end,
        user_ids=user_ids,
        within=Q(enrollment__course__programme__in=NOT_TECHNICAL_PROGRAMMES),
    )
    for user_id, sums in course_sums.items():
        person = facts[user_id]
        for programme in NOT_TECHNICAL_PROGRAMMES:
            person.technical_jp -= sums[f"technical_{programme}"]
            group = group_of_programme.get(programme)
            if group is not None:
                person.level_jp[group] += sums[f"all_{programme}"]
    return facts


def _estimate(
    *, user_id: int, position_group: str, facts: _Facts, rules: dict[tuple[str, str], Decimal], year: int
) -> Estimate:
    kind = position_kind(position_group)
    met = {
        PointComponent.LEVEL_TRAINING: facts.level_jp[position_group] > 0,
        PointComponent.TECHNICAL_20JP: facts.technical_jp >= TECHNICAL_MIN_JP,
        PointComponent.SEMINAR: facts.seminar_jp > 0,
    }
    components = {c: (rules.get((kind, c), ZERO) if ok else ZERO) for c, ok in met.items()}
    return Estimate(
        user_id=user_id,
        position_group=position_group,
        level_training=met[PointComponent.LEVEL_TRAINING],
        technical_jp=facts.technical_jp,
        seminar=met[PointComponent.SEMINAR],
        points=min(sum(components.values(), ZERO), MAX_POINTS),
        components=components,
        year=year,
        rules=rules,
    )


def _jp_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def estimate_for(*, user, year: int | None = None) -> Estimate:
    """One person's estimate for a year (this year by default)."""
    year = year or timezone.localdate().year
    profile = getattr(user, "asn_profile", None)
    group = profile.position_group if profile is not None else PositionGroup.EXECUTOR
    facts = _facts(year=year, user_ids=[user.pk]).get(user.pk, _Facts())
    return _estimate(user_id=user.pk, position_group=group, facts=facts, rules=point_rules(), year=year)


def estimate_people(*, year: int, people: list[PersonYear], everyone: bool = False) -> dict[int, Estimate]:
    """Estimates of the people of a compliance report (their position group from it); `everyone` when they
    are the whole province (reads the year's entries rather than a list of ids)."""
    facts = _facts(year=year, user_ids=None if everyone else [p.user_id for p in people])
    rules = point_rules()
    return {
        p.user_id: _estimate(
            user_id=p.user_id,
            position_group=p.position_group,
            facts=facts.get(p.user_id, _Facts()),
            rules=rules,
            year=year,
        )
        for p in people
    }


@dataclass
class UnitEstimate:
    unit_id: int | None
    name: str
    asn: int = 0
    total: Decimal = ZERO

    @property
    def average(self) -> Decimal:
        return (self.total / self.asn).quantize(Decimal("0.01")) if self.asn else Decimal("0.00")

    @property
    def baseline(self) -> Decimal:
        return Decimal(settings.SIGER_IPASN_COMPETENCE_BASELINE)

    @property
    def difference(self) -> Decimal:
        return self.average - self.baseline


def estimate_units(*, year: int, today: datetime.date | None = None) -> tuple[list[UnitEstimate], UnitEstimate]:
    """The average estimate per OPD (people placed as in the compliance report) and for the province."""
    people = compliance_people(year=year, today=today)
    estimates = estimate_people(year=year, people=people, everyone=True)
    names = dict(WorkUnit.objects.values_list("pk", "name"))
    units: dict[int | None, UnitEstimate] = {}
    province = UnitEstimate(unit_id=None, name="")
    for person in people:
        unit = units.get(person.unit_id)
        if unit is None:
            unit = units[person.unit_id] = UnitEstimate(unit_id=person.unit_id, name=names.get(person.unit_id, "–"))
        for row in (unit, province):
            row.asn += 1
            row.total += estimates[person.user_id].points
    return sorted(units.values(), key=lambda u: (u.unit_id is None, u.name)), province
