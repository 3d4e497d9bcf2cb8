from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "lms.programmes"
    label = "programmes"
    verbose_name = _("Program pelatihan: fase, pembimbing, proyek perubahan, seminar, kelulusan")
    default_auto_field = "django.db.models.BigAutoField"
