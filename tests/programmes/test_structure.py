"""A run's structure is checked where it is edited: the course editor refuses weights that do not add up to 100,
a key used twice, predicates that leave a final grade without one, and a graduation switch without components."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from lms.models import CoursePage
from lms.programmes.structure import structure_errors
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _publish(course, administrator, *, components, bands, criteria=(), requires_graduation=True):
    data = nested_form_data(
        {
            "title": course.title,
            "slug": course.slug,
            "programme": course.programme,
            "jp_credit": course.jp_credit,
            "summary": course.summary,
            "description": rich_text(""),
            "enrollment_open": "on",
            "sequential": "on",
            "batch": "Angkatan III",
            "requires_graduation": "on" if requires_graduation else "",
            "comments": inline_formset([]),
            "phases": inline_formset([]),
            "assessment_components": inline_formset(
                [{"key": k, "name": k.title(), "weight": str(w), "source": s} for k, w, s in components]
            ),
            "predicate_bands": inline_formset(
                [{"name": n, "min_score": str(m), "passes": "on" if p else ""} for n, m, p in bands]
            ),
            "seminar_criteria": inline_formset(
                [{"key": k, "name": k.title(), "weight": str(w), "description": ""} for k, w in criteria]
            ),
            "action-publish": "1",
        }
    )
    return client_for(administrator).post(reverse("wagtailadmin_pages:edit", args=[course.pk]), data)


BANDS = [("Memuaskan", 70, True), ("Kurang Memuaskan", 0, False)]


def test_when_component_weights_add_up_to_100_then_the_run_is_published_with_them(course, administrator):
    response = _publish(
        course,
        administrator,
        components=[("sikap", 40, "manual"), ("seminar", 60, "seminar")],
        bands=BANDS,
        criteria=[("substansi", 100)],
    )
    assert response.status_code == 302
    course = CoursePage.objects.get(pk=course.pk)
    assert [c.weight for c in course.assessment_components.all()] == [Decimal(40), Decimal(60)]
    assert course.requires_graduation and course.batch == "Angkatan III"


@pytest.mark.parametrize(
    ("components", "bands", "criteria", "message"),
    [
        ([("sikap", 40, "manual"), ("seminar", 50, "seminar")], BANDS, [], "harus berjumlah 100"),
        ([("sikap", 50, "manual"), ("sikap", 50, "manual")], BANDS, [], "lebih dari sekali"),
        ([("sikap", 100, "manual")], BANDS, [("substansi", 70)], "kriteria seminar harus berjumlah 100"),
        ([("sikap", 100, "manual")], [("Memuaskan", 70, True)], [], "mulai dari nilai 0"),
        ([("sikap", 100, "manual")], [("Kurang", 0, False)], [], "berarti lulus"),
        ([], [], [], "memerlukan komponen penilaian dan predikat"),
    ],
)
def test_when_the_structure_cannot_be_graded_then_the_editor_refuses_and_nothing_changes(
    course, administrator, components, bands, criteria, message
):
    response = _publish(course, administrator, components=components, bands=bands, criteria=criteria)
    assert response.status_code == 200
    assert any(message in str(error) for error in response.context["form"].non_field_errors()), response.context[
        "form"
    ].non_field_errors()
    course = CoursePage.objects.get(pk=course.pk)
    assert not course.assessment_components.exists() and not course.requires_graduation


def test_structure_errors_reads_only_the_rows_it_is_given():
    assert structure_errors(phases=[], components=[], bands=[], criteria=[], requires_graduation=False) == []
