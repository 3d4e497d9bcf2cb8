"""H5P in the browser: every hub sample renders in a module page; a learner answers MultiChoice, TrueFalse and
QuestionSet by clicking, the score lands in the database and completes the module; a half-done QuestionSet
resumes after a reload."""

import re
import time

import pytest
from playwright.sync_api import expect

from content.services import package_import
from lms.factories import DEMO_PASSWORD
from lms.models import ActivityAttempt, ActivityState, ItemProgress, ProgressStatus
from lms.services import enrollment_create
from tests.e2e.conftest import login
from tests.h5p_fixtures import (
    HUB,
    h5p_course,
    h5p_module,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    needs_samples,
    sample,
)

pytestmark = [pytest.mark.e2e, needs_samples]


def wait_for(predicate, timeout: float = 15, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def player(page):
    """The H5P content: our player iframe, then the about:blank iframe h5p-standalone writes into."""
    return page.frame_locator("iframe.h5p-frame").frame_locator("iframe.h5p-iframe")


def open_module(page, live_url, learner, module):
    login(page, live_url, learner.nip, DEMO_PASSWORD)
    page.goto(live_url + module.url)
    page.wait_for_selector(".siger-h5p[data-loaded='1']", timeout=20_000)


def test_every_hub_sample_renders_in_a_module_page_without_js_errors(page, live_url, catalogue, learner, media_root):
    activities = [package_import(source=str(path)) for path in HUB]
    course, _first = h5p_course(catalogue, activities[:1], slug="modul-0")
    modules = [h5p_module(course, [a], slug=f"modul-{n}") for n, a in enumerate(activities[1:], start=1)]
    modules.insert(0, _first)
    enrollment_create(user=learner, course=course)
    login(page, live_url, learner.nip, DEMO_PASSWORD)
    failures = []
    for path, module in zip(HUB, modules, strict=True):
        page.js_errors.clear()
        page.goto(live_url + module.url)
        try:
            page.wait_for_selector(".siger-h5p[data-loaded='1']", timeout=20_000)
            player(page).locator(".h5p-content").first.wait_for(state="attached", timeout=10_000)
        except Exception as error:  # noqa: BLE001 - collect every failing sample, then fail once
            failures.append(f"{path.name}: not rendered ({error.__class__.__name__})")
            continue
        page.wait_for_timeout(300)  # let late initialisation errors surface
        error = page.get_attribute(".siger-h5p", "data-error")
        if page.js_errors or error:
            failures.append(f"{path.name}: {page.js_errors or error}")
    assert failures == []


def _module_completed(module) -> bool:
    return ItemProgress.objects.filter(item_id=module.pk, status=ProgressStatus.COMPLETED).exists()


@pytest.mark.parametrize(
    ("name", "answer"),
    [("H5P.MultiChoice", "Very dark purple"), ("H5P.TrueFalse", "Yes")],
)
def test_learner_answers_by_clicking_and_the_score_completes_the_module(
    page,
    live_url,
    catalogue,
    learner,
    media_root,
    name,
    answer,
):
    activity = package_import(source=str(sample(name)))
    course, module = h5p_course(catalogue, [activity], pass_mark=100)
    enrollment_create(user=learner, course=course)
    open_module(page, live_url, learner, module)
    content = player(page)
    content.get_by_text(answer, exact=True).first.click()
    content.locator(".h5p-question-check-answer").click()
    attempt = wait_for(lambda: ActivityAttempt.objects.filter(user=learner, module_id=module.pk).first())
    assert (attempt.raw_score, attempt.max_score, attempt.scaled_score) == (1, 1, 1)
    assert attempt.passed and attempt.statement.body["actor"]["account"]["name"] == str(learner.pk)
    wait_for(lambda: _module_completed(module))
    page.wait_for_selector(".h5p-status:has-text('Modul selesai')")
    assert page.js_errors == []


def answer_question(question) -> None:
    """Answer the visible question of the hub QuestionSet the way a learner would, then check it."""
    text = question.inner_text()
    if "True\nFalse" in text:
        question.get_by_text("True", exact=True).click()
    elif "Answer 1" in text:
        question.get_by_text("Answer 1", exact=True).click()
    elif "Oslo is the capital" in text:
        question.locator("input.h5p-text-input").fill("Oslo")
    elif "Full text where words can be marked" in text:
        question.get_by_text("nice", exact=True).click()
    elif "Drag the words" in text:
        question.locator(".ui-draggable", has_text="nice").first.drag_to(question.locator(".ui-droppable").first)
    # The drag-and-drop question has no drop zones to use: checking it is its answer.
    question.locator(".h5p-question-check-answer:visible").click()


def test_learner_finishes_the_question_set_and_its_score_completes_the_module(
    page,
    live_url,
    catalogue,
    learner,
    media_root,
):
    activity = package_import(source=str(sample("H5P.QuestionSet")))
    course, module = h5p_course(catalogue, [activity], pass_mark=30)
    enrollment_create(user=learner, course=course)
    open_module(page, live_url, learner, module)
    content = player(page)
    for _question in range(9):
        answer_question(content.locator(".question-container:visible").first)
        following = content.locator(".h5p-question-next:visible")
        if following.count():
            following.first.click()
    content.locator(".h5p-question-finish:visible").click()
    # The result page shows the learner's score; the database must hold the same one.
    expect(content.locator(".questionset-results")).to_contain_text(re.compile(r"5\s*/\s*14"))
    attempt = wait_for(lambda: ActivityAttempt.objects.filter(user=learner, module_id=module.pk).first())
    # Only the set's own `completed` is an attempt; the nine child `answered` statements are stored raw.
    assert ActivityAttempt.objects.filter(user=learner).count() == 1
    assert attempt.verb.endswith("/completed")
    assert (attempt.raw_score, attempt.max_score) == (5, 14)
    wait_for(lambda: _module_completed(module))
    assert page.js_errors == []


def test_half_done_question_set_resumes_after_reload(page, live_url, catalogue, learner, media_root):
    activity = package_import(source=str(sample("H5P.QuestionSet")))
    course, module = h5p_course(catalogue, [activity], pass_mark=30)
    enrollment_create(user=learner, course=course)
    open_module(page, live_url, learner, module)
    content = player(page)
    answer_question(content.locator(".question-container:visible").first)
    content.locator(".h5p-question-next:visible").first.click()
    content.get_by_text("Untitled Drag and Drop").wait_for()

    def saved_on_second_question():
        state = ActivityState.objects.filter(user=learner, module_id=module.pk).first()
        return state and '"progress":1' in state.data.replace(" ", "")

    wait_for(saved_on_second_question, timeout=10)
    page.reload()
    page.wait_for_selector(".siger-h5p[data-loaded='1']", timeout=20_000)
    # Back on the second question, with the first one's answer kept.
    player(page).get_by_text("Untitled Drag and Drop").wait_for(timeout=10_000)
    assert player(page).locator(".question-container:visible").first.inner_text().startswith("Untitled Drag and Drop")
    player(page).locator(".h5p-question-prev:visible").first.click()
    first = player(page).locator(".question-container:visible").first
    assert first.locator(".h5p-answer[aria-checked='true']").count() == 1
    assert page.js_errors == []
