"""Benchmark: JP compliance of 50,000 ASN with 500,000 ledger entries on PostgreSQL (issue 9).

    python -m tests.perf.compliance

Loads 50,000 ASN in 40 OPDs (a fifth PPPK with contract years, one in twenty moved OPD during the year) and
500,000 entries over eighteen months (COPY: the ledger's triggers keep the yearly totals as they would for any
write, which the run checks against the ledger before measuring), then measures through Django's full request
stack, logged in: the province compliance page, the largest OPD's page (an OPD head), and the province's XLSX
of every ASN.
Baseline in the same run: a bare SELECT work_unit, COUNT, SUM ... GROUP BY over the same year's rows, the
floor any per-OPD figure pays. Prints the query plans of the pages' ledger queries (EXPLAIN ANALYZE).
Targets: province and OPD pages <= 300 ms (median), XLSX <= 10 s. The last line is JSON.
SIGER_PERF_ASN / SIGER_PERF_ENTRIES / SIGER_PERF_RUNS scale it down for a quick try.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import sys
import time

from tests.perf._django import django_test_database, median

ASN = int(os.environ.get("SIGER_PERF_ASN", "50000"))
ENTRIES = int(os.environ.get("SIGER_PERF_ENTRIES", "500000"))
RUNS = int(os.environ.get("SIGER_PERF_RUNS", "9"))
OPDS = 40
FORMS = ["pelatihan", "bimtek", "e_learning", "webinar", "seminar", "workshop", "coaching", "kursus"]


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _seed(year: int):
    from django.db import connection

    from lms.competence.models import AsnProfile, UnitRole
    from lms.factories import UserFactory
    from lms.models import Role, User, WorkUnit

    rng = random.Random(9)
    units = WorkUnit.objects.bulk_create([WorkUnit(name=f"Dinas Benchmark {n:02d}") for n in range(OPDS)])
    start = time.perf_counter()
    # Unequal OPDs, like a province: the first OPD (education) is the largest.
    weights = [8 if n == 0 else rng.randint(1, 4) for n in range(OPDS)]
    users = []
    for n in range(ASN):
        user = User(
            nip=str(197001012000011000 + n),
            full_name=f"ASN Benchmark {n:05d}",
            employee_type="pppk" if n % 5 == 0 else "pns",
            work_unit=rng.choices(units, weights)[0],
            role=Role.LEARNER,
            password="!",
        )
        users.append(user)
    User.objects.bulk_create(users, batch_size=5000)
    contract_days = [datetime.date(year - 3, 3, 1), datetime.date(year - 2, 4, 1), datetime.date(year - 1, 7, 1)]
    AsnProfile.objects.bulk_create(
        (
            AsnProfile(
                user=u,
                position_group=rng.choice(["pelaksana", "pelaksana", "fungsional", "pengawas", "administrator"]),
                contract_starts_on=rng.choice(contract_days) if u.employee_type == "pppk" else None,
            )
            for u in users
        ),
        batch_size=5000,
    )
    _log(f"{ASN} ASN in {time.perf_counter() - start:.1f}s")
    start = time.perf_counter()
    first_day = datetime.date(year - 1, 7, 1)
    span = (datetime.date(year, 12, 31) - first_day).days
    moved = {u.pk: rng.choice(units).pk for u in users if rng.random() < 0.05}
    columns = (
        "user_id, nip, work_unit_id, employee_type, starts_on, ends_on, jp, route, form, title, organiser, source, "
        "certificate_number, status, status_reason, created_at, reported_unit, evidence, evidence_name"
    )
    now = datetime.datetime.now(datetime.UTC)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY competence_ledgerentry ({columns}) FROM STDIN") as copy,
    ):
        for n in range(ENTRIES):
            user = users[n % ASN]
            ends_on = first_day + datetime.timedelta(days=rng.randrange(span))
            unit_id = moved.get(user.pk, user.work_unit_id) if ends_on.month < 6 else user.work_unit_id
            form = FORMS[n % len(FORMS)]
            status = "waiting" if n % 23 == 0 else "recorded"
            copy.write_row(
                (
                    user.pk,
                    user.nip,
                    unit_id,
                    user.employee_type,
                    ends_on,
                    ends_on,
                    rng.choice((1, 2, 3, 4, 6, 8)),
                    "klasikal",
                    form,
                    f"Pembelajaran {form} {n % 97}",
                    "BPSDM",
                    "submission",
                    "",
                    status,
                    "",
                    now,
                    "",
                    "",
                    "",
                )
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE competence_ledgerentry")
        cursor.execute("VACUUM ANALYZE competence_ledgeryear")
        cursor.execute("ANALYZE lms_user")
        cursor.execute("ANALYZE competence_asnprofile")
    _log(f"{ENTRIES} entries (COPY, triggers) and VACUUM ANALYZE in {time.perf_counter() - start:.1f}s")
    from lms.competence.services import ledger_years_differences

    differences = ledger_years_differences()
    assert not differences, differences[:5]
    admin = UserFactory(full_name="Admin Benchmark", role=Role.ADMINISTRATOR)
    head = UserFactory(full_name="Kepala OPD Benchmark", work_unit=units[0])
    UnitRole.objects.create(user=head, work_unit=units[0], kind="head")
    return admin, head, units[0]


def _timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _explain(label: str, client, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    for query in captured.captured_queries:
        sql = query["sql"]
        if "competence_ledgerentry" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("SET work_mem = '64MB'")  # as lms.competence.compliance runs its report queries
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) " + sql)
            plan = "\n    ".join(row[0][:200] for row in cursor.fetchall())
        _log(f"--- {label}: {sql[:160]}...\n    {plan}")


def main() -> int:
    with django_test_database("test_siger_perf_compliance"):
        from django.db import connection
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        if connection.vendor != "postgresql":
            _log("PostgreSQL is not answering: this benchmark is for PostgreSQL only.")
            return 1
        year = timezone.localdate().year
        admin, head, big_unit = _seed(year)
        admin_client, head_client = Client(), Client()
        admin_client.force_login(admin)
        head_client.force_login(head)
        province_url = reverse("competence:compliance_province")
        unit_url = reverse("competence:compliance_unit", args=[big_unit.pk])
        from lms.competence.compliance import compliance_people

        unit_size = len(compliance_people(year=year, unit_id=big_unit.pk))
        for url, client in ((province_url, admin_client), (unit_url, head_client)):
            response = client.get(url)  # warm up (templates, sessions)
            assert response.status_code == 200, (url, response.status_code)

        def baseline() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT work_unit_id, COUNT(DISTINCT user_id), SUM(jp) FROM competence_ledgerentry "
                    "WHERE status = 'recorded' AND ends_on BETWEEN %s AND %s GROUP BY work_unit_id",
                    [datetime.date(year, 1, 1), datetime.date(year, 12, 31)],
                )
                cursor.fetchall()

        province_s, unit_s, baseline_s = [], [], []
        for _ in range(RUNS):  # alternate, so that machine noise hits all three
            province_s += _timed(lambda: admin_client.get(province_url), 1)
            unit_s += _timed(lambda: head_client.get(unit_url), 1)
            baseline_s += _timed(baseline, 1)
        xlsx_s = _timed(lambda: admin_client.get(province_url, {"format": "xlsx"}), 3)
        response = admin_client.get(province_url, {"format": "xlsx"})
        _log(f"XLSX of the province: {len(response.content) // 1024} KiB")
        _explain("province page", admin_client, province_url)
        _explain("OPD page", head_client, unit_url)
        _log(
            f"province page: median {median(province_s) * 1000:.0f} ms (min {min(province_s) * 1000:.0f}); "
            f"OPD page ({unit_size} ASN): median {median(unit_s) * 1000:.0f} ms; "
            f"XLSX: median {median(xlsx_s):.2f} s; baseline GROUP BY: median {median(baseline_s) * 1000:.0f} ms"
        )
        print(
            json.dumps(
                {
                    "asn": ASN,
                    "entries": ENTRIES,
                    "province_ms": round(median(province_s) * 1000, 1),
                    "opd_ms": round(median(unit_s) * 1000, 1),
                    "xlsx_s": round(median(xlsx_s), 2),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
