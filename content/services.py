"""Writes of the H5P side: importing a validated package into the library store and the activity table, and
an administrator's review of library versions.

Trust: a library version is code that runs for every learner who opens an activity built on it. An upload by
someone who may approve libraries (`content.change_h5plibrary`: administrators, superusers) and the operator's
own tools (`h5p_import`, `seed_demo`) store new versions approved; an instructor's upload stores them PENDING,
and the activity does not play until an administrator approves them. A version already in the store is never
replaced: the same machineName major.minor.patch with other code is refused, and existing activities keep the
rows they were pinned to.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import asdict, dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.h5p import (
    H5PIssue,
    H5PLibraryData,
    H5PLimits,
    H5PNote,
    H5PPackage,
    H5PValidationError,
    LibraryRef,
    json_parse,
    library_sha256,
    package_validate,
)
from content.models import H5PActivity, H5PLibrary, LibraryStatus
from content.semantics import content_filter

STORAGE_ROOT = "h5p"
logger = logging.getLogger(__name__)


@dataclass
class _Written:
    """Every file one import wrote, so that a failure can take them all back."""

    storage: Storage
    names: list[str]

    def save(self, name: str, data: bytes) -> str:
        stored = self.storage.save(name, ContentFile(data))
        self.names.append(stored)
        return stored

    def delete_all(self) -> None:
        for name in self.names:
            try:
                self.storage.delete(name)
            except Exception:  # best effort: the original error is the one to raise
                logger.warning("H5P import: could not remove %s after a failed import", name, exc_info=True)


def library_upload_trusted(user) -> bool:
    """Whether `user`'s upload may bring new library code that plays at once (they could approve it anyway)."""
    return user is not None and (user.is_superuser or user.has_perm("content.change_h5plibrary"))


def library_known_versions(*, user=None) -> set[tuple[str, int, int]]:
    """(machineName, major, minor) a new activity of `user` may depend on without bringing it: approved
    versions and the user's own pending ones."""
    return set(
        H5PLibrary.objects.usable_by(user).values_list("machine_name", "major_version", "minor_version").distinct()
    )


def _note(code: str, message: str, path: str = "") -> dict[str, str]:
    return asdict(H5PNote(code, message, path))


def _library_store(library: H5PLibraryData, written: _Written, *, status: str, uploaded_by) -> H5PLibrary:
    # A random suffix keeps a folder unique even if a concurrent import stores the same version: the loser's
    # files are removed with its rollback, never mixed with the winner's.
    folder = f"{STORAGE_ROOT}/libraries/{library.ref.folder}.{library.patch}-{uuid.uuid4().hex[:8]}"
    paths = []
    for path, data in library.files.items():
        written.save(f"{folder}/{path}", data)
        paths.append(path)
    return H5PLibrary.objects.create(
        machine_name=library.ref.machine_name,
        major_version=library.ref.major,
        minor_version=library.ref.minor,
        patch_version=library.patch,
        title=library.title[:255],
        runnable=library.runnable,
        metadata=library.metadata,
        storage_path=folder,
        files=sorted(paths),
        bytes_stored=library.size,
        sha256=library.sha256,
        semantics=library.semantics,
        status=status,
        uploaded_by=uploaded_by,
    )


def _stored_bytes(library: H5PLibrary, path: str, storage: Storage) -> bytes | None:
    try:
        with storage.open(f"{library.storage_path}/{path}", "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


def _stored_sha256(library: H5PLibrary, storage: Storage) -> str:
    """The row's hash; rows stored before hashes existed get theirs from storage once."""
    if not library.sha256:
        files = {path: _stored_bytes(library, path, storage) for path in library.files}
        if any(data is None for data in files.values()):
            logger.warning("H5P library %s: stored files missing, its hash cannot be computed", library)
            return ""
        library.sha256 = library_sha256(files)  # type: ignore[arg-type]
        H5PLibrary.objects.filter(pk=library.pk).update(sha256=library.sha256)
    return library.sha256


def _stored_semantics(library: H5PLibrary, storage: Storage) -> list[dict[str, Any]] | None:
    """The row's semantics.json; rows stored before it was kept read it from storage once."""
    if library.semantics is None and "semantics.json" in library.files:
        data = _stored_bytes(library, "semantics.json", storage)
        try:
            semantics = json_parse(data) if data is not None else None
        except ValueError:
            semantics = None
        if isinstance(semantics, list):
            library.semantics = semantics
            H5PLibrary.objects.filter(pk=library.pk).update(semantics=semantics)
    return library.semantics


def _refused(code: str, message: str, where: str = "") -> H5PValidationError:
    return H5PValidationError([H5PIssue(code, message, where)])


def _same_version_issue(own: H5PLibraryData, stored: H5PLibrary, *, trusted: bool, storage: Storage) -> H5PIssue | None:
    """A stored version's code is fixed: the same version with other code is refused, never swapped in."""
    if _stored_sha256(stored, storage) != own.sha256:
        return H5PIssue(
            "library_code_differs",
            _(
                "Pustaka %(library)s %(version)s sudah tersimpan di Siger dengan kode yang berbeda. Versi yang sama "
                "harus berisi kode yang sama: naikkan nomor versinya atau gunakan pustaka yang sudah ada."
            )
            % {"library": stored.machine_name, "version": stored.version},
            own.ref.folder,
        )
    if stored.status == LibraryStatus.REJECTED and not trusted:
        return H5PIssue(
            "library_rejected",
            _("Pustaka %(library)s %(version)s telah ditolak administrator dan tidak dapat dipakai.")
            % {"library": stored.machine_name, "version": stored.version},
            own.ref.folder,
        )
    return None


def _same_version(own: H5PLibraryData) -> H5PLibrary | None:
    return H5PLibrary.objects.filter(
        machine_name=own.ref.machine_name,
        major_version=own.ref.major,
        minor_version=own.ref.minor,
        patch_version=own.patch,
    ).first()


def package_store_check(package: H5PPackage, *, trusted: bool, storage: Storage | None = None) -> None:
    """Refusals that depend on the store (a stored version with other code, a rejected version), all at once:
    the upload form calls it while validating, so the reasons show in the form."""
    issues = []
    for own in package.libraries.values():
        same = _same_version(own)
        issue = same and _same_version_issue(own, same, trusted=trusted, storage=storage or default_storage)
        if issue:
            issues.append(issue)
    if issues:
        raise H5PValidationError(issues)


def _libraries_resolve(
    package: H5PPackage, written: _Written, *, uploaded_by, trusted: bool
) -> dict[LibraryRef, H5PLibrary]:
    """Walk the playback dependency closure, choosing per major.minor the newest patch of the package and of
    what the uploader may use (approved, or their own pending); store a package's library only when that set
    lacks its patch or has an older one."""
    resolved: dict[LibraryRef, H5PLibrary] = {}
    usable = H5PLibrary.objects.usable_by(None if trusted else uploaded_by)
    pending = [
        LibraryRef(d["machineName"], int(d["majorVersion"]), int(d["minorVersion"]))
        for d in package.h5p_json["preloadedDependencies"]
    ]
    while pending:
        ref = pending.pop()
        if ref in resolved:
            continue
        same_major_minor = {"machine_name": ref.machine_name, "major_version": ref.major, "minor_version": ref.minor}
        own = package.libraries.get(ref)
        same = _same_version(own) if own is not None else None
        if same is not None:
            issue = _same_version_issue(own, same, trusted=trusted, storage=written.storage)
            if issue is not None:
                raise H5PValidationError([issue])
        best = usable.filter(**same_major_minor).order_by("-patch_version").first()
        if own is not None and (best is None or own.patch > best.patch_version):
            if same is None:
                status = LibraryStatus.APPROVED if trusted else LibraryStatus.PENDING
                library = _library_store(own, written, status=status, uploaded_by=uploaded_by)
            else:
                # The same code is already stored (pending or rejected): an approver's upload vets it; anyone
                # else's activity waits with it, as it brought that exact code itself.
                library = same
                if trusted and same.status != LibraryStatus.APPROVED:
                    library_review(library=same, status=LibraryStatus.APPROVED, reviewed_by=uploaded_by)
        elif best is not None:
            library = best
        else:
            raise _refused("dependency_missing", _("Pustaka %(ref)s tidak tersedia.") % {"ref": ref})
        resolved[ref] = library
        meta = library.metadata
        for key in ("preloadedDependencies", "dynamicDependencies"):
            for dep in meta.get(key, []) or []:
                pending.append(LibraryRef(dep["machineName"], int(dep["majorVersion"]), int(dep["minorVersion"])))
    return resolved


def _content_filter(
    package: H5PPackage, libraries: dict[LibraryRef, H5PLibrary], storage: Storage
) -> tuple[bytes, list[dict[str, str]]]:
    """content.json filtered against the semantics of the exact versions the activity is pinned to."""
    semantics = {}
    for ref, row in libraries.items():
        own = package.libraries.get(ref)
        if own is not None and own.patch == row.patch_version:
            semantics[row.key] = own.semantics
        else:
            semantics[row.key] = _stored_semantics(row, storage)
    main = libraries[package.main_library]
    filtered, report = content_filter(package.content, main_library=main.key, libraries=semantics)
    notes = []
    if report.html_changed or report.dropped_keys or report.values_fixed:
        notes.append(
            _note(
                "content_filtered",
                _(
                    "Isi content.json disaring sesuai semantics.json pustakanya: %(html)d teks HTML dibersihkan, "
                    "%(keys)d kolom tak dikenal dibuang, %(values)d nilai diperbaiki."
                )
                % {"html": report.html_changed, "keys": report.dropped_keys, "values": report.values_fixed},
                "content/content.json",
            )
        )
    for name in sorted(report.libraries_refused | report.libraries_unknown):
        notes.append(
            _note(
                "subcontent_removed",
                _("Sub-konten %(library)s tidak diizinkan atau tidak tersedia; bagian itu dibuang.")
                % {"library": name},
                "content/content.json",
            )
        )
    return json.dumps(filtered, ensure_ascii=False).encode(), notes


def activity_create_from_package(
    *, package: H5PPackage, uploaded_by=None, title: str = "", trusted: bool = True, storage: Storage | None = None
) -> H5PActivity:
    """Store a validated package: new library versions, filtered content and the activity, all or nothing.
    `trusted` (see library_upload_trusted) decides whether new library versions play at once or wait."""
    written = _Written(storage or default_storage, [])
    activity_uuid = uuid.uuid4()
    try:
        with transaction.atomic():
            libraries = _libraries_resolve(package, written, uploaded_by=uploaded_by, trusted=trusted)
            content_json, filter_notes = _content_filter(package, libraries, written.storage)
            folder = f"{STORAGE_ROOT}/content/{activity_uuid}"
            for path, data in package.content_files.items():
                written.save(f"{folder}/{path}", content_json if path == "content.json" else data)
            waiting = sorted({str(lib) for lib in libraries.values() if not lib.is_approved})
            notes = [asdict(note) for note in package.notes] + filter_notes
            if waiting:
                notes.append(
                    _note(
                        "libraries_pending",
                        _("Aktivitas belum dapat diputar: pustaka %(libraries)s menunggu persetujuan administrator.")
                        % {"libraries": ", ".join(waiting)},
                    )
                )
            activity = H5PActivity.objects.create(
                uuid=activity_uuid,
                title=(title or package.title)[:255],
                main_library=libraries[package.main_library],
                h5p_json=package.h5p_json,
                storage_path=folder,
                content_files=sorted(package.content_files),
                package_bytes=package.package_bytes,
                import_notes=notes,
                uploaded_by=uploaded_by,
            )
            activity.libraries.set(libraries.values())
    except IntegrityError:
        written.delete_all()
        raise H5PValidationError(
            [H5PIssue("busy", _("Pustaka yang sama sedang diimpor bersamaan; silakan coba lagi."))]
        ) from None
    except BaseException:
        written.delete_all()
        raise
    return activity


def package_import(
    *,
    source: str | IO[bytes],
    uploaded_by=None,
    title: str = "",
    trusted: bool = True,
    limits: H5PLimits | None = None,
    storage: Storage | None = None,
) -> H5PActivity:
    """Validate an .h5p package and store it; raises H5PValidationError (with every reason) and stores nothing.
    The operator's tools call it trusted; an upload on someone's behalf passes library_upload_trusted(user)."""
    package = package_validate(
        source, known_libraries=library_known_versions(user=None if trusted else uploaded_by), limits=limits
    )
    return activity_create_from_package(
        package=package, uploaded_by=uploaded_by, title=title, trusted=trusted, storage=storage
    )


@transaction.atomic
def library_review(*, library: H5PLibrary, status: str, reviewed_by) -> H5PLibrary:
    """An administrator approves or rejects a library version; activities on it play once all theirs are approved."""
    library.status = LibraryStatus(status)
    library.reviewed_by = reviewed_by
    library.reviewed_at = timezone.now()
    library.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return library
