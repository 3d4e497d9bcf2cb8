"""Nothing lost by a delete or an edit, attacked (each failing before its fix):

- a certificate code with a NUL byte (`/verifikasi/%00/`) answered 500 on PostgreSQL (DataError) instead of 404;
- an H5P activity that learners had already worked on in a module was deleted from the snippet admin: their
  results lost their activity and the module's required block could never be passed again;
- a module with learners' progress was moved into another course: its records then counted in, and were reported
  by, a course those learners never took.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from content.models import H5PActivity
from content.services import package_import
from lms.factories import CoursePageFactory, ModulePageFactory, UserFactory
from lms.models import ActivityResult, Certificate, ItemProgress, XAPIStatement
from lms.services import enrollment_create, progress_complete
from tests.conftest import client_for
from tests.h5p_fixtures import (
    block_ids,
    build_zip,
    h5p_course,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    package_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(full_name="Super Admin", is_superuser=True, is_staff=True)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- Certificate verification: odd codes are 404, never 500 ---------------------------------------------------


@pytest.mark.parametrize("code", ["%00", "abc%00def", "x" * 4000, "%C2%B2", "%FF%FE", "' OR 1=1 --", "a.b"])
def test_when_verification_code_is_malformed_then_404_in_bahasa_indonesia(code):
    response = Client().get(f"/verifikasi/{code}/")
    assert response.status_code == 404
    assert "tidak ditemukan" in response.content.decode().lower()


def test_when_a_learner_opens_a_certificate_with_a_nul_code_then_404(course, learner):
    enrollment = enrollment_create(user=learner, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    certificate = Certificate.objects.get()
    client = client_for(learner)
    assert client.get("/sertifikat/%00/").status_code == 404
    assert client.post("/sertifikat/%00/cabut/", {"alasan": "x"}).status_code == 404
    assert Client().get(f"/verifikasi/{certificate.code}/").status_code == 200


# --- H5P activities with learners' results are not deleted ----------------------------------------------------


@pytest.fixture
def worked_activity(catalogue, media_root, learner):
    activity = package_import(source=build_zip(package_files(title="Kuis A")))
    course, module = h5p_course(catalogue, [activity], pass_mark=70)
    enrollment_create(user=learner, course=course)
    (block,) = block_ids(module)
    ActivityResult.objects.create(user=learner, module=module, block_id=block, best_scaled=1)
    return activity


def test_when_admin_deletes_an_activity_learners_worked_on_then_refused_and_it_stays(worked_activity, superuser):
    url = reverse("wagtailsnippets_content_h5pactivity:delete", args=[worked_activity.pk])
    response = client_for(superuser).post(url, follow=True)
    assert "tidak dapat dihapus" in _messages(response) and "1 hasil aktivitas" in _messages(response)
    assert H5PActivity.objects.filter(pk=worked_activity.pk).exists()
    assert ActivityResult.objects.count() == 1


def test_when_admin_bulk_deletes_activities_then_one_with_results_stops_it(worked_activity, superuser):
    unused = package_import(source=build_zip(package_files(title="Kuis B")))
    url = reverse("wagtail_bulk_action", args=("content", "h5pactivity", "delete"))
    response = client_for(superuser).post(f"{url}?id={unused.pk}&id={worked_activity.pk}", follow=True)
    assert "tidak dapat dihapus" in _messages(response)
    assert H5PActivity.objects.filter(pk__in=[unused.pk, worked_activity.pk]).count() == 2


def test_when_learners_only_opened_an_activity_then_it_is_not_deleted_either(catalogue, media_root, learner, superuser):
    activity = package_import(source=build_zip(package_files(title="Kuis A")))
    _course, module = h5p_course(catalogue, [activity], pass_mark=70)
    (block,) = block_ids(module)
    XAPIStatement.objects.create(
        statement_id="6f1c2b1e-0000-4000-8000-0000000000aa",
        user=learner,
        module=module,
        block_id=block,
        verb="http://adlnet.gov/expapi/verbs/attempted",
        body={},
        body_hash="x",
    )
    url = reverse("wagtailsnippets_content_h5pactivity:delete", args=[activity.pk])
    response = client_for(superuser).post(url, follow=True)
    assert "1 pernyataan xAPI" in _messages(response)
    assert H5PActivity.objects.filter(pk=activity.pk).exists()


def test_when_an_activity_is_placed_but_never_worked_on_then_admin_still_deletes_it(catalogue, media_root, superuser):
    activity = package_import(source=build_zip(package_files(title="Kuis A")))
    h5p_course(catalogue, [activity], pass_mark=70)
    url = reverse("wagtailsnippets_content_h5pactivity:delete", args=[activity.pk])
    client_for(superuser).post(url)
    assert not H5PActivity.objects.filter(pk=activity.pk).exists()


# --- A step with learners' records stays in its course ---------------------------------------------------------


@pytest.fixture
def other_course(catalogue):
    other = CoursePageFactory(parent=catalogue, title="Pelatihan Lain", slug="pelatihan-lain")
    ModulePageFactory(parent=other, slug="modul-lain")
    return other


def _worked_module(course, learner):
    module = course.get_children().first().specific
    enrollment = enrollment_create(user=learner, course=course)
    progress_complete(enrollment=enrollment, item=module, source="marked_done")
    return module


def test_when_admin_moves_a_module_with_progress_into_another_course_then_refused(
    course, other_course, learner, superuser
):
    module = _worked_module(course, learner)
    url = reverse("wagtailadmin_pages:move_confirm", args=[module.pk, other_course.pk])
    response = client_for(superuser).post(url, follow=True)
    assert "tidak dapat dipindah" in _messages(response)
    module.refresh_from_db()
    assert module.get_parent().pk == course.pk
    assert ItemProgress.objects.get().item_id == module.pk


def test_when_admin_bulk_moves_a_module_with_progress_then_refused(course, other_course, learner, superuser):
    module = _worked_module(course, learner)
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "move"))
    response = client_for(superuser).post(f"{url}?id={module.pk}", {"chooser": other_course.pk}, follow=True)
    assert "tidak dapat dipindah" in _messages(response)
    module.refresh_from_db()
    assert module.get_parent().pk == course.pk


def test_when_a_module_has_no_records_then_the_move_goes_through(course, other_course, learner, superuser):
    _worked_module(course, learner)
    untouched = course.get_children().last()
    client = client_for(superuser)
    client.post(reverse("wagtailadmin_pages:move_confirm", args=[untouched.pk, other_course.pk]))
    untouched.refresh_from_db()
    assert untouched.get_parent().pk == other_course.pk


# --- Wagtail's admin API page actions run no admin hooks: the same refusals, never a 500 -----------------------


def _api(client, page, action: str, data: dict | None = None):
    client.raise_request_exception = False
    return client.post(f"/admin/api/main/pages/{page.pk}/action/{action}/", data or {}, content_type="application/json")


def test_when_admin_deletes_a_course_with_records_through_the_admin_api_then_400_and_it_stays(
    catalogue, course, learner, superuser
):
    _worked_module(course, learner)
    client = client_for(superuser)
    for page in (course, catalogue):
        response = _api(client, page, "delete")
        assert response.status_code == 400 and "tidak dapat dihapus" in response.json()["detail"]
    assert ItemProgress.objects.count() == 1 and course.__class__.objects.filter(pk=course.pk).exists()
    empty = CoursePageFactory(parent=catalogue, slug="kosong")
    assert _api(client, empty, "delete").status_code == 204


@pytest.mark.parametrize("position", ["last-child", "first-child", "sorted-child"])
def test_when_admin_moves_a_worked_module_through_the_admin_api_then_400(
    course, other_course, learner, superuser, position
):
    module = _worked_module(course, learner)
    data = {"destination_page_id": other_course.pk, "position": position}
    response = _api(client_for(superuser), module, "move", data)
    assert response.status_code == 400 and "tidak dapat dipindah" in response.json()["detail"]
    module.refresh_from_db()
    assert module.get_parent().pk == course.pk


def test_when_admin_moves_a_module_within_its_course_through_the_admin_api_then_it_moves(course, learner, superuser):
    module = _worked_module(course, learner)
    last = course.get_children().last()
    response = _api(client_for(superuser), module, "move", {"destination_page_id": last.pk, "position": "right"})
    assert response.status_code == 200
    assert course.get_children().last().pk == module.pk
