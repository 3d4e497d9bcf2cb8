"""JP compliance per OPD and the IP ASN competence estimate: pages and spreadsheet downloads (thin views)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lms.access import user_can_view_agency_reports, user_can_view_unit_compliance, user_unit_scope
from lms.competence.compliance import (
    PERSON_ORDERS,
    compliance_order,
    compliance_people,
    compliance_units,
    compliance_years,
)
from lms.competence.estimate import estimate_for, estimate_people, estimate_units
from lms.competence.jp import jp_targets
from lms.exports import FORMATS, table_response
from lms.models import EmployeeType, WorkUnit
from lms.views.errors import forbidden

PER_PAGE = 50


def _year(request: HttpRequest) -> tuple[int, list[int]]:
    """?tahun= among the years offered; anything else is this year."""
    years = compliance_years()
    try:
        year = int(request.GET.get("tahun", years[0]))
    except ValueError:
        year = years[0]
    return (year if year in years else years[0]), years


def _number(value: Decimal) -> int | float:
    """A JP figure as a spreadsheet number (lms.exports writes a Decimal as text)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _person_row(person, unit_name: str, estimate=None) -> list:
    row = [
        unit_name,
        person.name,
        person.nip,
        EmployeeType(person.employee_type).label if person.employee_type in EmployeeType.values else "",
        person.period[0],
        person.period[1],
        _number(person.jp),
        person.target,
        _number(person.shortfall),
        _("Tercapai") if person.reached else _("Belum"),
    ]
    if estimate is not None:
        row.append(_number(estimate.points))
    return row


def _person_header() -> list[str]:
    return [
        _("Unit kerja (OPD)"),
        _("Nama"),
        _("NIP"),
        _("Jenis ASN"),
        _("Periode mulai"),
        _("Periode akhir"),
        _("JP"),
        _("Target JP"),
        _("Kurang JP"),
        _("Status"),
    ]


@require_GET
@login_required
def compliance_province(request: HttpRequest) -> HttpResponse:
    """Every OPD's compliance with the JP target in a year, and the province total (BPSDM)."""
    if not user_can_view_agency_reports(request.user):
        scope = user_unit_scope(request.user, "head", "verifier")
        if scope:  # an OPD head or verifier is sent to their own OPD
            return redirect("competence:compliance_unit", unit_id=min(scope))
        return forbidden(request, _("Laporan kepatuhan seluruh OPD hanya untuk administrator BPSDM."))
    year, years = _year(request)
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        people = compliance_people(year=year)
        if request.GET.get("isi") == "opd":
            units, province = compliance_units(year=year, people=people)
            return table_response(
                filename=f"kepatuhan-jp-opd-{year}",
                header=[_("Unit kerja (OPD)"), _("ASN"), _("Mencapai target"), _("Persen"), _("Median JP")],
                rows=[
                    *([u.name, u.asn, u.reached, _number(u.share), _number(u.median_jp)] for u in units),
                    [
                        _("Provinsi"),
                        province.asn,
                        province.reached,
                        _number(province.share),
                        _number(province.median_jp),
                    ],
                ],
                fmt=fmt,
                title=_("Kepatuhan JP per OPD"),
            )
        names = dict(WorkUnit.objects.values_list("pk", "name"))
        people.sort(key=lambda p: (names.get(p.unit_id, ""), p.name))
        return table_response(
            filename=f"kepatuhan-jp-asn-{year}",
            header=_person_header(),
            rows=(_person_row(p, names.get(p.unit_id, "–")) for p in people),
            fmt=fmt,
            title=_("Kepatuhan JP per ASN"),
        )
    units, province = compliance_units(year=year)
    return TemplateResponse(
        request,
        "competence/compliance_province.html",
        {"units": units, "province": province, "year": year, "years": years, "targets": jp_targets()},
    )


@require_GET
@login_required
def compliance_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One OPD's people in a year: who reached the target, who is behind and by how much (sortable)."""
    if not user_can_view_unit_compliance(request.user, unit_id):
        return forbidden(request, _("Laporan OPD ini hanya untuk BPSDM serta kepala dan verifikator OPD tersebut."))
    unit = WorkUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("OPD tidak ditemukan."))
    year, years = _year(request)
    people = compliance_people(year=year, unit_id=unit.pk)
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        estimates = estimate_people(year=year, people=people)
        return table_response(
            filename=f"kepatuhan-jp-{unit.pk}-{year}",
            header=[*_person_header(), _("Estimasi IP ASN kompetensi")],
            rows=(_person_row(p, unit.name, estimates[p.user_id]) for p in compliance_order(people, order="nama")),
            fmt=fmt,
            title=_("Kepatuhan JP"),
        )
    units, summary = compliance_units(year=year, people=people)
    order = request.GET.get("urut", "kurang")
    order = order if order in PERSON_ORDERS else "kurang"
    show_all = request.GET.get("tampil") == "semua"
    listed = compliance_order(people if show_all else [p for p in people if not p.reached], order=order)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("halaman"))
    # The estimate of the people on this page only: the OPD's average is on the estimate page (and in the
    # download), which keeps a page of an OPD of thousands quick.
    estimates = estimate_people(year=year, people=list(page.object_list))
    rows = [(person, estimates[person.user_id]) for person in page.object_list]
    return TemplateResponse(
        request,
        "competence/compliance_unit.html",
        {
            "unit": unit,
            "summary": summary,
            "rows": rows,
            "page": page,
            "order": order,
            "show_all": show_all,
            "year": year,
            "years": years,
            "targets": jp_targets(),
            "province_view": user_can_view_agency_reports(request.user),
        },
    )


@require_GET
@login_required
def estimate_province(request: HttpRequest) -> HttpResponse:
    """The average IP ASN competence estimate per OPD and for the province, against the 2023 score."""
    if not user_can_view_agency_reports(request.user):
        return forbidden(request, _("Estimasi IP ASN seluruh OPD hanya untuk administrator BPSDM."))
    year, years = _year(request)
    units, province = estimate_units(year=year)
    if request.GET.get("format") in FORMATS:
        return table_response(
            filename=f"estimasi-ip-asn-kompetensi-{year}",
            header=[_("Unit kerja (OPD)"), _("ASN"), _("Rata-rata estimasi (dari 40)"), _("Selisih dengan 2023")],
            rows=[
                *([u.name, u.asn, _number(u.average), _number(u.difference)] for u in units),
                [_("Provinsi"), province.asn, _number(province.average), _number(province.difference)],
            ],
            fmt=request.GET["format"],
            title=_("Estimasi IP ASN"),
        )
    return TemplateResponse(
        request,
        "competence/estimate_province.html",
        {"units": units, "province": province, "year": year, "years": years},
    )


@require_GET
@login_required
def estimate_mine(request: HttpRequest) -> HttpResponse:
    """A person's own IP ASN competence estimate and what would raise it next."""
    year = timezone.localdate().year
    estimate = estimate_for(user=request.user, year=year)
    return TemplateResponse(request, "competence/estimate_mine.html", {"estimate": estimate, "year": year})
