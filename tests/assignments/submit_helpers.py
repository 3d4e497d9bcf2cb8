"""Real files of each kind (and disguised ones) for the hand-in tests, built in memory."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from lms.cohorts.models import ClassMembership, CourseClass, GroupMembership, StudyGroup
from lms.models import CoursePage, Enrollment

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
HTML = b"<!doctype html><html><body><script>fetch('/keluar/',{method:'POST'})</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"></svg>'

_OOXML = "application/vnd.openxmlformats-officedocument"
_MAIN = {
    "docx": ("word/document.xml", f"{_OOXML}.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", f"{_OOXML}.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", f"{_OOXML}.presentationml.presentation.main+xml"),
}


def ooxml(kind: str, *, main_type: str | None = None) -> bytes:
    """A minimal Office Open XML package of `kind` (docx, xlsx, pptx), as Word, Excel and PowerPoint write them:
    [Content_Types].xml first, the package relationships, the main part."""
    part, declared = _MAIN[kind]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type or declared}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'officeDocument" Target="{part}"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr(part, "<?xml version='1.0'?><root/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("laporan.txt", "bukan dokumen Word")
        archive.writestr("word/document.xml", "<nope/>")  # looks like Word by its entry names only
    return buffer.getvalue()


def image(fmt: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def xlsx_real() -> bytes:
    """An xlsx written by openpyxl (a real spreadsheet library's layout)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Rencana kegiatan"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def group_make(course: CoursePage, enrollments: list[Enrollment], *, name: str = "Kelompok 1") -> StudyGroup:
    course_class, _created = CourseClass.objects.get_or_create(course=course, name="Kelas A")
    group = StudyGroup.objects.create(course_class=course_class, name=name)
    for enrollment in enrollments:
        ClassMembership.objects.get_or_create(enrollment=enrollment, defaults={"course_class": course_class})
        GroupMembership.objects.create(group=group, enrollment=enrollment, course_class=course_class)
    return group
