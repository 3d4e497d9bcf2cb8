from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class LmsConfig(AppConfig):
    # Marked default: this module holds several configurations, and Django would otherwise use none for "lms".
    default = True
    name = "lms"
    verbose_name = _("Pelatihan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms import roles  # noqa: F401 - course page permissions follow each publish of a course
        from lms.xapi import grants  # noqa: F401 - connects its signal receivers


class SigerUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin with the ASN fields (see lms.users_admin)."""

    user_viewset = "lms.users_admin.UserViewSet"
