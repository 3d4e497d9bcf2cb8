"""Demo notifications: one of each kind for the demo learner, through the real services (idempotent)."""

from __future__ import annotations

from django.urls import reverse

from lms.models import User
from lms.notifications.models import NotificationKind
from lms.notifications.services import notification_send

DEMO_TEXTS = {
    NotificationKind.ACCOUNT_ACTIVATION: ("Akun Siger Anda sudah aktif", "Selamat datang di Siger."),
    NotificationKind.ENROLLMENT: ("Anda terdaftar di pelatihan baru", "Buka pelatihan untuk mulai belajar."),
    NotificationKind.SESSION_REMINDER: ("Sesi tatap muka dimulai dalam 1 jam", "Siapkan perangkat dan koneksi Anda."),
    NotificationKind.SESSION_CHANGED: ("Jadwal sesi berubah", "Periksa waktu dan tempat yang baru."),
    NotificationKind.ASSIGNMENT_DUE: ("Tenggat tugas besok", "Kumpulkan tugas sebelum tenggat."),
    NotificationKind.SUBMISSION_GRADED: ("Tugas Anda sudah dinilai", "Lihat nilai dan umpan balik pengajar."),
    NotificationKind.CERTIFICATE_ISSUED: ("Sertifikat Anda sudah terbit", "Unduh sertifikat dari Pelatihan Saya."),
    NotificationKind.LEARNING_VERIFIED: ("Pembelajaran lain Anda disetujui", "Webinar yang Anda catat kini masuk JP."),
}


def demo_seed_notifications(*, learner: User) -> int:
    """Returns how many were new (0 on a second run: each has a dedupe_key)."""
    sent = 0
    for kind, (title, body) in DEMO_TEXTS.items():
        if notification_send(
            user=learner, kind=kind, title=title, body=body, url=reverse("lms:dashboard"), dedupe_key=f"demo:{kind}"
        ):
            sent += 1
    return sent
