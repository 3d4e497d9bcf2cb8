import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lms.factories import UserFactory
from lms.models import Enrollment
from lms.services import enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _upload(client, course, text: str):
    upload = SimpleUploadedFile("angkatan.csv", text.encode(), content_type="text/csv")
    return client.post(course.url + "kelola/", {"csv_file": upload})


def test_when_csv_is_clean_then_every_learner_is_enrolled(course, instructor):
    course.instructors.add(instructor)
    course.save()
    users = [UserFactory() for _ in range(3)]
    text = "nip;nama\n" + "\n".join(f"{u.nip[:8]} {u.nip[8:14]} {u.nip[14]} {u.nip[15:]};{u.full_name}" for u in users)
    response = _upload(client_for(instructor), course, text)
    assert response.status_code == 200
    assert Enrollment.objects.filter(course=course).count() == 3


def test_when_csv_has_bad_rows_then_each_is_reported_and_nobody_is_enrolled(course, administrator):
    known, already = UserFactory(), UserFactory()
    enrollment_create(user=already, course=course)
    text = "\n".join(["nip", known.nip, "12345", "198609262015051999", known.nip, already.nip])
    response = _upload(client_for(administrator), course, text)
    assert response.status_code == 400
    page = response.content.decode()
    for message in ("18 angka", "tidak terdaftar", "ganda", "Sudah terdaftar"):
        assert message in page
    assert list(Enrollment.objects.values_list("user_id", flat=True)) == [already.pk]


def test_when_learner_uploads_csv_then_403_and_nothing_changes(course, learner):
    other = UserFactory()
    response = _upload(client_for(learner), course, other.nip)
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_when_progress_is_exported_then_csv_has_one_row_per_learner_and_step(course, instructor):
    course.instructors.add(instructor)
    course.save()
    learners = [UserFactory(full_name=name) for name in ("Budi", "=HYPERLINK(1)")]
    first = course.get_children().first().specific
    for learner in learners:
        enrollment = enrollment_create(user=learner, course=course)
    progress_complete(enrollment=enrollment, item=first, source="marked_done")
    response = client_for(instructor).get(course.url + "kelola/unduh/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["NIP", "Nama", "Unit kerja", "Status", "Selesai"] and len(rows[0]) == 8
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["'=HYPERLINK(1)"][4] == "1/3"  # formula neutralised, one step done
    assert by_name["Budi"][4] == "0/3"
