"""Thin views for H5P scores and state (session + CSRF) and the per-activity report."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from lms.access import user_can_manage_item
from lms.models import ModulePage
from lms.ratelimit import rate_limit_exceeded
from lms.xapi.grants import MAX_ID, XAPIDenial, xapi_grant_get
from lms.xapi.intake import (
    Placement,
    activity_launch_record,
    activity_state_get,
    activity_state_save,
    placement_get,
    statements_record,
)
from lms.xapi.parse import MAX_BATCH, XAPIError, body_load
from lms.xapi.reports import activity_report_csv, activity_report_rows


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _refused(error: XAPIError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status)


DENIALS = {
    XAPIDenial.LOGIN_REQUIRED: (401, "login_required", _lazy("Silakan masuk terlebih dahulu.")),
    XAPIDenial.MODULE_NOT_FOUND: (404, "not_found", _lazy("Modul tidak ditemukan.")),
    XAPIDenial.FORBIDDEN: (403, "forbidden", _lazy("Anda tidak memiliki akses ke aktivitas ini.")),
    XAPIDenial.BLOCK_NOT_FOUND: (404, "not_found", _lazy("Aktivitas tidak ditemukan di modul ini.")),
}


def _resolve(request: HttpRequest, module_id: int, block_id: str):
    """(placement, enrollment id or None, None) or (None, None, error response)."""
    grant = xapi_grant_get(user=request.user, module_id=module_id, block_id=block_id)
    if isinstance(grant, XAPIDenial):
        status, code, message = DENIALS[grant]
        return None, None, _error(status, code, str(message))
    return grant.placement, grant.enrollment_id, None


def _limited(request: HttpRequest) -> bool:
    limit = getattr(settings, "SIGER_XAPI_RATE_LIMIT", 600)
    return rate_limit_exceeded(f"xapi:{request.user.pk}", limit=limit, window_seconds=60)


def _json_body(request: HttpRequest):
    try:
        if request.META.get("CONTENT_LENGTH") or settings.DATA_UPLOAD_MAX_MEMORY_SIZE is None:
            raw = request.body  # Django refuses a declared length over DATA_UPLOAD_MAX_MEMORY_SIZE
        else:
            # No declared length (a chunked body under ASGI): Django's check cannot see the size, and request.body
            # would read all of it into memory. Read one byte past the limit at most.
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            raw = request.read(limit + 1)
            if len(raw) > limit:
                raise RequestDataTooBig
    except RequestDataTooBig:
        raise XAPIError(413, "too_large", _("Kiriman terlalu besar.")) from None
    except RawPostDataException:
        # A form content type (multipart): the CSRF check already parsed the stream as a form.
        raise XAPIError(415, "unsupported_media_type", _("Kirim isi sebagai JSON (application/json).")) from None
    return body_load(raw)


@require_http_methods(["POST"])
def statements(request: HttpRequest, module_id: int, block_id: str) -> JsonResponse:
    """One statement (a JSON object) or a batch (a JSON array) of at most MAX_BATCH."""
    placement, enrollment_id, denied = _resolve(request, module_id, block_id)
    if denied:
        return denied
    if _limited(request):
        return _error(429, "rate_limited", _("Terlalu banyak kiriman; coba lagi sebentar lagi."))
    try:
        result = statements_record(
            user=request.user, placement=placement, payload=_json_body(request), enrollment_id=enrollment_id
        )
    except XAPIError as error:
        return _refused(error)
    return JsonResponse(result.as_dict())


@require_http_methods(["GET", "PUT", "POST"])
def state(request: HttpRequest, module_id: int, block_id: str) -> JsonResponse:
    """The player's saved state. The player asks for it before it runs the content: that is its launch."""
    placement, _enrollment_id, denied = _resolve(request, module_id, block_id)
    if denied:
        return denied
    if request.method == "GET":
        activity_launch_record(user=request.user, placement=placement)
        saved = activity_state_get(user=request.user, placement=placement)
        return JsonResponse({"state": saved, "max_batch": MAX_BATCH})
    if _limited(request):
        return _error(429, "rate_limited", _("Terlalu banyak kiriman; coba lagi sebentar lagi."))
    try:
        payload = _json_body(request)
        if not isinstance(payload, dict) or "state" not in payload:
            raise XAPIError(400, "state_invalid", _("Kirim objek JSON dengan kunci 'state'."))
        activity_state_save(user=request.user, placement=placement, data=payload["state"])
    except XAPIError as error:
        return _refused(error)
    return JsonResponse({"saved": True})


def _report_placement(
    request: HttpRequest, module_id: int, block_id: str
) -> tuple[Placement | None, HttpResponse | None]:
    module = ModulePage.objects.filter(pk=module_id).first() if module_id <= MAX_ID else None
    if module is None or not request.user.is_authenticated:
        return None, HttpResponse(status=404 if module is None else 403)
    if not user_can_manage_item(request.user, module):
        return None, HttpResponse(_("Hanya pengajar pelatihan ini yang dapat melihat laporan."), status=403)
    placement = placement_get(module=module, block_id=block_id)
    if placement is None:
        return None, HttpResponse(status=404)
    return placement, None


@require_GET
def activity_report(request: HttpRequest, module_id: int, block_id: str) -> HttpResponse:
    placement, denied = _report_placement(request, module_id, block_id)
    if denied:
        return denied
    return TemplateResponse(
        request,
        "content/activity_report.html",
        {"placement": placement, "rows": activity_report_rows(placement=placement), "page": placement.module},
    )


@require_GET
def activity_report_download(request: HttpRequest, module_id: int, block_id: str) -> HttpResponse:
    placement, denied = _report_placement(request, module_id, block_id)
    if denied:
        return denied
    response = HttpResponse(activity_report_csv(placement=placement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="laporan-aktivitas-{module_id}-{block_id[:8]}.csv"'
    return response
