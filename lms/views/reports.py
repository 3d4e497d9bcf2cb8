"""Agency reports."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.access import user_can_view_agency_reports
from lms.competence.selectors import work_unit_jp_report
from lms.exports import table_response
from lms.views.errors import forbidden


@login_required
def work_unit_report(request: HttpRequest) -> HttpResponse:
    """JP per OPD this year (or ?tahun=YYYY), as a page or, with ?format=csv, a spreadsheet."""
    if not user_can_view_agency_reports(request.user):
        return forbidden(request, _("Laporan ini hanya untuk administrator."))
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("tahun", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year)
    target = settings.SIGER_JP_TARGET_PER_YEAR
    rows = work_unit_jp_report(year=year, jp_target=target)
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_response(
            filename=f"jp-per-opd-{year}",
            header=[_("Unit kerja (OPD)"), _("ASN"), _("Mencapai target"), _("Persen"), _("Rata-rata JP")],
            rows=([r.name, r.members, r.reached_target, r.percent_reached, r.average_jp] for r in rows),
            fmt=request.GET["format"],
            title=_("JP per OPD"),
        )
    return TemplateResponse(
        request,
        "lms/work_unit_report.html",
        {
            "rows": rows,
            "year": year,
            "target": target,
            "years": range(this_year, this_year - 5, -1),
        },
    )
