"""Importing packages into the library store: samples, dedup, patch upgrades, nothing left on rejection."""

import io
import zipfile

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command

from content.h5p import H5PValidationError
from content.models import H5PActivity, H5PLibrary
from content.services import package_import
from tests.h5p_fixtures import (
    HUB,
    INVALID,
    VALID_EXTRA,
    build_zip,
    library_json,
    media_root_fixture,  # noqa: F401 - the media_root fixture
    needs_samples,
    package_files,
    stored_files,
)

pytestmark = pytest.mark.django_db

EXPECTED_REASON = {
    "corrupt_archive.h5p": "not_zip",
    "broken-h5p-json.h5p": "h5p_json_invalid",
    "broken-content-json.h5p": "content_json_invalid",
    "invalid-library-json.h5p": "library_json_field",
    "invalid-library-directory-name.h5p": "library_folder",
    "missing-preloaded-js.h5p": "preloaded_missing",
    "2-invalid-libraries.h5p": "library_json_field",
}


def _library_bytes_in(path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist() if "/" in i.filename and not i.filename.startswith("content/"))


@needs_samples
def test_every_hub_sample_imports_and_libraries_are_stored_once(media_root, capsys):
    activities = [package_import(source=str(path)) for path in HUB]
    assert len(activities) == len(HUB) == 19
    for path, activity in zip(HUB, activities, strict=True):
        assert activity.main_library.machine_name == path.stem, path.name
        assert activity.libraries.filter(pk=activity.main_library_id).exists()
        assert "content.json" in activity.content_files
        assert activity.libraries_waiting == []  # the operator's import is trusted: everything plays
    # Each library version once, whatever number of packages carry it.
    keys = list(H5PLibrary.objects.values_list("machine_name", "major_version", "minor_version", "patch_version"))
    assert len(keys) == len(set(keys))
    stored = sum(H5PLibrary.objects.values_list("bytes_stored", flat=True))
    carried = sum(_library_bytes_in(path) for path in HUB)
    with capsys.disabled():
        print(f"\nlibrary bytes stored {stored:,} of {carried:,} carried by the 19 packages ({stored / carried:.0%})")
    assert stored < carried / 3
    on_disk = sum(p.stat().st_size for p in stored_files(media_root / "h5p" / "libraries"))
    assert on_disk == stored


@needs_samples
@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_every_invalid_sample_is_rejected_with_its_reason_and_stores_nothing(media_root, path):
    with pytest.raises(H5PValidationError) as caught:
        package_import(source=str(path))
    assert EXPECTED_REASON[path.name] in caught.value.codes, caught.value.messages
    assert all(message.strip() for message in caught.value.messages)
    assert not H5PActivity.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert stored_files(media_root) == []


@needs_samples
@pytest.mark.parametrize("path", VALID_EXTRA, ids=lambda p: p.name)
def test_the_two_valid_greeting_cards_import(media_root, path):
    activity = package_import(source=str(path))
    assert activity.main_library.machine_name.startswith("H5P.GreetingCard")
    assert "earth.jpg" in activity.content_files


def _versioned(patch: int) -> io.BytesIO:
    return build_zip(package_files(library=library_json(patch=patch)))


def test_when_a_newer_patch_arrives_then_new_activities_use_it_and_old_ones_keep_theirs(media_root):
    first = package_import(source=_versioned(0))
    newer = package_import(source=_versioned(3))
    older_again = package_import(source=_versioned(1))
    same = package_import(source=_versioned(3))
    assert first.main_library.patch_version == 0
    assert newer.main_library.patch_version == 3
    assert older_again.main_library.patch_version == 3  # the store's newer patch wins for new activities
    assert same.main_library_id == newer.main_library_id
    assert sorted(H5PLibrary.objects.values_list("patch_version", flat=True)) == [0, 3]


class _FailingStorage(FileSystemStorage):
    """Storage that breaks after a few writes, like a bucket going away mid-import."""

    def __init__(self, *args, fail_after: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.left = fail_after

    def _save(self, name, content):
        if self.left == 0:
            raise OSError("disk full")
        self.left -= 1
        return super()._save(name, content)


def test_when_storage_fails_midway_then_written_files_and_rows_are_removed(media_root):
    storage = _FailingStorage(location=str(media_root), fail_after=3)
    with pytest.raises(OSError):
        package_import(source=build_zip(package_files()), storage=storage)
    assert stored_files(media_root) == []
    assert not H5PLibrary.objects.exists() and not H5PActivity.objects.exists()


def test_uploader_and_title_are_recorded(media_root, instructor):
    activity = package_import(source=build_zip(package_files()), uploaded_by=instructor, title="Kuis Etika")
    assert (activity.title, activity.uploaded_by) == ("Kuis Etika", instructor)
    assert activity.package_bytes > 0


@needs_samples
def test_import_command_prints_one_line_per_file_and_fails_if_any_was_rejected(media_root, capsys):
    good = str(HUB[0])
    bad = [str(p) for p in INVALID[:2]]
    with pytest.raises(CommandError) as failed:
        call_command("h5p_import", good, *bad)
    assert failed.value.returncode == 1  # manage.py exits with it
    output = capsys.readouterr().out.splitlines()
    lines = [line for line in output if line.strip() and not line.startswith(" ")]
    assert len(lines) == 3
    assert lines[0].startswith("DIIMPOR") and all(line.startswith("DITOLAK") for line in lines[1:])
    # The import report follows the imported file: Accordion links to Wikipedia.
    assert any(line.startswith("  PERHATIAN") and "en.wikipedia.org" in line for line in output)


@needs_samples
def test_import_command_exits_zero_when_every_file_imports(media_root, capsys):
    call_command("h5p_import", str(HUB[0]), str(HUB[1]))
    assert capsys.readouterr().out.count("DIIMPOR") == 2


def _with_semantics(js: str = "H5P.Tiny = function () {};", content: dict | None = None) -> io.BytesIO:
    files = package_files(content=content)
    files["H5P.Tiny-1.0/tiny.js"] = js
    files["H5P.Tiny-1.0/semantics.json"] = '[{"name": "text", "type": "text", "tags": ["b"]}]'
    return build_zip(files)


def test_libraries_stored_before_hashes_and_semantics_were_kept_are_read_from_storage(media_root):
    first = package_import(source=_with_semantics())
    H5PLibrary.objects.update(sha256="", semantics=None)  # as rows made before migration 0003
    # The package relies on the store for its library: the stored semantics.json filters its content.
    files = {
        name: data
        for name, data in package_files(content={"text": "<b>a</b><script>x</script>", "x": 1}).items()
        if not name.startswith("H5P.Tiny-1.0/")
    }
    second = package_import(source=build_zip(files))
    assert second.main_library_id == first.main_library_id
    with open(media_root / second.storage_path / "content.json") as handle:
        assert handle.read() == '{"text": "<b>a</b>"}'
    library = H5PLibrary.objects.get()
    with pytest.raises(H5PValidationError) as caught:
        package_import(source=_with_semantics(js="/* other code */"))
    assert caught.value.codes == {"library_code_differs"}
    assert package_import(source=_with_semantics()).main_library_id == first.main_library_id
    library.refresh_from_db()
    assert len(library.sha256) == 64 and library.semantics == [{"name": "text", "type": "text", "tags": ["b"]}]
