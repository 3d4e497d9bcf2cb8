"""The SIASN training-history export: administrators for every OPD, OPD heads and verifiers for their own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lms.access import user_unit_scope
from lms.competence.forms import SiasnExportForm
from lms.competence.siasn import siasn_entries, siasn_table
from lms.exports import table_response
from lms.models import WorkUnit
from lms.views.errors import forbidden

PREVIEW_ROWS = 20


@login_required
@require_GET
def siasn_export(request: HttpRequest) -> HttpResponse:
    scope = user_unit_scope(request.user, "head", "verifier")
    if scope is not None and not scope:
        return forbidden(request, _("Ekspor SIASN untuk administrator BPSDM serta kepala dan verifikator OPD."))
    units = WorkUnit.objects.all() if scope is None else WorkUnit.objects.filter(pk__in=scope)
    form = SiasnExportForm(
        request.GET or None, work_units=list(units.values_list("pk", "name")), all_allowed=scope is None
    )
    context = {"form": form, "preview": None}
    if not request.GET:
        return TemplateResponse(request, "competence/siasn_export.html", context)
    if not form.is_valid():
        return TemplateResponse(request, "competence/siasn_export.html", context, status=400)
    data = form.cleaned_data
    chosen = data["work_unit"]
    work_unit_ids = {chosen} if chosen is not None else scope
    entries = siasn_entries(work_unit_ids=work_unit_ids, start=data["start"], end=data["end"])
    try:
        header, rows = siasn_table(entries)
    except ValueError as error:
        form.add_error(None, str(error))
        return TemplateResponse(request, "competence/siasn_export.html", context, status=400)
    if data["format"]:
        return table_response(
            filename="riwayat-diklat-siasn", header=header, rows=rows, fmt=data["format"], title="Riwayat diklat"
        )
    context["preview"] = {"header": header, "rows": [row for row, _i in zip(rows, range(PREVIEW_ROWS), strict=False)]}
    context["total"] = entries.count()
    context["query"] = request.GET.urlencode()
    return TemplateResponse(request, "competence/siasn_export.html", context)
