"""Learning done outside Siger: the learner's report and list, the verifiers' queue and decisions, the evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.access import (
    user_can_open_learning_evidence,
    user_can_verify_entry,
    user_unit_scope,
)
from lms.competence.forms import LearningDecisionForm, LearningSubmitForm
from lms.competence.models import EntrySource, LearningForm, LedgerEntry
from lms.competence.submissions import (
    LearningError,
    conversion_rates,
    evidence_content_type,
    learning_approve,
    learning_reject,
    learning_submit,
    learning_waiting,
)
from lms.files import stored_file_response
from lms.views.errors import forbidden

NOT_VERIFIER = gettext_lazy("Halaman ini untuk verifikator pengembangan kompetensi OPD dan administrator BPSDM.")


def _verifier_scope(request: HttpRequest) -> set[int] | None:
    """None: every OPD; a set: those OPDs (empty: not a verifier)."""
    return user_unit_scope(request.user, "verifier")


def _conversion_table() -> tuple[list[dict], dict[str, list[str]]]:
    """Per form, the units offered and their JP (for the learner to see before submitting), and the units alone
    (for the form's unit choices)."""
    rates = {value: conversion_rates(form=value) for value in LearningForm.values}
    table = [{"form": label, "rates": list(rates[value].values())} for value, label in LearningForm.choices]
    return table, {value: list(units) for value, units in rates.items()}


@login_required
@require_GET
def learning_list(request: HttpRequest) -> TemplateResponse:
    entries = (
        LedgerEntry.objects.filter(user=request.user, source=EntrySource.SUBMISSION)
        .select_related("duplicate_of")
        .order_by("-created_at", "-pk")
    )
    return TemplateResponse(request, "competence/learning_list.html", {"entries": entries})


@login_required
@require_http_methods(["GET", "POST"])
def learning_submit_view(request: HttpRequest) -> HttpResponse:
    form = LearningSubmitForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = learning_submit(
                    user=request.user,
                    form=data["form"],
                    title=data["title"],
                    organiser=data["organiser"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    amount=data["amount"],
                    unit=data["unit"],
                    certificate_number=data["certificate_number"],
                    evidence=data["evidence"],
                )
            except LearningError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Pembelajaran %(title)s diajukan (%(jp)s JP) dan menunggu verifikasi.")
                    % {"title": entry.title, "jp": f"{entry.jp.normalize():f}".replace(".", ",")},
                )
                if entry.duplicate_of_id:
                    messages.warning(
                        request,
                        _("Catatan ini mirip dengan yang sudah ada; verifikator akan memeriksanya."),
                    )
                return redirect("competence:learning_list")
        status = 400
    table, units_of_form = _conversion_table()
    context = {"form": form, "conversions": table, "units_of_form": units_of_form, "today": timezone.localdate()}
    return TemplateResponse(request, "competence/learning_form.html", context, status=status)


@login_required
@require_GET
def learning_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(LedgerEntry, pk=pk, source=EntrySource.SUBMISSION)
    if not user_can_open_learning_evidence(request.user, entry):
        raise Http404
    return stored_file_response(
        stored=entry.evidence,
        filename=entry.evidence_name or entry.evidence.name.rpartition("/")[2],
        content_type=evidence_content_type(entry),
    )


@login_required
@require_GET
def verify_queue(request: HttpRequest) -> TemplateResponse:
    scope = _verifier_scope(request)
    if scope is not None and not scope:
        return forbidden(request, NOT_VERIFIER)
    entries = learning_waiting(work_unit_ids=scope)
    return TemplateResponse(request, "competence/verify_queue.html", {"entries": entries, "me": request.user})


def _entry_to_decide(request: HttpRequest, pk: int) -> LedgerEntry | None:
    entry = get_object_or_404(
        LedgerEntry.objects.select_related("user", "work_unit", "duplicate_of", "verified_by"),
        pk=pk,
        source=EntrySource.SUBMISSION,
    )
    return entry if user_can_verify_entry(request.user, entry) else None


@login_required
@require_GET
def verify_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    entry = _entry_to_decide(request, pk)
    if entry is None:
        return forbidden(request, NOT_VERIFIER)
    form = LearningDecisionForm(initial={"jp": entry.jp})
    return TemplateResponse(request, "competence/verify_detail.html", {"entry": entry, "form": form})


def _decide(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    entry = _entry_to_decide(request, pk)
    if entry is None:
        return forbidden(request, NOT_VERIFIER)
    form = LearningDecisionForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, "competence/verify_detail.html", {"entry": entry, "form": form}, status=400)
    try:
        if approve:
            learning_approve(
                entry=entry, by=request.user, jp=form.cleaned_data["jp"], reason=form.cleaned_data["reason"]
            )
        else:
            learning_reject(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
    except LearningError as error:
        form.add_error(None, error.message)
        return TemplateResponse(request, "competence/verify_detail.html", {"entry": entry, "form": form}, status=400)
    if approve:
        messages.success(request, _("Disetujui: %(title)s.") % {"title": entry.title})
    else:
        messages.success(request, _("Ditolak: %(title)s.") % {"title": entry.title})
    return redirect("competence:verify_queue")


@login_required
@require_POST
def verify_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def verify_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
