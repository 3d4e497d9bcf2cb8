"""Two learners and an instructor in one live room, in Chromium, against the ASGI server."""

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from live.models import Attendance, ChatMessage
from lms.factories import DEMO_PASSWORD, LiveSessionPageFactory, UserFactory, WorkUnitFactory
from lms.models import ItemProgress, ProgressStatus, SessionKind
from lms.services import enrollment_create
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

WAIT = 20_000  # ms; the machine is shared
XSS = "<img src=x onerror=window.__pwned=1>"


def _new_page(browser):
    context = browser.new_context(locale="id-ID", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    return page


def _enter(page, live_url: str, user, session) -> None:
    login(page, live_url, user.nip, DEMO_PASSWORD)
    page.goto(f"{live_url}/live/{session.pk}/")
    expect(page.locator("body[data-room-ready]")).to_have_count(1, timeout=WAIT)


def _wait_until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


@pytest.fixture
def webinar(course, instructor):
    course.instructors.add(instructor)
    course.save()
    now = timezone.now()
    return LiveSessionPageFactory(
        parent=course,
        title="Webinar Manajemen ASN",
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(minutes=1),
        attendance_threshold_percent=1,  # a second of presence is enough in a test
    )


def test_two_learners_and_an_instructor_chat_moderate_raise_hands_and_attendance_is_recorded(
    page, browser, live_url, course, webinar, instructor
):
    first = UserFactory(full_name="Siti Rahmawati", work_unit=WorkUnitFactory(name="Dinas Kesehatan"))
    second = UserFactory(full_name=XSS)
    for learner in (first, second):
        enrollment_create(user=learner, course=course)
    teacher = page
    one, two = _new_page(browser), _new_page(browser)
    _enter(teacher, live_url, instructor, webinar)
    _enter(one, live_url, first, webinar)
    _enter(two, live_url, second, webinar)

    # Presence: everyone sees three people, names with their OPD and role; a hostile name is only text.
    for viewer in (teacher, one, two):
        expect(viewer.locator("#present .person")).to_have_count(3, timeout=WAIT)
    expect(teacher.locator("#present")).to_contain_text("Siti Rahmawati")
    expect(teacher.locator("#present")).to_contain_text("Dinas Kesehatan")
    expect(teacher.locator("#present")).to_contain_text(XSS)
    expect(one.locator("#present .person", has_text="Widyaiswara Uji")).to_contain_text("Pengajar")

    # Messages both ways.
    one.get_by_label("Pesan").fill("Selamat pagi, Bapak/Ibu")
    one.get_by_role("button", name="Kirim").click()
    for viewer in (teacher, two):
        expect(viewer.locator("#messages")).to_contain_text("Selamat pagi, Bapak/Ibu", timeout=WAIT)
    teacher.get_by_label("Pesan").fill("Selamat datang di webinar")
    teacher.get_by_role("button", name="Kirim").click()
    for viewer in (one, two):
        expect(viewer.locator("#messages")).to_contain_text("Selamat datang di webinar", timeout=WAIT)

    # Script in chat never runs.
    two.get_by_label("Pesan").fill(XSS)
    two.get_by_role("button", name="Kirim").click()
    for viewer in (teacher, one, two):
        expect(viewer.locator("#messages .text", has_text=XSS)).to_have_count(1, timeout=WAIT)
        assert viewer.locator("#messages img, #present img").count() == 0
        assert viewer.evaluate("window.__pwned") is None

    # The instructor deletes a message: it disappears for everyone.
    line = teacher.locator("#messages .chat-line", has_text="Selamat pagi, Bapak/Ibu")
    line.get_by_role("button", name="Hapus").click()
    for viewer in (teacher, one, two):
        expect(viewer.locator("#messages")).not_to_contain_text("Selamat pagi, Bapak/Ibu", timeout=WAIT)
    assert ChatMessage.objects.get(text="Selamat pagi, Bapak/Ibu").deleted_at is not None

    # A learner raises a hand; the instructor sees it and lowers it.
    one.get_by_role("button", name="Angkat tangan").click()
    expect(teacher.locator("#hands")).to_contain_text("Siti Rahmawati", timeout=WAIT)
    teacher.locator("#hands .hand-line", has_text="Siti Rahmawati").get_by_role("button", name="Turunkan").click()
    expect(teacher.locator("#hands .hand-line")).to_have_count(0, timeout=WAIT)
    expect(one.get_by_role("button", name="Angkat tangan")).to_have_attribute("aria-pressed", "false", timeout=WAIT)

    # The first learner leaves: the others see it, and the time present is recorded.
    one.context.close()
    for viewer in (teacher, two):
        expect(viewer.locator("#present .person")).to_have_count(2, timeout=WAIT)
    _wait_until(lambda: Attendance.objects.filter(session=webinar, user=first, attended=True).exists())
    progress = ItemProgress.objects.get(enrollment__user=first, item_id=webinar.pk)
    assert progress.status == ProgressStatus.COMPLETED
    assert teacher.js_errors == [] and two.js_errors == []
    two.context.close()


def test_learner_checks_in_to_a_classroom_with_the_code_the_instructor_shows(
    page, browser, live_url, course, instructor
):
    course.instructors.add(instructor)
    course.save()
    now = timezone.now()
    classroom = LiveSessionPageFactory(
        parent=course,
        kind=SessionKind.CLASSROOM,
        venue="Aula BKPSDM",
        starts_at=now + datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(minutes=95),
    )
    learner = UserFactory(full_name="Budi Santoso")
    enrollment_create(user=learner, course=course)
    _enter(page, live_url, instructor, classroom)
    expect(page.locator("#checkin-qr svg")).to_have_count(1)
    code = page.locator("#checkin-code").inner_text().strip()

    student = _new_page(browser)
    login(student, live_url, learner.nip, DEMO_PASSWORD)
    student.goto(f"{live_url}/live/{classroom.pk}/")
    student.get_by_role("link", name="Isi kode presensi").click()
    student.get_by_label("Kode presensi").fill(code)
    student.get_by_role("button", name="Catat kehadiran").click()
    expect(student.locator(".messages")).to_contain_text("Presensi tercatat", timeout=WAIT)
    attendance = Attendance.objects.get(session=classroom, user=learner)
    assert attendance.attended and attendance.minutes_present == 90

    page.goto(f"{live_url}/live/{classroom.pk}/kehadiran/")
    expect(page.locator(f"#attendance tr[data-user-id='{learner.pk}'] .verdict")).to_contain_text("Hadir")
    assert page.js_errors == [] and student.js_errors == []
    student.context.close()
