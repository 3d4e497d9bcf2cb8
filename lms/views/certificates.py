"""Certificates: the printable certificate and its PDF, a course's certificates as one ZIP, the public verification
page, and revocation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.access import user_can_manage_course, user_can_revoke_certificate, user_can_view_certificate
from lms.certificates.selectors import course_certificates_valid
from lms.certificates.services import certificate_pdf_ensure, certificate_pdf_filename, certificates_zip_build
from lms.cohorts.selectors import course_class_get
from lms.files import PDF_TYPE, stored_file_response
from lms.models import Certificate, CoursePage
from lms.qr import qr_svg
from lms.selectors import certificate_get_by_code
from lms.services import CertificateError, certificate_revoke
from lms.views.errors import forbidden


def _certificate_for(request: HttpRequest, code: str) -> Certificate:
    """The certificate if this user may see it; otherwise 404, so that nobody learns which codes exist."""
    certificate = certificate_get_by_code(code=code)
    if certificate is None or not user_can_view_certificate(request.user, certificate):
        raise Http404
    return certificate


def _verification_qr(request: HttpRequest, certificate: Certificate) -> tuple[str, str]:
    url = request.build_absolute_uri(reverse("lms:certificate_verify", args=[certificate.code]))
    svg = qr_svg(url, scale=6)
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


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The certificate as a PDF download, for whoever may see the certificate (made once, then served as stored)."""
    certificate = certificate_pdf_ensure(certificate=_certificate_for(request, code))
    if not certificate.pdf.storage.exists(certificate.pdf.name):
        certificate = certificate_pdf_ensure(certificate=certificate, remake=True)  # lost from storage
    return stored_file_response(
        stored=certificate.pdf, filename=certificate_pdf_filename(certificate), content_type=PDF_TYPE
    )


@login_required
@require_GET
def course_certificates_zip(request: HttpRequest, course_id: int) -> HttpResponse:
    """Every valid certificate of a course (or of one class, ?kelas=) as one ZIP, for those who manage it."""
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404
    if not user_can_manage_course(request.user, course):
        return forbidden(
            request, _("Hanya pengajar pelatihan ini dan administrator yang dapat membuka halaman ini."), page=course
        )
    course_class = course_class_get(course=course, class_id=request.GET.get("kelas"))
    certificates = course_certificates_valid(course=course, course_class=course_class)
    manage_url = course.url + course.reverse_subpage("manage")
    if not certificates:
        messages.info(request, _("Belum ada sertifikat yang sah untuk diunduh."))
        return redirect(manage_url)
    archive = certificates_zip_build(certificates=certificates)
    name = f"sertifikat-{course.slug}" + (f"-kelas-{course_class.pk}" if course_class else "")
    response = FileResponse(archive, as_attachment=True, filename=f"{name}.zip", content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
