"""The ledger starts with what Siger already knew: every completed course (its JP as recorded at completion) and,
for a certificate revoked before the ledger existed, the counter-entry its revocation now writes."""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone

# As lms.competence.services.FORM_OF_PROGRAMME at the time of writing (a migration must not import live code).
WEBINAR_PROGRAMMES = {"seminar"}


def _local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def backfill(apps, schema_editor):
    Enrollment = apps.get_model("lms", "Enrollment")
    Certificate = apps.get_model("lms", "Certificate")
    LedgerEntry = apps.get_model("competence", "LedgerEntry")
    organiser = settings.SIGER_CERTIFICATE_ISSUER[:255]
    done = set(LedgerEntry.objects.filter(source="course_completion").values_list("enrollment_id", flat=True))
    certificates = {c.enrollment_id: c for c in Certificate.objects.all()}
    enrollments = (
        Enrollment.objects.filter(status="completed", completed_at__isnull=False, jp_credit__gt=0)
        .exclude(pk__in=done)
        .select_related("user", "course")
        .order_by("pk")
    )
    for enrollment in enrollments.iterator(chunk_size=500):
        user, course = enrollment.user, enrollment.course
        ends_on = _local_date(enrollment.completed_at)
        starts_on = min(course.starts_on or _local_date(enrollment.enrolled_at), ends_on)
        form, route = ("webinar", "non_klasikal") if course.programme in WEBINAR_PROGRAMMES else ("pelatihan", "klasikal")
        certificate = certificates.get(enrollment.pk)
        common = {
            "user_id": user.pk,
            "nip": user.nip,
            "work_unit_id": user.work_unit_id,
            "employee_type": user.employee_type or "",
            "starts_on": starts_on,
            "ends_on": ends_on,
            "route": route,
            "form": form,
            "title": course.title[:255],
            "organiser": organiser,
            "certificate_number": certificate.number if certificate else "",
            "status": "recorded",
            "enrollment_id": enrollment.pk,
            "certificate_id": certificate.pk if certificate else None,
        }
        entry = LedgerEntry.objects.create(
            **common, jp=enrollment.jp_credit, source="course_completion", created_at=enrollment.completed_at
        )
        if certificate is not None and certificate.revoked_at is not None:
            LedgerEntry.objects.create(
                **common,
                jp=-enrollment.jp_credit,
                source="reversal",
                status_reason=certificate.revoke_reason[:500],
                reverses=entry,
                created_at=certificate.revoked_at,
                created_by_id=certificate.revoked_by_id,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("competence", "0001_initial"),
        ("lms", "0008_completion_graded_certificate_signer"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
