"""Learner pages stay light for phones on slow connections: at most 150 KB transferred, media excluded."""

import pytest

from lms.factories import DEMO_PASSWORD, UserFactory
from lms.services import enrollment_create
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e
BUDGET = 150 * 1024
MEDIA_TYPES = ("image", "media", "font")


def test_learner_pages_transfer_at_most_150_kb_excluding_media(page, live_url, course):
    learner = UserFactory()
    enrollment_create(user=learner, course=course)
    login(page, live_url, learner.nip, DEMO_PASSWORD)
    module = course.get_children().first()
    for url in ("/", course.url, module.url, "/saya/"):
        sizes: dict[str, int] = {}

        def record(response, sizes=sizes):
            if response.request.resource_type not in MEDIA_TYPES:
                sizes[response.url] = len(response.body())

        page.on("response", record)
        page.goto(f"{live_url}{url}", wait_until="networkidle")
        page.remove_listener("response", record)
        total = sum(sizes.values())
        assert 0 < total <= BUDGET, (url, total, sizes)
