"""xAPI intake: attempts, pass and completion, idempotency, spoofing, bad input, access, state, reports."""

import json
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from content.services import package_import
from lms.models import (
    ActivityAttempt,
    ActivityResult,
    ActivityState,
    EnrollmentStatus,
    ItemProgress,
    ProgressSource,
    ProgressStatus,
    XAPIStatement,
)
from lms.roles import user_set_role
from lms.services import enrollment_create
from lms.xapi.parse import VERB_ANSWERED, VERB_COMPLETED, VERB_LAUNCHED
from tests.conftest import client_for
from tests.h5p_fixtures import (
    block_ids,
    build_zip,
    h5p_course,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    package_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # REDIS_URL points the tests at their own Redis database


@pytest.fixture
def activities(media_root):
    return [
        package_import(source=build_zip(package_files(title="Kuis A"))),
        package_import(source=build_zip(package_files(title="Kuis B"))),
    ]


@pytest.fixture
def setup(catalogue, activities, learner):
    course, module = h5p_course(catalogue, activities, pass_mark=70)
    enrollment = enrollment_create(user=learner, course=course)
    first, second = block_ids(module)
    return {"course": course, "module": module, "enrollment": enrollment, "blocks": (first, second)}


def statement(activity, *, verb=VERB_ANSWERED, raw=1, max_score=1, child=False, sid=None, actor=None, **extra):
    body = {
        "id": sid or str(uuid.uuid4()),
        "actor": actor or {"name": "Peserta", "mbox": "mailto:peserta@example.org"},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"id": activity.iri + ("?subContentId=abc" if child else ""), "objectType": "Activity"},
        "result": {
            "score": {"min": 0, "raw": raw, "max": max_score, "scaled": raw / max_score if max_score else 0},
            "success": raw == max_score,
            "completion": True,
            "duration": "PT12.5S",
        },
    }
    if child:
        body["context"] = {"contextActivities": {"parent": [{"id": activity.iri}]}}
    body.update(extra)
    return body


def posted():
    """The statements the clients posted (not the server's own `launched` records)."""
    return XAPIStatement.objects.exclude(verb=VERB_LAUNCHED)


def opened(user, setup) -> Client:
    """A logged-in client whose module page has launched both players (each asks for its saved state)."""
    client = client_for(user)
    for block in setup["blocks"]:
        client.get(f"/xapi/{setup['module'].pk}/{block}/state/")
    return client


def post(client: Client, module, block_id: str, payload):
    return client.post(
        f"/xapi/{module.pk}/{block_id}/statements/", data=json.dumps(payload), content_type="application/json"
    )


def test_when_required_activities_pass_then_module_completes(setup, activities, learner):
    client = opened(learner, setup)
    module, (first, second) = setup["module"], setup["blocks"]
    reply = post(client, module, first, statement(activities[0], raw=8, max_score=10))
    assert reply.status_code == 200
    assert reply.json() | {"passed": True, "module_completed": False} == reply.json()
    attempt = ActivityAttempt.objects.get()
    assert (attempt.raw_score, attempt.max_score, attempt.scaled_score, attempt.success) == (8, 10, 0.8, False)
    assert attempt.duration.total_seconds() == 12.5 and attempt.user == learner and attempt.passed
    assert not ItemProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()

    reply = post(client, module, second, statement(activities[1], verb=VERB_COMPLETED, raw=7, max_score=10))
    assert reply.json()["module_completed"] is True
    progress = ItemProgress.objects.get(enrollment=setup["enrollment"], item_id=module.pk)
    assert (progress.status, progress.source) == (ProgressStatus.COMPLETED, ProgressSource.ACTIVITIES)


def test_when_score_is_below_pass_mark_then_attempt_is_kept_but_nothing_completes(setup, activities, learner):
    reply = post(
        opened(learner, setup), setup["module"], setup["blocks"][0], statement(activities[0], raw=6, max_score=10)
    )
    assert reply.json()["passed"] is False
    assert ActivityAttempt.objects.get().passed is False
    assert ActivityResult.objects.get().best_scaled == 0.6
    assert not ItemProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()


def test_when_same_statement_is_posted_twice_then_nothing_changes(setup, activities, learner):
    client = opened(learner, setup)
    body = statement(activities[0])
    first = post(client, setup["module"], setup["blocks"][0], body)
    again = post(client, setup["module"], setup["blocks"][0], body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["stored"] == 0 and again.json()["duplicates"] == 1
    assert posted().count() == 1 and ActivityAttempt.objects.count() == 1


def test_when_same_id_comes_with_another_body_then_409_and_nothing_changes(setup, activities, learner):
    client = opened(learner, setup)
    body = statement(activities[0], raw=0)
    post(client, setup["module"], setup["blocks"][0], body)
    changed = statement(activities[0], raw=1, sid=body["id"])
    reply = post(client, setup["module"], setup["blocks"][0], changed)
    assert reply.status_code == 409 and reply.json()["error"] == "conflict"
    assert ActivityAttempt.objects.get().raw_score == 0
    assert not ActivityResult.objects.filter(passed_at__isnull=False).exists()


def test_when_another_user_reuses_a_statement_id_then_409(setup, activities, learner, catalogue):
    body = statement(activities[0])
    post(opened(learner, setup), setup["module"], setup["blocks"][0], body)
    other = user_set_role(user=type(learner).objects.create(nip="199001012020121001", full_name="Lain"), role="learner")
    enrollment_create(user=other, course=setup["course"])
    reply = post(opened(other, setup), setup["module"], setup["blocks"][0], body)
    assert reply.status_code == 409
    assert posted().get().user == learner


def test_when_actor_is_spoofed_then_statement_belongs_to_the_session_user(setup, activities, learner, instructor):
    spoof = {"name": instructor.full_name, "account": {"homePage": "siger", "name": str(instructor.pk)}}
    post(opened(learner, setup), setup["module"], setup["blocks"][0], statement(activities[0], actor=spoof))
    stored = posted().get()
    assert stored.user == learner
    assert stored.body["actor"]["account"]["name"] == str(learner.pk)
    assert stored.body["actor"]["name"] == learner.full_name
    assert ActivityAttempt.objects.get().user == learner


def test_child_statements_of_a_question_set_are_stored_but_are_not_attempts(setup, activities, learner):
    reply = post(opened(learner, setup), setup["module"], setup["blocks"][0], statement(activities[0], child=True))
    assert reply.json()["stored"] == 1 and reply.json()["attempts"] == 0
    assert posted().count() == 1 and not ActivityAttempt.objects.exists()


def test_unscored_verbs_are_stored_raw_only(setup, activities, learner):
    body = statement(activities[0], verb="http://adlnet.gov/expapi/verbs/interacted")
    post(opened(learner, setup), setup["module"], setup["blocks"][0], body)
    assert posted().count() == 1 and not ActivityAttempt.objects.exists()


@pytest.mark.parametrize(
    "score",
    [
        {"min": 0, "raw": 11, "max": 10},
        {"min": 0, "raw": -1, "max": 10},
        {"raw": 1, "max": 1, "scaled": 1.5},
        {"min": 5, "raw": 5, "max": 1},
        {"raw": "10", "max": 10},
        {"raw": True, "max": 10},
        {"raw": 1, "max": float("inf")},
    ],
)
def test_when_score_is_out_of_range_or_not_a_number_then_400_and_nothing_stored(setup, activities, learner, score):
    body = statement(activities[0])
    body["result"]["score"] = score
    reply = post(opened(learner, setup), setup["module"], setup["blocks"][0], body)
    assert reply.status_code == 400
    assert not posted().exists()


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        [],
        ["a string"],
        {"verb": {"id": VERB_ANSWERED}},  # no object
        {"id": "not-a-uuid", "verb": {"id": VERB_ANSWERED}, "object": {"id": "x"}},
        {"verb": "answered", "object": {"id": "x"}},
    ],
)
def test_malformed_input_is_400_never_500(setup, learner, payload):
    client = opened(learner, setup)
    url = f"/xapi/{setup['module'].pk}/{setup['blocks'][0]}/statements/"
    data = payload if isinstance(payload, str) else json.dumps(payload)
    reply = client.post(url, data=data, content_type="application/json")
    assert reply.status_code == 400
    assert not posted().exists()


@pytest.mark.parametrize("context", [["odd"], {"contextActivities": ["odd"]}, {"contextActivities": {"parent": 5}}])
def test_odd_context_shapes_are_400_never_500(setup, activities, learner, context):
    reply = post(opened(learner, setup), setup["module"], setup["blocks"][0], statement(activities[0], context=context))
    assert reply.status_code == 400 and reply.json()["error"] == "context_invalid"


def test_statement_for_another_activity_is_400(setup, activities, learner):
    reply = post(opened(learner, setup), setup["module"], setup["blocks"][0], statement(activities[1]))
    assert reply.status_code == 400 and reply.json()["error"] == "wrong_activity"


def test_batch_is_stored_at_once_and_a_bad_member_rejects_the_whole_batch(setup, activities, learner):
    client = opened(learner, setup)
    batch = [statement(activities[0], child=True) for _ in range(30)] + [statement(activities[0])]
    reply = post(client, setup["module"], setup["blocks"][0], batch)
    assert reply.json()["stored"] == 31 and reply.json()["attempts"] == 1
    bad = [statement(activities[0]), statement(activities[0], raw=5, max_score=1)]
    assert post(client, setup["module"], setup["blocks"][0], bad).status_code == 400
    assert posted().count() == 31


def test_access_is_checked_anonymous_unenrolled_and_unknown_block(setup, activities, learner, catalogue):
    module, block = setup["module"], setup["blocks"][0]
    assert post(Client(), module, block, statement(activities[0])).status_code == 401
    stranger = user_set_role(
        user=type(learner).objects.create(nip="199202022020122002", full_name="Asing"), role="learner"
    )
    assert post(opened(stranger, setup), module, block, statement(activities[0])).status_code == 403
    assert post(opened(learner, setup), module, "no-such-block", statement(activities[0])).status_code == 404
    assert not posted().exists()


def test_csrf_is_required(setup, activities, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert post(client, setup["module"], setup["blocks"][0], statement(activities[0])).status_code == 403
    client.get(setup["module"].url)  # sets the csrftoken cookie, as the module page does
    client.get(f"/xapi/{setup['module'].pk}/{setup['blocks'][0]}/state/")  # and its player launches
    token = client.cookies["csrftoken"].value
    reply = client.post(
        f"/xapi/{setup['module'].pk}/{setup['blocks'][0]}/statements/",
        data=json.dumps(statement(activities[0])),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert reply.status_code == 200


def test_rate_limit(setup, activities, learner, settings):
    settings.SIGER_XAPI_RATE_LIMIT = 3
    client = opened(learner, setup)
    codes = [post(client, setup["module"], setup["blocks"][0], statement(activities[0])).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_state_is_saved_and_restored_per_learner(setup, learner):
    client = opened(learner, setup)
    url = f"/xapi/{setup['module'].pk}/{setup['blocks'][0]}/state/"
    assert client.get(url).json()["state"] is None
    saved = json.dumps({"progress": 2, "answers": [1, 0]})
    assert client.put(url, data=json.dumps({"state": saved}), content_type="application/json").status_code == 200
    assert client.get(url).json()["state"] == saved
    assert client.put(url, data=json.dumps({"state": "{broken"}), content_type="application/json").status_code == 400
    assert client.put(url, data=json.dumps(["x"]), content_type="application/json").status_code == 400
    assert ActivityState.objects.get().data == saved


def test_report_lists_best_and_last_score_for_the_course_instructor_only(setup, activities, learner, instructor):
    client = opened(learner, setup)
    module, block = setup["module"], setup["blocks"][0]
    for raw in (9, 4):
        post(client, module, block, statement(activities[0], raw=raw, max_score=10))
    report_url = f"/laporan-aktivitas/{module.pk}/{block}/"
    assert client.get(report_url).status_code == 403
    assert client_for(instructor).get(report_url).status_code == 403  # not an instructor of this course
    setup["course"].instructors.add(instructor)
    setup["course"].save()
    page = client_for(instructor).get(report_url)
    assert page.status_code == 200 and learner.full_name in page.content.decode()
    csv_text = client_for(instructor).get(report_url + "csv/").content.decode()
    row = next(line for line in csv_text.splitlines() if learner.full_name in line)
    assert row.split(",")[2:5] == ["2", "90.0", "40.0"]


def test_when_the_pass_mark_is_changed_and_published_then_the_intake_uses_the_new_one(setup, activities, learner):
    client, module, block = opened(learner, setup), setup["module"], setup["blocks"][0]
    module.body[0].value["pass_mark"] = 90
    module.save_revision().publish()
    assert post(client, module, block, statement(activities[0], raw=8, max_score=10)).json()["passed"] is False
    module.refresh_from_db()
    module.body[0].value["pass_mark"] = 80
    module.save_revision().publish()
    assert post(client, module, block, statement(activities[0], raw=8, max_score=10)).json()["passed"] is True


# --- Remembered access (lms.xapi.grants) ----------------------------------------------------------------------


def test_after_the_first_statement_access_is_not_checked_again_for_a_while(
    setup, activities, learner, django_assert_max_num_queries
):
    client, module, block = opened(learner, setup), setup["module"], setup["blocks"][0]
    post(client, module, block, statement(activities[0], raw=0))
    # The user, then the writes: statement, attempt, standing (and the transaction around them).
    with django_assert_max_num_queries(6):
        assert post(client, module, block, statement(activities[0], raw=0)).status_code == 200
    assert ActivityAttempt.objects.count() == 2


def test_a_refusal_is_not_remembered(setup, activities, learner):
    stranger = user_set_role(
        user=type(learner).objects.create(nip="199303032020123003", full_name="Baru"), role="learner"
    )
    client, module, block = opened(stranger, setup), setup["module"], setup["blocks"][0]
    assert post(client, module, block, statement(activities[0])).status_code == 403
    enrollment_create(user=stranger, course=setup["course"])
    client.get(f"/xapi/{module.pk}/{block}/state/")  # the module page is opened once enrolled
    assert post(client, module, block, statement(activities[0])).status_code == 200


def test_when_the_module_is_unpublished_then_statements_are_refused_at_once(setup, activities, learner):
    client, module, block = opened(learner, setup), setup["module"], setup["blocks"][0]
    assert post(client, module, block, statement(activities[0])).status_code == 200
    module.unpublish()
    assert post(client, module, block, statement(activities[0])).status_code == 404
    assert posted().count() == 1


def test_when_the_enrollment_is_withdrawn_then_passing_no_longer_completes_the_module(setup, activities, learner):
    client, module, (first, second) = opened(learner, setup), setup["module"], setup["blocks"]
    post(client, module, first, statement(activities[0], raw=0))
    post(client, module, second, statement(activities[1], raw=0))
    enrollment = setup["enrollment"]
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    # Access may be remembered for up to a minute (GRANT_SECONDS); completion reads the enrollment afresh.
    for block, activity in ((first, activities[0]), (second, activities[1])):
        reply = post(client, module, block, statement(activity))
        assert reply.status_code == 403 or reply.json()["module_completed"] is False
    assert not ItemProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()


def test_when_a_batch_repeats_a_stored_statement_then_only_the_new_one_is_stored(setup, activities, learner):
    client, module, block = opened(learner, setup), setup["module"], setup["blocks"][0]
    stored = statement(activities[0], raw=0)
    post(client, module, block, stored)
    reply = post(client, module, block, [stored, statement(activities[0], raw=1)])
    assert reply.status_code == 200
    assert (reply.json()["stored"], reply.json()["duplicates"], reply.json()["passed"]) == (1, 1, True)
    assert posted().count() == 2 and ActivityAttempt.objects.count() == 2
    assert ActivityResult.objects.get().best_scaled == 1


def test_a_lower_score_keeps_the_best_and_the_pass(setup, activities, learner):
    client, module, block = opened(learner, setup), setup["module"], setup["blocks"][0]
    post(client, module, block, statement(activities[0], raw=9, max_score=10))
    reply = post(client, module, block, statement(activities[0], raw=2, max_score=10))
    assert reply.json()["passed"] is True and reply.json()["last_percent"] == 20.0
    standing = ActivityResult.objects.get()
    assert standing.best_scaled == 0.9 and standing.passed_at is not None
