"""The certificate as an A4 landscape PDF (ReportLab): what the HTML certificate states, a QR code to the public
verification page, and DICABUT across the page once revoked.

Fonts: DejaVu (Debian's fonts-dejavu-core, which the siger script installs) is embedded when present, so a name in
any script DejaVu covers prints as written. Without it, ReportLab's built-in Helvetica covers only Windows-1252:
other characters are reduced to their base letter ("Nguyễn" → "Nguyen") or "?", never a crash.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from lms.models import Certificate
from lms.qr import qr_matrix

logger = logging.getLogger(__name__)
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 36
TEXT_WIDTH = PAGE_WIDTH - 2 * 90
INK = colors.HexColor("#1d2b3a")
ACCENT = colors.HexColor("#8a6d1d")
REVOKED = colors.HexColor("#b3261e")
QR_SIZE = 92


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    heading: str
    unicode: bool  # False: the built-in Type 1 fonts, Windows-1252 only


BUILTIN_FONTS = Fonts("Helvetica", "Helvetica-Bold", "Times-Bold", unicode=False)


@cache
def certificate_fonts() -> Fonts:
    """DejaVu, registered once per process, when the Debian package is installed; else the built-in fonts."""
    files = {
        "SigerSans": "DejaVuSans.ttf",
        "SigerSans-Bold": "DejaVuSans-Bold.ttf",
        "SigerSerif-Bold": "DejaVuSerif-Bold.ttf",
    }
    if all((DEJAVU_DIR / name).is_file() for name in files.values()):
        try:
            for font_name, file_name in files.items():
                pdfmetrics.registerFont(TTFont(font_name, str(DEJAVU_DIR / file_name)))
        except Exception:  # a damaged font file: print with the built-in fonts rather than fail
            logger.exception("DejaVu fonts in %s could not be loaded; certificates use Helvetica", DEJAVU_DIR)
        else:
            return Fonts("SigerSans", "SigerSans-Bold", "SigerSerif-Bold", unicode=True)
    return BUILTIN_FONTS


# Letters with a stroke have no decomposition to their base letter.
_STROKED = str.maketrans({"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ħ": "H", "ħ": "h", "ı": "i"})


def _latin(text: str) -> str:
    """Text the built-in fonts can print: accents dropped where that keeps a letter, anything else as "?"."""
    out = []
    for ch in unicodedata.normalize("NFC", text).translate(_STROKED):
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
            except UnicodeEncodeError:
                base = "?"
            ch = base or "?"
        out.append(ch)
    return "".join(out)


def certificate_verify_url(certificate: Certificate) -> str:
    """The public verification page at SIGER_BASE_URL: printed on paper, it must not carry the Host header of
    whichever request happened to make the PDF."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("lms:certificate_verify", args=[certificate.code])


class _Page:
    """A canvas with centred, fitted and wrapped text in the certificate's fonts."""

    def __init__(self, pdf: canvas.Canvas, fonts: Fonts):
        self.pdf, self.fonts = pdf, fonts

    def text(self, value: str) -> str:
        value = " ".join((value or "").split())
        return value if self.fonts.unicode else _latin(value)

    def covering(self, font: str, value: str) -> str:
        """`font`, or the bold sans when the serif lacks a character of `value` (DejaVu Serif has no Arabic)."""
        if not self.fonts.unicode or font != self.fonts.heading:
            return font
        glyphs = pdfmetrics.getFont(font).face.charToGlyph
        return font if all(ord(ch) in glyphs for ch in value) else self.fonts.bold

    def centred(self, y: float, value: str, *, font: str, size: float, color=INK, min_size: float = 9) -> None:
        """One line, centred, made smaller until it fits the text width."""
        value = self.text(value)
        font = self.covering(font, value)
        while size > min_size and pdfmetrics.stringWidth(value, font, size) > TEXT_WIDTH:
            size -= 0.5
        self.pdf.setFont(font, size)
        self.pdf.setFillColor(color)
        self.pdf.drawCentredString(PAGE_WIDTH / 2, y, value)

    def wrapped(
        self,
        x: float,
        y: float,
        value: str,
        *,
        font: str,
        size: float,
        width: float,
        centre: bool = True,
        max_lines: int = 2,
        leading: float | None = None,
    ) -> float:
        """Lines of at most `width`, centred on x (or starting at x); returns the y below the last line."""
        leading = leading or size * 1.25
        lines = simpleSplit(self.text(value), font, size, width)
        if len(lines) > max_lines:
            lines = lines[: max_lines - 1] + [" ".join(lines[max_lines - 1 :])]
        self.pdf.setFont(font, size)
        self.pdf.setFillColor(INK)
        for line in lines:
            while size > 7 and pdfmetrics.stringWidth(line, font, size) > width:
                size -= 0.5
                self.pdf.setFont(font, size)
            if centre:
                self.pdf.drawCentredString(x, y, line)
            else:
                self.pdf.drawString(x, y, line)
            y -= leading
        return y


def _frame(pdf: canvas.Canvas) -> None:
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN)
    pdf.setLineWidth(0.8)
    pdf.rect(MARGIN + 7, MARGIN + 7, PAGE_WIDTH - 2 * MARGIN - 14, PAGE_HEIGHT - 2 * MARGIN - 14)


def _qr(pdf: canvas.Canvas, page: _Page, url: str) -> None:
    # The modules from lms.qr (as the HTML certificate), drawn as one vector path of horizontal runs: ReportLab's
    # own QR widget encodes twice and draws a shape per module, most of the time a PDF takes.
    matrix = qr_matrix(url)
    left, bottom = 80, 92
    cell = QR_SIZE / len(matrix)
    path = pdf.beginPath()
    for row, modules in enumerate(matrix):
        y = bottom + QR_SIZE - (row + 1) * cell
        column = 0
        while column < len(modules):
            if not modules[column]:
                column += 1
                continue
            run = column
            while run < len(modules) and modules[run]:
                run += 1
            path.rect(left + column * cell, y, (run - column) * cell, cell)
            column = run
    pdf.setFillColor(colors.black)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.setFillColor(INK)
    page.wrapped(
        left,
        bottom - 10,
        _("Pindai untuk memeriksa keaslian"),
        font=page.fonts.regular,
        size=7,
        width=230,
        centre=False,
        max_lines=1,
    )
    page.wrapped(
        left, bottom - 20, url, font=page.fonts.regular, size=6.5, width=260, centre=False, max_lines=2, leading=8
    )


def _revoked_mark(pdf: canvas.Canvas, page: _Page, certificate: Certificate) -> None:
    """DICABUT across the page, and when and why along its top: a printout must not pass for a valid one."""
    pdf.saveState()
    pdf.setFillColor(REVOKED)
    pdf.setFillAlpha(0.18)
    pdf.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    pdf.rotate(28)
    pdf.setFont(page.fonts.bold, 120)
    pdf.drawCentredString(0, -40, _("DICABUT"))
    pdf.restoreState()
    revoked_on = date_format(timezone.localtime(certificate.revoked_at), "j F Y")
    notice = _("DICABUT pada %(date)s. Alasan: %(reason)s") % {"date": revoked_on, "reason": certificate.revoke_reason}
    page.centred(PAGE_HEIGHT - MARGIN - 24, notice, font=page.fonts.bold, size=11, color=REVOKED, min_size=7)


def _draw(pdf: canvas.Canvas, certificate: Certificate, fonts: Fonts) -> None:
    page = _Page(pdf, fonts)
    centre = PAGE_WIDTH / 2
    _frame(pdf)
    page.centred(PAGE_HEIGHT - 82, certificate.issuer_name.upper(), font=fonts.bold, size=13)
    if certificate.is_sttpp:
        page.centred(PAGE_HEIGHT - 124, _("STTPP"), font=fonts.heading, size=30, color=ACCENT)
        page.centred(PAGE_HEIGHT - 138, _("Surat Tanda Tamat Pendidikan dan Pelatihan"), font=fonts.regular, size=10)
    else:
        page.centred(PAGE_HEIGHT - 128, _("SERTIFIKAT"), font=fonts.heading, size=34, color=ACCENT)
    page.centred(
        PAGE_HEIGHT - 150, _("Nomor: %(number)s") % {"number": certificate.number}, font=fonts.regular, size=11
    )
    page.centred(PAGE_HEIGHT - 182, _("Diberikan kepada"), font=fonts.regular, size=11)
    page.centred(PAGE_HEIGHT - 212, certificate.learner_name, font=fonts.heading, size=24, min_size=12)
    details = [_("NIP %(nip)s") % {"nip": certificate.learner_nip}]
    if certificate.learner_rank:
        details.append(_("Golongan/ruang %(rank)s") % {"rank": certificate.learner_rank})
    if certificate.learner_position:
        details.append(certificate.learner_position)
    y = page.wrapped(centre, PAGE_HEIGHT - 234, " · ".join(details), font=fonts.regular, size=10.5, width=TEXT_WIDTH)
    if certificate.work_unit_name:
        y = page.wrapped(
            centre, y, certificate.work_unit_name, font=fonts.regular, size=10.5, width=TEXT_WIDTH, max_lines=1
        )
    y = page.wrapped(centre, y - 10, _("telah menyelesaikan"), font=fonts.regular, size=11, width=TEXT_WIDTH)
    y = page.wrapped(centre, y - 6, certificate.course_title, font=fonts.bold, size=16, width=TEXT_WIDTH)
    programme_line = " · ".join(part for part in (certificate.programme_name, certificate.batch) if part)
    y = page.wrapped(centre, y, programme_line, font=fonts.regular, size=11, width=TEXT_WIDTH, max_lines=1)
    period = certificate.period_label
    if period:
        y = page.wrapped(
            centre,
            y,
            _("yang diselenggarakan pada %(period)s") % {"period": period},
            font=fonts.regular,
            size=11,
            width=TEXT_WIDTH,
            max_lines=1,
        )
    y = page.wrapped(
        centre,
        y,
        _("sebanyak %(jp)s jam pelajaran (JP)") % {"jp": certificate.jp_credit},
        font=fonts.bold,
        size=11,
        width=TEXT_WIDTH,
        max_lines=1,
    )
    if certificate.predicate:
        page.wrapped(
            centre,
            y,
            _("dengan predikat %(predicate)s") % {"predicate": certificate.predicate},
            font=fonts.bold,
            size=11,
            width=TEXT_WIDTH,
            max_lines=1,
        )

    # The signer, bottom right; the QR code, bottom left.
    signer_x, signer_width = PAGE_WIDTH - 215, 280
    issued_on = date_format(timezone.localtime(certificate.issued_at), "j F Y")
    top = page.wrapped(
        signer_x,
        168,
        _("Diterbitkan pada %(date)s") % {"date": issued_on},
        font=fonts.regular,
        size=10,
        width=signer_width,
        max_lines=1,
    )
    if certificate.signer_title:
        page.wrapped(
            signer_x,
            top,
            certificate.signer_title,
            font=fonts.regular,
            size=10,
            width=signer_width,
            max_lines=3,
            leading=12,
        )
    if certificate.signer_name:
        page.wrapped(signer_x, 84, certificate.signer_name, font=fonts.bold, size=11, width=signer_width, max_lines=1)
        pdf.setStrokeColor(INK)
        pdf.setLineWidth(0.6)
        pdf.line(signer_x - signer_width / 2 + 20, 80, signer_x + signer_width / 2 - 20, 80)
    if certificate.signer_nip:
        page.wrapped(
            signer_x,
            67,
            _("NIP %(nip)s") % {"nip": certificate.signer_nip},
            font=fonts.regular,
            size=10,
            width=signer_width,
            max_lines=1,
        )
    _qr(pdf, page, certificate_verify_url(certificate))
    if certificate.is_revoked:
        _revoked_mark(pdf, page, certificate)


def certificate_pdf_render(*, certificate: Certificate, fonts: Fonts | None = None) -> bytes:
    """The certificate's PDF bytes (no storage, no database writes); in DejaVu when installed, unless `fonts`
    says otherwise."""
    fonts = fonts or certificate_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    # The document is Indonesian whatever language the request that asked for it is in (as at issue time).
    with translation.override(settings.LANGUAGE_CODE):
        pdf.setTitle(_("Sertifikat %(number)s") % {"number": certificate.number})
        pdf.setAuthor(certificate.issuer_name if fonts.unicode else _latin(certificate.issuer_name))
        pdf.setSubject(certificate.course_title)
        pdf.setCreator("Siger")
        _draw(pdf, certificate, fonts)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
