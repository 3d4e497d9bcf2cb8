"""Access-matrix rows for the change project (lms.programmes.views.projects).

The project page and its logbook files: the participant, their coach and mentor, and the course's managers.
Writing the plan and the logbook: the participant only. Reviewing, commenting and confirming: the participant's
own coach and mentor only: in the matrix world the course's instructor is the enrolled participant's coach (set by
programmes_guides, or here when it did not). The list of every project
and its XLSX: the course's managers."""

from __future__ import annotations

from django.urls import reverse

from tests.security.matrix_rules import ANY, DENY, LOGIN, OK, REFUSED, rule  # noqa: F401

#                    anon   outsider enrolled withdrawn other  instr  admin
RECORD = rule(LOGIN, DENY, OK, DENY, DENY, OK, OK)
PARTICIPANT = rule(LOGIN, DENY, OK, DENY, DENY, DENY, DENY)
GUIDES = rule(LOGIN, DENY, DENY, DENY, DENY, OK, DENY)
MANAGE = rule(LOGIN, DENY, DENY, DENY, DENY, OK, OK)
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "programmes:project": {"GET": RECORD, "POST": PARTICIPANT},
    "programmes:project_review": {"POST": GUIDES},
    "programmes:logbook_add": {"POST": PARTICIPANT},
    "programmes:milestone_comment": {"POST": GUIDES},
    "programmes:milestone_confirm": {"POST": GUIDES},
    "programmes:logbook_file": {"GET": RECORD},
    "programmes:course_projects": {"GET": MANAGE},
}
# programmes:project's POST is a draft with a title only (the participant's plan is approved in the world, so the
# service refuses and sends them back with a message); logbook_add with a text (the entry is written).
POST_BODIES: dict[str, dict[str, str]] = {
    "programmes:project": {"title": "Proyek Matriks"},
    "programmes:project_review": {"decision": "setuju"},
    "programmes:logbook_add": {"text": "Catatan matriks"},
    "programmes:milestone_comment": {"text": "Komentar matriks"},
}
PAGE_MODELS: tuple = ()

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def extend_world(world) -> None:
    import datetime

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from lms.models import Enrollment
    from lms.programmes.models import (
        ChangeProject,
        GuideRole,
        LogbookEntry,
        LogbookFile,
        Milestone,
        ParticipantGuide,
        ProjectStatus,
    )

    enrollment = Enrollment.objects.get(user=world.people["enrolled"], course=world.course)
    coach = ParticipantGuide.objects.filter(enrollment=enrollment, role=GuideRole.COACH, ended_at__isnull=True)
    if not coach.exists():
        ParticipantGuide.objects.create(enrollment=enrollment, user=world.people["instructor"], role=GuideRole.COACH)
    assert coach.get().user_id == world.people["instructor"].pk
    project = ChangeProject.objects.create(
        enrollment=enrollment,
        title="Proyek Matriks",
        problem="Masalah",
        status=ProjectStatus.APPROVED,
        approved_at=timezone.now(),
    )
    milestone = Milestone.objects.create(project=project, title="Tahap 1", due_on=datetime.date(2026, 12, 31))
    entry = LogbookEntry.objects.create(milestone=milestone, author=enrollment.user, text="Awal")
    name = default_storage.save(f"programmes/logbook/{project.pk}/matriks.pdf", ContentFile(PDF))
    stored = LogbookFile.objects.create(
        entry=entry, file=name, name="matriks.pdf", content_type="application/pdf", size=len(PDF)
    )
    world.extra["project_enrollment"] = enrollment
    world.extra["project_milestone"] = milestone
    world.extra["project_file"] = stored


def urls(world) -> dict[str, str]:
    enrollment, milestone = world.extra["project_enrollment"], world.extra["project_milestone"]
    return {
        "programmes:project": reverse("programmes:project", args=[enrollment.pk]),
        "programmes:project_review": reverse("programmes:project_review", args=[enrollment.pk]),
        "programmes:logbook_add": reverse("programmes:logbook_add", args=[enrollment.pk, milestone.pk]),
        "programmes:milestone_comment": reverse("programmes:milestone_comment", args=[enrollment.pk, milestone.pk]),
        "programmes:milestone_confirm": reverse("programmes:milestone_confirm", args=[enrollment.pk, milestone.pk]),
        "programmes:logbook_file": reverse("programmes:logbook_file", args=[world.extra["project_file"].pk]),
        "programmes:course_projects": reverse("programmes:course_projects", args=[world.course.pk]),
    }
