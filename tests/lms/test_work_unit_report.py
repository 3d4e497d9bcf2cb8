import csv
import io

import pytest
from django.utils import timezone

from lms.factories import CoursePageFactory, ModulePageFactory, UserFactory, WorkUnitFactory
from lms.services import enrollment_create, progress_complete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _complete(user, course):
    enrollment = enrollment_create(user=user, course=course)
    for item in course.get_children().specific():
        progress_complete(enrollment=enrollment, item=item, source="marked_done")


def test_when_asn_complete_courses_then_each_opd_shows_who_reached_20_jp(catalogue, administrator):
    dinkes, bappeda = WorkUnitFactory(name="Dinas Kesehatan"), WorkUnitFactory(name="Bappeda")
    pka = CoursePageFactory(parent=catalogue, jp_credit=24)
    short = CoursePageFactory(parent=catalogue, jp_credit=8)
    for course in (pka, short):
        ModulePageFactory(parent=course)
    a, b, c = (UserFactory(work_unit=dinkes) for _ in range(3))
    d = UserFactory(work_unit=bappeda)
    _complete(a, pka)
    _complete(b, short)
    _complete(d, short)
    enrollment_create(user=c, course=pka)  # enrolled, not completed: no JP

    response = client_for(administrator).get("/laporan/opd/", {"format": "csv"})
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["Dinas Kesehatan"][1:] == ["3", "1", "33", "10.7"]
    assert rows["Bappeda"][1:] == ["1", "0", "0", "8.0"]
    page = client_for(administrator).get("/laporan/opd/").content.decode()
    assert f"tahun {timezone.localdate().year}" in page and "Dinas Kesehatan" in page


def test_when_a_learner_or_instructor_asks_for_the_opd_report_then_403(catalogue, learner, instructor):
    assert client_for(learner).get("/laporan/opd/").status_code == 403
    assert client_for(instructor).get("/laporan/opd/").status_code == 403


def test_when_a_course_jp_is_edited_later_then_the_opd_report_keeps_the_jp_earned(catalogue, administrator):
    dinkes = WorkUnitFactory(name="Dinas Kesehatan")
    course = CoursePageFactory(parent=catalogue, jp_credit=10)
    ModulePageFactory(parent=course)
    _complete(UserFactory(work_unit=dinkes), course)
    course.jp_credit = 30
    course.save_revision().publish()

    response = client_for(administrator).get("/laporan/opd/", {"format": "csv"})
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["Dinas Kesehatan"][1:] == ["1", "0", "0", "10.0"]
