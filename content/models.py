"""H5P content: activities (snippets) and the shared library store."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class LibraryStatus(models.TextChoices):
    APPROVED = "approved", _("Disetujui")
    PENDING = "pending", _("Menunggu persetujuan")
    REJECTED = "rejected", _("Ditolak")


class H5PLibraryQuerySet(models.QuerySet):
    def approved(self) -> H5PLibraryQuerySet:
        return self.filter(status=LibraryStatus.APPROVED)

    def pending(self) -> H5PLibraryQuerySet:
        return self.filter(status=LibraryStatus.PENDING)

    def usable_by(self, user) -> H5PLibraryQuerySet:
        """What a new activity of `user` may depend on: approved libraries and the user's own pending ones,
        never another uploader's unvetted code."""
        mine = models.Q(status=LibraryStatus.PENDING, uploaded_by=user) if user is not None else models.Q(pk=None)
        return self.filter(models.Q(status=LibraryStatus.APPROVED) | mine)


class H5PLibrary(models.Model):
    """One library version (machineName major.minor.patch), stored once and shared by every activity.

    A version an instructor brings waits (PENDING) until an administrator approves it: the player refuses to
    serve pending or rejected code. A stored version's code never changes; each activity is pinned to its rows.
    """

    machine_name = models.CharField(max_length=255)
    major_version = models.PositiveIntegerField()
    minor_version = models.PositiveIntegerField()
    patch_version = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    runnable = models.BooleanField(default=False)
    metadata = models.JSONField(help_text="library.json")
    # Storage folder of this exact version; the player sees it as machineName-major.minor.
    storage_path = models.CharField(max_length=400)
    files = models.JSONField(default=list, help_text="Relative paths of the stored files.")
    bytes_stored = models.PositiveBigIntegerField(default=0)
    # library_sha256() of the stored files: an upload of the same version must carry exactly this code.
    sha256 = models.CharField(max_length=64, blank=True)
    # semantics.json, kept to filter content.json of later packages that use this version without bringing it.
    semantics = models.JSONField(null=True, blank=True, help_text="semantics.json")
    status = models.CharField(
        _("status"), max_length=16, choices=LibraryStatus.choices, default=LibraryStatus.PENDING, db_index=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diunggah oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ditinjau oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("ditinjau"), null=True, blank=True)
    created_at = models.DateTimeField(_("disimpan"), auto_now_add=True)

    objects = H5PLibraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("pustaka H5P")
        verbose_name_plural = _("pustaka H5P")
        ordering = ["machine_name", "major_version", "minor_version", "patch_version"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major_version", "minor_version", "patch_version"],
                name="content_library_version_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_name} {self.version}"

    @property
    def version(self) -> str:
        return f"{self.major_version}.{self.minor_version}.{self.patch_version}"

    @property
    def folder(self) -> str:
        """The folder name the player asks for."""
        return f"{self.machine_name}-{self.major_version}.{self.minor_version}"

    @property
    def key(self) -> str:
        """How content.json names it as sub-content: "H5P.MultiChoice 1.16"."""
        return f"{self.machine_name} {self.major_version}.{self.minor_version}"

    @property
    def is_approved(self) -> bool:
        return self.status == LibraryStatus.APPROVED


class H5PActivity(index.Indexed, models.Model):
    """An uploaded H5P package that module pages embed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("judul"), max_length=255)
    main_library = models.ForeignKey(
        H5PLibrary, verbose_name=_("jenis konten"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    libraries = models.ManyToManyField(H5PLibrary, verbose_name=_("pustaka"), related_name="activities", blank=True)
    h5p_json = models.JSONField(default=dict, help_text="h5p.json")
    storage_path = models.CharField(max_length=400, blank=True, help_text="Folder of content/ in storage.")
    content_files = models.JSONField(default=list, help_text="Relative paths of the stored content files.")
    package_bytes = models.PositiveBigIntegerField(default=0)
    # The import report: files left out, hosts the package loads from, what the content filter changed.
    import_notes = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diunggah oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("aktivitas H5P")
        verbose_name_plural = _("aktivitas H5P")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def content_type_label(self) -> str:
        library = self.main_library
        return f"{library.title} ({library.machine_name} {library.version})" if library else ""

    @property
    def libraries_waiting(self) -> list[H5PLibrary]:
        """Libraries of this activity that are not approved: it does not play until there are none."""
        return [library for library in self.libraries.all() if not library.is_approved]

    @property
    def iri(self) -> str:
        """The stable xAPI object IRI of this activity (the player is told to use it)."""
        base = getattr(settings, "H5P_IRI_BASE", "") or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
        return f"{base.rstrip('/')}/h5p/a/{self.uuid}"
