"""Certificates: the printable certificate, its public verification page, and revocation."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.access import user_can_revoke_certificate, user_can_view_certificate
from lms.models import Certificate
from lms.selectors import certificate_get_by_code
from lms.services import CertificateError, certificate_revoke


def _certificate_for(request: HttpRequest, code: str) -> Certificate:
    """The certificate if this user may see it; otherwise 404, so that nobody learns which codes exist."""
    certificate = certificate_get_by_code(code=code)
    if certificate is None or not user_can_view_certificate(request.user, certificate):
        raise Http404
    return certificate


def _verification_qr(request: HttpRequest, certificate: Certificate) -> tuple[str, str]:
    url = request.build_absolute_uri(reverse("lms:certificate_verify", args=[certificate.code]))
    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=6).to_string(encoding="unicode")
    return url, svg


@login_required
@require_GET
def certificate_detail(request: HttpRequest, code: str) -> TemplateResponse:
    certificate = _certificate_for(request, code)
    verify_url, qr_svg = _verification_qr(request, certificate)
    return TemplateResponse(
        request,
        "lms/certificate.html",
        {"certificate": certificate, "verify_url": verify_url, "qr_svg": qr_svg},
    )


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> TemplateResponse:
    """Public: whoever holds a printed certificate checks it here. Shows only what the certificate attests."""
    certificate = certificate_get_by_code(code=code)
    if certificate is None:
        raise Http404
    response = TemplateResponse(request, "lms/certificate_verify.html", {"certificate": certificate})
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def certificate_revoke_view(request: HttpRequest, code: str) -> HttpResponse:
    certificate = _certificate_for(request, code)
    if not user_can_revoke_certificate(request.user, certificate):
        return HttpResponseForbidden(
            _("Hanya pengajar pelatihan ini dan administrator yang dapat mencabut sertifikat.")
        )
    try:
        certificate_revoke(certificate=certificate, by=request.user, reason=request.POST.get("alasan", ""))
    except CertificateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sertifikat %(number)s dicabut.") % {"number": certificate.number})
    course = certificate.enrollment.course
    return redirect(course.url + course.reverse_subpage("manage"))
