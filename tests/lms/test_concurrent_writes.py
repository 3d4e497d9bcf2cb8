"""Several requests writing at once, as a module page with several H5P activities does: none may fail. On the
embedded default (SQLite) this needs transactions that wait for the write lock rather than fail."""

import json
import threading
import uuid

import pytest
from django.db import connection

from lms.models import ActivityState, XAPIStatement
from lms.services import enrollment_create
from lms.xapi.parse import VERB_ANSWERED, VERB_LAUNCHED
from tests.conftest import client_for
from tests.h5p_fixtures import (
    block_ids,
    build_zip,
    h5p_course,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    package_files,
)

THREADS = 8
ROUNDS = 5


@pytest.mark.django_db(transaction=True)
def test_when_activities_save_state_and_scores_at_once_then_every_request_succeeds(catalogue, learner, media_root):
    from content.services import package_import

    activities = [package_import(source=build_zip(package_files(title=f"Kuis {n}"))) for n in range(2)]
    course, module = h5p_course(catalogue, activities, pass_mark=70)
    enrollment_create(user=learner, course=course)
    blocks = block_ids(module)
    statuses: list[int] = []
    start = threading.Barrier(THREADS)

    def learner_tab(n: int) -> None:
        client = client_for(learner)
        block = blocks[n % len(blocks)]
        activity = activities[n % len(blocks)]
        client.get(f"/xapi/{module.pk}/{block}/state/")  # the module page launches the player
        start.wait()
        try:
            for round_ in range(ROUNDS):
                state = json.dumps({"tab": n, "round": round_})
                response = client.put(
                    f"/xapi/{module.pk}/{block}/state/",
                    data=json.dumps({"state": state}),
                    content_type="application/json",
                )
                statuses.append(response.status_code)
                body = {
                    "id": str(uuid.uuid4()),
                    "actor": {"name": "Peserta"},
                    "verb": {"id": VERB_ANSWERED},
                    "object": {"id": activity.iri, "objectType": "Activity"},
                    "result": {"score": {"min": 0, "raw": 0, "max": 1, "scaled": 0}, "success": False},
                }
                response = client.post(
                    f"/xapi/{module.pk}/{block}/statements/", data=json.dumps(body), content_type="application/json"
                )
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=learner_tab, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [200] * (THREADS * ROUNDS * 2)
    assert ActivityState.objects.filter(user=learner).count() == len(blocks)
    assert XAPIStatement.objects.filter(user=learner).exclude(verb=VERB_LAUNCHED).count() == THREADS * ROUNDS
