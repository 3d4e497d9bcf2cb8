"""Pytest plugin loaded before Django: point the suite at the real PostgreSQL and Redis on this machine when
they answer, and fall back to the embedded default (SQLite, in-process layer) when they don't.

SIGER_EMBEDDED=1 forces the embedded default, so the suite can be run against both.
"""

import os
import socket


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


if os.environ.get("SIGER_EMBEDDED") == "1":
    for name in ("DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME"):
        os.environ.pop(name, None)
else:
    if "DATABASE_URL" not in os.environ and _answers("127.0.0.1", 5432):
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/test"
    if "REDIS_URL" not in os.environ and _answers("127.0.0.1", 6379):
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/0"

# Fast hashing in tests only; production keeps PBKDF2.
os.environ.setdefault("DJANGO_PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
os.environ.setdefault("SIGER_MEDIA_ROOT", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".test-media"))
# No reminder scan started by the end of an arbitrary request (lms.notifications): the tests of the scan run it
# themselves, and a scan in the background of another test would write notifications it does not expect.
os.environ.setdefault("SIGER_NOTIFICATION_SCAN_SECONDS", "0")
