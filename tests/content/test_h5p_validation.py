"""content/h5p.py: pure validation over zips built here (no database, no samples needed)."""

import io
import json
import stat
import time
import zipfile

import pytest

from content.h5p import H5PLimits, H5PValidationError, package_validate
from tests.h5p_fixtures import build_zip, library_json, package_files

FOLDER = "H5P.Tiny-1.0"


def codes_of(files: dict, **kwargs) -> set[str]:
    with pytest.raises(H5PValidationError) as caught:
        package_validate(build_zip(files), **kwargs)
    return caught.value.codes


def test_when_package_is_small_and_complete_then_it_validates():
    package = package_validate(build_zip(package_files()))
    assert package.title == "Paket kecil"
    assert str(package.main_library) == "H5P.Tiny 1.0"
    assert set(package.content_files) == {"content.json"}
    assert set(package.libraries[package.main_library].files) == {
        "library.json",
        "tiny.js",
        "tiny.css",
        "language/id.json",
    }


def test_when_not_a_zip_then_rejected():
    with pytest.raises(H5PValidationError) as caught:
        package_validate(io.BytesIO(b"PK\x03\x04 not really"))
    assert caught.value.codes == {"not_zip"}
    assert "ZIP" in caught.value.messages[0]


def test_when_path_escapes_the_package_then_rejected():
    files = package_files()
    files["../evil.json"] = "{}"
    files["content/../../x.json"] = "{}"
    assert codes_of(files) == {"bad_path"}


def test_when_path_is_absolute_or_has_nul_then_rejected():
    files = package_files()
    files["/etc/passwd.json"] = "{}"
    assert "bad_path" in codes_of(files)
    files = package_files()
    files["content/a#.json.exe"] = "{}"
    # zipfile refuses to write a NUL in a name: patch it into the raw archive (local header and directory).
    raw = build_zip(files).getvalue().replace(b"content/a#.json.exe", b"content/a\0.json.exe")
    with pytest.raises(H5PValidationError) as caught:
        package_validate(io.BytesIO(raw))
    assert caught.value.codes == {"bad_path"}


def test_when_entry_is_a_symlink_then_rejected():
    buffer = build_zip(package_files())
    with zipfile.ZipFile(buffer, "a") as zf:
        info = zipfile.ZipInfo("content/link.json")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    buffer.seek(0)
    with pytest.raises(H5PValidationError) as caught:
        package_validate(buffer)
    assert caught.value.codes == {"symlink"}


def test_when_names_are_duplicated_then_rejected():
    buffer = build_zip(package_files())
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "a") as zf:
        zf.writestr("content/content.json", "{}")
    buffer.seek(0)
    with pytest.raises(H5PValidationError) as caught:
        package_validate(buffer)
    assert "duplicate" in caught.value.codes


def test_when_extension_is_not_whitelisted_then_the_file_is_left_out_with_a_note():
    files = package_files()
    files["content/run.exe"] = "MZ"
    files["content/page.html"] = "<script>alert(1)</script>"
    files["content/code.js"] = "alert(1)"  # scripts belong to libraries, not content
    files[f"{FOLDER}/flash.swf"] = "FWS"  # H5P core's whitelist allows it in libraries; Siger never keeps it
    package = package_validate(build_zip(files))
    assert set(package.content_files) == {"content.json"}
    assert "flash.swf" not in package.libraries[package.main_library].files
    left_out = sorted(note.path for note in package.notes if note.code == "file_left_out")
    assert left_out == ["H5P.Tiny-1.0/flash.swf", "content/code.js", "content/page.html", "content/run.exe"]
    assert all("tidak disimpan" in str(note) for note in package.notes)


def test_when_a_preloaded_file_has_a_forbidden_extension_then_the_package_is_rejected():
    # Left out, the library would miss code it names: that is a broken package, not a note.
    files = package_files(library=library_json(preloadedJs=[{"path": "tiny.js"}, {"path": "movie.swf"}]))
    files[f"{FOLDER}/movie.swf"] = "FWS"
    assert "preloaded_missing" in codes_of(files)


def test_outside_hosts_of_content_and_library_code_are_named_in_the_notes():
    content = {"video": {"files": [{"path": "https://www.youtube.com/watch?v=x"}]}, "img": "//vimeo.com/1"}
    files = package_files(content=content)
    files[f"{FOLDER}/tiny.css"] = (
        "@import 'https://fonts.googleapis.com/css';.a{background:url(//cdn.example.org/x.png)}"
    )
    files[f"{FOLDER}/tiny.js"] = (
        "// see http://licence.example.com\n"
        "var s = 'https://evil.example.net/steal.js'; var ns = 'http://www.w3.org/2000/svg';"
        "var verb = 'http://adlnet.gov/expapi/verbs/answered';"
    )
    notes = {note.code: note for note in package_validate(build_zip(files)).notes}
    assert "www.youtube.com" in notes["external_content"].message and "vimeo.com" in notes["external_content"].message
    library_note = notes["external_library"].message
    assert all(host in library_note for host in ("fonts.googleapis.com", "cdn.example.org", "evil.example.net"))
    # Comments, XML namespaces and xAPI verb IRIs are not loads.
    assert not any(host in library_note for host in ("licence.example.com", "www.w3.org", "adlnet.gov"))


def test_when_svg_has_script_or_handlers_then_rejected():
    files = package_files()
    files["content/a.svg"] = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    files["content/b.svg"] = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    files["content/c.svg"] = '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"/></svg>'
    files["content/ok.svg"] = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'
    with pytest.raises(H5PValidationError) as caught:
        package_validate(build_zip(files))
    assert {issue.path for issue in caught.value.issues} == {"content/a.svg", "content/b.svg", "content/c.svg"}


def test_when_core_api_is_newer_than_supported_then_rejected():
    library = library_json(coreApi={"majorVersion": 1, "minorVersion": 99})
    with pytest.raises(H5PValidationError) as caught:
        package_validate(build_zip(package_files(library=library)))
    assert caught.value.codes == {"core_api"}
    assert "1.99" in caught.value.messages[0] and "1.24" in caught.value.messages[0]


def test_when_dependency_is_nowhere_then_rejected_unless_the_store_has_it():
    library = library_json(preloadedDependencies=[{"machineName": "H5P.Shared", "majorVersion": 2, "minorVersion": 1}])
    files = package_files(library=library)
    assert codes_of(files) == {"dependency_missing"}
    package = package_validate(build_zip(files), known_libraries={("H5P.Shared", 2, 1)})
    assert str(package.main_library) == "H5P.Tiny 1.0"


def test_when_language_file_is_broken_then_rejected():
    files = package_files()
    files[f"{FOLDER}/language/fr.json"] = "{not json"
    assert codes_of(files) == {"language_invalid"}


def test_when_h5p_json_lacks_fields_then_every_reason_is_listed():
    files = package_files()
    files["h5p.json"] = json.dumps({"title": 5, "preloadedDependencies": []})
    with pytest.raises(H5PValidationError) as caught:
        package_validate(build_zip(files))
    text = " ".join(caught.value.messages)
    assert "'title'" in text and "'mainLibrary'" in text and "'preloadedDependencies'" in text


def test_when_content_json_is_missing_then_rejected():
    files = package_files()
    del files["content/content.json"]
    assert codes_of(files) == {"content_json_missing"}


def test_when_a_file_sits_at_the_root_then_rejected():
    files = package_files()
    files["notes.txt"] = "hello"
    assert codes_of(files) == {"unexpected_file"}


def test_when_declared_size_is_too_large_then_rejected_before_reading():
    limits = H5PLimits(max_uncompressed_bytes=10_000)
    files = package_files()
    files["content/big.txt"] = "a" * 20_000
    assert codes_of(files, limits=limits) == {"uncompressed_too_large"}


def test_when_too_many_files_then_rejected():
    files = package_files()
    files.update({f"content/f{n}.txt": "x" for n in range(20)})
    assert codes_of(files, limits=H5PLimits(max_files=10)) == {"too_many_files"}


def test_when_zip_bomb_then_rejected_fast():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in package_files().items():
            zf.writestr(name, data)
        zf.writestr("content/bomb.txt", b"\0" * (50 * 1024 * 1024))
    buffer.seek(0)
    started = time.perf_counter()
    with pytest.raises(H5PValidationError) as caught:
        package_validate(buffer)
    assert caught.value.codes == {"ratio"}
    assert time.perf_counter() - started < 1


def _lying_zip(true_data: bytes, declared: int) -> io.BytesIO:
    """A zip whose central directory and local header understate a member's size."""
    buffer = build_zip(package_files())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("content/lie.txt", true_data)
    raw = bytearray(buffer.getvalue())
    real = len(true_data).to_bytes(4, "little")
    fake = declared.to_bytes(4, "little")
    # Patch the uncompressed size in the local header and the central directory (stored: same bytes).
    name = b"content/lie.txt"
    local = raw.rfind(b"PK\x03\x04", 0, raw.rfind(name + true_data[:8]))
    assert raw[local + 22 : local + 26] == real
    raw[local + 22 : local + 26] = fake
    central = raw.rfind(b"PK\x01\x02")
    assert raw[central + 24 : central + 28] == real
    raw[central + 24 : central + 28] = fake
    return io.BytesIO(bytes(raw))


def test_when_central_directory_lies_about_size_then_the_byte_counter_rejects():
    with pytest.raises(H5PValidationError) as caught:
        package_validate(_lying_zip(b"x" * 5000, 10))
    assert caught.value.codes & {"size_mismatch", "corrupt"}


def test_when_library_json_fields_are_missing_then_rejected_with_the_field_name():
    library = library_json()
    del library["patchVersion"]
    with pytest.raises(H5PValidationError) as caught:
        package_validate(build_zip(package_files(library=library)))
    assert caught.value.codes == {"library_json_field"}
    assert "patchVersion" in caught.value.messages[0]
