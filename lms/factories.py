"""Factories shared by the tests and the demo seed."""

from __future__ import annotations

import datetime
import random

import factory
from django.utils import timezone
from wagtail.models import Page

from lms.assignments.models import DEFAULT_FILE_KINDS, AssignmentPage, GroupMode, SubmissionMode
from lms.models import (
    CompletionRule,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    LiveSessionPage,
    ModulePage,
    Programme,
    Role,
    SessionKind,
    User,
    WorkUnit,
)

DEMO_PASSWORD = "siger2026"  # noqa: S105 (the demo accounts' published password)


def nip_make(*, seed: int, gender: int | None = None) -> str:
    """A structurally valid PNS NIP, deterministic for a seed."""
    rng = random.Random(seed)
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 35 * 365))
    tmt_year = min(birth.year + rng.randrange(22, 31), 2025)
    gender = gender or rng.choice((1, 2))
    return f"{birth:%Y%m%d}{tmt_year:04d}{rng.randrange(1, 13):02d}{gender}{seed % 999 + 1:03d}"


class WorkUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkUnit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Dinas Uji {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("nip",)
        skip_postgeneration_save = True

    nip = factory.Sequence(lambda n: nip_make(seed=n + 1000))
    full_name = factory.Faker("name", locale="id_ID")
    email = factory.LazyAttribute(lambda u: f"{u.nip}@asn.example.go.id")
    work_unit = factory.SubFactory(WorkUnitFactory)
    position = "Analis Kebijakan"
    rank = "III/b"
    role = Role.LEARNER
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class _PageFactory(factory.Factory):
    """Wagtail pages are created under a parent with add_child, not with objects.create."""

    class Meta:
        abstract = True

    parent = None

    @classmethod
    def _create(cls, model_class, *args, parent: Page | None = None, **kwargs):
        page = model_class(**kwargs)
        (parent or Page.get_first_root_node()).add_child(instance=page)
        return page

    @classmethod
    def _build(cls, model_class, *args, parent=None, **kwargs):
        return model_class(**kwargs)


class CourseIndexPageFactory(_PageFactory):
    class Meta:
        model = CourseIndexPage

    title = "Katalog Pelatihan"
    slug = factory.Sequence(lambda n: f"katalog-{n}")


class CoursePageFactory(_PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Pelatihan Teknis {n}")
    slug = factory.Sequence(lambda n: f"pelatihan-{n}")
    programme = Programme.TECHNICAL
    jp_credit = 20
    summary = "Pelatihan teknis untuk ASN."
    enrollment_open = True
    sequential = True


class ModulePageFactory(_PageFactory):
    class Meta:
        model = ModulePage

    title = factory.Sequence(lambda n: f"Modul {n}")
    slug = factory.Sequence(lambda n: f"modul-{n}")
    completion_rule = CompletionRule.MARKED_DONE
    intro = "Materi mandiri."
    body = factory.LazyAttribute(lambda o: [("paragraph", f"<p>Isi {o.title}.</p>")])


class LiveSessionPageFactory(_PageFactory):
    class Meta:
        model = LiveSessionPage

    title = factory.Sequence(lambda n: f"Webinar {n}")
    slug = factory.Sequence(lambda n: f"sesi-{n}")
    kind = SessionKind.WEBINAR
    completion_rule = CompletionRule.ATTENDED
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    conference_url = "https://meet.example.org/siger"


class AssignmentPageFactory(_PageFactory):
    class Meta:
        model = AssignmentPage

    title = factory.Sequence(lambda n: f"Tugas {n}")
    slug = factory.Sequence(lambda n: f"tugas-{n}")
    completion_rule = CompletionRule.GRADED
    instructions = "<p>Unggah rancangan aktualisasi Anda.</p>"
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    late_until = None
    submission_mode = SubmissionMode.FILE
    accepted_types = DEFAULT_FILE_KINDS
    max_file_mb = 10
    max_files = 3
    group_mode = GroupMode.INDIVIDUAL
    pass_mark = 70


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    course = None
