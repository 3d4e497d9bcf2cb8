from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "lms.cohorts"
    label = "cohorts"
    verbose_name = _("Kelas, kelompok, impor akun dan pengunduran diri")
    default_auto_field = "django.db.models.BigAutoField"
