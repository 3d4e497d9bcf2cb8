import datetime

import pytest
from django.test import Client
from django.utils import timezone

from lms.models import Enrollment, EnrollmentStatus
from lms.services import EnrollmentError, enrollment_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _enroll_url(course) -> str:
    return course.url + "daftar/"


def test_when_learner_enrolls_then_enrollment_is_active_and_course_shows_lanjutkan(course, learner):
    client = client_for(learner)
    response = client.post(_enroll_url(course))
    assert response.status_code == 302
    assert Enrollment.objects.get(user=learner, course=course).status == EnrollmentStatus.ACTIVE
    page = client.get(course.url).content.decode()
    assert "Lanjutkan" in page and "Modul 1" in page


def test_when_enrolling_twice_then_a_clear_message_and_one_enrollment(course, learner):
    client = client_for(learner)
    client.post(_enroll_url(course))
    response = client.post(_enroll_url(course), follow=True)
    assert "sudah terdaftar" in response.content.decode()
    assert Enrollment.objects.filter(user=learner, course=course).count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"enrollment_open": False},
        {"enrollment_ends": datetime.date(2020, 1, 1)},
        {"enrollment_starts": timezone.localdate() + datetime.timedelta(days=1)},
    ],
)
def test_when_course_is_closed_then_enrolling_changes_nothing(course, learner, change):
    for field, value in change.items():
        setattr(course, field, value)
    course.save()
    response = client_for(learner).post(_enroll_url(course), follow=True)
    assert response.status_code == 200
    assert "ditutup" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_when_enroll_is_posted_without_csrf_token_then_403_and_nothing_changes(course, learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(_enroll_url(course)).status_code == 403
    assert not Enrollment.objects.exists()


def test_when_anonymous_posts_enroll_then_redirected_to_login(course):
    response = Client().post(_enroll_url(course))
    assert response.status_code == 302 and "/masuk/" in response["Location"]
    assert not Enrollment.objects.exists()


def test_when_enroll_is_a_get_then_405(course, learner):
    assert client_for(learner).get(_enroll_url(course)).status_code == 405


def test_when_withdrawn_learner_enrolls_again_then_same_enrollment_is_reactivated(course, learner):
    enrollment = enrollment_create(user=learner, course=course)
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    again = enrollment_create(user=learner, course=course)
    assert again.pk == enrollment.pk and again.status == EnrollmentStatus.ACTIVE


def test_when_admin_enrolls_into_closed_course_then_it_is_allowed(course, learner, administrator):
    course.enrollment_open = False
    course.save()
    enrollment_create(user=learner, course=course, source="admin", enrolled_by=administrator)
    with pytest.raises(EnrollmentError):
        enrollment_create(user=learner, course=course, source="admin", enrolled_by=administrator)


def test_when_course_is_unpublished_or_unknown_then_404_and_its_live_steps_still_route(course, learner):
    enrollment_create(user=learner, course=course)
    client = client_for(learner)
    module_url = course.get_children().first().url
    assert client.get(course.url).status_code == 200
    course.unpublish()
    assert client.get(f"/{course.slug}/").status_code == 404
    assert client.get("/tidak-ada/").status_code == 404
    assert client.get(module_url).status_code == 200  # as in Wagtail: the admin unpublishes the steps with it
