"""QR codes, made by one library (segno) for every page and document that shows one: the certificate (page and
PDF), the classroom check-in and the printed activation cards."""

from __future__ import annotations

import segno


def qr_svg(data: str, *, scale: int = 4, css_class: str = "qr-code") -> str:
    """An inline SVG (one path of modules): nothing of `data` itself reaches the markup."""
    return segno.make(data, error="m", micro=False).svg_inline(scale=scale, svgclass=css_class, lineclass=None)


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules, row by row, without the quiet zone (for drawing in a PDF)."""
    return [[bool(module) for module in row] for row in segno.make(data, error="m", micro=False).matrix]
