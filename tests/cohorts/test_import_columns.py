"""The cohort CSV's optional kelas and kelompok columns (lms.services.enrollment_bulk_import)."""

from __future__ import annotations

import pytest

from lms.cohorts.models import ClassMembership, CourseClass, GroupMembership, StudyGroup
from lms.cohorts.selectors import enrollment_class, enrollment_group
from lms.cohorts.services import course_class_create
from lms.factories import UserFactory
from lms.models import Enrollment
from lms.services import BulkRowStatus, enrollment_bulk_import, enrollment_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return [UserFactory(full_name=f"Impor {n}") for n in range(4)]


def test_header_with_class_and_group_columns_in_any_order_creates_and_places(course, people, administrator):
    existing = course_class_create(course=course, name="Kelas A")
    text = (
        "Kelompok;NIP;KELAS\n"
        f"Kelompok 1;{people[0].nip};kelas a\n"
        f"Kelompok 1;{people[1].nip};Kelas A\n"
        f";{people[2].nip};Kelas B\n"
        f";{people[3].nip};\n"
    )
    report = enrollment_bulk_import(course=course, csv_text=text, enrolled_by=administrator)
    assert report.ok, [(r.line, r.message) for r in report.rows]
    assert Enrollment.objects.filter(course=course).count() == 4
    enrollments = [Enrollment.objects.get(user=p, course=course) for p in people]
    assert enrollment_class(enrollment=enrollments[0]) == existing  # matched whatever the case
    assert enrollment_group(enrollment=enrollments[1]).name == "Kelompok 1"
    kelas_b = CourseClass.objects.get(course=course, name="Kelas B")
    assert enrollment_class(enrollment=enrollments[2]) == kelas_b
    assert enrollment_class(enrollment=enrollments[3]) is None
    assert CourseClass.objects.filter(course=course).count() == 2
    messages = {row.line: row.message for row in report.rows}
    assert "(dibuat)" in messages[4] and "Kelas B" in messages[4]  # the class the import creates
    assert "Kelompok 1 (dibuat)" in messages[2] and "(dibuat)" not in messages[3]
    # Idempotent: the same file again changes nothing.
    again = enrollment_bulk_import(course=course, csv_text=text, enrolled_by=administrator)
    assert again.ok and again.count(BulkRowStatus.ALREADY_ENROLLED) == 4
    assert (ClassMembership.objects.count(), GroupMembership.objects.count(), StudyGroup.objects.count()) == (3, 2, 1)


def test_a_bad_class_cell_rejects_the_whole_file(course, people, administrator):
    text = f"nip,kelas,kelompok\n{people[0].nip},Kelas A,Kelompok 1\n{people[1].nip},,Kelompok 2\n"
    report = enrollment_bulk_import(course=course, csv_text=text, enrolled_by=administrator)
    assert not report.ok
    bad = [row for row in report.rows if row.is_error]
    assert [(row.line, row.status) for row in bad] == [(3, BulkRowStatus.INVALID_CLASS)]
    assert not Enrollment.objects.exists()
    assert not CourseClass.objects.exists() and not StudyGroup.objects.exists()
    long = f"nip,kelas\n{people[0].nip},{'K' * 81}\n"
    assert not enrollment_bulk_import(course=course, csv_text=long, enrolled_by=administrator).ok
    assert not CourseClass.objects.exists()


def test_without_header_it_stays_one_nip_per_line(course, people, administrator):
    report = enrollment_bulk_import(
        course=course, csv_text=f"{people[0].nip}\n{people[1].nip}\n", enrolled_by=administrator
    )
    assert report.ok and report.count(BulkRowStatus.ENROLLED) == 2
    assert not CourseClass.objects.exists()


def test_already_enrolled_rows_are_placed_too(course, people, administrator):
    enrollment = enrollment_create(user=people[0], course=course)
    report = enrollment_bulk_import(
        course=course, csv_text=f"NIP,Kelas\n{people[0].nip},Kelas C\n", enrolled_by=administrator
    )
    assert report.ok
    assert enrollment_class(enrollment=enrollment).name == "Kelas C"


def test_kelola_page_import_with_columns(course, people, administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("angkatan.csv", f"nip,kelas\n{people[0].nip},Kelas Z\n".encode())
    response = client_for(administrator).post(course.url + course.reverse_subpage("manage"), {"csv_file": upload})
    assert response.status_code == 200
    assert "Kelas Z (dibuat)" in response.content.decode()
    assert enrollment_class(enrollment=Enrollment.objects.get(user=people[0])).name == "Kelas Z"


def test_instructor_import_with_class_columns_is_refused(course, people, instructor):
    course.instructors.set([instructor])
    course.save()
    report = enrollment_bulk_import(
        course=course, csv_text=f"nip,kelas\n{people[0].nip},Kelas A\n", enrolled_by=instructor
    )
    assert not report.ok and report.error
    assert not Enrollment.objects.exists() and not CourseClass.objects.exists()
    assert enrollment_bulk_import(course=course, csv_text=f"nip\n{people[0].nip}\n", enrolled_by=instructor).ok
