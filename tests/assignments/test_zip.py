"""The ZIP of all submissions of an assignment: folders by NIP, safe and unique names, daftar.csv."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from lms.assignments.grading import submission_grade
from lms.assignments.zips import submissions_zip_build, zip_name_safe
from lms.factories import UserFactory
from lms.roles import course_instructors_sync
from lms.services import enrollment_create
from tests.assignments.grading_helpers import PDF, GroupMode, assignment_make, group_make, hand_in
from tests.conftest import client_for
from tests.h5p_fixtures import media_root_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def taught(course, instructor):
    course.instructors.set([instructor])
    course.save()
    course_instructors_sync(course=course)
    return course


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\a\\laporan akhir.docx", "laporan akhir.docx"),
        ("a..b.pdf", "a.b.pdf"),
        ("..", "cadangan.pdf"),
        ("", "cadangan.pdf"),
        ("nama\x00jahat\n.pdf", "namajahat.pdf"),
        ("rancangan:aksi?.pdf", "rancanganaksi.pdf"),
    ],
)
def test_zip_names_are_one_plain_segment(name, expected):
    assert zip_name_safe(name, fallback="cadangan.pdf") == expected


def test_zip_has_a_folder_per_learner_by_nip_and_a_list(taught, instructor, media_root):
    assignment = assignment_make(taught)
    siti = enrollment_create(user=UserFactory(full_name="Siti Rahmawati"), course=taught)
    andi = enrollment_create(user=UserFactory(full_name="Andi Saputra"), course=taught)
    # Both named their file the same; Siti also sent two of the same name and a hostile one.
    hand_in(
        assignment,
        by=siti.user,
        enrollment=siti,
        text="Ringkasan rancangan.",
        files=(("laporan.pdf", PDF), ("laporan.pdf", PDF + b"%2"), ("../../x.pdf", PDF + b"%3")),
        late=True,
    )
    old = hand_in(assignment, by=andi.user, enrollment=andi, files=(("draf-lama.pdf", PDF),))
    submission_grade(submission=old.submission, version=old, by=instructor, feedback="Revisi", decision="revision")
    hand_in(assignment, by=andi.user, enrollment=andi, files=(("laporan.pdf", PDF),))

    with submissions_zip_build(assignment=assignment) as spool, zipfile.ZipFile(spool) as archive:
        names = set(archive.namelist())
        siti_folder = f"{siti.user.nip} Siti Rahmawati"
        andi_folder = f"{andi.user.nip} Andi Saputra"
        assert names == {
            f"{siti_folder}/jawaban.txt",
            f"{siti_folder}/laporan.pdf",
            f"{siti_folder}/laporan (2).pdf",
            f"{siti_folder}/x.pdf",
            f"{andi_folder}/laporan.pdf",
            "daftar.csv",
        }
        assert all(".." not in n and not n.startswith("/") for n in names)
        assert archive.read(f"{siti_folder}/laporan (2).pdf") == PDF + b"%2"
        assert archive.read(f"{siti_folder}/jawaban.txt").decode() == "Ringkasan rancangan."
        # Only the latest version: Andi's first draft is not in it.
        assert archive.read(f"{andi_folder}/laporan.pdf") == PDF
        rows = list(csv.reader(io.StringIO(archive.read("daftar.csv").decode("utf-8-sig"))))
    assert rows[0][:8] == ["NIP", "Nama", "Kelas", "Kelompok", "Status", "Nilai", "Terlambat", "Versi"]
    by_nip = {row[0]: row for row in rows[1:]}
    assert by_nip[siti.user.nip][6] == "ya" and by_nip[siti.user.nip][7] == "1"
    assert by_nip[andi.user.nip][4] == "Menunggu penilaian" and by_nip[andi.user.nip][7] == "2"


def test_group_submissions_get_a_folder_per_group_and_a_row_per_member(taught, instructor, media_root):
    assignment = assignment_make(taught, group_mode=GroupMode.GROUP)
    members = [enrollment_create(user=UserFactory(), course=taught) for _ in range(2)]
    group = group_make(taught, members, name="Kelompok 1/../../..", class_name="Kelas A")
    version = hand_in(assignment, by=members[0].user, group=group, files=(("aksi.pdf", PDF),))
    submission_grade(submission=version.submission, version=version, by=instructor, feedback="", score=90)
    with submissions_zip_build(assignment=assignment) as spool, zipfile.ZipFile(spool) as archive:
        names = archive.namelist()
        rows = list(csv.reader(io.StringIO(archive.read("daftar.csv").decode("utf-8-sig"))))
    folders = {n.split("/")[0] for n in names if "/" in n}
    assert len(folders) == 1 and all(n.count("/") <= 1 for n in names)
    assert {row[0] for row in rows[1:]} == {m.user.nip for m in members}
    assert {row[2] for row in rows[1:]} == {"Kelas A"} and {row[5] for row in rows[1:]} == {"90.00"}


def test_zip_download_is_an_attachment_for_managers_only(taught, instructor, learner, media_root):
    assignment = assignment_make(taught)
    enrollment = enrollment_create(user=learner, course=taught)
    hand_in(assignment, by=learner, enrollment=enrollment)
    url = reverse("assignments:submissions_zip", args=[assignment.pk])
    response = client_for(instructor).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert f"{learner.nip} {learner.full_name}/rancangan.pdf" in archive.namelist()
    assert client_for(learner).get(url).status_code == 403
    assert client_for(instructor).get(reverse("assignments:submissions_zip", args=[999999])).status_code == 404


def test_a_file_lost_from_storage_is_named_in_the_zip_instead_of_failing_it(taught, media_root):
    assignment = assignment_make(taught)
    enrollment = enrollment_create(user=UserFactory(full_name="Maya Sari"), course=taught)
    version = hand_in(
        assignment, by=enrollment.user, enrollment=enrollment, files=(("hilang.pdf", PDF), ("ada.pdf", PDF))
    )
    lost = version.files.get(original_name="hilang.pdf")
    lost.file.storage.delete(lost.file.name)
    with submissions_zip_build(assignment=assignment) as spool, zipfile.ZipFile(spool) as archive:
        folder = f"{enrollment.user.nip} Maya Sari"
        assert set(archive.namelist()) == {f"{folder}/hilang.pdf.hilang.txt", f"{folder}/ada.pdf", "daftar.csv"}
