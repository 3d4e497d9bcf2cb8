"""A learner and an instructor, in Chromium, against the ASGI server."""

import re

import pytest
from playwright.sync_api import expect

from lms.factories import DEMO_PASSWORD, UserFactory
from lms.models import Enrollment, EnrollmentStatus, ItemProgress, ModulePage, ProgressStatus
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_learner_logs_in_with_nip_enrolls_completes_a_module_and_sees_progress(page, live_url, course):
    learner = UserFactory(nip="198609262015051001", full_name="Siti Rahmawati")
    login(page, live_url, "19860926 201505 1 001", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_url}/saya/")
    expect(page.locator("#active-courses")).to_contain_text("Anda belum mengikuti pelatihan")

    page.goto(f"{live_url}{course.url}")
    expect(page.locator(".path .step").nth(1)).to_contain_text("Modul 2")
    page.get_by_role("button", name="Daftar").click()
    expect(page.locator(".messages")).to_contain_text("Anda terdaftar")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    expect(page.locator(".path .step").nth(1)).to_contain_text("Terkunci")

    page.get_by_role("link", name=re.compile("Lanjutkan")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modul 1")
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modul 2")  # on to the next step
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "33")

    page.get_by_role("link", name="Pelatihan Saya").click()
    card = page.locator("#active-courses .card")
    expect(card).to_contain_text(course.title)
    expect(card).to_contain_text("1 dari 3 langkah selesai")
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "33")

    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert ItemProgress.objects.filter(enrollment=enrollment, status=ProgressStatus.COMPLETED).count() == 1
    assert page.js_errors == []


def test_instructor_creates_and_publishes_a_module_in_wagtail_admin_and_learners_see_it(
    page, live_url, course, instructor
):
    course.instructors.add(instructor)
    course.save_revision().publish()
    login(page, live_url, instructor.email, DEMO_PASSWORD)
    page.goto(f"{live_url}/admin/pages/add/lms/modulepage/{course.pk}/")
    page.locator("#id_title").fill("Modul 4: Etika Pelayanan Publik")
    page.locator("#id_intro").fill("Nilai dasar ASN BerAKHLAK dalam pelayanan.")
    page.locator("#id_completion_rule").select_option("marked_done")
    page.locator("footer .dropdown-toggle, footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-publish']").click()
    expect(page.locator(".messages")).to_contain_text("Modul 4: Etika Pelayanan Publik")

    module = ModulePage.objects.get(title="Modul 4: Etika Pelayanan Publik")
    assert module.live and module.get_parent().pk == course.pk
    page.goto(f"{live_url}{course.url}")
    steps = page.locator(".path .step")
    expect(steps).to_have_count(4)
    expect(steps.nth(3)).to_contain_text("Modul 4: Etika Pelayanan Publik")
    assert page.js_errors == []
