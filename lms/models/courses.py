"""The course tree as Wagtail pages: catalogue, course, module and live session."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.routable_page.models import path as route
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from lms.blocks import ModuleBodyBlock
from lms.models.people import Role
from lms.programmes.admin_forms import PathItemPageForm

# --- Course tree (Wagtail pages) ------------------------------------------------------------------------


class Programme(models.TextChoices):
    LATSAR = "latsar", _("Latsar CPNS (Pelatihan Dasar)")
    PKA = "pka", _("PKA (Pelatihan Kepemimpinan Administrator)")
    PKP = "pkp", _("PKP (Pelatihan Kepemimpinan Pengawas)")
    PKN2 = "pkn2", _("PKN Tingkat II")
    PBJ = "pbj", _("Pengadaan Barang/Jasa")
    TECHNICAL = "technical", _("Pelatihan Teknis")
    FUNCTIONAL = "functional", _("Pelatihan Fungsional")
    SEMINAR = "seminar", _("Seminar/Webinar")


class CompletionRule(models.TextChoices):
    VIEWED = "viewed", _("Dibuka")
    MARKED_DONE = "marked_done", _("Ditandai selesai oleh peserta")
    ACTIVITIES_PASSED = "activities_passed", _("Semua aktivitas wajib lulus")
    ATTENDED = "attended", _("Hadir")
    # Assignments (lms.assignments): completed when a grade reaches the step's pass mark.
    GRADED = "graded", _("Dinilai lulus")


class SessionKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar (daring)")
    CLASSROOM = "classroom", _("Kelas tatap muka (luring)")


class CourseIndexPage(Page):
    """The catalogue (Katalog Pelatihan)."""

    intro = RichTextField(_("pengantar"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["lms.CoursePage"]
    template = "lms/course_index_page.html"

    class Meta:
        verbose_name = _("katalog pelatihan")

    def route(self, request, path_components):
        # Every course page, and every step below one, is routed through here. Wagtail finds the child as a
        # plain Page and then loads it again as its specific type; the catalogue's children are courses, so
        # one query for the CoursePage does both.
        if path_components:
            course = CoursePage.objects.child_of(self).filter(slug=path_components[0]).first()
            if course is not None:
                course._cached_parent_obj = self  # as Page.route does: no query for the parent later
                return course.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from lms.selectors import catalogue_courses

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = catalogue_courses(index=self, user=request.user)
        return context


# The inline formsets of a programme run's structure (lms.programmes) and their names in structure_errors.
STRUCTURE_FORMSETS = {
    "phases": "phases",
    "assessment_components": "components",
    "predicate_bands": "bands",
    "seminar_criteria": "criteria",
}


class CoursePageForm(WagtailAdminPageForm):
    """The course editor, with an 'archive' switch that records when the course was archived."""

    archived = forms.BooleanField(
        label=_("Arsipkan pelatihan ini"),
        required=False,
        help_text=_(
            "Pelatihan yang diarsipkan hilang dari katalog dan tidak menerima pendaftaran; peserta tetap "
            "menyimpan kemajuan, sertifikat dan JP-nya, dan laporan tetap dapat dibuka."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["archived"].initial = self.instance.archived_at is not None

    def clean(self):
        cleaned = super().clean()
        from lms.programmes.structure import formset_rows, structure_errors

        formsets = {name: self.formsets.get(name) for name in STRUCTURE_FORMSETS}
        # Only when every structure formset is valid on its own: their field errors are shown first.
        if all(formset is not None and formset.is_valid() for formset in formsets.values()):
            for error in structure_errors(
                **{key: formset_rows(formsets[name]) for name, key in STRUCTURE_FORMSETS.items()},
                requires_graduation=bool(cleaned.get("requires_graduation")),
            ):
                self.add_error(None, error)
        return cleaned

    def save(self, commit: bool = True):
        course = super().save(commit=False)
        if not self.cleaned_data.get("archived"):
            course.archived_at = None
        elif course.archived_at is None:
            course.archived_at = timezone.now()
        if commit:
            course.save()
            self.save_m2m()
        return course


class CoursePage(RoutablePageMixin, Page):
    """A blended course: an ordered path of self-paced modules and live sessions."""

    programme = models.CharField(_("program"), max_length=16, choices=Programme.choices)
    jp_credit = models.PositiveSmallIntegerField(
        _("JP"), default=0, help_text=_("Jam pelajaran yang diakui saat pelatihan selesai.")
    )
    summary = models.TextField(_("ringkasan"), max_length=500)
    description = RichTextField(_("deskripsi"), blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("gambar sampul"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    instructors = ParentalManyToManyField(
        "lms.User",
        verbose_name=_("pengajar"),
        blank=True,
        related_name="taught_courses",
        limit_choices_to={"role__in": [Role.INSTRUCTOR, Role.ADMINISTRATOR]},
    )
    enrollment_open = models.BooleanField(_("pendaftaran dibuka"), default=True)
    enrollment_starts = models.DateField(_("pendaftaran mulai"), null=True, blank=True)
    enrollment_ends = models.DateField(_("pendaftaran berakhir"), null=True, blank=True)
    starts_on = models.DateField(_("tanggal mulai"), null=True, blank=True)
    ends_on = models.DateField(_("tanggal selesai"), null=True, blank=True)
    sequential = models.BooleanField(
        _("berurutan"),
        default=True,
        help_text=_("Jika aktif, setiap langkah terbuka setelah langkah sebelumnya selesai."),
    )
    # The official who signs the STTPP, copied onto each certificate when it is issued (blank: the defaults
    # from SIGER_CERTIFICATE_SIGNER_*).
    signer_name = models.CharField(_("nama penanda tangan"), max_length=150, blank=True)
    signer_title = models.CharField(
        _("jabatan penanda tangan"), max_length=200, blank=True, help_text=_("Mis. Kepala BPSDM Provinsi Lampung.")
    )
    signer_nip = models.CharField(_("NIP penanda tangan"), max_length=18, blank=True)
    # A programme run (lms.programmes): its batch ("Angkatan II"), printed on the STTPP; and whether the STTPP
    # waits for the course manager's graduation decision instead of following completion of the path.
    batch = models.CharField(_("angkatan"), max_length=60, blank=True)
    requires_graduation = models.BooleanField(
        _("STTPP setelah keputusan kelulusan"),
        default=False,
        help_text=_("Jika aktif, sertifikat terbit hanya setelah pengelola memutuskan peserta lulus."),
    )
    # Archived: gone from the catalogue and closed to enrollment, but still live for those enrolled and those
    # who manage it, so records, certificates, JP and reports stay. What the admin offers instead of deleting.
    archived_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True, editable=False)
    # A new intake is often a copy of last year's (archived) course: the copy starts open.
    exclude_fields_in_copy = ["archived_at"]

    base_form_class = CoursePageForm
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("programme"), FieldPanel("jp_credit")]),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("cover_image"),
        FieldPanel("instructors"),
        MultiFieldPanel(
            [
                FieldPanel("enrollment_open"),
                FieldRowPanel([FieldPanel("enrollment_starts"), FieldPanel("enrollment_ends")]),
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
                FieldPanel("sequential"),
            ],
            heading=_("Pendaftaran dan jadwal"),
        ),
        MultiFieldPanel(
            [FieldPanel("signer_name"), FieldRowPanel([FieldPanel("signer_title"), FieldPanel("signer_nip")])],
            heading=_("Penanda tangan sertifikat"),
        ),
        FieldPanel("archived"),
    ]
    # A programme run's structure (lms.programmes): one place that both this editor and the grading read.
    programme_panels = [
        FieldRowPanel([FieldPanel("batch"), FieldPanel("requires_graduation")]),
        InlinePanel("phases", heading=_("Fase"), label=_("fase")),
        InlinePanel("assessment_components", heading=_("Komponen penilaian"), label=_("komponen")),
        InlinePanel("predicate_bands", heading=_("Predikat"), label=_("predikat")),
        InlinePanel("seminar_criteria", heading=_("Kriteria seminar"), label=_("kriteria")),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Isi")),
            ObjectList(programme_panels, heading=_("Program")),
            ObjectList(Page.promote_panels, heading=_("Promosi")),
            ObjectList(Page.settings_panels, heading=_("Pengaturan")),
        ]
    )
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["lms.CourseIndexPage"]
    subpage_types = ["lms.ModulePage", "lms.LiveSessionPage", "assignments.AssignmentPage"]
    template = "lms/course_page.html"

    class Meta:
        verbose_name = _("pelatihan")
        verbose_name_plural = _("pelatihan")

    def clean(self) -> None:
        super().clean()
        if self.enrollment_starts and self.enrollment_ends and self.enrollment_ends < self.enrollment_starts:
            raise ValidationError({"enrollment_ends": _("Tanggal berakhir sebelum tanggal mulai.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("Tanggal selesai sebelum tanggal mulai.")})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def get_admin_display_title(self) -> str:
        title = super().get_admin_display_title()
        return _("%(title)s (diarsipkan)") % {"title": title} if self.is_archived else title

    def enrollment_is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        if not self.enrollment_open or self.is_archived:
            return False
        if self.enrollment_starts and today < self.enrollment_starts:
            return False
        return not (self.enrollment_ends and today > self.enrollment_ends)

    # Views live in lms.views (by area); the page only routes to them.
    @route("daftar/", name="enroll")
    def enroll_route(self, request):
        from lms.views.courses import course_enroll

        return course_enroll(request, self)

    @route("kelola/", name="manage")
    def manage_route(self, request):
        from lms.views.cohorts import course_manage

        return course_manage(request, self)

    @route("kelola/unduh/", name="progress_csv")
    def progress_csv_route(self, request):
        from lms.views.cohorts import course_progress_csv

        return course_progress_csv(request, self)

    @route("", name="course")
    def index_route(self, request, *args, **kwargs):
        from lms.views.courses import course_detail

        return course_detail(request, self)


class PathItemPage(Page):
    """Shared fields of the steps of a course path."""

    completion_rule = models.CharField(_("aturan selesai"), max_length=20, choices=CompletionRule.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("durasi (menit)"), default=45)
    # The phase of a programme run this step belongs to (lms.programmes): it opens when the phase starts.
    phase = models.ForeignKey(
        "programmes.CoursePhase",
        verbose_name=_("fase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    parent_page_types = ["lms.CoursePage"]
    subpage_types: list[str] = []
    base_form_class = PathItemPageForm

    class Meta:
        abstract = True

    @property
    def course(self) -> CoursePage:
        return CoursePage.objects.get(pk=self.get_parent().pk)


class ModulePage(RoutablePageMixin, PathItemPage):
    """A self-paced module."""

    intro = models.TextField(_("pengantar"), blank=True, max_length=500)
    body = StreamField(ModuleBodyBlock(), verbose_name=_("isi"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("completion_rule"), FieldPanel("duration_minutes")]),
        FieldPanel("phase"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    template = "lms/module_page.html"

    class Meta:
        verbose_name = _("modul")
        verbose_name_plural = _("modul")

    def clean(self) -> None:
        super().clean()
        if self.completion_rule == CompletionRule.ATTENDED:
            raise ValidationError({"completion_rule": _("Modul mandiri tidak memakai aturan kehadiran.")})
        if self.completion_rule == CompletionRule.ACTIVITIES_PASSED and not self.required_activity_blocks():
            raise ValidationError(
                {"completion_rule": _("Tambahkan minimal satu aktivitas H5P wajib untuk aturan ini.")}
            )

    def required_activity_blocks(self) -> list:
        return [b for b in self.body if b.block_type == "h5p_activity" and b.value.get("required")]

    @route("", name="module")
    def index_route(self, request, *args, **kwargs):
        from lms.views.courses import module_detail

        return module_detail(request, self)

    @route("selesai/", name="mark_done")
    def mark_done_route(self, request):
        from lms.views.courses import module_mark_done

        return module_mark_done(request, self)


class LiveSessionPageForm(PathItemPageForm):
    """The session editor: "untuk kelas" offers only the classes of the course the session belongs to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("course_class")
        if field is None:
            return
        parent = self.parent_page
        if parent is None and self.instance.pk:
            parent = self.instance.get_parent()
        field.queryset = field.queryset.filter(course_id=parent.pk if parent is not None else None)


class LiveSessionPage(RoutablePageMixin, PathItemPage):
    """A live session: an online webinar or an offline classroom meeting."""

    kind = models.CharField(_("jenis"), max_length=16, choices=SessionKind.choices, default=SessionKind.WEBINAR)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    description = RichTextField(_("deskripsi"), blank=True)
    conference_url = models.URLField(
        _("tautan konferensi"), blank=True, help_text=_("Zoom, Google Meet, BigBlueButton, dll. (webinar).")
    )
    venue = models.CharField(_("tempat"), max_length=255, blank=True, help_text=_("Untuk kelas tatap muka."))
    capacity = models.PositiveIntegerField(_("kapasitas"), null=True, blank=True)
    # JP recorded in the competence ledger for attending this session on its own: a public webinar of a course
    # that gives no JP for completion (a course's JP already count its sessions).
    jp_credit = models.PositiveSmallIntegerField(
        _("JP kehadiran"),
        default=0,
        help_text=_("JP yang dicatat bagi peserta yang hadir, bila pelatihannya sendiri tidak memberi JP."),
    )
    attendance_threshold_percent = models.PositiveSmallIntegerField(
        _("batas kehadiran (%)"),
        default=80,
        help_text=_("Persentase waktu terjadwal yang harus dihadiri agar dianggap hadir."),
    )
    # Empty: the whole cohort. Set: only that class's members (and the course's managers) may open or join it.
    course_class = models.ForeignKey(
        "cohorts.CourseClass",
        verbose_name=_("untuk kelas"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text=_("Kosongkan untuk seluruh angkatan."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("description"),
        FieldPanel("conference_url"),
        FieldRowPanel([FieldPanel("venue"), FieldPanel("capacity")]),
        FieldRowPanel([FieldPanel("completion_rule"), FieldPanel("attendance_threshold_percent")]),
        FieldPanel("jp_credit"),
        FieldPanel("course_class"),
        FieldPanel("phase"),
    ]
    base_form_class = LiveSessionPageForm
    template = "lms/live_session_page.html"

    class Meta:
        verbose_name = _("sesi langsung")
        verbose_name_plural = _("sesi langsung")

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("Waktu selesai harus setelah waktu mulai.")})
        if self.attendance_threshold_percent > 100:
            raise ValidationError({"attendance_threshold_percent": _("Maksimal 100%.")})
        if self.kind == SessionKind.CLASSROOM and not self.venue:
            raise ValidationError({"venue": _("Isi tempat untuk kelas tatap muka.")})
        if self.completion_rule in (CompletionRule.ACTIVITIES_PASSED, CompletionRule.MARKED_DONE):
            raise ValidationError({"completion_rule": _("Sesi langsung selesai saat dibuka atau dihadiri.")})

    @property
    def scheduled_minutes(self) -> int:
        return max(1, int((self.ends_at - self.starts_at).total_seconds() // 60))

    @route("", name="session")
    def index_route(self, request, *args, **kwargs):
        from lms.views.courses import session_detail

        return session_detail(request, self)

    @route("kalender/", name="ics")
    def ics_route(self, request):
        from lms.views.courses import session_ics

        return session_ics(request, self)


PATH_ITEM_MODELS = (ModulePage, LiveSessionPage)
