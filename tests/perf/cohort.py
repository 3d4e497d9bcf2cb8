"""Benchmark: a 10,000-row cohort list validated and applied (python -m tests.perf.cohort), without the activation
emails (queued by lms.notifications after the transaction).

Each run starts from an empty user table (the accounts of the previous run are deleted), so every run creates
10,000 accounts. Baseline: a raw User.objects.bulk_create of the same 10,000 users, the floor any import pays.
SIGER_PERF_DB=postgres measures on this machine's PostgreSQL (see tests/perf/_setup.py). Ends with one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

from tests.perf._setup import django_setup_temp

ROWS = int(os.environ.get("SIGER_PERF_COHORT_ROWS", "10000"))
RUNS = int(os.environ.get("SIGER_PERF_RUNS", "3"))


def main() -> None:
    vendor = django_setup_temp()
    from django.test import override_settings

    # The activation emails are a task lms.notifications queues after the commit (one notification per person: each
    # link differs): that cost is not the import's. The dummy backend keeps the task without running it.
    override_settings(
        TASKS={
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
            "notifications": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
        }
    ).enable()
    from django.contrib.auth.hashers import make_password

    from lms.accounts.models import AccountImport, AccountProfile
    from lms.accounts.parsing import table_parse
    from lms.accounts.services import account_import_apply, import_counts, import_fingerprint, import_validate
    from lms.factories import UserFactory, WorkUnitFactory
    from lms.models import User
    from tests.accounts.helpers import cohort_rows, csv_bytes

    WorkUnitFactory(name="Dinas Kesehatan")
    admin = UserFactory(full_name="Admin Benchmark")
    data = csv_bytes(cohort_rows(ROWS))
    print(f"database: {vendor}; rows: {ROWS}; runs: {RUNS}; file: {len(data) // 1024} KiB", file=sys.stderr)

    def reset() -> None:
        AccountImport.objects.all().delete()
        AccountProfile.objects.all().delete()
        User.objects.exclude(pk=admin.pk).delete()

    validate_s, apply_s, baseline_s = [], [], []
    for run in range(RUNS):
        reset()
        start = time.perf_counter()
        rows = table_parse(data=data, filename="cohort.csv")
        account_import = AccountImport.objects.create(filename="cohort.csv", sha256="-", rows=rows, created_by=admin)
        results = import_validate(rows=rows)
        validate_s.append(time.perf_counter() - start)
        counts = import_counts(results)
        start = time.perf_counter()
        account_import_apply(account_import=account_import, by=admin, fingerprint=import_fingerprint(results))
        apply_s.append(time.perf_counter() - start)
        created = User.objects.count() - 1
        reset()
        start = time.perf_counter()
        User.objects.bulk_create(
            [
                User(nip=r["data"]["nip"], full_name=r["data"]["full_name"], password=make_password(None))
                for r in results
            ],
            batch_size=1000,
        )
        baseline_s.append(time.perf_counter() - start)
        print(
            f"run {run + 1}: {counts} validate {validate_s[-1]:.2f}s, apply {apply_s[-1]:.2f}s "
            f"({created} accounts), baseline bulk_create {baseline_s[-1]:.2f}s",
            file=sys.stderr,
        )
    # The second upload of the same file: everything unchanged.
    reset()
    rows = table_parse(data=data, filename="cohort.csv")
    first = AccountImport.objects.create(filename="cohort.csv", sha256="-", rows=rows, created_by=admin)
    account_import_apply(account_import=first, by=admin, fingerprint=import_fingerprint(import_validate(rows=rows)))
    start = time.perf_counter()
    again = import_counts(import_validate(rows=rows))
    revalidate_s = time.perf_counter() - start
    print(f"re-upload: {again} in {revalidate_s:.2f}s", file=sys.stderr)
    result = {
        "rows": ROWS,
        "database": vendor.split()[0],
        "validate_s": round(statistics.median(validate_s), 3),
        "apply_s": round(statistics.median(apply_s), 3),
        "baseline_bulk_create_s": round(statistics.median(baseline_s), 3),
        "apply_over_baseline": round(statistics.median(apply_s) / max(statistics.median(baseline_s), 1e-9), 2),
        "revalidate_unchanged_s": round(revalidate_s, 3),
        "reupload_unchanged": again["unchanged"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
