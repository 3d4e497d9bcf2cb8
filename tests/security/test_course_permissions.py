"""Instructors act on their own courses only (issue 7, point 3), tried as an attacker would: instructor A goes for
course B in the Wagtail admin, then for B's learners' NIPs, certificates and attendance. Plus the admin's doors
(no login loop for a learner), H5P activities edited by their uploader, documents served by the module's door,
and the site's 403/404/500 pages."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import GroupPagePermission, Page
from wagtail.test.utils.form_data import nested_form_data, rich_text

from live.models import Attendance
from lms.factories import CoursePageFactory, LiveSessionPageFactory, ModulePageFactory, UserFactory
from lms.models import Certificate, CoursePage, EnrollmentStatus, Role, SessionKind
from lms.roles import GROUP_NAMES, course_instructors_sync, user_set_role
from lms.services import enrollment_create, progress_complete
from lms.setup import siger_setup
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _instructor(name: str):
    return user_set_role(user=UserFactory(full_name=name), role=Role.INSTRUCTOR)


def _course(catalogue, slug: str, *instructors) -> CoursePage:
    course = CoursePageFactory(parent=catalogue, title=f"Pelatihan {slug}", slug=slug)
    ModulePageFactory(parent=course, title=f"Modul {slug}", slug=f"modul-{slug}")
    course.instructors.set(instructors)
    course.save()
    course_instructors_sync(course=course)
    return course


@pytest.fixture
def teacher_a(db):
    return _instructor("Widyaiswara A")


@pytest.fixture
def teacher_b(db):
    return _instructor("Widyaiswara B")


@pytest.fixture
def course_a(catalogue, teacher_a):
    return _course(catalogue, "kursus-a", teacher_a)


@pytest.fixture
def course_b(catalogue, teacher_b):
    return _course(catalogue, "kursus-b", teacher_b)


def _course_form(course: CoursePage, *, instructors, action: str = "action-publish", **overrides) -> dict:
    data = {
        "title": course.title,
        "slug": course.slug,
        "programme": course.programme,
        "jp_credit": course.jp_credit,
        "summary": course.summary,
        "description": rich_text(""),
        "instructors": [u.pk for u in instructors],
        "enrollment_open": "on",
        "sequential": "on",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        # The programme tab's inline panels (a run's phases, components, predicates, seminar criteria): empty.
        **{
            f"{prefix}-{key}": value
            for prefix in ("phases", "assessment_components", "predicate_bands", "seminar_criteria")
            for key, value in (
                ("TOTAL_FORMS", "0"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "0"),
                ("MAX_NUM_FORMS", "1000"),
            )
        },
        action: "1",
        **overrides,
    }
    return nested_form_data({k: v for k, v in data.items() if not isinstance(v, list)}) | {
        k: v for k, v in data.items() if isinstance(v, list)
    }


def _admin_denied(response) -> bool:
    """Wagtail refuses with a 403 or by sending the person back to the admin's dashboard or to the login."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"] in (reverse("wagtailadmin_home"), "/admin/")


# --- The Wagtail admin: pages of one's own course only ----------------------------------------------------------


def test_when_instructor_a_opens_course_b_in_the_admin_then_refused(course_a, course_b, teacher_a):
    client = client_for(teacher_a)
    assert _admin_denied(client.get(reverse("wagtailadmin_pages:edit", args=[course_b.pk])))
    module_b = course_b.get_children().first()
    assert _admin_denied(client.get(reverse("wagtailadmin_pages:edit", args=[module_b.pk])))
    assert _admin_denied(client.get(reverse("wagtailadmin_pages:add_subpage", args=[course_b.pk])))


def test_when_instructor_a_adds_themselves_to_course_b_then_nothing_changes_and_b_stays_closed(
    course_a, course_b, teacher_a, teacher_b, learner
):
    enrollment = enrollment_create(user=learner, course=course_b)
    for item in course_b.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")
    certificate = Certificate.objects.get(enrollment=enrollment)
    client = client_for(teacher_a)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[course_b.pk]),
        _course_form(course_b, instructors=[teacher_a, teacher_b]),
    )
    assert _admin_denied(response)
    assert list(CoursePage.objects.get(pk=course_b.pk).instructors.all()) == [teacher_b]

    # And then what the attack was for: the learners' NIPs, their certificates, their attendance.
    progress_csv = client.get(course_b.url + course_b.reverse_subpage("progress_csv"))
    assert progress_csv.status_code == 403 and learner.nip not in progress_csv.content.decode()
    manage = client.get(course_b.url + course_b.reverse_subpage("manage"))
    assert manage.status_code == 403 and learner.nip not in manage.content.decode()
    revoke = client.post(f"/sertifikat/{certificate.code}/cabut/", {"alasan": "Dicabut oleh penyerang"})
    assert revoke.status_code in (403, 404)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_when_instructor_a_overrides_attendance_in_course_b_then_refused_and_nothing_recorded(
    course_a, course_b, teacher_a, learner
):
    now = timezone.now()
    session = LiveSessionPageFactory(
        parent=course_b,
        kind=SessionKind.WEBINAR,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(minutes=60),
    )
    enrollment_create(user=learner, course=course_b)
    client = client_for(teacher_a)
    client.post(  # first, the way in that root permissions gave
        reverse("wagtailadmin_pages:edit", args=[course_b.pk]),
        _course_form(course_b, instructors=[teacher_a, *course_b.instructors.all()]),
    )
    response = client.post(
        reverse("live:attendance_change", args=[session.pk]),
        {"user_id": learner.pk, "action": "attend", "reason": "Hadir menurut saya"},
    )
    assert response.status_code in (403, 404)
    assert not Attendance.objects.filter(session=session).exists()
    for name in ("report", "report_csv", "checkin_code"):
        response = client.get(reverse(f"live:{name}", args=[session.pk]))
        assert response.status_code in (403, 404), name
        assert learner.nip not in response.content.decode()


def test_when_instructor_edits_and_publishes_own_course_then_allowed_but_never_deletes_the_course(course_a, teacher_a):
    client = client_for(teacher_a)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[course_a.pk]),
        _course_form(course_a, instructors=[teacher_a], summary="Ringkasan baru oleh pengajarnya."),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CoursePage.objects.get(pk=course_a.pk).summary == "Ringkasan baru oleh pengajarnya."
    assert client.get(reverse("wagtailadmin_pages:add_subpage", args=[course_a.pk])).status_code == 200
    module = course_a.get_children().first()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])).status_code == 200
    # No delete permission is granted: the course (with its modules) stays. A leaf module is Wagtail's "change"
    # to delete, guarded by lms.protection when learner records depend on it.
    response = client.post(reverse("wagtailadmin_pages:delete", args=[course_a.pk]))
    assert _admin_denied(response)
    assert Page.objects.filter(pk=course_a.pk).exists()


def test_when_instructor_creates_a_course_at_the_catalogue_then_refused(course_a, teacher_a, catalogue):
    """Administrators create courses and name their instructors; instructors hold nothing on the catalogue."""
    client = client_for(teacher_a)
    url = reverse("wagtailadmin_pages:add", args=["lms", "coursepage", catalogue.pk])
    assert _admin_denied(client.get(url))
    assert _admin_denied(client.post(url, _course_form(CoursePageFactory.build(slug="baru"), instructors=[teacher_a])))
    assert not CoursePage.objects.filter(slug="baru").exists()


def test_when_administrator_names_and_removes_an_instructor_in_the_admin_then_page_permissions_follow(
    course_a, course_b, teacher_a, administrator
):
    admin = client_for(administrator)
    teacher = client_for(teacher_a)
    edit_b = reverse("wagtailadmin_pages:edit", args=[course_b.pk])
    assert _admin_denied(teacher.get(edit_b))

    response = admin.post(edit_b, _course_form(course_b, instructors=[teacher_a]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert teacher.get(edit_b).status_code == 200

    response = admin.post(edit_b, _course_form(course_b, instructors=[]))
    assert response.status_code == 302
    assert _admin_denied(teacher.get(edit_b))
    # Course A is untouched by all this; until the instructor stops being one.
    edit_a = reverse("wagtailadmin_pages:edit", args=[course_a.pk])
    assert teacher.get(edit_a).status_code == 200
    user_set_role(user=teacher_a, role=Role.LEARNER)
    assert not teacher_a.groups.exists()
    assert teacher.get(edit_a).status_code in (302, 403)


def test_when_deploy_runs_setup_then_old_root_grants_to_instructors_are_removed(catalogue, course_a, teacher_a):
    group = Group.objects.get(name=GROUP_NAMES[Role.INSTRUCTOR])
    root = Page.get_first_root_node()
    for codename in ("add_page", "change_page", "publish_page"):
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.create(group=group, page=root, permission=permission)
    siger_setup()
    siger_setup()  # idempotent
    assert not GroupPagePermission.objects.filter(group=group).exists()
    assert not GroupPagePermission.objects.filter(page=root, group__user=teacher_a).exists()
    granted = GroupPagePermission.objects.filter(group__user=teacher_a)
    assert {p.page_id for p in granted} == {course_a.pk}
    assert {p.permission.codename for p in granted} == {"add_page", "change_page", "publish_page"}


# --- The user admin: nobody grants more than they hold ---------------------------------------------------------


def _user_form(**overrides) -> dict:
    return {
        "nip": "19860926 201505 1 001",
        "full_name": "Calon Superuser",
        "email": "calon@lampungprov.go.id",
        "employee_type": "pns",
        "work_unit": "",
        "position": "",
        "rank": "",
        "role": Role.LEARNER,
        "password1": "Lampung-Siger-2026",
        "password2": "Lampung-Siger-2026",
        **overrides,
    }


def test_when_administrator_creates_a_superuser_through_the_user_form_then_no_superuser_is_made(
    catalogue, administrator
):
    response = client_for(administrator).post(reverse("wagtailusers_users:add"), _user_form(is_superuser="on"))
    assert response.status_code in (200, 302)
    from lms.models import User

    assert not User.objects.filter(is_superuser=True).exists()


# --- Documents, activities, doors that say no ---------------------------------------------------------------


@pytest.fixture
def module_document(course_a, teacher_a):
    Document = get_document_model()
    document = Document(title="Bahan ajar", uploaded_by_user=teacher_a)
    document.file.save("bahan-ajar.pdf", ContentFile(b"%PDF-1.4 rahasia modul"), save=False)
    document.save()
    module = course_a.get_children().first().specific
    module.body = json.dumps([{"type": "document", "value": {"document": document.pk, "description": ""}}])
    module.save_revision().publish()
    return document


def test_when_a_module_document_is_requested_then_only_who_may_open_the_module_gets_it(
    module_document, course_a, teacher_b, learner
):
    url = module_document.url
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and reverse("lms:login") in anonymous["Location"]
    assert client_for(learner).get(url).status_code == 403
    assert client_for(teacher_b).get(url).status_code == 403
    enrollment = enrollment_create(user=learner, course=course_a)
    response = client_for(learner).get(url)
    assert response.status_code == 200
    assert b"rahasia modul" in b"".join(response.streaming_content)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    # A byte range (iOS Safari plays video only so), after the same check.
    partial = client_for(learner).get(url, HTTP_RANGE="bytes=0-3")
    assert partial.status_code == 206 and b"".join(partial.streaming_content) == b"%PDF"
    size = module_document.file.size
    assert partial["Content-Range"] == f"bytes 0-3/{size}" and "public" not in partial["Cache-Control"]
    tail = client_for(learner).get(url, HTTP_RANGE="bytes=-5")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == b"modul"
    assert client_for(learner).get(url, HTTP_RANGE=f"bytes={size}-").status_code == 416
    assert client_for(teacher_b).get(url, HTTP_RANGE="bytes=0-3").status_code == 403
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    assert client_for(learner).get(url).status_code == 403


def test_when_learner_opens_the_admin_then_a_403_page_in_bahasa_indonesia_and_no_loop(catalogue, learner):
    client = client_for(learner)
    response = client.get("/admin/", follow=True)
    assert len(response.redirect_chain) <= 2, response.redirect_chain
    assert response.status_code == 403
    text = response.content.decode()
    assert "Halaman admin hanya untuk widyaiswara dan administrator" in text
    assert reverse("lms:dashboard") in text and "<header" in text  # inside the site's layout, with a way out
    # Not logged in: still Siger's login page.
    response = Client().get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("lms:login"))


def test_when_a_page_does_not_exist_then_404_in_bahasa_indonesia_inside_the_layout(catalogue):
    response = Client().get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Halaman tidak ditemukan" in text and "<header" in text and "Katalog Pelatihan" in text


def test_the_500_page_renders_without_a_request_or_database(settings):
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.views.defaults import server_error

    with CaptureQueriesContext(connection) as queries:
        response = server_error(RequestFactory().get("/"))
    assert len(queries) == 0
    assert response.status_code == 500
    text = response.content.decode()
    assert "Terjadi gangguan pada Siger" in text and "<header" in text


def test_when_instructor_edits_or_deletes_another_instructors_h5p_activity_then_refused(
    course_a, teacher_a, teacher_b, administrator
):
    from content.models import H5PActivity
    from content.services import package_import
    from tests.h5p_fixtures import build_zip, package_files

    activity = package_import(source=build_zip(package_files()))
    activity.uploaded_by = teacher_b
    activity.title = "Kuis milik B"
    activity.save()
    edit = reverse("wagtailsnippets_content_h5pactivity:edit", args=[activity.pk])
    delete = reverse("wagtailsnippets_content_h5pactivity:delete", args=[activity.pk])
    attacker = client_for(teacher_a)
    assert attacker.get(edit).status_code == 403
    assert attacker.post(edit, {"title": "Diubah oleh A"}).status_code == 403
    assert attacker.post(delete).status_code in (302, 403)
    activity.refresh_from_db()
    assert activity.title == "Kuis milik B" and H5PActivity.objects.filter(pk=activity.pk).exists()
    assert client_for(teacher_b).get(edit).status_code == 200
    assert client_for(administrator).get(edit).status_code == 200


def test_on_s3_a_module_document_is_a_presigned_redirect_after_the_check_and_never_cached(
    s3, course_a, teacher_a, learner
):
    Document = get_document_model()
    document = Document(title="Bahan S3", uploaded_by_user=teacher_a)
    document.file.save("bahan-s3.pdf", ContentFile(b"%PDF-1.4 isi di bucket"), save=False)
    document.save()
    module = course_a.get_children().first().specific
    module.body = json.dumps([{"type": "document", "value": {"document": document.pk, "description": ""}}])
    module.save_revision().publish()

    refused = client_for(learner).get(document.url)
    assert refused.status_code == 403 and "X-Amz-Signature" not in refused.content.decode()
    enrollment_create(user=learner, course=course_a)
    response = client_for(learner).get(document.url)
    assert response.status_code == 302
    assert "X-Amz-Signature=" in response["Location"] and "X-Amz-Expires=" in response["Location"]
    assert "public" not in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    import urllib.request

    with urllib.request.urlopen(response["Location"]) as fetched:  # noqa: S310 - moto on loopback
        assert fetched.read() == b"%PDF-1.4 isi di bucket"


def test_when_instructor_edits_another_instructors_document_or_image_then_refused(
    module_document, teacher_a, teacher_b
):
    """Wagtail's ownership rule: "add" alone edits one's own uploads; "change" (administrators) edits everyone's."""
    edit = reverse("wagtaildocs:edit", args=[module_document.pk])
    response = client_for(teacher_b).post(edit, {"title": "Diubah oleh B", "collection": module_document.collection_id})
    assert _admin_denied(response)
    module_document.refresh_from_db()
    assert module_document.title == "Bahan ajar"
    assert client_for(teacher_a).get(edit).status_code == 200
