"""A throw-away database and media folder for a benchmark run.

By default SQLite in a temp dir in memory (/dev/shm when present), so that the figures measure our code rather
than the disk of a shared machine (every commit of SQLite or PostgreSQL here waits for an fsync of several ms).
SIGER_PERF_DB=postgres uses this machine's PostgreSQL instead. Either way a fresh database is created and
migrated with Django's test-database utilities and destroyed at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tests.net import answers


def django_setup_temp() -> str:
    """Configure Django (call before importing models) on a fresh database; returns a description of it."""
    memory = "/dev/shm" if os.path.isdir("/dev/shm") else None
    root = Path(tempfile.mkdtemp(prefix="siger-perf-"))
    db_dir = Path(tempfile.mkdtemp(prefix="siger-perf-db-", dir=memory))
    atexit.register(shutil.rmtree, db_dir, True)
    atexit.register(shutil.rmtree, root, True)
    os.environ["SIGER_MEDIA_ROOT"] = str(root / "media")
    os.environ.pop("AWS_STORAGE_BUCKET_NAME", None)
    if os.environ.get("SIGER_PERF_DB") == "postgres" and answers(5432):
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        os.environ["SIGER_TEST_DB_NAME"] = f"test_siger_perf_{os.getpid()}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SIGER_TEST_DB_NAME"] = str(db_dir / "perf.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    atexit.register(lambda: connection.creation.destroy_test_db(old_name, verbosity=0))
    return f"{connection.vendor} {connection.settings_dict['NAME']}"
