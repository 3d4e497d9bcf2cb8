"""Files people upload (assignment hand-ins and returned files, evidence of learning outside Siger) and files Siger
serves from storage (those, and certificate PDFs): what an upload really is, and how a stored file is handed out.

A file is accepted by its content, not its name: the first bytes say PDF, JPEG or PNG, and an Office file must be
an OOXML package whose [Content_Types].xml declares the main part of a Word, Excel or PowerPoint document (any
other zip renamed .docx is refused, and so are the macro-enabled kinds, whose main part has another type). The
name's extension must agree with what the content is. HTML, SVG or script renamed .pdf has no PDF header.

Stored files are served only as attachments (never inline from the site's origin), with the type Siger detected,
not the one the browser sent."""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class FileKind(models.TextChoices):
    """The kinds of file Siger accepts at all; each is recognised by its content (file_type_detect)."""

    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (DOCX)"
    XLSX = "xlsx", "Excel (XLSX)"
    PPTX = "pptx", "PowerPoint (PPTX)"
    IMAGE = "image", gettext_lazy("Gambar (JPG, PNG)")


MB = 1024 * 1024
NAME_MAX = 200
# A presigned S3 URL is handed out only after the access check; it need not live long.
PRESIGNED_SECONDS = 300
HEAD_BYTES = 8192
CONTENT_TYPES_MAX = 1 * MB  # [Content_Types].xml is a few kB; a larger one is not an Office document

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# The content type of each Office kind's main part, as declared in [Content_Types].xml.
OOXML_MAIN_PARTS = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}


@dataclass(frozen=True)
class FileType:
    kind: str  # a FileKind value
    extension: str  # how Siger names the stored object
    content_type: str
    extensions: tuple[str, ...]  # the extensions a learner's file name may carry for it


FILE_TYPES = (
    FileType(FileKind.PDF, "pdf", PDF_TYPE, ("pdf",)),
    FileType(FileKind.DOCX, "docx", DOCX_TYPE, ("docx",)),
    FileType(FileKind.XLSX, "xlsx", XLSX_TYPE, ("xlsx",)),
    FileType(FileKind.PPTX, "pptx", PPTX_TYPE, ("pptx",)),
    FileType(FileKind.IMAGE, "jpg", "image/jpeg", ("jpg", "jpeg")),
    FileType(FileKind.IMAGE, "png", "image/png", ("png",)),
)
TYPE_BY_EXTENSION = {ext: file_type for file_type in FILE_TYPES for ext in file_type.extensions}


class FileCheckError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: its cleaned original name and what it really is."""

    name: str
    extension: str
    content_type: str
    size: int


def accepted_extensions(kinds: list[str]) -> list[str]:
    """The file name extensions for the accepted kinds, for the form's accept= and the page's text."""
    return [ext for file_type in FILE_TYPES if file_type.kind in kinds for ext in file_type.extensions]


def file_name_clean(name: str) -> str:
    """The learner's file name as a plain name: no folders, no control characters, at most NAME_MAX characters
    (keeping the extension)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: NAME_MAX - len(ext) - 1]}.{ext}" if dot and len(ext) <= 8 else name[:NAME_MAX]
    return name


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _ooxml_kind(upload: UploadedFile) -> str | None:
    """docx, xlsx or pptx when the zip is an OOXML package declaring that main part; None for any other zip."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            try:
                info = archive.getinfo("[Content_Types].xml")
                archive.getinfo("_rels/.rels")
            except KeyError:
                return None
            if info.file_size > CONTENT_TYPES_MAX:
                return None
            with archive.open(info) as handle:
                declared = handle.read(CONTENT_TYPES_MAX + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return None
    finally:
        upload.seek(0)
    found = [kind for kind, main in OOXML_MAIN_PARTS.items() if main in declared]
    return found[0] if len(found) == 1 else None


def _image_sound(upload: UploadedFile) -> bool:
    """Pillow reads the image's structure (not its pixels): a header followed by anything else fails."""
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        return True
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken or hostile image
        return False
    finally:
        upload.seek(0)


def file_type_detect(upload: UploadedFile) -> FileType | None:
    """What the upload's content is, among the types Siger accepts at all; None for anything else."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return TYPE_BY_EXTENSION["pdf"]
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed else ""
    if mime in ("image/jpeg", "image/png"):
        file_type = TYPE_BY_EXTENSION["png" if mime == "image/png" else "jpg"]
        return file_type if _image_sound(upload) else None
    if head.startswith(b"PK\x03\x04"):
        kind = _ooxml_kind(upload)
        return TYPE_BY_EXTENSION[kind] if kind else None
    return None


def file_check(*, upload: UploadedFile, kinds: list[str], max_bytes: int) -> CheckedFile:
    """Accept an upload when its content is one of `kinds`, its name's extension agrees, and it fits max_bytes."""
    name = file_name_clean(upload.name)
    shown = name or _("(tanpa nama)")
    size = upload.size or 0
    if size <= 0:
        raise FileCheckError(_("Berkas %(name)s kosong.") % {"name": shown})
    if size > max_bytes:
        raise FileCheckError(
            _("Berkas %(name)s terlalu besar (%(size)s MB); paling besar %(max)s MB.")
            % {"name": shown, "size": f"{size / MB:.1f}", "max": f"{max_bytes / MB:g}"}
        )
    allowed = ", ".join(ext.upper() for ext in accepted_extensions(kinds))
    claimed = TYPE_BY_EXTENSION.get(_extension(name))
    if claimed is None or claimed.kind not in kinds:
        raise FileCheckError(
            _("Jenis berkas %(name)s tidak diterima. Yang diterima: %(allowed)s.") % {"name": shown, "allowed": allowed}
        )
    detected = file_type_detect(upload)
    if detected is None or detected.extension != claimed.extension:
        raise FileCheckError(
            _("Isi berkas %(name)s bukan %(type)s yang sah. Simpan ulang sebagai %(type)s lalu unggah lagi.")
            % {"name": shown, "type": claimed.extension.upper()}
        )
    return CheckedFile(name=name, extension=detected.extension, content_type=detected.content_type, size=size)


def stored_files_discard(*, names: list[str]) -> None:
    """Delete objects stored for a hand-in that did not happen (its transaction rolled back)."""
    for name in names:
        if name:
            default_storage.delete(name)


# --- Serving ----------------------------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """attachment, with an ASCII fallback name and the original one in RFC 5987 form (filename*)."""
    filename = file_name_clean(filename) or "berkas"
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in ascii_name).strip() or "berkas"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were to render it, a sandboxed document runs no script and has no origin.
    response["Content-Security-Policy"] = "sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response


def stored_file_response(*, stored: FieldFile, filename: str, content_type: str) -> HttpResponse:
    """A stored file as a download, after the caller's access check. On S3 a short-lived presigned URL whose
    response is forced to be an attachment of the detected type; locally the bytes, streamed."""
    if not stored or not stored.name:
        raise Http404
    disposition = content_disposition(filename)
    storage = stored.storage
    if hasattr(storage, "bucket_name"):
        url = storage.url(
            stored.name,
            parameters={"ResponseContentDisposition": disposition, "ResponseContentType": content_type},
            expire=PRESIGNED_SECONDS,
        )
        return _private(HttpResponseRedirect(url))
    try:
        handle = storage.open(stored.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    return _private(response)
