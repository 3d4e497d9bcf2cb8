"""H5P package validation: pure functions over a zip archive, no database, no storage.

`package_validate` reads every member once, streamed through a byte counter (the central directory can lie
about sizes), and returns a `H5PPackage` with the bytes of each file, or raises `H5PValidationError` listing
every reason the package was rejected. What a library store already holds is passed in as a set of
(machineName, major, minor), so dependencies can be resolved without this module touching the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

# The highest H5P core API the bundled player (h5p-standalone 3.8.2) implements; the hub set needs 1.24.
SUPPORTED_CORE_API = (1, 24)

# H5P core's default whitelist, without swf (Flash). Libraries may also ship code and styles.
CONTENT_EXTENSIONS = frozenset(
    "json png jpg jpeg gif bmp tif tiff svg eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav txt pdf rtf doc "
    "docx xls xlsx ppt pptx odt ods odp xml csv diff patch md textile vtt webvtt gltf glb".split()
)
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css"}

MACHINE_NAME = re.compile(r"^[\w.-]{1,255}$")
LIBRARY_FOLDER = re.compile(r"^(?P<name>[\w.-]+)-(?P<major>\d{1,5})\.(?P<minor>\d{1,5})$")
VERSION = re.compile(r"^\d{1,5}$")
# Nesting a package's JSON may have: the hub's deepest content.json and semantics.json are 11 and 13 levels
# (Question Set); deeper would only make the recursive semantics filter overflow the stack (a 500 on import).
JSON_MAX_DEPTH = 100
# Anything in an SVG that can run script when the file is opened as a document.
SVG_ACTIVE = re.compile(
    rb"<\s*script|<\s*foreignobject|<!\s*entity|\son[a-z]+\s*=|javascript\s*:|<\s*iframe|<\s*embed|<\s*object",
    re.IGNORECASE,
)
READ_CHUNK = 64 * 1024
# Where a package reaches outside: absolute URLs in content.json strings; in library CSS, url()/@import; in
# library JavaScript, a string literal that starts with a URL (comments and licence headers are not loads).
CONTENT_URL = re.compile(r"(?:https?:)?//([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+)", re.IGNORECASE)
CSS_URL = re.compile(
    rb"""(?:url\(\s*['"]?|@import\s+['"])(?:https?:)?//([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+)""",
    re.IGNORECASE,
)
JS_URL = re.compile(
    rb"""['"`](?:https?:)?//((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+)(?:/[\w-]*)?)""", re.IGNORECASE
)
# XML namespaces and xAPI verb/extension IRIs look like URLs but are identifiers, never fetched.
NAMESPACE_HOSTS = frozenset(
    {"www.w3.org", "w3.org", "ns.adobe.com", "purl.org", "schemas.xmlsoap.org", "adlnet.gov", "activitystrea.ms"}
    | {"id.tincanapi.com"}
)
IDENTIFIER_PREFIXES = (b"h5p.org/x-api",)


@dataclass(frozen=True)
class H5PLimits:
    """Bounds for one package; the defaults fit every hub sample many times over."""

    max_package_bytes: int = 100 * 1024 * 1024
    max_uncompressed_bytes: int = 300 * 1024 * 1024
    max_file_bytes: int = 100 * 1024 * 1024
    max_files: int = 5000
    # Per-file compression ratio, checked only for files above `ratio_floor_bytes`: small files cannot bomb.
    max_ratio: int = 100
    ratio_floor_bytes: int = 1024 * 1024
    max_path_length: int = 255


@dataclass(frozen=True)
class H5PIssue:
    code: str
    message: str
    path: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class H5PNote:
    """Something the import report tells the uploader although the package was accepted."""

    code: str
    message: str
    path: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class H5PValidationError(Exception):
    def __init__(self, issues: list[H5PIssue]):
        super().__init__("; ".join(str(issue) for issue in issues))
        self.issues = issues

    @property
    def codes(self) -> set[str]:
        return {issue.code for issue in self.issues}

    @property
    def messages(self) -> list[str]:
        return [str(issue) for issue in self.issues]


@dataclass(frozen=True)
class LibraryRef:
    machine_name: str
    major: int
    minor: int

    @property
    def folder(self) -> str:
        return f"{self.machine_name}-{self.major}.{self.minor}"

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}"


@dataclass
class H5PLibraryData:
    ref: LibraryRef
    patch: int
    title: str
    runnable: bool
    metadata: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # path inside the library folder -> bytes

    @property
    def dependencies(self) -> list[LibraryRef]:
        """What playback loads: preloaded and dynamic dependencies (editor dependencies are not needed)."""
        return _refs(self.metadata.get("preloadedDependencies", [])) + _refs(
            self.metadata.get("dynamicDependencies", [])
        )

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())

    @property
    def sha256(self) -> str:
        return library_sha256(self.files)

    @property
    def semantics(self) -> list[dict[str, Any]] | None:
        """semantics.json, or None when the library has none (or an unreadable one)."""
        data = self.files.get("semantics.json")
        if data is None:
            return None
        try:
            value = json_parse(data)
        except ValueError:
            return None
        return value if isinstance(value, list) else None


def library_sha256(files: dict[str, bytes]) -> str:
    """One hash over a library's files (names and bytes): two uploads of the same version compare by it."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(hashlib.sha256(path.encode()).digest())
        digest.update(hashlib.sha256(files[path]).digest())
    return digest.hexdigest()


@dataclass
class H5PPackage:
    h5p_json: dict[str, Any]
    title: str
    main_library: LibraryRef
    libraries: dict[LibraryRef, H5PLibraryData]
    content_files: dict[str, bytes]  # path inside content/ -> bytes, content.json included
    package_bytes: int
    notes: list[H5PNote] = field(default_factory=list)  # the import report: left-out files, outside hosts

    @property
    def content(self) -> dict[str, Any]:
        return json_parse(self.content_files["content.json"])


def _refs(items: Any) -> list[LibraryRef]:
    refs = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and _is_version(item.get("majorVersion")) and _is_version(item.get("minorVersion")):
            refs.append(LibraryRef(str(item.get("machineName")), int(item["majorVersion"]), int(item["minorVersion"])))
    return refs


def _is_version(value: Any) -> bool:
    # H5P writes versions as numbers in library.json and as strings in h5p.json.
    if isinstance(value, bool):
        return False
    return (isinstance(value, int) and 0 <= value < 100000) or (isinstance(value, str) and bool(VERSION.match(value)))


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is_ignored(path: str) -> bool:
    """Files packaging tools add and H5P core skips: dot files and macOS resource forks."""
    parts = path.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") and part not in (".", "..") for part in parts)


class _Collector:
    def __init__(self) -> None:
        self.issues: list[H5PIssue] = []

    def add(self, code: str, message: str, path: str = "") -> None:
        self.issues.append(H5PIssue(code, message, path))


def _check_entries(
    zf: zipfile.ZipFile, limits: H5PLimits, out: _Collector, notes: list[H5PNote]
) -> list[zipfile.ZipInfo]:
    """Checks on the central directory before anything is decompressed. Returns the members to read."""
    infos = zf.infolist()
    if len(infos) > limits.max_files:
        out.add(
            "too_many_files",
            _("Paket berisi %(n)d berkas; batasnya %(max)d.") % {"n": len(infos), "max": limits.max_files},
        )
        return []
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_uncompressed_bytes:
        out.add(
            "uncompressed_too_large",
            _("Ukuran paket setelah diekstrak %(mb).1f MB melebihi batas %(max).0f MB.")
            % {"mb": declared / 1e6, "max": limits.max_uncompressed_bytes / 1e6},
        )
        return []
    members: list[zipfile.ZipInfo] = []
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        # zipfile cuts a name at its first NUL; the original keeps it (a classic extension-hiding trick).
        if "\x00" in info.orig_filename:
            out.add("bad_path", _("Nama berkas berisi karakter NUL."), info.orig_filename.replace("\x00", "\\0"))
            continue
        if name.startswith("/") or "\\" in name or re.match(r"^[A-Za-z]:", name):
            out.add("bad_path", _("Jalur absolut atau memakai garis miring terbalik tidak diizinkan."), name)
            continue
        if ".." in name.split("/"):
            out.add("bad_path", _("Jalur yang keluar dari folder paket ('..') tidak diizinkan."), name)
            continue
        if len(name) > limits.max_path_length:
            out.add("bad_path", _("Jalur berkas terlalu panjang."), name[:80])
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            out.add("symlink", _("Tautan simbolik (symlink) tidak diizinkan."), name)
            continue
        key = name.rstrip("/").lower()
        if key in seen:
            out.add("duplicate", _("Nama berkas muncul lebih dari sekali."), name)
            continue
        seen.add(key)
        if info.is_dir() or _is_ignored(name):
            continue
        if info.file_size > limits.max_file_bytes:
            out.add("file_too_large", _("Berkas terlalu besar."), name)
            continue
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            out.add("ratio", _("Rasio kompresi berkas mencurigakan (kemungkinan zip bomb)."), name)
            continue
        top = name.split("/", 1)[0]
        allowed = CONTENT_EXTENSIONS if top == "content" or "/" not in name else LIBRARY_EXTENSIONS
        if _extension(name) not in allowed:
            # H5P core's whitelist even allows .swf in libraries; Siger never stores or serves such a file, and
            # the package plays without it (Course Presentation carries one for an old Flash fallback).
            notes.append(
                H5PNote("file_left_out", _("Jenis berkas ini tidak disimpan; paket tetap diimpor tanpanya."), name)
            )
            continue
        if "/" not in name and name != "h5p.json":
            out.add("unexpected_file", _("Berkas di luar folder konten atau pustaka tidak diizinkan."), name)
            continue
        members.append(info)
    return members


def _read_members(
    zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: H5PLimits, out: _Collector
) -> dict[str, bytes]:
    """Decompress with a running byte counter: stop at the first file or total that outgrows its bounds."""
    files: dict[str, bytes] = {}
    total = 0
    for info in members:
        chunks, size = [], 0
        try:
            with zf.open(info) as stream:
                while chunk := stream.read(READ_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > info.file_size or size > limits.max_file_bytes:
                        out.add("size_mismatch", _("Ukuran berkas tidak sesuai dengan yang dinyatakan."), info.filename)
                        return {}
                    if total > limits.max_uncompressed_bytes:
                        out.add("uncompressed_too_large", _("Ukuran paket setelah diekstrak melebihi batas."))
                        return {}
                    chunks.append(chunk)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError) as error:
            out.add("corrupt", _("Berkas rusak dalam arsip: %(error)s") % {"error": error}, info.filename)
            continue
        files[info.filename] = b"".join(chunks)
    return files


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iterative: the value may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def json_parse(data: bytes) -> Any:
    """A package's JSON file; ValueError for anything unreadable: bad UTF-8 or syntax, an integer longer than
    Python converts (4,300 digits), nesting past the parser's recursion limit or past JSON_MAX_DEPTH."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise ValueError(f"nesting deeper than {JSON_MAX_DEPTH} levels") from None
    if json_depth(value) > JSON_MAX_DEPTH:
        raise ValueError(f"nesting deeper than {JSON_MAX_DEPTH} levels")
    return value


def _load_json(data: bytes, path: str, code: str, out: _Collector) -> Any:
    try:
        return json_parse(data)
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        out.add(code, _("Bukan JSON yang valid: %(error)s") % {"error": error}, path)
        return None


def _check_dependency_list(value: Any, path: str, key: str, out: _Collector) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(
        isinstance(item, dict)
        and isinstance(item.get("machineName"), str)
        and MACHINE_NAME.match(item["machineName"])
        and _is_version(item.get("majorVersion"))
        and _is_version(item.get("minorVersion"))
        for item in value
    ):
        out.add("dependency_invalid", _("Daftar dependensi '%(key)s' tidak valid.") % {"key": key}, path)


def _check_h5p_json(files: dict[str, bytes], out: _Collector) -> dict[str, Any] | None:
    if "h5p.json" not in files:
        out.add("h5p_json_missing", _("Berkas h5p.json tidak ada; ini bukan paket H5P."))
        return None
    data = _load_json(files["h5p.json"], "h5p.json", "h5p_json_invalid", out)
    if data is None:
        return None
    if not isinstance(data, dict):
        out.add("h5p_json_invalid", _("h5p.json harus berupa objek JSON."), "h5p.json")
        return None
    for key in ("title", "mainLibrary"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            out.add("h5p_json_field", _("Kolom wajib '%(key)s' tidak ada atau bukan teks.") % {"key": key}, "h5p.json")
    if "language" in data and not isinstance(data["language"], str):
        out.add("h5p_json_field", _("Kolom 'language' harus berupa teks."), "h5p.json")
    deps = data.get("preloadedDependencies")
    if not isinstance(deps, list) or not deps:
        out.add("h5p_json_field", _("Kolom wajib 'preloadedDependencies' tidak ada atau kosong."), "h5p.json")
    else:
        _check_dependency_list(deps, "h5p.json", "preloadedDependencies", out)
    embed = data.get("embedTypes")
    if embed is not None and (not isinstance(embed, list) or not set(embed) & {"div", "iframe"}):
        out.add("h5p_json_field", _("Kolom 'embedTypes' harus memuat 'div' atau 'iframe'."), "h5p.json")
    return data


def _check_library(folder: str, files: dict[str, bytes], out: _Collector) -> H5PLibraryData | None:
    path = f"{folder}/library.json"
    if "library.json" not in files:
        out.add("library_json_missing", _("Folder pustaka tidak memiliki library.json."), folder)
        return None
    meta = _load_json(files["library.json"], path, "library_json_invalid", out)
    if meta is None:
        return None
    if not isinstance(meta, dict):
        out.add("library_json_invalid", _("library.json harus berupa objek JSON."), path)
        return None
    before = len(out.issues)
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        out.add("library_json_field", _("Kolom wajib 'title' tidak ada atau bukan teks."), path)
    if not isinstance(meta.get("machineName"), str) or not MACHINE_NAME.match(meta["machineName"]):
        out.add("library_json_field", _("Kolom wajib 'machineName' tidak ada atau tidak valid."), path)
    for key in ("majorVersion", "minorVersion", "patchVersion"):
        if not _is_version(meta.get(key)):
            out.add("library_json_field", _("Kolom wajib '%(key)s' tidak ada atau bukan angka.") % {"key": key}, path)
    if "runnable" in meta and meta["runnable"] not in (0, 1, True, False):
        out.add("library_json_field", _("Kolom 'runnable' harus 0 atau 1."), path)
    core = meta.get("coreApi")
    if core is not None:
        if (
            not isinstance(core, dict)
            or not _is_version(core.get("majorVersion"))
            or not _is_version(core.get("minorVersion"))
        ):
            out.add("library_json_field", _("Kolom 'coreApi' tidak valid."), path)
        elif (int(core["majorVersion"]), int(core["minorVersion"])) > SUPPORTED_CORE_API:
            out.add(
                "core_api",
                _("Pustaka memerlukan H5P core API %(need)s; Siger mendukung hingga %(have)s.")
                % {
                    "need": f"{core['majorVersion']}.{core['minorVersion']}",
                    "have": "{}.{}".format(*SUPPORTED_CORE_API),
                },
                path,
            )
    for key in ("preloadedDependencies", "dynamicDependencies", "editorDependencies"):
        _check_dependency_list(meta.get(key), path, key, out)
    for key in ("preloadedJs", "preloadedCss"):
        entries = meta.get(key, [])
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str) for e in entries
        ):
            out.add("library_json_field", _("Kolom '%(key)s' tidak valid.") % {"key": key}, path)
            continue
        for entry in entries:
            if entry["path"] not in files:
                out.add(
                    "preloaded_missing",
                    _("Berkas '%(file)s' disebut di library.json tetapi tidak ada dalam paket.")
                    % {"file": entry["path"]},
                    folder,
                )
    for name, data in files.items():
        if name.startswith("language/") and name.endswith(".json"):
            _load_json(data, f"{folder}/{name}", "language_invalid", out)
    if len(out.issues) > before:
        return None
    ref = LibraryRef(meta["machineName"], int(meta["majorVersion"]), int(meta["minorVersion"]))
    if ref.folder != folder:
        out.add(
            "library_folder",
            _("Nama folder '%(folder)s' tidak sesuai dengan pustaka di dalamnya (seharusnya '%(expected)s').")
            % {"folder": folder, "expected": ref.folder},
            folder,
        )
        return None
    return H5PLibraryData(
        ref=ref,
        patch=int(meta["patchVersion"]),
        title=meta["title"],
        runnable=bool(meta.get("runnable")),
        metadata=meta,
        files=files,
    )


def _check_svgs(files: dict[str, bytes], out: _Collector) -> None:
    # Inert inside the player, but an SVG opened directly from the site would run its script: reject it.
    for name, data in files.items():
        if name.lower().endswith(".svg") and SVG_ACTIVE.search(data):
            out.add("svg_script", _("Berkas SVG berisi skrip atau atribut aktif; hapus lalu unggah ulang."), name)


def package_validate(
    source: str | IO[bytes],
    *,
    known_libraries: Iterable[tuple[str, int, int]] = (),
    limits: H5PLimits | None = None,
) -> H5PPackage:
    """Validate an .h5p archive (path or binary file object); return its parts or raise with every reason."""
    limits = limits or H5PLimits()
    out = _Collector()
    archive_bytes = _archive_size(source)
    if archive_bytes > limits.max_package_bytes:
        out.add(
            "too_large",
            _("Berkas paket %(mb).1f MB melebihi batas %(max).0f MB.")
            % {"mb": archive_bytes / 1e6, "max": limits.max_package_bytes / 1e6},
        )
        raise H5PValidationError(out.issues)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        out.add("not_zip", _("Berkas bukan arsip ZIP/H5P yang valid."))
        raise H5PValidationError(out.issues) from None
    notes: list[H5PNote] = []
    with zf:
        members = _check_entries(zf, limits, out, notes)
        if out.issues:
            raise H5PValidationError(out.issues)
        files = _read_members(zf, members, limits, out)
    if out.issues:
        raise H5PValidationError(out.issues)

    h5p_json = _check_h5p_json(files, out)
    content_files = {name[len("content/") :]: data for name, data in files.items() if name.startswith("content/")}
    if "content.json" not in content_files:
        out.add("content_json_missing", _("Berkas content/content.json tidak ada."))
    else:
        content = _load_json(content_files["content.json"], "content/content.json", "content_json_invalid", out)
        if content is not None and not isinstance(content, dict):
            out.add("content_json_invalid", _("content.json harus berupa objek JSON."), "content/content.json")
        elif content is not None:
            notes += _content_hosts_note(content)

    by_folder: dict[str, dict[str, bytes]] = {}
    for name, data in files.items():
        top, _sep, rest = name.partition("/")
        if top not in ("content", "h5p.json"):
            by_folder.setdefault(top, {})[rest] = data
    libraries: dict[LibraryRef, H5PLibraryData] = {}
    for folder in sorted(by_folder):
        library = _check_library(folder, by_folder[folder], out)
        if library is not None:
            libraries[library.ref] = library
    _check_svgs(files, out)

    main_ref = None
    if h5p_json is not None and isinstance(h5p_json.get("mainLibrary"), str):
        main_name = h5p_json["mainLibrary"]
        main_refs = [ref for ref in _refs(h5p_json.get("preloadedDependencies")) if ref.machine_name == main_name]
        if not main_refs:
            out.add(
                "main_library_missing",
                _("Pustaka utama '%(name)s' tidak ada di dependensi h5p.json.") % {"name": main_name},
            )
        else:
            main_ref = main_refs[0]
    if not out.issues and h5p_json is not None:
        known = {LibraryRef(*item) for item in known_libraries} | set(libraries)
        wanted = [("h5p.json", ref) for ref in _refs(h5p_json.get("preloadedDependencies"))]
        wanted += [(lib.ref.folder, dep) for lib in libraries.values() for dep in lib.dependencies]
        for where, ref in wanted:
            if ref not in known:
                out.add(
                    "dependency_missing",
                    _("Pustaka %(ref)s diperlukan tetapi tidak ada dalam paket maupun di Siger.") % {"ref": ref},
                    where,
                )
    if out.issues or h5p_json is None or main_ref is None:
        raise H5PValidationError(out.issues or [H5PIssue("h5p_json_invalid", _("h5p.json tidak valid."))])
    notes += _library_hosts_notes(libraries)
    return H5PPackage(
        h5p_json=h5p_json,
        title=h5p_json["title"].strip()[:255],
        main_library=main_ref,
        libraries=libraries,
        content_files=content_files,
        package_bytes=archive_bytes,
        notes=notes,
    )


def _strings(value: Any) -> Iterable[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def content_external_hosts(content: Any) -> set[str]:
    """Hosts that content.json points at (a video on YouTube, an image on h5p.org, a link in a text)."""
    hosts: set[str] = set()
    for text in _strings(content):
        if "//" in text:
            hosts.update(match.lower() for match in CONTENT_URL.findall(text))
    return hosts - NAMESPACE_HOSTS


def library_external_hosts(files: dict[str, bytes]) -> set[str]:
    """Hosts a library's CSS or JavaScript loads from (fonts, API scripts)."""
    hosts: set[str] = set()
    for path, data in files.items():
        extension = _extension(path)
        pattern = CSS_URL if extension == "css" else JS_URL if extension == "js" else None
        if pattern is not None and b"//" in data:
            for match in pattern.findall(data):
                if not match.lower().startswith(IDENTIFIER_PREFIXES):
                    hosts.add(match.split(b"/", 1)[0].decode("ascii", "replace").lower())
    return hosts - NAMESPACE_HOSTS


def _content_hosts_note(content: Any) -> list[H5PNote]:
    hosts = content_external_hosts(content)
    if not hosts:
        return []
    return [
        H5PNote(
            "external_content",
            _(
                "Konten memuat atau menautkan sumber dari luar Siger: %(hosts)s. Bagian itu hanya tampil bila host "
                "tersebut diizinkan dan peserta terhubung ke internet."
            )
            % {"hosts": ", ".join(sorted(hosts))},
            "content/content.json",
        )
    ]


def _library_hosts_notes(libraries: dict[LibraryRef, H5PLibraryData]) -> list[H5PNote]:
    notes = []
    for ref in sorted(libraries, key=str):
        if ref.machine_name.startswith("H5PEditor."):
            continue  # editor libraries are stored but never loaded by the player
        hosts = library_external_hosts(libraries[ref].files)
        if hosts:
            notes.append(
                H5PNote(
                    "external_library",
                    _("Kode pustaka memuat sumber dari luar Siger: %(hosts)s.") % {"hosts": ", ".join(sorted(hosts))},
                    ref.folder,
                )
            )
    return notes


def _archive_size(source: str | IO[bytes]) -> int:
    if isinstance(source, str):
        return os.path.getsize(source)
    position = source.tell()
    source.seek(0, 2)
    size = source.tell()
    source.seek(position)
    return size
