"""Coaches, mentors and examiners: the run manager's assignment page and import, the guide's own list of
participants, and a participant's record page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lms.access import user_can_run_programme, user_can_view_participant, user_guide_roles
from lms.models import CoursePage, Enrollment, User
from lms.nip import nip_normalize
from lms.programmes.guides import (
    ERROR,
    MAX_UPLOAD_BYTES,
    GuideError,
    course_guide_rows,
    guide_assign,
    guide_end,
    guide_import_apply,
    guide_import_create,
    guide_import_fingerprint,
    guide_import_validate,
    guided_participants,
    participant_guides,
)
from lms.programmes.models import GuideImport, GuideImportStatus, GuideRole, ParticipantGuide
from lms.programmes.views.common import manager_refused
from lms.programmes.views.common import run_course as _course

DENIED = gettext_lazy("Hanya pengelola pelatihan ini yang dapat mengatur coach, mentor dan penguji.")


class GuideAssignForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    nip = forms.CharField(label=gettext_lazy("NIP"), max_length=40)
    role = forms.ChoiceField(label=gettext_lazy("Peran"), choices=GuideRole.choices)


class GuideImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas CSV atau XLSX"),
        help_text=gettext_lazy(
            "Kolom: NIP (peserta), NIP Coach, NIP Mentor, NIP Penguji (opsional; beberapa dipisah titik koma)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (maksimal 2 MB)."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Hanya berkas .csv atau .xlsx."))
        return upload


def _denied(request: HttpRequest, course: CoursePage) -> HttpResponse | None:
    return manager_refused(request, course, DENIED)


def _page(request: HttpRequest, course: CoursePage, *, import_form=None, status: int = 200) -> HttpResponse:
    context = {
        "course": course,
        "rows": course_guide_rows(course=course),
        "roles": GuideRole.choices,
        "import_form": import_form or GuideImportForm(),
    }
    return TemplateResponse(request, "programmes/guides.html", context, status=status)


@require_GET
def guides(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _denied(request, course):
        return denied
    return _page(request, course)


@require_POST
def guide_assign_view(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _denied(request, course):
        return denied
    target = reverse("programmes:guides", args=[course.pk])
    form = GuideAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih peserta, isi NIP dan peran."))
        return redirect(target)
    enrollment = Enrollment.objects.filter(pk=form.cleaned_data["enrollment"], course=course).first()
    user = User.objects.filter(nip=nip_normalize(form.cleaned_data["nip"])).first()
    if enrollment is None:
        messages.error(request, _("Peserta tidak terdaftar di pelatihan ini."))
    elif user is None:
        messages.error(request, _("NIP %(nip)s tidak dikenal.") % {"nip": form.cleaned_data["nip"]})
    else:
        try:
            guide = guide_assign(enrollment=enrollment, user=user, role=form.cleaned_data["role"], by=request.user)
        except GuideError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s ditetapkan sebagai %(role)s untuk %(participant)s.")
                % {
                    "name": user.get_full_name(),
                    "role": guide.get_role_display(),
                    "participant": enrollment.user.get_full_name(),
                },
            )
    return redirect(target)


@require_POST
def guide_end_view(request: HttpRequest, guide_id: int) -> HttpResponse:
    guide = ParticipantGuide.objects.select_related("enrollment__course", "user").filter(pk=guide_id).first()
    if guide is None:
        raise Http404
    course = guide.enrollment.course
    if denied := _denied(request, course):
        return denied
    guide_end(guide=guide, by=request.user)
    messages.success(
        request, _("Penugasan %(role)s %(name)s diakhiri.") % {"role": guide.get_role_display(), "name": guide.user}
    )
    return redirect("programmes:guides", course.pk)


@require_POST
def guide_import(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _denied(request, course):
        return denied
    form = GuideImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            guide_import_obj = guide_import_create(
                course=course, data=upload.read(), filename=upload.name, by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("programmes:guide_import_preview", course.pk, guide_import_obj.pk)
    return _page(request, course, import_form=form, status=400)


def _import(course: CoursePage, import_id: int) -> GuideImport:
    guide_import_obj = GuideImport.objects.filter(pk=import_id, course=course).first()
    if guide_import_obj is None:
        raise Http404
    return guide_import_obj


def _preview(request: HttpRequest, course: CoursePage, guide_import_obj: GuideImport, status: int = 200):
    results = guide_import_obj.rows
    fingerprint = ""
    if guide_import_obj.status == GuideImportStatus.PREVIEWED:
        raw = [{k: r[k] for k in ("row", "participant", "coach", "mentor", "examiners")} for r in results]
        results = guide_import_validate(course=course, rows=raw)
        fingerprint = guide_import_fingerprint(results)
    context = {
        "course": course,
        "guide_import": guide_import_obj,
        "results": results,
        "fingerprint": fingerprint,
        "errors": sum(r["status"] == ERROR for r in results),
        "changes": sum(len(r["changes"]) for r in results),
        "can_apply": bool(fingerprint) and not any(r["status"] == ERROR for r in results),
    }
    return TemplateResponse(request, "programmes/guides_import.html", context, status=status)


@require_GET
def guide_import_preview(request: HttpRequest, course_id: int, import_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _denied(request, course):
        return denied
    return _preview(request, course, _import(course, import_id))


@require_POST
def guide_import_apply_view(request: HttpRequest, course_id: int, import_id: int) -> HttpResponse:
    course = _course(course_id)
    if denied := _denied(request, course):
        return denied
    guide_import_obj = _import(course, import_id)
    try:
        counts = guide_import_apply(
            guide_import=guide_import_obj, by=request.user, fingerprint=request.POST.get("fingerprint", "")[:64]
        )
    except GuideError as error:
        messages.error(request, error.message)
        return _preview(request, course, guide_import_obj, status=409)
    messages.success(request, _("Impor diterapkan: %(changes)s penugasan baru atau berganti.") % counts)
    return redirect("programmes:guides", course.pk)


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """ "Peserta bimbingan saya": the participants one coaches, mentors or examines, by course. Light on purpose:
    mentors are often outside BPSDM and open it on a phone."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    courses: dict[int, dict] = {}
    for row in guided_participants(user=request.user):
        course = row.enrollment.course
        courses.setdefault(course.pk, {"course": course, "rows": []})["rows"].append(row)
    return TemplateResponse(request, "programmes/mine.html", {"courses": list(courses.values())})


@require_GET
def participant(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enrollment = Enrollment.objects.select_related("user__work_unit", "course").filter(pk=enrollment_id).first()
    if enrollment is None or not user_can_view_participant(request.user, enrollment):
        # 404 rather than 403: whether a record exists is not for others to learn.
        raise Http404
    context = {
        "enrollment": enrollment,
        "course": enrollment.course,
        "guides": participant_guides(enrollment=enrollment),
        "my_roles": sorted(user_guide_roles(request.user, enrollment)),
        "can_run": user_can_run_programme(request.user, enrollment.course),
    }
    return TemplateResponse(request, "programmes/participant.html", context)


# Paths under /program/..., names in the "programmes" namespace.
urlpatterns: list = [
    path("program/<int:course_id>/pembimbing/", guides, name="guides"),
    path("program/<int:course_id>/pembimbing/tetapkan/", guide_assign_view, name="guide_assign"),
    path("program/pembimbing/<int:guide_id>/akhiri/", guide_end_view, name="guide_end"),
    path("program/<int:course_id>/pembimbing/impor/", guide_import, name="guide_import"),
    path(
        "program/<int:course_id>/pembimbing/impor/<int:import_id>/",
        guide_import_preview,
        name="guide_import_preview",
    ),
    path(
        "program/<int:course_id>/pembimbing/impor/<int:import_id>/terapkan/",
        guide_import_apply_view,
        name="guide_import_apply",
    ),
    path("program/bimbingan/", mine, name="mine"),
    path("program/peserta/<int:enrollment_id>/", participant, name="participant"),
]
