"""A learner finishes a course in Chromium and opens the certificate from the dashboard."""

import pytest
from playwright.sync_api import expect

from lms.factories import DEMO_PASSWORD
from lms.models import Certificate, EnrollmentStatus
from lms.services import enrollment_create, progress_complete
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_learner_completes_the_last_step_and_opens_the_certificate_from_the_dashboard(page, live_url, course, learner):
    enrollment = enrollment_create(user=learner, course=course)
    *earlier, last = list(course.get_children().specific())
    for item in earlier:
        progress_complete(enrollment=enrollment, item=item, source="marked_done")

    login(page, live_url, learner.email, DEMO_PASSWORD)
    page.goto(f"{live_url}{last.url}")
    page.get_by_role("button", name="Tandai selesai").click()
    page.wait_for_load_state()

    page.goto(f"{live_url}/saya/")
    completed = page.locator("#completed-courses")
    expect(completed).to_contain_text(course.title)
    completed.get_by_role("link", name="Sertifikat").click()

    certificate = Certificate.objects.get(enrollment=enrollment)
    expect(page).to_have_url(f"{live_url}/sertifikat/{certificate.code}/")
    expect(page.locator("#certificate-name")).to_have_text(learner.full_name)
    expect(page.locator("#certificate-number")).to_have_text(certificate.number)
    expect(page.locator("#certificate .qr svg")).to_be_visible()
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert page.js_errors == []
