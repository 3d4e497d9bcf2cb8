"""Administrator pages of the account import, and the activation page every new account opens first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms.access import user_can_import_accounts
from lms.accounts.forms import ImportApplyForm, ImportUploadForm
from lms.accounts.models import AccountImport, ImportStatus
from lms.accounts.selectors import accounts_not_activated, activation_rows
from lms.accounts.services import (
    ERROR,
    ImportRefused,
    ResendRefused,
    account_activation_path,
    account_activation_resend,
    account_activation_short_resolve,
    account_import_apply,
    account_import_create,
    activation_token,
    import_counts,
    import_fingerprint,
    import_validate,
)
from lms.exports import table_response
from lms.ratelimit import client_ip, rate_limit_exceeded, window_hit, window_remaining
from lms.views.errors import forbidden

ACTIVATION_LIMIT = 20  # attempts per IP per 15 minutes, like the reset link's throttle
ACTIVATION_WINDOW = 15 * 60
SHORT_FAILURE_LIMIT = 30  # unknown short codes per IP per 15 minutes (typos included)
CARDS_PER_PAGE = 200  # one print run of the activation cards
EXPORT_LIMIT = 20000  # as many rows as one import holds


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if not user_can_import_accounts(request.user):
        return forbidden(request, _("Impor akun hanya untuk administrator."))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                account_import = account_import_create(
                    data=upload.read(), filename=upload.name, by=request.user, course=form.cleaned_data["course"]
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("accounts:import_preview", pk=account_import.pk)
        status = 400
    return TemplateResponse(request, "accounts/import_upload.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    if not user_can_import_accounts(request.user):
        return forbidden(request, _("Impor akun hanya untuk administrator."))
    account_import = get_object_or_404(AccountImport, pk=pk)
    create_units = request.POST.get("create_units", request.GET.get("buat_opd")) in ("1", "on", "true")
    status = 200
    if request.method == "POST" and account_import.status == ImportStatus.PREVIEWED:
        form = ImportApplyForm(request.POST)
        if form.is_valid():
            try:
                counts = account_import_apply(
                    account_import=account_import,
                    by=request.user,
                    fingerprint=form.cleaned_data["fingerprint"],
                    create_units=create_units,
                )
            except ImportRefused as error:
                messages.error(request, str(error))
                status = 409
            else:
                messages.success(
                    request,
                    _("Impor diterapkan: %(create)s akun baru, %(update)s diperbarui, %(unchanged)s tetap.") % counts,
                )
                return redirect("accounts:import_preview", pk=account_import.pk)
        else:
            status = 400
    elif request.method == "POST":
        messages.error(request, _("Impor ini sudah diterapkan."))
        status = 409
    results = []
    counts = account_import.summary
    fingerprint = ""
    if account_import.status == ImportStatus.PREVIEWED:
        results = import_validate(rows=account_import.rows, course=account_import.course, create_units=create_units)
        counts = import_counts(results)
        fingerprint = import_fingerprint(results)
    context = {
        "account_import": account_import,
        "results": results,
        "counts": counts,
        "fingerprint": fingerprint,
        "create_units": create_units,
        "has_new_units": any(r["new_unit"] for r in results),
        "can_apply": bool(results) and not counts.get(ERROR),
    }
    return TemplateResponse(request, "accounts/import_preview.html", context, status=status)


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """'Aktifkan akun': the person sets their first password, is signed in and lands on Pelatihan Saya."""
    if request.method == "POST" and rate_limit_exceeded(
        f"activate:{client_ip(request)}", limit=ACTIVATION_LIMIT, window_seconds=ACTIVATION_WINDOW
    ):
        return TemplateResponse(
            request,
            "accounts/activate.html",
            {"validlink": False, "throttled": True},
            status=429,
        )
    user_model = get_user_model()
    try:
        user = user_model.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (ValueError, TypeError, OverflowError, user_model.DoesNotExist):
        user = None
    if user is None or not activation_token.check_token(user, token):
        return TemplateResponse(request, "accounts/activate.html", {"validlink": False}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            login(request, user, backend="lms.auth.NipOrEmailBackend")
            messages.success(request, _("Akun Anda aktif. Selamat belajar!"))
            return redirect("lms:dashboard")
        return TemplateResponse(request, "accounts/activate.html", {"validlink": True, "form": form}, status=400)
    return TemplateResponse(request, "accounts/activate.html", {"validlink": True, "form": form})


@require_http_methods(["GET"])
def activate_short(request: HttpRequest, code: str) -> HttpResponse:
    """The short link of a printed card: on to the full activation link. Only failed codes count against the
    client's address, so a classroom behind one NAT address activating together is never held up."""
    key = f"activate-short:{client_ip(request)}"
    if window_remaining(key, limit=SHORT_FAILURE_LIMIT, window_seconds=ACTIVATION_WINDOW):
        return TemplateResponse(request, "accounts/activate.html", {"validlink": False, "throttled": True}, status=429)
    user = account_activation_short_resolve(code=code)
    if user is None:
        window_hit(key, window_seconds=ACTIVATION_WINDOW)
        return TemplateResponse(request, "accounts/activate.html", {"validlink": False}, status=404)
    return redirect(account_activation_path(user=user))


@login_required
@require_http_methods(["GET"])
def activation_list(request: HttpRequest) -> HttpResponse:
    """Activation links of accounts not yet activated (?impor=<id>): cards with a QR code to print or send, and
    CSV/XLSX for mail merges."""
    if not user_can_import_accounts(request.user):
        return forbidden(request, _("Daftar aktivasi hanya untuk administrator."))
    account_import = None
    if request.GET.get("impor", "").isdigit():
        account_import = get_object_or_404(AccountImport, pk=int(request.GET["impor"]))
    users = accounts_not_activated(account_import=account_import)
    if request.GET.get("format") in ("csv", "xlsx"):
        rows = activation_rows(users=users[:EXPORT_LIMIT])
        return table_response(
            filename="tautan-aktivasi",
            header=[_("NIP"), _("Nama"), _("Unit kerja (OPD)"), _("Tautan aktivasi"), _("Nomor HP"), _("WhatsApp")],
            rows=([r.user.nip, r.user.full_name, r.user.work_unit, r.url, r.phone, r.whatsapp] for r in rows),
            fmt=request.GET["format"],
            title=_("Tautan aktivasi"),
        )
    # A QR code takes a few milliseconds: a page holds one print run, the exports hold everyone.
    page = Paginator(users, CARDS_PER_PAGE).get_page(request.GET.get("halaman"))
    context = {"rows": activation_rows(users=page.object_list), "page": page, "account_import": account_import}
    return TemplateResponse(request, "accounts/activation_list.html", context)


@login_required
@require_POST
def activation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """'Kirim ulang': email one person a fresh activation link (a few times an hour at most)."""
    if not user_can_import_accounts(request.user):
        return forbidden(request, _("Daftar aktivasi hanya untuk administrator."))
    user = get_object_or_404(get_user_model(), pk=pk)
    try:
        account_activation_resend(user=user)
    except ResendRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Tautan aktivasi baru dikirim ke %(email)s.") % {"email": user.email})
    target = reverse("accounts:activation_list")
    if request.POST.get("impor", "").isdigit():
        target += f"?impor={int(request.POST['impor'])}"
    return redirect(target)
