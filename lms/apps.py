from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Pelatihan")
    default_auto_field = "django.db.models.BigAutoField"


class SigerUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin with the ASN fields (see lms.users_admin)."""

    user_viewset = "lms.users_admin.UserViewSet"
