from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "lms.competence"
    label = "competence"
    verbose_name = _("Catatan pengembangan kompetensi (JP)")
    default_auto_field = "django.db.models.BigAutoField"
