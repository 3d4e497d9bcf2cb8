"""Programme templates and creating a run from one: the shipped templates, the copy with its dates, the refusals, the
administrators' admin view and template snippets, and the step editor's phase select."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from lms.assignments.models import AssignmentPage
from lms.factories import CoursePageFactory, ModulePageFactory
from lms.models import CompletionRule, CoursePage, LiveSessionPage, ModulePage, Programme
from lms.programmes.models import CoursePhase, PhaseKind, ProgrammeTemplate
from lms.programmes.runs import RunError, programme_run_create
from lms.services import enrollment_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

DEFAULT_TEMPLATES = ("Latsar CPNS", "PKP", "PKA", "PKN Tingkat II")
START = datetime.date(2027, 3, 1)


@pytest.fixture
def templates(db):
    """The templates the data migration ships (created again here: a transactional test elsewhere may have
    flushed them; running it twice also shows it is idempotent)."""
    migration = importlib.import_module("lms.programmes.migrations.0003_default_templates")
    migration.create_templates(django_apps, None)
    migration.create_templates(django_apps, None)
    return {t.name: t for t in ProgrammeTemplate.objects.filter(name__in=DEFAULT_TEMPLATES)}


@pytest.fixture
def pka_run(templates, catalogue, administrator):
    return programme_run_create(
        template=templates["PKA"],
        parent=catalogue,
        title="PKA Angkatan II Tahun 2027",
        batch="Angkatan II",
        starts_on=START,
        by=administrator,
    )


def _local(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# --- The shipped templates ------------------------------------------------------------------------------------


def test_when_migration_ran_then_four_templates_with_weights_summing_to_100(templates):
    assert sorted(templates) == sorted(DEFAULT_TEMPLATES)
    for template in templates.values():
        assert template.phases.count() == len({p.pk for p in template.phases.all()})  # created once, not twice
        assert sum(c.weight for c in template.components.all()) == Decimal("100"), template.name
        assert sum(c.weight for c in template.criteria.all()) == Decimal("100"), template.name
        assert {c.source for c in template.components.all()} == {"manual", "akademik", "proyek", "seminar"}
        bands = list(template.predicates.all())
        assert any(b.passes for b in bands) and any(not b.passes for b in bands)
        assert min(b.min_score for b in bands) == 0  # every final score maps to a predicate
        phases = list(template.phases.all())
        assert all(1 <= s.phase_number <= len(phases) for s in template.steps.all())
        assert {s.kind for s in template.steps.all()} == {"modul", "tugas", "sesi"}
        assert phases[-1].kind == PhaseKind.SEMINAR
        assert not template.confirmed and "Peraturan LAN" in template.note and "belum" in template.note
    workplace = {
        name: [p.name for p in t.phases.all() if p.kind == PhaseKind.WORKPLACE] for name, t in templates.items()
    }
    assert workplace == {
        "Latsar CPNS": ["Habituasi/aktualisasi"],
        "PKP": ["Aksi perubahan (tempat kerja)"],
        "PKA": ["Aksi perubahan (tempat kerja)"],
        "PKN Tingkat II": ["Aksi perubahan (tempat kerja)"],
    }


# --- Creating a run -------------------------------------------------------------------------------------------


def test_when_pka_run_created_then_everything_is_copied_with_the_right_dates(pka_run, templates, administrator):
    course = CoursePage.objects.get(pk=pka_run.pk)
    template = templates["PKA"]
    assert (course.programme, course.batch, course.requires_graduation) == (Programme.PKA, "Angkatan II", True)
    assert course.jp_credit == template.jp_credit
    assert not course.live and course.latest_revision is not None  # a draft the admin's editor opens
    assert list(
        CoursePage.instructors.through.objects.filter(coursepage_id=course.pk).values_list("user_id", flat=True)
    ) == [administrator.pk]
    phases = list(CoursePhase.objects.filter(course=course).order_by("sort_order"))
    # Dates worked out by hand from the template (first day 1 March 2027; both ends of a phase count).
    assert [(p.name, p.starts_on, p.ends_on) for p in phases] == [
        ("Pembelajaran mandiri (e-learning asinkron)", datetime.date(2027, 3, 1), datetime.date(2027, 3, 14)),
        ("Pembelajaran jarak jauh (e-learning sinkron)", datetime.date(2027, 3, 15), datetime.date(2027, 3, 28)),
        ("Pembelajaran klasikal dan studi lapangan", datetime.date(2027, 3, 29), datetime.date(2027, 4, 11)),
        ("Aksi perubahan (tempat kerja)", datetime.date(2027, 4, 12), datetime.date(2027, 6, 10)),
        ("Seminar aksi perubahan", datetime.date(2027, 6, 11), datetime.date(2027, 6, 13)),
    ]
    assert (course.starts_on, course.ends_on) == (datetime.date(2027, 3, 1), datetime.date(2027, 6, 13))
    assert [(c.key, c.weight, c.source) for c in course.assessment_components.order_by("sort_order")] == [
        ("sikap_perilaku", Decimal("20.00"), "manual"),
        ("akademik", Decimal("20.00"), "akademik"),
        ("aksi_perubahan", Decimal("40.00"), "proyek"),
        ("seminar", Decimal("20.00"), "seminar"),
    ]
    assert [(b.name, b.min_score, b.passes) for b in course.predicate_bands.order_by("sort_order")] == [
        (p.name, p.min_score, p.passes) for p in template.predicates.all()
    ]
    assert [(c.key, c.weight) for c in course.seminar_criteria.order_by("sort_order")] == [
        (c.key, c.weight) for c in template.criteria.all()
    ]
    steps = [page.specific for page in course.get_children().order_by("path")]
    assert [(type(s), s.title, s.phase.name) for s in steps] == [
        (ModulePage, "Kepemimpinan Pancasila dan Bela Negara", phases[0].name),
        (ModulePage, "Kepemimpinan Kinerja", phases[1].name),
        (ModulePage, "Manajemen Kinerja", phases[1].name),
        (ModulePage, "Studi lapangan (benchmarking)", phases[2].name),
        (AssignmentPage, "Rancangan aksi perubahan", phases[2].name),
        (AssignmentPage, "Laporan aksi perubahan", phases[3].name),
        (LiveSessionPage, "Seminar aksi perubahan", phases[4].name),
    ]
    assert all(s.live and s.latest_revision is not None for s in steps)
    seminar, report = steps[-1], steps[-2]
    assert seminar.starts_at == _local(datetime.date(2027, 6, 11), 9, 0)
    assert seminar.ends_at == seminar.starts_at + datetime.timedelta(minutes=180)
    assert seminar.completion_rule == CompletionRule.ATTENDED
    assert report.due_at == _local(datetime.date(2027, 6, 10), 23, 59)


def test_when_template_changes_later_then_the_run_keeps_its_copy(pka_run, templates):
    templates["PKA"].components.filter(key="seminar").update(weight=Decimal("30"))
    assert pka_run.assessment_components.get(key="seminar").weight == Decimal("20.00")


def test_when_same_title_and_batch_again_then_refused_and_nothing_written(pka_run, templates, catalogue, administrator):
    pages = CoursePage.objects.count()
    phases = CoursePhase.objects.count()
    with pytest.raises(RunError) as refused:
        programme_run_create(
            template=templates["PKP"],
            parent=catalogue,
            title="pka angkatan ii tahun 2027 ",
            batch="ANGKATAN II",
            starts_on=START,
            by=administrator,
        )
    assert refused.value.code == "duplicate" and "sudah ada" in refused.value.message
    assert (CoursePage.objects.count(), CoursePhase.objects.count()) == (pages, phases)


def test_when_template_weights_do_not_add_up_then_no_run_is_made_from_it(templates, catalogue, administrator):
    templates["PKP"].components.filter(key="seminar").update(weight=Decimal("25"))
    pages = CoursePage.objects.count()
    with pytest.raises(RunError) as refused:
        programme_run_create(
            template=templates["PKP"],
            parent=catalogue,
            title="PKP Angkatan I",
            batch="Angkatan I",
            starts_on=START,
            by=administrator,
        )
    assert refused.value.code == "template" and "100" in refused.value.message
    assert CoursePage.objects.count() == pages


def test_when_same_title_in_another_batch_then_created_with_its_own_slug(pka_run, templates, catalogue, administrator):
    other = programme_run_create(
        template=templates["PKA"],
        parent=catalogue,
        title=pka_run.title,
        batch="Angkatan III",
        starts_on=START,
        by=administrator,
    )
    assert other.slug != pka_run.slug


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"title": "  "}, "title"),
        ({"batch": ""}, "batch"),
        ({"starts_on": None}, "starts_on"),
        ({"parent": "course"}, "parent"),
    ],
)
def test_when_input_is_wrong_then_refused_with_a_reason_and_nothing_written(
    change, code, templates, catalogue, course, administrator
):
    arguments = {
        "template": templates["Latsar CPNS"],
        "parent": catalogue,
        "title": "Latsar CPNS Angkatan I",
        "batch": "Angkatan I",
        "starts_on": START,
        "by": administrator,
    } | change
    if arguments["parent"] == "course":
        arguments["parent"] = course
    pages = CoursePage.objects.count()
    with pytest.raises(RunError) as refused:
        programme_run_create(**arguments)
    assert refused.value.code == code and refused.value.message
    assert CoursePage.objects.count() == pages


def test_when_published_run_is_opened_then_learner_sees_phase_sections(pka_run, learner):
    pka_run.save_revision().publish()
    enrollment_create(user=learner, course=pka_run)
    page = client_for(learner).get(pka_run.url).content.decode()
    assert page.count('class="phase"') == 5 and "Seminar aksi perubahan" in page


# --- The admin view -------------------------------------------------------------------------------------------


def _form(templates, catalogue, **changes) -> dict:
    return {
        "template": templates["PKA"].pk,
        "parent": catalogue.pk,
        "title": "PKA Angkatan I Tahun 2027",
        "batch": "Angkatan I",
        "starts_on": "2027-03-01",
    } | changes


def test_when_administrator_submits_the_admin_form_then_run_created_and_its_editor_opened(
    templates, catalogue, administrator
):
    client = client_for(administrator)
    url = reverse("programmes_run_create")
    form = client.get(url)
    assert form.status_code == 200 and "Buat angkatan dari templat" in form.content.decode()
    response = client.post(url, _form(templates, catalogue))
    course = CoursePage.objects.get(title="PKA Angkatan I Tahun 2027")
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_pages:edit", args=[course.pk])
    assert any("dibuat sebagai draf" in str(m) for m in get_messages(response.wsgi_request))
    assert CoursePhase.objects.filter(course=course).count() == 5
    assert client.get(response.url).status_code == 200
    # The admin menu offers the view to administrators.
    assert url in client.get(reverse("wagtailadmin_home")).content.decode()


def test_when_admin_form_is_a_duplicate_or_incomplete_then_shown_again_with_the_reason(
    pka_run, templates, catalogue, administrator
):
    client = client_for(administrator)
    pages = CoursePage.objects.count()
    duplicate = client.post(
        reverse("programmes_run_create"), _form(templates, catalogue, title=pka_run.title, batch="Angkatan II")
    )
    assert duplicate.status_code == 400 and "sudah ada" in str(duplicate.context["form"].errors["title"])
    incomplete = client.post(reverse("programmes_run_create"), _form(templates, catalogue, batch="", starts_on="x"))
    assert incomplete.status_code == 400
    assert {"batch", "starts_on"} <= set(incomplete.context["form"].errors)
    assert CoursePage.objects.count() == pages


def test_when_instructor_or_learner_opens_the_admin_view_then_refused_and_nothing_created(
    templates, catalogue, instructor, learner
):
    url = reverse("programmes_run_create")
    pages = CoursePage.objects.count()
    for person in (instructor, learner):
        client = client_for(person)
        for response in (client.get(url), client.post(url, _form(templates, catalogue))):
            # The instructor reaches the admin and gets the 403 page; the learner is turned away at the admin's door.
            assert response.status_code in (302, 403)
            assert response.status_code == 403 or "/admin/" in response.url
    assert "angkatan-baru" not in client_for(instructor).get(reverse("wagtailadmin_home")).content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous.url
    assert CoursePage.objects.count() == pages


def test_when_administrator_opens_the_template_snippet_then_allowed_and_instructor_refused(
    templates, administrator, instructor
):
    template = templates["PKA"]
    edit = reverse("wagtailsnippets_programmes_programmetemplate:edit", args=[template.pk])
    listing = reverse("wagtailsnippets_programmes_programmetemplate:list")
    admin = client_for(administrator)
    assert admin.get(listing).status_code == 200
    page = admin.get(edit)
    assert page.status_code == 200 and "Aksi perubahan (tempat kerja)" in page.content.decode()
    teacher = client_for(instructor)
    for url in (listing, edit):
        response = teacher.get(url)
        assert response.status_code in (302, 403)


# --- The step editor's phase select ---------------------------------------------------------------------------


def test_when_step_is_edited_then_only_its_own_course_phases_are_offered_and_accepted(catalogue, administrator):
    run = CoursePageFactory(parent=catalogue, programme=Programme.PKA)
    other = CoursePageFactory(parent=catalogue, programme=Programme.PKP)
    own = CoursePhase.objects.create(course=run, name="Fase sendiri", kind=PhaseKind.SELF_STUDY, sort_order=0)
    foreign = CoursePhase.objects.create(course=other, name="Fase lain", kind=PhaseKind.SELF_STUDY, sort_order=0)
    module = ModulePageFactory(parent=run, title="Modul berfase")
    client = client_for(administrator)
    edit_url = reverse("wagtailadmin_pages:edit", args=[module.pk])
    page = client.get(edit_url)
    assert list(page.context["form"].fields["phase"].queryset) == [own]
    data = nested_form_data(
        {
            "title": module.title,
            "slug": module.slug,
            "intro": "",
            "completion_rule": CompletionRule.MARKED_DONE,
            "duration_minutes": "45",
            "body": streamfield([]),
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
            "action-publish": "1",
        }
    )
    refused = client.post(edit_url, data | {"phase": str(foreign.pk)})
    assert refused.status_code == 200 and "phase" in refused.context["form"].errors
    assert ModulePage.objects.get(pk=module.pk).phase_id is None
    accepted = client.post(edit_url, data | {"phase": str(own.pk)})
    assert accepted.status_code == 302, accepted.context["form"].errors if accepted.context else accepted
    assert ModulePage.objects.get(pk=module.pk).phase_id == own.pk
    # A new step under the run: the same choice.
    add_url = reverse("wagtailadmin_pages:add", args=["lms", "modulepage", run.pk])
    assert list(client.get(add_url).context["form"].fields["phase"].queryset) == [own]


def _template_form(template: ProgrammeTemplate, **changes) -> dict:
    def rows(items, fields):
        return inline_formset(
            [{"id": item.pk, "ORDER": str(n), **{f: getattr(item, f) for f in fields}} for n, item in enumerate(items)],
            initial=len(items),
        )

    return nested_form_data(
        {
            "name": template.name,
            "programme": template.programme,
            "jp_credit": template.jp_credit,
            "description": template.description,
            "note": template.note,
            "phases": rows(template.phases.all(), ("name", "kind", "offset_days", "duration_days")),
            "steps": rows(template.steps.all(), ("phase_number", "title", "kind", "duration_minutes")),
            "components": rows(template.components.all(), ("key", "name", "weight", "source")),
            "predicates": rows(template.predicates.all(), ("name", "min_score", "passes")),
            "criteria": rows(template.criteria.all(), ("key", "name", "weight", "description")),
        }
        | changes
    )


def test_when_template_weights_do_not_add_up_then_the_template_editor_refuses(templates, administrator):
    template = templates["PKA"]
    edit = reverse("wagtailsnippets_programmes_programmetemplate:edit", args=[template.pk])
    client = client_for(administrator)
    data = _template_form(template)
    seminar = next(k for k, v in data.items() if k.startswith("components-") and v == "seminar" and "key" in k)
    refused = client.post(edit, data | {seminar.replace("key", "weight"): "30"})
    assert refused.status_code == 200
    assert "berjumlah 100" in refused.content.decode()
    assert template.components.get(key="seminar").weight == Decimal("20")
    step = next(k for k in data if k.startswith("steps-") and k.endswith("phase_number"))
    misplaced = client.post(edit, data | {step: "9"})
    assert misplaced.status_code == 200 and "antara 1 dan 5" in misplaced.content.decode()
    assert client.post(edit, data | {"description": "Diperbarui."}).status_code == 302
    assert ProgrammeTemplate.objects.get(pk=template.pk).description == "Diperbarui."
