"""Kelompok within a class, and the instructors of a class (lms.cohorts)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lms.cohorts.models import GroupMembership, StudyGroup
from lms.cohorts.selectors import class_roster, enrollment_group
from lms.cohorts.services import (
    CohortError,
    class_instructor_add,
    class_instructor_remove,
    class_members_assign,
    course_class_create,
    group_members_assign,
    group_members_remove,
    study_group_create,
)
from lms.factories import UserFactory
from lms.models import Role
from lms.roles import user_set_role
from lms.services import enrollment_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def classes(course, administrator):
    a = course_class_create(course=course, name="Kelas A")
    b = course_class_create(course=course, name="Kelas B")
    people = [enrollment_create(user=UserFactory(full_name=f"Peserta {n}"), course=course) for n in range(4)]
    class_members_assign(course_class=a, enrollments=people[:3], by=administrator)
    class_members_assign(course_class=b, enrollments=people[3:], by=administrator)
    return a, b, people


def test_group_names_unique_per_class(classes):
    a, b, _people = classes
    study_group_create(course_class=a, name="Kelompok 1")
    study_group_create(course_class=b, name="Kelompok 1")  # another class may use the same name
    with pytest.raises(CohortError) as error:
        study_group_create(course_class=a, name="kelompok 1")
    assert error.value.code == "name_taken"
    with pytest.raises(CohortError):
        study_group_create(course_class=a, name=" ")
    assert StudyGroup.objects.count() == 2


def test_one_group_per_class_and_moving_between_groups(classes):
    a, _b, people = classes
    one = study_group_create(course_class=a, name="Kelompok 1")
    two = study_group_create(course_class=a, name="Kelompok 2")
    assert group_members_assign(group=one, enrollments=people[:2]) == 2
    assert group_members_assign(group=one, enrollments=people[:2]) == 0
    assert group_members_assign(group=two, enrollments=[people[1], people[2]]) == 2
    assert enrollment_group(enrollment=people[0]) == one
    assert enrollment_group(enrollment=people[1]) == two
    assert GroupMembership.objects.filter(enrollment=people[1]).count() == 1
    assert group_members_remove(course_class=a, enrollments=[people[2]]) == 1
    assert enrollment_group(enrollment=people[2]) is None


def test_members_of_another_class_are_refused_as_a_whole(classes):
    a, _b, people = classes
    one = study_group_create(course_class=a, name="Kelompok 1")
    with pytest.raises(CohortError) as error:
        group_members_assign(group=one, enrollments=[people[0], people[3]])
    assert error.value.code == "not_in_class"
    assert not GroupMembership.objects.exists()


def test_class_instructor_must_teach_the_course(course, classes, instructor):
    a, _b, _people = classes
    with pytest.raises(CohortError):
        class_instructor_add(course_class=a, user=instructor)
    course.instructors.set([instructor])
    course.save()
    class_instructor_add(course_class=a, user=instructor)
    assert list(a.instructors.all()) == [instructor]
    learner = UserFactory()
    with pytest.raises(CohortError):
        class_instructor_add(course_class=a, user=learner)
    class_instructor_remove(course_class=a, user=instructor)
    assert not a.instructors.exists()


def test_class_page_groups_and_instructors_through_the_views(course, classes, administrator, instructor):
    a, b, people = classes
    course.instructors.set([instructor])
    course.save()
    client = client_for(administrator)
    page = client.get(reverse("cohorts:class_detail", args=[course.pk, a.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Peserta 0" in body and "Peserta 3" not in body and "Widyaiswara Uji" in body
    assert client.get(reverse("cohorts:class_detail", args=[course.pk + 999, a.pk])).status_code == 404

    create = reverse("cohorts:group_create", args=[course.pk, a.pk])
    assert client.post(create, {"name": "Kelompok Merah"}).status_code == 302
    assert client.post(create, {"name": ""}).status_code == 302
    group = StudyGroup.objects.get(course_class=a)
    assign = reverse("cohorts:group_assign", args=[course.pk, a.pk])
    client.post(assign, {"group": group.pk, "enrollment": [people[0].pk, people[3].pk]})  # one of another class
    assert not GroupMembership.objects.exists()
    client.post(assign, {"group": "abc", "enrollment": [people[0].pk]})
    assert not GroupMembership.objects.exists()
    other_group = study_group_create(course_class=b, name="Kelompok B")
    client.post(assign, {"group": other_group.pk, "enrollment": [people[0].pk]})
    assert not GroupMembership.objects.exists()
    assert client.post(assign, {"group": group.pk, "enrollment": [people[0].pk, people[1].pk]}).status_code == 302
    assert set(GroupMembership.objects.values_list("enrollment_id", flat=True)) == {people[0].pk, people[1].pk}
    client.post(assign, {"group": "", "enrollment": [people[1].pk]})
    assert [e for e, g in class_roster(course_class=a) if g == group] == [people[0]]
    assert "Kelompok Merah" in client.get(reverse("cohorts:class_detail", args=[course.pk, a.pk])).content.decode()

    teach = reverse("cohorts:class_instructor", args=[course.pk, a.pk])
    outsider = user_set_role(user=UserFactory(), role=Role.INSTRUCTOR)
    client.post(teach, {"user": outsider.pk, "action": "add"})
    assert not a.instructors.exists()
    assert client.post(teach, {"user": instructor.pk, "action": "add"}).status_code == 302
    assert list(a.instructors.all()) == [instructor]
    client.post(teach, {"user": instructor.pk, "action": "remove"})
    assert not a.instructors.exists()


def test_course_instructor_cannot_change_groups(course, classes, instructor):
    a, _b, people = classes
    course.instructors.set([instructor])
    course.save()
    client = client_for(instructor)
    assert client.post(reverse("cohorts:group_create", args=[course.pk, a.pk]), {"name": "X"}).status_code == 403
    assert client.get(reverse("cohorts:class_detail", args=[course.pk, a.pk])).status_code == 403
    assert not StudyGroup.objects.exists()


def test_class_instructor_sees_own_classes_by_default_and_may_pick_all(course, classes, instructor):
    a, b, _people = classes
    course.instructors.set([instructor])
    course.save()
    manage = course.url + course.reverse_subpage("manage")
    client = client_for(instructor)
    body = client.get(manage).content.decode()
    assert "Peserta 3" in body and "Peserta 0" in body  # teaches no class yet: everyone
    class_instructor_add(course_class=a, user=instructor)
    body = client.get(manage).content.decode()
    assert "Peserta 0" in body and "Peserta 3" not in body  # their class by default
    assert "Peserta 3" in client.get(manage + "?kelas=").content.decode()  # "semua kelas"
    assert "Peserta 0" not in client.get(manage + f"?kelas={b.pk}").content.decode()
    class_instructor_add(course_class=b, user=instructor)
    body = client.get(manage).content.decode()
    assert "Peserta 0" in body and "Peserta 3" in body  # both of theirs
    class_instructor_remove(course_class=b, user=instructor)
    export = client.get(course.url + course.reverse_subpage("progress_csv") + "?kelas=saya")
    text = export.content.decode("utf-8-sig")
    assert "Peserta 0" in text and "Peserta 3" not in text
    text = client.get(course.url + course.reverse_subpage("progress_csv")).content.decode("utf-8-sig")
    assert "Peserta 3" not in text
