"""Shared H5P test helpers: where the sample packages are, small packages built in memory, a module with
activities. Import the fixtures you use into the test module
(`media_root_fixture` provides the fixture `media_root`)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from content.models import H5PActivity
from content.services import package_import
from lms.factories import CoursePageFactory, ModulePageFactory
from lms.models import CompletionRule, CoursePage, ModulePage

SAMPLES = Path(os.environ.get("SIGER_H5P_SAMPLES", Path(__file__).resolve().parents[2] / "shared" / "h5p-samples"))
HUB = sorted((SAMPLES / "hub").glob("*.h5p"))
INVALID = sorted(p for p in (SAMPLES / "invalid").glob("*.h5p") if not p.name.startswith("valid-"))
VALID_EXTRA = sorted((SAMPLES / "invalid").glob("valid-*.h5p"))

needs_samples = pytest.mark.skipif(not HUB, reason=f"H5P samples not found in {SAMPLES}")


def sample(name: str) -> Path:
    return SAMPLES / "hub" / f"{name}.h5p"


def library_json(name: str = "H5P.Tiny", major: int = 1, minor: int = 0, patch: int = 0, **extra) -> dict:
    data = {
        "title": "Tiny",
        "machineName": name,
        "majorVersion": major,
        "minorVersion": minor,
        "patchVersion": patch,
        "runnable": 1,
        "coreApi": {"majorVersion": 1, "minorVersion": 19},
        "preloadedJs": [{"path": "tiny.js"}],
        "preloadedCss": [{"path": "tiny.css"}],
    }
    data.update(extra)
    return data


def package_files(*, title: str = "Paket kecil", library: dict | None = None, content: dict | None = None) -> dict:
    """The files of a small valid package; tests change or add entries to break it."""
    library = library or library_json()
    folder = f"{library['machineName']}-{library['majorVersion']}.{library['minorVersion']}"
    return {
        "h5p.json": json.dumps(
            {
                "title": title,
                "language": "und",
                "mainLibrary": library["machineName"],
                "embedTypes": ["div"],
                "preloadedDependencies": [
                    {
                        "machineName": library["machineName"],
                        "majorVersion": str(library["majorVersion"]),
                        "minorVersion": str(library["minorVersion"]),
                    }
                ],
            }
        ),
        "content/content.json": json.dumps(content or {"text": "Halo"}),
        f"{folder}/library.json": json.dumps(library),
        f"{folder}/tiny.js": "H5P.Tiny = function () {};",
        f"{folder}/tiny.css": ".tiny{}",
        f"{folder}/language/id.json": json.dumps({"semantics": []}),
    }


def build_zip(files: dict, *, compression: int = zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in files.items():
            if isinstance(data, zipfile.ZipInfo):
                raise TypeError("use build_zip_entries for raw entries")
            zf.writestr(name, data)
    buffer.seek(0)
    return buffer


@pytest.fixture(name="media_root")
def media_root_fixture(settings, tmp_path):
    """Every file the test writes lands in a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def import_sample(name: str, **kwargs) -> H5PActivity:
    return package_import(source=str(sample(name)), **kwargs)


def h5p_module(
    course, activities: list[H5PActivity], *, pass_mark: int = 100, slug: str = "modul-kuis", required: bool = True
) -> ModulePage:
    """A module (rule: activities passed) with one block per activity, placed after the course's other steps."""
    module = ModulePageFactory(
        parent=course,
        title="Kuis Interaktif",
        slug=slug,
        completion_rule=CompletionRule.ACTIVITIES_PASSED,
        body=[("h5p_activity", {"activity": a, "required": required, "pass_mark": pass_mark}) for a in activities],
    )
    return ModulePage.objects.get(pk=module.pk)  # fresh from the database: the blocks now have their ids


def h5p_course(catalogue, activities: list[H5PActivity], **kwargs) -> tuple[CoursePage, ModulePage]:
    """An open, non-sequential course whose only step is an H5P module."""
    course = CoursePageFactory(parent=catalogue, title="Pelatihan H5P", slug="pelatihan-h5p", sequential=False)
    return course, h5p_module(course, activities, **kwargs)


def block_ids(module: ModulePage) -> list[str]:
    return [block.id for block in module.body if block.block_type == "h5p_activity"]
