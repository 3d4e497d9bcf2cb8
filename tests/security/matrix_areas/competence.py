"""Access-matrix rows for lms.competence (see tests/security/matrix_areas/__init__.py).

The matrix's seven people hold no OPD role (lms.competence UnitRole), so verifying and the SIASN export are the
administrators' here; OPD verifiers and heads, scoped to their own OPD, are tried in tests/competence/. A learner
reads their own reported learning and its evidence; the evidence row is the enrolled person's."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.security.matrix_rules import AGENCY, DENY, LOGIN, OK, SIGNED_IN, rule

NAMESPACE = "competence"
#                          anon   outsider enrolled withdrawn other  instr  admin
OWNER_OR_VERIFIER = rule(LOGIN, DENY, OK, DENY, DENY, DENY, OK)
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "competence:learning_list": {"GET": SIGNED_IN},
    # POSTed empty: the form comes back with its errors (400), nothing stored.
    "competence:learning_submit": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "competence:learning_evidence": {"GET": OWNER_OR_VERIFIER},
    "competence:verify_queue": {"GET": AGENCY},
    "competence:verify_detail": {"GET": AGENCY},
    # The administrator's approve records the entry (rolled back after the request); reject, posted with no
    # reason, is refused with a message (400).
    "competence:verify_approve": {"POST": AGENCY},
    "competence:verify_reject": {"POST": AGENCY},
    "competence:siasn_export": {"GET": AGENCY},
    # Compliance and the IP ASN estimate: all OPDs for BPSDM; one OPD also for its head/verifier (tests/competence).
    "competence:compliance_province": {"GET": AGENCY},
    "competence:compliance_unit": {"GET": AGENCY},
    "competence:estimate_province": {"GET": AGENCY},
    "competence:estimate_mine": {"GET": SIGNED_IN},
}
POST_BODIES: dict[str, dict[str, str]] = {}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    from lms.competence.submissions import learning_submit

    ends_on = datetime.date.today() - datetime.timedelta(days=3)
    world.extra["learning_entry"] = learning_submit(
        user=world.people["enrolled"],
        form="seminar",
        title="Seminar Matriks",
        organiser="Penyelenggara",
        starts_on=ends_on,
        ends_on=ends_on,
        amount=1,
        unit="jp",
        evidence=SimpleUploadedFile("bukti.pdf", b"%PDF-1.4 bukti matriks", content_type="application/pdf"),
    )


def urls(world) -> dict[str, str]:
    entry = world.extra["learning_entry"]
    return {
        "competence:learning_list": reverse("competence:learning_list"),
        "competence:learning_submit": reverse("competence:learning_submit"),
        "competence:learning_evidence": reverse("competence:learning_evidence", args=[entry.pk]),
        "competence:verify_queue": reverse("competence:verify_queue"),
        "competence:verify_detail": reverse("competence:verify_detail", args=[entry.pk]),
        "competence:verify_approve": reverse("competence:verify_approve", args=[entry.pk]),
        "competence:verify_reject": reverse("competence:verify_reject", args=[entry.pk]),
        "competence:siasn_export": reverse("competence:siasn_export"),
        "competence:compliance_province": reverse("competence:compliance_province"),
        "competence:compliance_unit": reverse(
            "competence:compliance_unit", args=[world.people["enrolled"].work_unit_id]
        ),
        "competence:estimate_province": reverse("competence:estimate_province"),
        "competence:estimate_mine": reverse("competence:estimate_mine"),
    }
