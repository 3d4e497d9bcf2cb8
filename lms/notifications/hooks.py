"""Notifications sent by the core services (lms/services.py calls these, importing them lazily)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lms.notifications.models import NotificationKind
from lms.notifications.services import notification_send


def notify_enrollment(*, enrollment) -> None:
    course = enrollment.course
    # Stored text is Indonesian whatever the language of the request that caused it.
    with translation.override(settings.LANGUAGE_CODE):
        notification_send(
            user=enrollment.user,
            kind=NotificationKind.ENROLLMENT,
            title=_("Anda terdaftar di pelatihan %(course)s") % {"course": course.title},
            body=_("Selamat belajar. Buka pelatihan untuk melihat langkah-langkahnya."),
            url=course.url or "",
            # One per enrollment period: re-enrolling after a withdrawal is news again.
            dedupe_key=f"enrollment:{enrollment.pk}:{enrollment.enrolled_at:%Y%m%d%H%M%S}",
        )


def notify_certificate(*, certificate) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notification_send(
            user=certificate.enrollment.user,
            kind=NotificationKind.CERTIFICATE_ISSUED,
            title=_("Sertifikat %(course)s sudah terbit") % {"course": certificate.course_title},
            body=_("Nomor sertifikat: %(number)s") % {"number": certificate.number},
            url=reverse("lms:certificate", args=[certificate.code]),
            dedupe_key=f"certificate:{certificate.pk}",
        )
