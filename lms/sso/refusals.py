"""Why an SSO sign-in was refused, each with the page the person sees (status and Indonesian text)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Refusal(models.TextChoices):
    UNKNOWN_ACCOUNT = "unknown_account", _("Akun belum terdaftar")
    NO_IDENTITY = "no_identity", _("Identitas tidak lengkap")
    INVALID_NIP = "invalid_nip", _("NIP tidak valid")
    INACTIVE = "inactive", _("Akun dinonaktifkan")
    EMAIL_TAKEN = "email_taken", _("Email dipakai akun lain")
    CANCELLED = "cancelled", _("Masuk dibatalkan")
    EXPIRED = "expired", _("Sesi masuk kedaluwarsa")
    PROVIDER = "provider", _("Layanan SSO bermasalah")
    DISABLED = "disabled", _("SSO tidak aktif")


# (HTTP status, what happened, what to do). The person is sent back to the login page from every one of them.
REFUSAL_PAGES: dict[str, tuple[int, object, object]] = {
    Refusal.UNKNOWN_ACCOUNT: (
        403,
        _("Akun SSO Anda belum terhubung ke akun Siger: NIP Anda belum terdaftar sebagai peserta."),
        _("Hubungi admin pelatihan BPSDM agar NIP Anda didaftarkan, lalu coba lagi."),
    ),
    Refusal.NO_IDENTITY: (
        403,
        _("Penyedia SSO tidak mengirim NIP maupun email terverifikasi, sehingga akun Anda tidak dapat dikenali."),
        _("Lengkapi NIP di profil SSO Anda atau hubungi admin pelatihan BPSDM."),
    ),
    Refusal.INVALID_NIP: (
        403,
        _("NIP yang dikirim penyedia SSO tidak valid."),
        _("Periksa NIP di profil SSO Anda atau hubungi admin pelatihan BPSDM."),
    ),
    Refusal.INACTIVE: (
        403,
        _("Akun Siger Anda sedang dinonaktifkan."),
        _("Hubungi admin pelatihan BPSDM bila Anda perlu mengaksesnya kembali."),
    ),
    Refusal.EMAIL_TAKEN: (
        409,
        _("Email akun SSO Anda sudah dipakai akun Siger lain dengan NIP berbeda."),
        _("Hubungi admin pelatihan BPSDM agar data akun Anda dirapikan."),
    ),
    Refusal.CANCELLED: (
        400,
        _("Proses masuk dengan SSO dibatalkan."),
        _("Anda dapat mencoba lagi, atau masuk dengan NIP dan kata sandi."),
    ),
    Refusal.EXPIRED: (
        400,
        _("Proses masuk ini sudah kedaluwarsa atau tidak dimulai dari Siger."),
        _("Silakan mulai lagi dari halaman masuk."),
    ),
    Refusal.PROVIDER: (
        502,
        _("Layanan SSO tidak dapat dihubungi atau jawabannya tidak dapat dipercaya."),
        _("Coba beberapa saat lagi, atau masuk dengan NIP dan kata sandi."),
    ),
    Refusal.DISABLED: (
        404,
        _("Masuk dengan SSO tidak diaktifkan di Siger ini."),
        _("Masuk dengan NIP atau email dan kata sandi."),
    ),
}


class SsoRefused(Exception):
    """Raised through Django's authenticate() to the callback view, which shows the matching page."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal}: {detail}" if detail else str(refusal))
        self.refusal = refusal
