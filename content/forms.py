"""The admin form of an H5P activity: the package is validated in the form, so every reason shows in the admin."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from content.h5p import H5PPackage, H5PValidationError, package_validate
from content.models import H5PLibrary, LibraryStatus
from content.services import (
    activity_create_from_package,
    library_known_versions,
    library_review,
    library_upload_trusted,
    package_store_check,
)


class H5PActivityForm(WagtailAdminModelForm):
    package = forms.FileField(
        label=_("Paket H5P (.h5p)"),
        required=False,
        help_text=_("Ekspor dari H5P.com, h5p.org atau Lumi. Judul diambil dari paket bila dikosongkan."),
        widget=forms.ClearableFileInput(attrs={"accept": ".h5p"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._package: H5PPackage | None = None
        if self.instance.pk:
            # A package is immutable once placed in modules: upload a new activity to change the content.
            del self.fields["package"]
        else:
            self.fields["title"].required = False
            self.fields["package"].required = True

    def clean_package(self):
        upload = self.cleaned_data.get("package")
        if not upload:
            return upload
        if not upload.name.lower().endswith(".h5p"):
            raise ValidationError(_("Pilih berkas berekstensi .h5p."))
        if self._package is None:
            upload.seek(0)
            user = getattr(self, "for_user", None)
            known = library_known_versions(user=None if library_upload_trusted(user) else user)
            try:
                self._package = package_validate(upload, known_libraries=known)
                package_store_check(self._package, trusted=library_upload_trusted(user))
            except H5PValidationError as error:
                raise ValidationError([_("Paket ditolak:")] + error.messages) from None
        return upload

    def save(self, commit: bool = True):
        if self.instance.pk or self._package is None:
            return super().save(commit=commit)
        user = getattr(self, "for_user", None)
        self.instance = activity_create_from_package(
            package=self._package,
            uploaded_by=user,
            title=self.cleaned_data.get("title") or "",
            trusted=library_upload_trusted(user),
        )
        return self.instance


class H5PLibraryReviewForm(WagtailAdminModelForm):
    """An administrator approves or rejects a library version; nothing else about a stored library changes."""

    class Meta:
        model = H5PLibrary
        fields = ["status"]
        widgets = {"status": forms.RadioSelect}

    def save(self, commit: bool = True):
        changed = "status" in self.changed_data
        if not changed:
            return self.instance
        status = LibraryStatus(self.cleaned_data["status"])
        return library_review(library=self.instance, status=status, reviewed_by=getattr(self, "for_user", None))
