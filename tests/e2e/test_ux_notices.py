"""What a person notices first, in Chromium: the module's status card updates when an H5P activity completes it
(no reload), the room says "belum dimulai" and opens no socket before its opening time, and the header names
who is signed in on a phone."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from content.services import package_import
from lms.factories import DEMO_PASSWORD, LiveSessionPageFactory, ModulePageFactory
from lms.models import SessionKind
from lms.services import enrollment_create
from tests.e2e.conftest import login
from tests.e2e.test_h5p import open_module, player
from tests.h5p_fixtures import (
    h5p_course,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    needs_samples,
    sample,
)

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/ux-shots"


@needs_samples
def test_status_card_progress_and_next_step_update_without_reload(page, live_url, catalogue, learner, media_root):
    activity = package_import(source=str(sample("H5P.TrueFalse")))
    course, module = h5p_course(catalogue, [activity], pass_mark=100)
    ModulePageFactory(parent=course, title="Modul Lanjutan", slug="modul-lanjutan")
    enrollment_create(user=learner, course=course)
    open_module(page, live_url, learner, module)
    card = page.locator("#module-status")
    expect(card).to_contain_text("0%")
    content = player(page)
    content.get_by_text("Yes", exact=True).first.click()
    content.locator(".h5p-question-check-answer").click()
    expect(card.locator(".badge.ok")).to_have_text("Selesai", timeout=20_000)
    expect(card).to_contain_text("50%")
    expect(card.locator(".progress")).to_have_attribute("aria-valuenow", "50")
    expect(page.locator("a#step-next")).to_have_text("Modul Lanjutan →")
    page.screenshot(path=f"{SHOTS}/module-done.png", full_page=True)
    assert page.js_errors == []


def test_room_before_opening_says_not_started_and_opens_no_socket(page, live_url, course, learner):
    now = timezone.now()
    session = LiveSessionPageFactory(
        parent=course,
        title="Webinar Lusa",
        kind=SessionKind.WEBINAR,
        starts_at=now + datetime.timedelta(days=2),
        ends_at=now + datetime.timedelta(days=2, hours=2),
    )
    enrollment_create(user=learner, course=course)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    login(page, live_url, learner.nip, DEMO_PASSWORD)
    page.goto(f"{live_url}/live/{session.pk}/")
    expect(page.locator("#room-not-open")).to_contain_text("Sesi belum dimulai")
    expect(page.locator("#room-countdown")).to_have_text(re.compile(r"^1 hari 23:\d\d:\d\d$"))
    expect(page.get_by_text("Terhubung.")).to_have_count(0)
    page.wait_for_timeout(1500)
    assert sockets == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SHOTS}/room-not-open-phone.png", full_page=True)
    # the header on a phone: the short name and an account menu that opens without a script of ours
    page.locator("#account-menu summary").click()
    expect(page.locator("#account-menu .account-panel")).to_contain_text(learner.nip)
    expect(page.locator("#account-menu").get_by_role("button", name="Keluar")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/header-phone-open.png")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=f"{SHOTS}/header-desktop-open.png")
    assert page.js_errors == []
