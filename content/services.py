"""Writes of the H5P side: importing a validated package into the library store and the activity table."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from content.h5p import (
    H5PIssue,
    H5PLibraryData,
    H5PLimits,
    H5PPackage,
    H5PValidationError,
    LibraryRef,
    package_validate,
)
from content.models import H5PActivity, H5PLibrary

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


def library_known_versions() -> set[tuple[str, int, int]]:
    """(machineName, major, minor) of every library in the store, for dependency checks."""
    return set(H5PLibrary.objects.values_list("machine_name", "major_version", "minor_version").distinct())


def _library_store(library: H5PLibraryData, written: _Written) -> H5PLibrary:
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
    )


def _newest_in_store(ref: LibraryRef) -> H5PLibrary | None:
    return (
        H5PLibrary.objects.filter(machine_name=ref.machine_name, major_version=ref.major, minor_version=ref.minor)
        .order_by("-patch_version")
        .first()
    )


def _libraries_resolve(package: H5PPackage, written: _Written) -> dict[LibraryRef, H5PLibrary]:
    """Walk the playback dependency closure, choosing per major.minor the newest patch of package and store;
    store a package's library only when the store lacks that patch or has an older one."""
    resolved: dict[LibraryRef, H5PLibrary] = {}
    pending = [
        LibraryRef(d["machineName"], int(d["majorVersion"]), int(d["minorVersion"]))
        for d in package.h5p_json["preloadedDependencies"]
    ]
    while pending:
        ref = pending.pop()
        if ref in resolved:
            continue
        stored = _newest_in_store(ref)
        own = package.libraries.get(ref)
        if own is not None and (stored is None or own.patch > stored.patch_version):
            library = _library_store(own, written)
        elif stored is not None:
            library = stored
        else:
            raise H5PValidationError(
                [H5PIssue("dependency_missing", _("Pustaka %(ref)s tidak tersedia.") % {"ref": ref})]
            )
        resolved[ref] = library
        meta = library.metadata
        for key in ("preloadedDependencies", "dynamicDependencies"):
            for dep in meta.get(key, []) or []:
                pending.append(LibraryRef(dep["machineName"], int(dep["majorVersion"]), int(dep["minorVersion"])))
    return resolved


def activity_create_from_package(
    *, package: H5PPackage, uploaded_by=None, title: str = "", storage: Storage | None = None
) -> H5PActivity:
    """Store a validated package: new library versions, content files and the activity, all or nothing."""
    written = _Written(storage or default_storage, [])
    activity_uuid = uuid.uuid4()
    try:
        with transaction.atomic():
            libraries = _libraries_resolve(package, written)
            folder = f"{STORAGE_ROOT}/content/{activity_uuid}"
            for path, data in package.content_files.items():
                written.save(f"{folder}/{path}", data)
            activity = H5PActivity.objects.create(
                uuid=activity_uuid,
                title=(title or package.title)[:255],
                main_library=libraries[package.main_library],
                h5p_json=package.h5p_json,
                storage_path=folder,
                content_files=sorted(package.content_files),
                package_bytes=package.package_bytes,
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
    limits: H5PLimits | None = None,
    storage: Storage | None = None,
) -> H5PActivity:
    """Validate an .h5p package and store it; raises H5PValidationError (with every reason) and stores nothing."""
    package = package_validate(source, known_libraries=library_known_versions(), limits=limits)
    return activity_create_from_package(package=package, uploaded_by=uploaded_by, title=title, storage=storage)
