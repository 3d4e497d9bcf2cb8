"""An email backend that takes its time, like a slow mail server: the response must not wait for it."""

import time

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class SlowEmailBackend(EmailBackend):
    delay = 1.0

    def send_messages(self, messages):
        time.sleep(self.delay)
        return super().send_messages(messages)


class BrokenEmailBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


__all__ = ["SlowEmailBackend", "BrokenEmailBackend", "mail"]
