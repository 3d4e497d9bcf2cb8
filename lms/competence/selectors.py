"""Reads of the competence ledger that cross people and OPDs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lms.competence.compliance import compliance_units


@dataclass
class WorkUnitJp:
    name: str
    members: int
    reached_target: int
    total_jp: Decimal

    @property
    def average_jp(self) -> Decimal:
        return (self.total_jp / self.members).quantize(Decimal("0.1")) if self.members else Decimal("0.0")

    @property
    def percent_reached(self) -> int:
        return round(100 * self.reached_target / self.members) if self.members else 0


def work_unit_jp_report(*, year: int, jp_target: int | None = None) -> list[WorkUnitJp]:
    """Per OPD: how many ASN, how many reached their JP target, their JP in all: the compliance report
    (lms.competence.compliance, where the history rule and the PNS/PPPK targets live) in the shape of the
    /laporan/opd/ download. `jp_target` is ignored: the targets are settings (PNS and PPPK differ)."""
    units, _province = compliance_units(year=year)
    rows = (WorkUnitJp(name=u.name, members=u.asn, reached_target=u.reached, total_jp=u.total_jp) for u in units)
    return sorted(rows, key=lambda r: (r.percent_reached, r.name))
