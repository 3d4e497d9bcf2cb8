"""The module page's offline xAPI queue: statements made offline are kept in localStorage, sent in batches the
server accepts once the browser is back online, and a single malformed statement is dropped without the rest."""

import json
import uuid

import pytest

from content.services import package_import
from lms.models import XAPIStatement
from lms.services import enrollment_create
from lms.xapi.parse import MAX_BATCH, VERB_ANSWERED, VERB_LAUNCHED
from tests.e2e.test_h5p import open_module, wait_for
from tests.h5p_fixtures import (
    h5p_course,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    needs_samples,
    sample,
)

pytestmark = [pytest.mark.e2e, needs_samples]

QUEUED = MAX_BATCH + 60


def _statements(activity) -> list[dict]:
    made = []
    for n in range(QUEUED):
        made.append(
            {
                "id": str(uuid.uuid4()),
                "actor": {"name": "x"},
                "verb": {"id": VERB_ANSWERED, "display": {"en-US": "answered"}},
                "object": {"id": activity.iri, "objectType": "Activity"},
                "result": {"score": {"min": 0, "raw": 0, "max": 1, "scaled": 0}, "success": False, "response": str(n)},
            }
        )
    made[100]["result"]["success"] = "yes"  # malformed: the server refuses this one alone
    return made


def test_statements_made_offline_are_kept_and_all_recorded_in_batches_when_back_online(
    page, live_url, catalogue, learner, media_root
):
    activity = package_import(source=str(sample("H5P.MultiChoice")))
    course, module = h5p_course(catalogue, [activity], pass_mark=100)
    enrollment_create(user=learner, course=course)
    open_module(page, live_url, learner, module)
    player = page.locator("iframe.h5p-frame").element_handle().content_frame()
    posts: list[int] = []
    page.on("request", lambda r: "/statements/" in r.url and posts.append(len(json.loads(r.post_data or "[]"))))

    page.context.set_offline(True)
    # As the player does for each xAPI event of the content: a message to the module page.
    player.evaluate(
        """([statements, activity]) => statements.forEach((statement) => window.parent.postMessage(
            {source: "siger-h5p", activity: activity, type: "xapi", statement: statement}, "*"))""",
        [_statements(activity), str(activity.uuid)],
    )
    stored = (
        "Object.keys(localStorage).filter(k => k.startsWith('siger-xapi:'))"
        + ".map(k => JSON.parse(localStorage[k]).length)"
    )
    # Kept while offline, nothing lost (with the `attempted` that MultiChoice sends when it loads).
    wait_for(lambda: page.evaluate(stored) and page.evaluate(stored)[0] >= QUEUED)
    page.wait_for_timeout(2000)  # a few failed tries
    (kept,) = page.evaluate(stored)
    posted = XAPIStatement.objects.filter(user=learner).exclude(verb=VERB_LAUNCHED)
    before = posted.count()  # 0, or 1 if `attempted` got through before the browser went offline

    page.context.set_offline(False)
    wait_for(lambda: posted.count() == before + kept - 1, timeout=30)
    wait_for(lambda: page.evaluate(stored) == [])  # acknowledged: the queue is empty
    assert page.get_attribute(".siger-h5p", "data-rejected") == "1"
    assert max(posts) <= MAX_BATCH
    assert not posted.filter(body__result__response="100").exists()


def test_statements_not_yet_sent_survive_a_reload_and_are_sent_by_the_next_page(
    page, live_url, catalogue, learner, media_root
):
    activity = package_import(source=str(sample("H5P.MultiChoice")))
    course, module = h5p_course(catalogue, [activity], pass_mark=100)
    enrollment_create(user=learner, course=course)
    open_module(page, live_url, learner, module)
    posted = XAPIStatement.objects.filter(user=learner).exclude(verb=VERB_LAUNCHED)
    wait_for(lambda: posted.exists())  # the `attempted` MultiChoice sends when it loads
    page.route("**/statements/", lambda route: route.abort())  # the server cannot be reached
    player = page.locator("iframe.h5p-frame").element_handle().content_frame()
    statements = _statements(activity)[:5]
    player.evaluate(
        """([statements, activity]) => statements.forEach((statement) => window.parent.postMessage(
            {source: "siger-h5p", activity: activity, type: "xapi", statement: statement}, "*"))""",
        [statements, str(activity.uuid)],
    )
    kept = (
        "Object.keys(localStorage).filter(k => k.startsWith('siger-xapi:'))"
        + ".map(k => JSON.parse(localStorage[k]).length)"
    )
    wait_for(lambda: page.evaluate(kept) == [5])
    page.unroute("**/statements/")
    page.reload()
    ids = {s["id"] for s in statements}
    wait_for(lambda: set(posted.values_list("statement_id", flat=True).iterator()) >= {uuid.UUID(i) for i in ids})
    wait_for(lambda: page.evaluate(kept) == [])
