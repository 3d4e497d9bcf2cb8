from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "lms.sso"
    label = "sso"
    verbose_name = _("Masuk dengan SSO")
    default_auto_field = "django.db.models.BigAutoField"
