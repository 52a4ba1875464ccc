"""The A4 QR poster of a service window, as PDF (many windows, one page each) and PNG.

The code opens the window's stable public page ``/r/<window code>``, where a person rates the
service or reports a matter that could not be done. Both formats share one layout, in
millimetres from the top-left corner; the PDF uses ReportLab's built-in CID font (no font
file), the PNG needs a CJK font file on the machine (fonts-noto-cjk).
"""

from __future__ import annotations

import glob
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import segno
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from doudi.directory.models import Window

PDF_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))

PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
TEXT_W_MM = 180.0  # widest a line may be: 15 mm margins
QR_TOP_MM, QR_SIDE_MM = 129.0, 96.0  # the symbol; its quiet zone (4 modules) is left blank
PNG_DPI = 150
BLACK, GREY, ACCENT = "#000000", "#444444", "#b71c1c"
HEADLINE = "扫码评价 · 办不成事反映"
INVITATION = "请对本窗口服务作出评价；事情没办成，请扫码反映，我们兜底办理"

# Where a CJK font file may be: (regular, bold) patterns, best first.
CJK_FONT_FILES = [
    ("/usr/share/fonts/**/NotoSansCJK-Regular.ttc", "/usr/share/fonts/**/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/**/NotoSansCJKsc-Regular.otf", "/usr/share/fonts/**/NotoSansCJKsc-Bold.otf"),
    ("/usr/share/fonts/**/SourceHanSans*.tt[cf]", ""),
    ("/usr/share/fonts/**/wqy-microhei.ttc", ""),
    ("/usr/share/fonts/**/wqy-zenhei.ttc", ""),
    ("/System/Library/Fonts/PingFang.ttc", ""),
]


class PosterFontMissing(RuntimeError):
    """No CJK font to set the PNG poster's Chinese text (it would print as empty boxes)."""

    def __init__(self) -> None:
        super().__init__(
            "找不到中文字体，无法生成 PNG 海报。请安装：apt-get install fonts-noto-cjk "
            "（PDF 海报不需要字体文件）。"
        )


@dataclass(frozen=True)
class Line:
    text: str
    size: float  # points
    baseline: float  # mm from the top of the page
    bold: bool = False
    colour: str = BLACK


def qr_url(window: Window) -> str:
    """What the window's code encodes: its stable public page."""
    return f"{settings.DOUDI_PUBLIC_URL.rstrip('/')}/r/{quote(window.code, safe='')}"


def qr_matrix(window: Window) -> list[list[bool]]:
    """The QR symbol's modules without the quiet zone, True for dark; never a Micro QR."""
    symbol = segno.make_qr(qr_url(window), error="m")
    return [[bool(module) for module in row] for row in symbol.matrix]


def poster_lines(window: Window) -> list[Line]:
    return [
        Line(window.centre.name, 18, 26, colour=GREY),
        Line(f"{window.number}号窗口", 66, 58, bold=True),
        Line(window.name, 30, 78, bold=True),
        Line(window.department.name, 20, 92, colour=GREY),
        Line(HEADLINE, 30, 112, bold=True, colour=ACCENT),
        Line(INVITATION, 15, 246),
        Line(qr_url(window), 10, 256, colour=GREY),
        Line(f"窗口编码：{window.code}", 10, 282, colour=GREY),
    ]


def fit_line(text: str, size: float, width_at: Callable[[str, float], float]) -> tuple[str, float]:
    """Shrink a line to the text width, down to half its size, then cut it with an ellipsis.

    ``width_at(text, size)`` measures in mm.
    """
    for step in range(11):
        fitted = size * (1 - step * 0.05)
        if width_at(text, fitted) <= TEXT_W_MM:
            return text, fitted
    while len(text) > 1 and width_at(text + "…", fitted) > TEXT_W_MM:
        text = text[:-1]
    return text + "…", fitted


def poster_pdf(windows: Sequence[Window]) -> bytes:
    """One A4 page per window, QR drawn as vector rectangles."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("窗口二维码海报")

    def width_at(text: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, PDF_FONT, size) / mm

    def y(mm_from_top: float) -> float:
        return (PAGE_H_MM - mm_from_top) * mm

    for window in windows:
        for line in poster_lines(window):
            text, size = fit_line(line.text, line.size, width_at)
            canvas.saveState()  # colour, line width and render mode end with the line
            canvas.setFillColor(HexColor(line.colour))
            canvas.setStrokeColor(HexColor(line.colour))
            canvas.setLineWidth(size * 0.03)
            label = canvas.beginText((PAGE_W_MM - width_at(text, size)) / 2 * mm, y(line.baseline))
            label.setFont(PDF_FONT, size)
            # The CID font has no bold face: fill and stroke the outline instead.
            label.setTextRenderMode(2 if line.bold else 0)
            label.textLine(text)
            canvas.drawText(label)
            canvas.restoreState()
        _pdf_qr(canvas, qr_matrix(window), y)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _pdf_qr(canvas: Canvas, matrix: list[list[bool]], y: Callable[[float], float]) -> None:
    module = QR_SIDE_MM / len(matrix)
    left = (PAGE_W_MM - QR_SIDE_MM) / 2
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        for c0, run in _dark_runs(row):
            top = QR_TOP_MM + r * module
            path.rect((left + c0 * module) * mm, y(top + module), run * module * mm, module * mm)
    canvas.setFillColor(HexColor(BLACK))
    # One path, so that neighbouring modules join without hairline seams.
    canvas.drawPath(path, stroke=0, fill=1)


def _dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(first column, length) of each horizontal run of dark modules."""
    runs: list[tuple[int, int]] = []
    start = None
    for c, dark in enumerate([*row, False]):
        if dark and start is None:
            start = c
        elif not dark and start is not None:
            runs.append((start, c - start))
            start = None
    return runs


@lru_cache(maxsize=1)
def _cjk_font_files() -> tuple[tuple[str, int], tuple[str, int] | None]:
    """The (file, face index) of a regular and, if there is one, a bold CJK font."""
    for regular, bold in CJK_FONT_FILES:
        found = sorted(glob.glob(regular, recursive=True))
        if found:
            bolds = sorted(glob.glob(bold, recursive=True)) if bold else []
            return _simplified_face(found[0]), _simplified_face(bolds[0]) if bolds else None
    raise PosterFontMissing


def _simplified_face(path: str) -> tuple[str, int]:
    """A font collection holds the JP/KR/SC/TC faces: pick the Simplified Chinese one."""
    for index in range(12):
        try:
            family = ImageFont.truetype(path, 10, index=index).getname()[0] or ""
        except OSError:
            break
        if "SC" in family.split() or "GB" in family:
            return path, index
    return path, 0


@lru_cache(maxsize=64)
def _font(path: str, index: int, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, pixels, index=index)


def poster_png(window: Window) -> bytes:
    """The poster as an A4 PNG at 150 dpi (for screens and quick prints)."""
    regular, bold = _cjk_font_files()
    px_per_mm = PNG_DPI / 25.4
    image = Image.new("RGB", (round(PAGE_W_MM * px_per_mm), round(PAGE_H_MM * px_per_mm)), "white")
    draw = ImageDraw.Draw(image)

    def font(size: float, heavy: bool) -> ImageFont.FreeTypeFont:
        path, index = bold if heavy and bold else regular
        return _font(path, index, round(size * PNG_DPI / 72))

    for line in poster_lines(window):

        def width_at(text: str, size: float, heavy: bool = line.bold) -> float:
            return font(size, heavy).getlength(text) / px_per_mm

        text, size = fit_line(line.text, line.size, width_at)
        draw.text(
            (image.width / 2, line.baseline * px_per_mm),
            text,
            fill=line.colour,
            font=font(size, line.bold),
            anchor="ms",  # centred on the baseline, as in the PDF
            stroke_width=1 if line.bold and not bold else 0,
            stroke_fill=line.colour,
        )

    matrix = qr_matrix(window)
    module = round(QR_SIDE_MM * px_per_mm / len(matrix))  # whole pixels: crisp edges
    left = (image.width - module * len(matrix)) // 2
    top = round(QR_TOP_MM * px_per_mm)
    for r, row in enumerate(matrix):
        for c0, run in _dark_runs(row):
            x0, y0 = left + c0 * module, top + r * module
            draw.rectangle((x0, y0, x0 + run * module - 1, y0 + module - 1), fill=BLACK)

    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(PNG_DPI, PNG_DPI), optimize=True)
    return buffer.getvalue()
