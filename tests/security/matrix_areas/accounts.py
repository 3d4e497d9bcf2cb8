"""Access-matrix rows for lms.accounts (see tests/security/matrix_areas/__init__.py).

The import pages are for administrators (lms.access.user_can_import_accounts). The activation page is public: the
link itself is the credential (a one-time token), so anyone holding a valid one may open it."""

from __future__ import annotations

from django.urls import reverse

from tests.security.matrix_rules import AGENCY, ANY, DENY, LOGIN, OK, PUBLIC, REFUSED, rule  # noqa: F401

NAMESPACE = "accounts"
EXPECTATIONS: dict[str, dict[str, dict[str, str]]] = {
    "accounts:import_upload": {"GET": AGENCY, "POST": AGENCY},
    "accounts:import_preview": {"GET": AGENCY, "POST": AGENCY},
    "accounts:activation_list": {"GET": AGENCY},
    # Emails a fresh link (then redirects to the list): administrators only, like the list itself.
    "accounts:activation_resend": {"POST": AGENCY},
    # POST with an empty body: the form answers 400 (the request is rolled back anyway).
    "accounts:activate": {"GET": PUBLIC, "POST": PUBLIC},
    # The printed card's short link: public like the link it stands for (a redirect to it).
    "accounts:activate_short": {"GET": PUBLIC},
}
POST_BODIES: dict[str, dict[str, str]] = {}
PAGE_MODELS: tuple = ()


def extend_world(world) -> None:
    from django.contrib.auth.hashers import make_password

    from lms.accounts.models import AccountImport
    from lms.factories import UserFactory

    world.extra["account_import"] = AccountImport.objects.create(
        filename="matriks.csv", sha256="0" * 64, rows=[], created_by=world.people["administrator"]
    )
    newcomer = UserFactory(full_name="Peserta Baru Matriks")
    newcomer.password = make_password(None)
    newcomer.save(update_fields=["password"])
    world.extra["newcomer"] = newcomer


def urls(world) -> dict[str, str]:
    from lms.accounts.services import account_activation_path, account_activation_short_path

    return {
        "accounts:import_upload": reverse("accounts:import_upload"),
        "accounts:import_preview": reverse("accounts:import_preview", args=[world.extra["account_import"].pk]),
        "accounts:activation_list": reverse("accounts:activation_list"),
        "accounts:activation_resend": reverse("accounts:activation_resend", args=[world.extra["newcomer"].pk]),
        "accounts:activate": account_activation_path(user=world.extra["newcomer"]),
        "accounts:activate_short": account_activation_short_path(user=world.extra["newcomer"]),
    }
