"""Coaches, mentors and examiners: assignment with history, the CSV/XLSX import (preview, apply, refusals), and who
sees which participants."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from lms.factories import UserFactory, WorkUnitFactory
from lms.models import EnrollmentStatus, Role
from lms.programmes.guides import (
    MAX_ROWS,
    GuideError,
    guide_assign,
    guide_end,
    guide_import_apply,
    guide_import_create,
    guide_import_fingerprint,
    guide_import_validate,
    guided_participants,
    user_guides_anyone,
)
from lms.programmes.models import GuideImport, GuideImportStatus, GuideRole, ParticipantGuide
from lms.roles import user_set_role
from lms.services import enrollment_create
from tests.conftest import client_for


@pytest.fixture
def people(course, instructor, administrator):
    course.instructors.set([instructor])
    course.save()
    coach = user_set_role(user=UserFactory(full_name="Coach Satu"), role=Role.INSTRUCTOR)
    coach2 = user_set_role(user=UserFactory(full_name="Coach Dua"), role=Role.INSTRUCTOR)
    mentor = UserFactory(full_name="Mentor Satu", work_unit=WorkUnitFactory(name="Dinas Pendidikan"))
    mentor2 = UserFactory(full_name="Mentor Dua", work_unit=WorkUnitFactory(name="Dinas Kesehatan"))
    examiner = user_set_role(user=UserFactory(full_name="Penguji Satu"), role=Role.INSTRUCTOR)
    a = UserFactory(full_name="Peserta A")
    b = UserFactory(full_name="Peserta B")
    outsider = UserFactory(full_name="Bukan Peserta")
    return {
        "coach": coach,
        "coach2": coach2,
        "mentor": mentor,
        "mentor2": mentor2,
        "examiner": examiner,
        "a": a,
        "b": b,
        "outsider": outsider,
        "ea": enrollment_create(user=a, course=course),
        "eb": enrollment_create(user=b, course=course),
        "manager": instructor,
        "admin": administrator,
    }


def csv_bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def current(enrollment, role):
    return list(
        ParticipantGuide.objects.filter(enrollment=enrollment, role=role, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )


# --- Services --------------------------------------------------------------------------------------------------


def test_when_coach_reassigned_then_previous_is_ended_not_deleted(people):
    first = guide_assign(enrollment=people["ea"], user=people["coach"], role=GuideRole.COACH, by=people["admin"])
    guide_assign(enrollment=people["ea"], user=people["coach2"], role=GuideRole.COACH, by=people["admin"])
    first.refresh_from_db()
    assert first.ended_at is not None
    assert current(people["ea"], GuideRole.COACH) == [people["coach2"].pk]
    assert ParticipantGuide.objects.filter(enrollment=people["ea"], role=GuideRole.COACH).count() == 2


def test_when_same_guide_assigned_twice_then_one_row(people):
    guide_assign(enrollment=people["ea"], user=people["mentor"], role=GuideRole.MENTOR, by=None)
    guide_assign(enrollment=people["ea"], user=people["mentor"], role=GuideRole.MENTOR, by=None)
    assert ParticipantGuide.objects.filter(enrollment=people["ea"]).count() == 1


def test_when_examiners_assigned_then_they_add_up(people):
    guide_assign(enrollment=people["ea"], user=people["examiner"], role=GuideRole.EXAMINER, by=None)
    guide_assign(enrollment=people["ea"], user=people["coach2"], role=GuideRole.EXAMINER, by=None)
    assert sorted(current(people["ea"], GuideRole.EXAMINER)) == sorted([people["examiner"].pk, people["coach2"].pk])


@pytest.mark.parametrize(
    ("who", "role"),
    [("mentor", GuideRole.COACH), ("a", GuideRole.MENTOR), ("a", GuideRole.EXAMINER)],
)
def test_when_guide_not_allowed_then_refused_and_nothing_written(people, who, role):
    with pytest.raises(GuideError):
        guide_assign(enrollment=people["ea"], user=people[who], role=role, by=None)
    assert not ParticipantGuide.objects.exists()


def test_when_coach_is_already_mentor_then_refused(people):
    guide_assign(enrollment=people["ea"], user=people["coach"], role=GuideRole.MENTOR, by=None)
    with pytest.raises(GuideError):
        guide_assign(enrollment=people["ea"], user=people["coach"], role=GuideRole.COACH, by=None)


def test_when_guide_ended_then_kept_and_not_listed(people):
    guide = guide_assign(enrollment=people["ea"], user=people["mentor"], role=GuideRole.MENTOR, by=None)
    guide_end(guide=guide, by=people["admin"])
    assert ParticipantGuide.objects.get(pk=guide.pk).ended_at is not None
    assert guided_participants(user=people["mentor"]) == []
    assert not user_guides_anyone(user=people["mentor"])


# --- Import ----------------------------------------------------------------------------------------------------


def test_when_import_valid_then_preview_then_apply_assigns_all(course, people):
    a, b = people["a"], people["b"]
    data = csv_bytes(
        [
            "NIP Peserta;NIP Coach;NIP Mentor;NIP Penguji 1;NIP Penguji 2",
            f"{a.nip};{people['coach'].nip};{people['mentor'].nip};{people['examiner'].nip};{people['coach2'].nip}",
            f"{b.nip[:8]} {b.nip[8:14]} {b.nip[14]} {b.nip[15:]};{people['coach2'].nip};{people['mentor2'].nip};;",
        ]
    )
    guide_import = guide_import_create(course=course, data=data, filename="pembimbing.csv", by=people["admin"])
    assert [r["status"] for r in guide_import.rows] == ["ok", "ok"]
    assert not ParticipantGuide.objects.exists()  # nothing before apply
    results = guide_import_validate(course=course, rows=guide_import.rows)
    counts = guide_import_apply(
        guide_import=guide_import, by=people["admin"], fingerprint=guide_import_fingerprint(results)
    )
    assert counts["changes"] == 6
    assert current(people["ea"], GuideRole.COACH) == [people["coach"].pk]
    assert current(people["eb"], GuideRole.MENTOR) == [people["mentor2"].pk]
    assert len(current(people["ea"], GuideRole.EXAMINER)) == 2
    assert GuideImport.objects.get(pk=guide_import.pk).status == GuideImportStatus.APPLIED
    with pytest.raises(GuideError):  # a double submit
        guide_import_apply(guide_import=guide_import, by=people["admin"], fingerprint=guide_import_fingerprint(results))


def test_when_import_xlsx_with_title_line_then_read(course, people):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Daftar coach dan mentor PKA Angkatan I"])
    sheet.append(["NIP", "NIP Coach", "NIP Mentor", "NIP Penguji"])
    sheet.append([people["a"].nip, people["coach"].nip, people["mentor"].nip, people["examiner"].nip])
    buffer = io.BytesIO()
    workbook.save(buffer)
    guide_import = guide_import_create(course=course, data=buffer.getvalue(), filename="x.xlsx", by=people["admin"])
    assert guide_import.rows[0]["status"] == "ok" and guide_import.rows[0]["row"] == 3


def test_when_import_rows_wrong_then_each_has_its_reason(course, people):
    a, b, coach, mentor = people["a"], people["b"], people["coach"], people["mentor"]
    unknown = "199001012015011999"
    data = csv_bytes(
        [
            "nip,nip coach,nip mentor",
            f"{unknown},{coach.nip},{mentor.nip}",  # unknown participant
            f"{people['outsider'].nip},{coach.nip},{mentor.nip}",  # not enrolled
            f"{a.nip},{mentor.nip},{people['mentor2'].nip}",  # coach not an instructor
            f"{b.nip},{coach.nip},{coach.nip}",  # same person
            f"{b.nip},{coach.nip},{b.nip}",  # duplicate, and own mentor
            f"{people['b'].nip[:-1]}x,{unknown},",  # unknown participant and coach
        ]
    )
    guide_import = guide_import_create(course=course, data=data, filename="p.csv", by=people["admin"])
    errors = [" ".join(r["errors"]) for r in guide_import.rows]
    assert all(r["status"] == "error" for r in guide_import.rows)
    assert "tidak dikenal" in errors[0]
    assert "tidak terdaftar" in errors[1]
    assert "bukan widyaiswara" in errors[2]
    assert "berbeda" in errors[3]
    assert "baris 5" in errors[4] and "dirinya sendiri" in errors[4]
    assert "tidak dikenal" in errors[5]
    with pytest.raises(GuideError):
        guide_import_apply(
            guide_import=guide_import,
            by=people["admin"],
            fingerprint=guide_import_fingerprint(guide_import_validate(course=course, rows=guide_import.rows)),
        )
    assert not ParticipantGuide.objects.exists()


def test_when_database_changed_since_preview_then_apply_refused(course, people):
    data = csv_bytes(["NIP;NIP Coach", f"{people['a'].nip};{people['coach'].nip}"])
    guide_import = guide_import_create(course=course, data=data, filename="p.csv", by=people["admin"])
    fingerprint = guide_import_fingerprint(guide_import_validate(course=course, rows=guide_import.rows))
    guide_assign(enrollment=people["ea"], user=people["coach"], role=GuideRole.COACH, by=None)
    with pytest.raises(GuideError):
        guide_import_apply(guide_import=guide_import, by=people["admin"], fingerprint=fingerprint)
    assert GuideImport.objects.get(pk=guide_import.pk).status == GuideImportStatus.PREVIEWED


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"nama;jabatan\nBudi;Analis\n",  # no NIP column
        b"NIP\n198609262015051001\n",  # no guide column
        b"PK\x03\x04 not really a zip",
        b"NIP;NIP Coach\n" + b"x" * 200_000 + b";1\n",  # a field over csv's limit
        b"NIP;NIP Coach\n" + b"198609262015051001;198609262015051001\n" * (MAX_ROWS + 1),  # too many rows
        b"NIP;NIP Coach\n" + b"1" * (3 * 1024 * 1024),  # too big
    ],
)
def test_when_file_bad_then_clear_error_and_nothing_stored(course, people, data):
    with pytest.raises(ValidationError):
        guide_import_create(course=course, data=data, filename="p.csv", by=people["admin"])
    assert not GuideImport.objects.exists()


def test_when_bad_file_uploaded_then_page_with_error_not_500(course, people):
    client = client_for(people["manager"])
    upload = io.BytesIO(b"PK\x03\x04 broken")
    upload.name = "p.xlsx"
    response = client.post(reverse("programmes:guide_import", args=[course.pk]), {"file": upload})
    assert response.status_code == 400
    assert "tidak dapat dibaca" in response.content.decode()


def test_when_manager_uploads_previews_and_applies_then_assigned(course, people):
    client = client_for(people["manager"])
    upload = io.BytesIO(csv_bytes(["NIP,NIP Coach,NIP Mentor", f"{people['a'].nip},{people['coach'].nip},"]))
    upload.name = "p.csv"
    response = client.post(reverse("programmes:guide_import", args=[course.pk]), {"file": upload})
    guide_import = GuideImport.objects.get()
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    fingerprint = preview.context["fingerprint"]
    apply_url = reverse("programmes:guide_import_apply", args=[course.pk, guide_import.pk])
    assert client.post(apply_url, {"fingerprint": "stale"}).status_code == 409
    assert not ParticipantGuide.objects.exists()
    assert client.post(apply_url, {"fingerprint": fingerprint}).status_code == 302
    assert current(people["ea"], GuideRole.COACH) == [people["coach"].pk]


def test_when_manager_assigns_and_ends_in_page_then_saved(course, people):
    client = client_for(people["manager"])
    url = reverse("programmes:guide_assign", args=[course.pk])
    client.post(url, {"enrollment": people["ea"].pk, "nip": people["mentor"].nip, "role": GuideRole.MENTOR})
    guide = ParticipantGuide.objects.get(enrollment=people["ea"], role=GuideRole.MENTOR)
    assert guide.assigned_by == people["manager"]
    page = client.get(reverse("programmes:guides", args=[course.pk]))
    assert people["mentor"].full_name in page.content.decode()
    client.post(reverse("programmes:guide_end", args=[guide.pk]))
    assert ParticipantGuide.objects.get(pk=guide.pk).ended_at is not None


def test_when_other_instructor_posts_assign_then_refused(course, people):
    client = client_for(people["coach2"])  # an instructor, not of this course
    response = client.post(
        reverse("programmes:guide_assign", args=[course.pk]),
        {"enrollment": people["ea"].pk, "nip": people["coach2"].nip, "role": GuideRole.COACH},
    )
    assert response.status_code == 403
    assert not ParticipantGuide.objects.exists()


# --- Who sees whom ---------------------------------------------------------------------------------------------


def test_when_guides_open_their_list_then_only_their_participants(course, people):
    guide_assign(enrollment=people["ea"], user=people["mentor"], role=GuideRole.MENTOR, by=None)
    guide_assign(enrollment=people["eb"], user=people["mentor2"], role=GuideRole.MENTOR, by=None)
    guide_assign(enrollment=people["ea"], user=people["coach"], role=GuideRole.COACH, by=None)
    guide_assign(enrollment=people["ea"], user=people["coach2"], role=GuideRole.EXAMINER, by=None)
    guide_assign(enrollment=people["eb"], user=people["coach2"], role=GuideRole.COACH, by=None)

    page = client_for(people["mentor2"]).get(reverse("programmes:mine")).content.decode()
    assert "Peserta B" in page and "Peserta A" not in page
    page = client_for(people["mentor"]).get(reverse("programmes:mine")).content.decode()
    assert "Peserta A" in page and "Peserta B" not in page
    rows = guided_participants(user=people["coach2"])
    assert {(r.enrollment.pk, tuple(r.roles)) for r in rows} == {
        (people["ea"].pk, ("penguji",)),
        (people["eb"].pk, ("coach",)),
    }
    assert [r.enrollment.pk for r in guided_participants(user=people["coach2"], role=GuideRole.COACH)] == [
        people["eb"].pk
    ]
    # The mentor of B (another OPD) may not open A's record; A's own mentor may.
    record = reverse("programmes:participant", args=[people["ea"].pk])
    assert client_for(people["mentor2"]).get(record).status_code == 404
    response = client_for(people["mentor"]).get(record)
    assert response.status_code == 200
    assert people["a"].nip in response.content.decode()


def test_when_learner_opens_another_record_then_refused(course, people):
    own = client_for(people["a"]).get(reverse("programmes:participant", args=[people["ea"].pk]))
    assert own.status_code == 200
    other = client_for(people["a"]).get(reverse("programmes:participant", args=[people["eb"].pk]))
    assert other.status_code == 404


def test_when_participant_withdrawn_then_gone_from_guides_list(course, people):
    guide_assign(enrollment=people["ea"], user=people["mentor"], role=GuideRole.MENTOR, by=None)
    people["ea"].status = EnrollmentStatus.WITHDRAWN
    people["ea"].save(update_fields=["status"])
    assert guided_participants(user=people["mentor"]) == []


def test_when_person_guides_someone_then_dashboard_links_their_list(course, people):
    link = reverse("programmes:mine")
    assert link not in client_for(people["mentor"]).get(reverse("lms:dashboard")).content.decode()
    guide_assign(enrollment=people["ea"], user=people["mentor"], role=GuideRole.MENTOR, by=None)
    assert link in client_for(people["mentor"]).get(reverse("lms:dashboard")).content.decode()
