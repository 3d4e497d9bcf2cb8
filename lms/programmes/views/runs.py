"""Programme runs: "Buat angkatan dari templat", an administrators' view inside the Wagtail admin (its URL is
registered by lms.programmes.wagtail_hooks, under /admin/, so Wagtail's admin login and access check come first)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateInput

from lms.access import user_can_create_programme_run
from lms.models import CourseIndexPage
from lms.programmes.models import ProgrammeTemplate
from lms.programmes.runs import RunError, programme_run_create
from lms.views.errors import forbidden

DENIED = gettext_lazy("Hanya administrator yang dapat membuat angkatan dari templat program.")

# Which form field a RunError is shown on (by its code); others above the form.
ERROR_FIELDS = {
    "title": "title",
    "duplicate": "title",
    "batch": "batch",
    "starts_on": "starts_on",
    "parent": "parent",
    "template": "template",
}

# Paths under /program/..., names in the "programmes" namespace: none yet, runs are created in the admin.
urlpatterns: list = []


class RunCreateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=gettext_lazy("Templat program"), queryset=ProgrammeTemplate.objects.order_by("name")
    )
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Katalog"),
        queryset=CourseIndexPage.objects.order_by("path"),
        help_text=gettext_lazy("Halaman katalog tempat pelatihan baru dibuat."),
    )
    title = forms.CharField(
        label=gettext_lazy("Judul pelatihan"),
        max_length=255,
        help_text=gettext_lazy("Mis. PKA Angkatan II Tahun 2027."),
    )
    batch = forms.CharField(label=gettext_lazy("Angkatan"), max_length=60, help_text=gettext_lazy("Mis. Angkatan II."))
    starts_on = forms.DateField(
        label=gettext_lazy("Tanggal mulai"),
        widget=AdminDateInput,
        help_text=gettext_lazy("Tanggal fase-fase dihitung dari hari ini; dapat diubah setelahnya."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One catalogue is the usual case: chosen already.
        if self.fields["parent"].queryset.count() == 1:
            self.fields["parent"].initial = self.fields["parent"].queryset.first()


def _denied(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_can_create_programme_run(request.user):
        return forbidden(request, str(DENIED))
    return None


def _page(request: HttpRequest, form: RunCreateForm, *, status: int = 200) -> HttpResponse:
    title = _("Buat angkatan dari templat")
    context = {
        "form": form,
        "action_url": reverse("programmes_run_create"),
        "page_title": title,
        "header_title": title,
        "header_icon": "form",
        "submit_button_label": _("Buat angkatan"),
        "submit_button_active_label": _("Membuat…"),
        "media": form.media,
    }
    return TemplateResponse(request, "programmes/admin/run_create.html", context, status=status)


def run_create(request: HttpRequest) -> HttpResponse:
    if denied := _denied(request):
        return denied
    if request.method != "POST":
        return _page(request, RunCreateForm())
    form = RunCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        course = programme_run_create(
            template=data["template"],
            parent=data["parent"],
            title=data["title"],
            batch=data["batch"],
            starts_on=data["starts_on"],
            by=request.user,
        )
    except RunError as error:
        form.add_error(ERROR_FIELDS.get(error.code), error.message)
        return _page(request, form, status=400)
    messages.success(
        request,
        _("Angkatan “%(title)s” dibuat sebagai draf: periksa fase, langkah dan penilaiannya, lalu terbitkan.")
        % {"title": course.title},
    )
    return redirect("wagtailadmin_pages:edit", course.pk)
