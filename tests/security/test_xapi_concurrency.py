"""The same statement id posted by several requests at the same moment (a retry racing the original,
two tabs replaying one offline queue): every request is answered 200, one row is stored, one attempt counted."""

import json
import threading
import uuid

import pytest
from django.db import connection

from content.services import package_import
from lms.models import ActivityAttempt, XAPIStatement
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

THREADS = 6
ROUNDS = 4


@pytest.mark.django_db(transaction=True)
def test_when_one_statement_id_arrives_several_times_at_once_then_one_is_stored_and_none_fails(
    catalogue, learner, media_root
):
    activity = package_import(source=build_zip(package_files(title="Kuis Serentak")))
    course, module = h5p_course(catalogue, [activity], pass_mark=70)
    enrollment_create(user=learner, course=course)
    base = f"/xapi/{module.pk}/{block_ids(module)[0]}"
    client_for(learner).get(f"{base}/state/")  # launched
    bodies = [
        json.dumps(
            {
                "id": str(uuid.uuid4()),
                "actor": {"name": "Peserta"},
                "verb": {"id": VERB_ANSWERED},
                "object": {"id": activity.iri, "objectType": "Activity"},
                "result": {"score": {"min": 0, "raw": 0, "max": 1, "scaled": 0}, "success": False},
            }
        )
        for _ in range(ROUNDS)
    ]
    answers: list[tuple[int, int]] = []
    barriers = [threading.Barrier(THREADS) for _ in range(ROUNDS)]

    def tab() -> None:
        client = client_for(learner)
        try:
            for body, barrier in zip(bodies, barriers, strict=True):
                barrier.wait()
                response = client.post(f"{base}/statements/", data=body, content_type="application/json")
                answers.append((response.status_code, response.json().get("stored", 0)))
        finally:
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [status for status, _stored in answers] == [200] * (THREADS * ROUNDS)
    assert sum(stored for _status, stored in answers) == ROUNDS
    assert XAPIStatement.objects.exclude(verb=VERB_LAUNCHED).count() == ROUNDS
    assert ActivityAttempt.objects.count() == ROUNDS
