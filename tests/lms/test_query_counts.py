import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.factories import CoursePageFactory, LiveSessionPageFactory, ModulePageFactory, UserFactory
from lms.services import enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _course_with(catalogue, *, modules: int, learners: int, slug: str):
    course = CoursePageFactory(parent=catalogue, slug=slug)
    for _ in range(modules):
        ModulePageFactory(parent=course)
    LiveSessionPageFactory(parent=course)
    for _ in range(learners):
        enrollment_create(user=UserFactory(), course=course)
    return course


def _queries(client, url: str) -> int:
    client.get(url)  # warm caches (site root, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_when_course_grows_then_course_page_and_dashboard_queries_stay_equal(catalogue):
    learner = UserFactory()
    counts = {}
    for size, learners in ((5, 2), (50, 20)):
        course = _course_with(catalogue, modules=size, learners=learners, slug=f"kursus-{size}")
        enrollment = enrollment_create(user=learner, course=course)
        for item in list(course.get_children().specific())[: size // 2]:
            progress_complete(enrollment=enrollment, item=item, source="marked_done")
        client = client_for(learner)
        counts[size] = (_queries(client, course.url), _queries(client, "/saya/"))
        course.enrollments.filter(user=learner).delete()  # the dashboard then sees one course each time
    assert counts[5] == counts[50]


def test_when_enrollments_grow_then_progress_table_queries_stay_equal(catalogue, administrator):
    counts = []
    for size in (3, 30):
        course = _course_with(catalogue, modules=size // 3 + 2, learners=size, slug=f"tabel-{size}")
        counts.append(_queries(client_for(administrator), course.url + "kelola/"))
    assert counts[0] == counts[1]
