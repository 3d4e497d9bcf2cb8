from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "lms.notifications"
    label = "notifications"
    verbose_name = _("Notifikasi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from wagtail.signals import page_published

        from lms import events
        from lms.models import LiveSessionPage
        from lms.notifications import handlers

        for event, handler in handlers.EVENT_HANDLERS.items():
            events.subscribe(event, handler)
        page_published.connect(handlers.on_page_published, sender=LiveSessionPage, dispatch_uid="notifications-session")
        request_finished.connect(handlers.on_request_finished, dispatch_uid="notifications-scan-trigger")
