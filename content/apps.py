from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "H5P"
    default_auto_field = "django.db.models.BigAutoField"
