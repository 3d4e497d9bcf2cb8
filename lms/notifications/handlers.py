"""What notifications listens to: lms events (lms.events), Wagtail's page_published, and the end of a request (the
embedded default's scan trigger). Each one is thin: it calls one service or enqueues one task."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lms import events
from lms.assignments.models import SubmissionStatus
from lms.notifications.models import NotificationKind
from lms.notifications.services import (
    notification_activation_send,
    notification_send,
    notification_send_bulk,
    notification_session_changed_send,
)

logger = logging.getLogger(__name__)


def on_enrollment_created(*, enrollment, **_payload) -> None:
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


def on_certificate_issued(*, certificate, **_payload) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notification_send(
            user=certificate.enrollment.user,
            kind=NotificationKind.CERTIFICATE_ISSUED,
            title=_("Sertifikat %(course)s sudah terbit") % {"course": certificate.course_title},
            body=_("Nomor sertifikat: %(number)s") % {"number": certificate.number},
            url=reverse("lms:certificate", args=[certificate.code]),
            dedupe_key=f"certificate:{certificate.pk}",
        )


def on_submission_graded(*, submission, **_payload) -> None:
    """The learner, or every member of the group, hears that an instructor graded or asked for a revision."""
    assignment = submission.assignment
    grade = getattr(submission, "latest_grade", None)
    revision = submission.status == SubmissionStatus.REVISION
    score = getattr(submission, "score", None)
    with translation.override(settings.LANGUAGE_CODE):
        if revision:
            title = _("Tugas %(title)s perlu direvisi") % {"title": assignment.title}
            body = _("Baca umpan balik pengajar, lalu kumpulkan lagi.")
        else:
            title = _("Tugas %(title)s sudah dinilai") % {"title": assignment.title}
            body = _("Nilai: %(score)s. Buka tugas untuk melihat umpan balik.") % {"score": _score(score)}
        notification_send_bulk(
            users=submission.submitter_users(),
            kind=NotificationKind.SUBMISSION_GRADED,
            title=title,
            body=body if (revision or score is not None) else "",
            url=assignment.url or "",
            # One per grading: a regrade or a revision request is news again; a repeated emit is not.
            dedupe_key=f"graded:{submission.pk}:{grade.pk if grade is not None else submission.graded_at}",
        )


def on_learning_verified(*, entry, **_payload) -> None:
    """A learner hears the decision on learning they reported from outside Siger (recorded or rejected)."""
    from lms.competence.models import EntryStatus

    with translation.override(settings.LANGUAGE_CODE):
        if entry.status == EntryStatus.RECORDED:
            title = _("Pembelajaran %(title)s disetujui") % {"title": entry.title}
            body = _("Tercatat %(jp)s JP.") % {"jp": _score(entry.jp)}
        else:
            title = _("Pembelajaran %(title)s ditolak") % {"title": entry.title}
            body = _("Alasan: %(reason)s") % {"reason": entry.status_reason}
        notification_send(
            user=entry.user,
            kind=NotificationKind.LEARNING_VERIFIED,
            title=title[:255],
            body=body,
            url=reverse("competence:learning_list"),
            dedupe_key=f"learning:{entry.pk}:{entry.status}",
        )


def _score(score) -> str:
    """85.00 -> '85', 82.50 -> '82,5' (the Indonesian decimal comma)."""
    text = f"{score:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def on_accounts_created(*, user_ids: list[int], **_payload) -> None:
    """An import's activation emails, in a task: the import's request does not wait for 200 emails."""
    from lms.notifications.tasks import notification_activation_task

    if user_ids:
        notification_activation_task.enqueue(list(user_ids))


def on_activation_resend_requested(*, user, **_payload) -> None:
    notification_activation_send(user_ids=[user.pk], resend=True)


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    """A live session published with another time or place: its learners hear about it."""
    if revision is None:
        return
    try:
        with transaction.atomic():  # a failure here must not break (or poison) the editor's publish
            notification_session_changed_send(session=instance, revision=revision)
    except Exception:
        logger.exception("session %s: change notification failed", instance.pk)


def on_request_finished(**kwargs) -> None:
    """The embedded default has no scheduler process: a finished request may start the scan (throttled)."""
    from lms.notifications.tasks import scan_trigger

    try:
        scan_trigger.fire()
    except Exception:  # a cache or queue hiccup must not surface in a request that already ended
        logger.exception("notification scan trigger failed")


EVENT_HANDLERS = {
    events.ENROLLMENT_CREATED: on_enrollment_created,
    events.CERTIFICATE_ISSUED: on_certificate_issued,
    events.SUBMISSION_GRADED: on_submission_graded,
    events.ACCOUNTS_CREATED: on_accounts_created,
    events.ACTIVATION_RESEND_REQUESTED: on_activation_resend_requested,
    events.LEARNING_VERIFIED: on_learning_verified,
}
