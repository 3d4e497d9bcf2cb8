"""A programme run set up the way a manager would: components, predicate bands and seminar criteria on the run."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.factories import CoursePageFactory, EnrollmentFactory, LiveSessionPageFactory, ModulePageFactory, UserFactory
from lms.models import Programme
from lms.programmes.models import (
    AssessmentComponent,
    ComponentSource,
    GuideRole,
    ParticipantGuide,
    PredicateBand,
    SeminarCriterion,
)

COMPONENTS = [  # key, weight, source
    ("sikap", Decimal("20"), ComponentSource.MANUAL),
    ("akademik", Decimal("30"), ComponentSource.ACADEMIC),
    ("proyek", Decimal("30"), ComponentSource.PROJECT),
    ("seminar", Decimal("20"), ComponentSource.SEMINAR),
]
BANDS = [  # name, min_score, passes
    ("Sangat Memuaskan", Decimal("90.01"), True),
    ("Memuaskan", Decimal("80.01"), True),
    ("Cukup Memuaskan", Decimal("70.01"), True),
    ("Kurang Memuaskan", Decimal("0"), False),
]
CRITERIA = [("substansi", Decimal("50")), ("penyajian", Decimal("30")), ("tanya_jawab", Decimal("20"))]


@pytest.fixture
def run(catalogue):
    course = CoursePageFactory(
        parent=catalogue, programme=Programme.PKP, batch="Angkatan II", requires_graduation=True, jp_credit=90
    )
    for key, weight, source in COMPONENTS:
        course.assessment_components.add(AssessmentComponent(key=key, name=key.title(), weight=weight, source=source))
    for name, min_score, passes in BANDS:
        course.predicate_bands.add(PredicateBand(name=name, min_score=min_score, passes=passes))
    for key, weight in CRITERIA:
        course.seminar_criteria.add(SeminarCriterion(key=key, name=key.title(), weight=weight))
    course.save()
    ModulePageFactory(parent=course)
    course.refresh_from_db()
    return course


@pytest.fixture
def seminar_session(run):
    return LiveSessionPageFactory(parent=run, title="Seminar Proyek Perubahan")


@pytest.fixture
def manager(run):
    return UserFactory(full_name="Pengelola")


def enroll(course, **kwargs):
    return EnrollmentFactory(course=course, **kwargs)


def add_examiner(enrollment, user=None):
    user = user or UserFactory()
    ParticipantGuide.objects.create(enrollment=enrollment, user=user, role=GuideRole.EXAMINER)
    return user
