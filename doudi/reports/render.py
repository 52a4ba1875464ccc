"""A report's data drawn as PDF (ReportLab, its built-in Chinese CID font, its own charts) and
as an Excel workbook (openpyxl, with native Excel charts)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BLUE = colors.HexColor("#0d6efd")
GREEN = colors.HexColor("#198754")


def _title(data: dict[str, Any]) -> str:
    # No "·": the CID font has no glyph for it.
    return f"{data['centre']}{data['kind']}（{data['start']} 至 {data['last_day']}）"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# --- PDF --------------------------------------------------------------------------------------


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13)
    return title, heading, body


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#adb5bd")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _trend_drawing(trend: dict[str, list[Any]]) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 150 * mm, 45 * mm
    chart.data = [trend["received"] or [0], trend["answered"] or [0]]
    labels = [label[5:] for label in trend["labels"]]  # MM-DD
    step = max(1, len(labels) // 10)
    chart.categoryAxis.categoryNames = [
        lab if i % step == 0 else "" for i, lab in enumerate(labels)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    chart.bars[1].fillColor = GREEN
    drawing.add(chart)
    drawing.add(String(14 * mm, 57 * mm, "■ 受理", fontName=FONT, fontSize=8, fillColor=BLUE))
    drawing.add(String(32 * mm, 57 * mm, "■ 答复", fontName=FONT, fontSize=8, fillColor=GREEN))
    return drawing


def _causes_drawing(causes: list[dict[str, Any]]) -> Drawing:
    rows = list(reversed(causes)) or [{"name": "—", "value": 0}]
    drawing = Drawing(170 * mm, (12 + 7 * len(rows)) * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y = 45 * mm, 6 * mm
    chart.width, chart.height = 115 * mm, 7 * len(rows) * mm
    chart.data = [[row["value"] for row in rows]]
    chart.categoryAxis.categoryNames = [str(row["name"])[:14] for row in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    return drawing


def _cell(text: str) -> Paragraph:
    """A table cell that wraps; names are text, not ReportLab markup."""
    return Paragraph(escape(text), _styles()[2])


def report_pdf(data: dict[str, Any]) -> bytes:
    title, heading, body = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=16 * mm, title=_title(data), author="兜底 Doudi",
    )  # fmt: skip
    story: list[Any] = [Paragraph(escape(_title(data)), title)]
    story.append(Paragraph("指标口径见《指标说明》；比率分母为零时记为“—”。", body))
    story.append(Paragraph("一、主要指标", heading))
    rows = [["指标", "本期", "分子 / 分母", "上期"]]
    for f in data["figures"]:
        fraction = f"{f['numerator']} / {f['denominator']}" if f["kind"] == "rate" else ""
        rows.append([f["label"], f["shown"], fraction, f["previous"]])
    story.append(_table(rows, [62 * mm, 30 * mm, 40 * mm, 30 * mm]))
    story.append(Paragraph("二、受理与答复趋势", heading))
    story.append(_trend_drawing(data["chart_data"]["trend"]))
    story.append(Paragraph("三、“办不成事”原因（前10）", heading))
    story.append(_causes_drawing(data["chart_data"]["causes"]))
    story.append(Paragraph("四、窗口满意度排名", heading))
    rows = [["窗口", "中心", "评价数", "满意率", "案件数", "问责"]]
    for w in data["window_ranking"]:
        name = f"{w['name']}（{w['code']}）" + ("（模范窗口）" if w["model"] else "")
        rows.append([_cell(name), _cell(w["centre"]), w["ratings"],
                     w["rate"] or "样本不足", w["cases"], w["findings"]])  # fmt: skip
    story.append(_table(rows, [58 * mm, 34 * mm, 18 * mm, 20 * mm, 18 * mm, 14 * mm]))
    story.append(Paragraph("五、部门按期答复与退单", heading))
    rows = [["部门", "派单", "退单", "答复", "按期率", "退单率"]]
    for d in data["department_ranking"]:
        rows.append([_cell(d["name"]), d["issued"], d["disputed"], d["answered"],
                     _rate(d["on_time_rate"]), _rate(d["dispute_rate"])])  # fmt: skip
    story.append(_table(rows, [60 * mm, 20 * mm, 20 * mm, 20 * mm, 22 * mm, 22 * mm]))
    story.append(Spacer(1, 6 * mm))
    doc.build(story)
    return buffer.getvalue()


# --- Excel ------------------------------------------------------------------------------------


def report_xlsx(data: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "主要指标"
    sheet.append([_title(data)])
    sheet.append(["指标", "本期", "分子", "分母", "上期"])
    for f in data["figures"]:
        sheet.append([str(f["label"]), f["shown"], f["numerator"], f["denominator"], f["previous"]])
    sheet.column_dimensions["A"].width = 28

    trend = data["chart_data"]["trend"]
    sheet = book.create_sheet("趋势")
    sheet.append(["日期", "受理", "答复"])
    for row in zip(trend["labels"], trend["received"], trend["answered"], strict=True):
        sheet.append(list(row))
    if trend["labels"]:
        line = LineChart()
        line.title, line.y_axis.title = "受理与答复", "件"
        line.add_data(
            Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=len(trend["labels"]) + 1),
            titles_from_data=True,
        )
        line.set_categories(
            Reference(sheet, min_col=1, min_row=2, max_row=len(trend["labels"]) + 1)
        )
        line.width, line.height = 24, 10
        sheet.add_chart(line, "E2")

    causes = data["chart_data"]["causes"]
    sheet = book.create_sheet("原因")
    sheet.append(["原因", "件数"])
    for row in causes:
        sheet.append([row["name"], row["value"]])
    if causes:
        bar = BarChart()
        bar.type, bar.title = "bar", "“办不成事”原因"
        bar.add_data(
            Reference(sheet, min_col=2, min_row=1, max_row=len(causes) + 1), titles_from_data=True
        )
        bar.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(causes) + 1))
        bar.width, bar.height = 20, 10
        sheet.add_chart(bar, "D2")

    sheet = book.create_sheet("渠道")
    sheet.append(["渠道", "件数"])
    for row in data["chart_data"]["channels"]:
        sheet.append([row["name"], row["value"]])

    sheet = book.create_sheet("窗口排名")
    sheet.append(["窗口", "编码", "中心", "评价数", "满意率", "案件数", "问责", "模范窗口"])
    for w in data["window_ranking"]:
        sheet.append([w["name"], w["code"], w["centre"], w["ratings"], w["rate"], w["cases"],
                      w["findings"], "是" if w["model"] else ""])  # fmt: skip

    sheet = book.create_sheet("部门排名")
    sheet.append(["部门", "派单", "退单", "答复", "按期率", "退单率"])
    for d in data["department_ranking"]:
        sheet.append([d["name"], d["issued"], d["disputed"], d["answered"],
                      d["on_time_rate"], d["dispute_rate"]])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
