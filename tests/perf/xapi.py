"""xAPI intake benchmark: `python -m tests.perf.xapi`.

Statements per second through the real endpoint (session, CSRF middleware, access check, rate limit, intake
service) posted one by one and in batches, vs raw single-row inserts of the same statements into the same
table in the same run. Targets: >= 500/s single, >= 3,000/s batched. Medians of several rounds.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import time
import uuid

from tests.perf._setup import django_setup_temp

ROUNDS = 5
SINGLE_PER_ROUND = 300
BATCHES_PER_ROUND = 10
BATCH_SIZE = 100


def main() -> dict:
    os.environ.pop("REDIS_URL", None)  # self-contained: the in-process cache
    vendor = django_setup_temp()
    from django.conf import settings
    from django.test import Client

    from content.services import package_import
    from lms.factories import UserFactory
    from lms.models import XAPIStatement
    from lms.services import enrollment_create
    from lms.setup import site_ensure_catalogue
    from lms.xapi.parse import VERB_ANSWERED
    from tests.h5p_fixtures import block_ids, build_zip, h5p_course, package_files

    settings.SIGER_XAPI_RATE_LIMIT = 10**9
    activity = package_import(source=build_zip(package_files()))
    course, module = h5p_course(site_ensure_catalogue(), [activity], pass_mark=100)
    learner = UserFactory(full_name="Peserta Benchmark")
    enrollment_create(user=learner, course=course)
    url = f"/xapi/{module.pk}/{block_ids(module)[0]}/statements/"
    client = Client()
    client.force_login(learner)
    client.get(f"/xapi/{module.pk}/{block_ids(module)[0]}/state/")  # the player's launch, as the module page does

    def statement(raw: int = 0) -> dict:
        # Scored but failing answers: every one becomes an attempt, none completes the module.
        return {
            "id": str(uuid.uuid4()),
            "actor": {"name": "x", "mbox": "mailto:x@example.org"},
            "verb": {"id": VERB_ANSWERED, "display": {"en-US": "answered"}},
            "object": {"id": activity.iri, "objectType": "Activity"},
            "result": {"score": {"min": 0, "raw": raw, "max": 1, "scaled": raw}, "success": False, "duration": "PT2S"},
        }

    def post(payload) -> None:
        response = client.post(url, data=json.dumps(payload), content_type="application/json")
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.content[:200]}")

    single, batched, raw_inserts = [], [], []
    for _round in range(ROUNDS):
        payloads = [statement() for _ in range(SINGLE_PER_ROUND)]
        started = time.perf_counter()
        for payload in payloads:
            post(payload)
        single.append(SINGLE_PER_ROUND / (time.perf_counter() - started))

        batches = [[statement() for _ in range(BATCH_SIZE)] for _ in range(BATCHES_PER_ROUND)]
        started = time.perf_counter()
        for batch in batches:
            post(batch)
        batched.append(BATCHES_PER_ROUND * BATCH_SIZE / (time.perf_counter() - started))

        rows = [statement() for _ in range(SINGLE_PER_ROUND)]
        started = time.perf_counter()
        for body in rows:
            XAPIStatement.objects.create(
                statement_id=body["id"],
                user=learner,
                module_id=module.pk,
                block_id="raw",
                verb=VERB_ANSWERED,
                body=body,
                body_hash=hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest(),
            )
        raw_inserts.append(SINGLE_PER_ROUND / (time.perf_counter() - started))
        print(f"round {_round + 1}: single {single[-1]:.0f}/s, batch {batched[-1]:.0f}/s, raw {raw_inserts[-1]:.0f}/s")

    print(f"database: {vendor}; {XAPIStatement.objects.count():,} statements stored")
    return {
        "single_per_s": round(statistics.median(single)),
        "batch_per_s": round(statistics.median(batched)),
        "raw_insert_per_s": round(statistics.median(raw_inserts)),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
