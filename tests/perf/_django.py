"""Shared set-up for benchmarks: Django on a throw-away test database (PostgreSQL/Redis when they answer, like
the test suite; SQLite otherwise)."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator

import tests.backends  # noqa: F401  (chooses PostgreSQL/Redis or the embedded default)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SIGER_TEST_DB_NAME", "") or os.environ.pop("SIGER_TEST_DB_NAME")


@contextlib.contextmanager
def django_test_database(name: str) -> Iterator[None]:
    import django

    os.environ["SIGER_TEST_DB_NAME"] = name
    django.setup()
    from django.db import connection

    # No setup_test_environment(): its template instrumentation would slow every render being measured.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def rate(fn: Callable[[], object], *, seconds: float) -> float:
    """Calls per second of fn over about `seconds`."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        count += 1
    return count / elapsed


def median(values: list[float]) -> float:
    return statistics.median(values)
