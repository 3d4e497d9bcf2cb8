import pytest
from django.test import Client, RequestFactory

from lms.models import ItemProgress

pytestmark = pytest.mark.django_db


def _request(user, path: str):
    """A request carrying the user's session cookie, as Wagtail's preview re-runs the middleware on it."""
    client = Client()
    client.force_login(user)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    return RequestFactory().get(path, HTTP_COOKIE=cookie)


def test_when_instructor_previews_a_draft_module_then_it_renders_and_records_nothing(course, instructor):
    course.instructors.add(instructor)
    course.save()
    module = course.get_children().first().specific
    module.title = "Draf: Modul 1 yang diperbarui"
    response = module.make_preview_request(_request(instructor, module.url), module.default_preview_mode)
    assert response.status_code == 200
    assert "Draf: Modul 1 yang diperbarui" in response.rendered_content
    assert not ItemProgress.objects.exists()


def test_when_learner_requests_a_preview_then_access_rules_still_apply(course, learner):
    module = course.get_children().first().specific
    response = module.make_preview_request(_request(learner, module.url), module.default_preview_mode)
    assert response.status_code == 403
