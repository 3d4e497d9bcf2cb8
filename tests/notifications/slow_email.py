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


class SteadyEmailBackend(EmailBackend):
    """A mail server answering each message in 30 ms: 200 messages take 6 s."""

    delay = 0.03

    def send_messages(self, messages):
        time.sleep(self.delay * len(messages))
        return super().send_messages(messages)


__all__ = ["SlowEmailBackend", "BrokenEmailBackend", "SteadyEmailBackend", "mail"]
