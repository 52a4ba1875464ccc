"""The printed 问题工作单 as PDF (ReportLab; its built-in Adobe CID font STSong-Light sets
Chinese without shipping a font file)."""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from doudi.workorders.models import WorkOrder

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, alignment=1)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=9, leading=12)


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日 %H:%M") if value else "—"


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    # Paragraph reads a little markup: escape what came from people.
    safe = (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )
    return Paragraph(safe, style)


def work_order_rows(order: WorkOrder) -> list[tuple[str, str]]:
    """The facts of the printed work order, shared by the PDF and the print page."""
    case = order.case
    triage = getattr(case, "triage", None)
    due = _when(order.answer_due) + ("（暂定）" if order.answer_due_provisional else "")
    return [
        ("工作单编号", order.number),
        ("案件编号", case.number),
        ("受理中心", case.centre.name),
        ("登记时间", _when(case.registered_at)),
        ("反映事项", case.title),
        ("所办事项", case.matter or "—"),
        ("情况经过", case.description),
        ("群众诉求", case.request or "—"),
        ("原因分类", str(triage.cause) if triage else "—"),
        ("时限档次", triage.get_tier_display() if triage else "—"),
        ("承办部门", f"{order.department.name}（{order.get_role_display()}）"),
        ("办理要求", order.instructions or (triage.instructions if triage else "") or "—"),
        ("派单时间", _when(order.issued_at)),
        ("签收期限", "派单后1个工作日内"),
        ("答复期限", due),
    ]


def work_order_pdf(order: WorkOrder) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"问题工作单 {order.number}",
    )
    rows = [[_p(label), _p(value)] for label, value in work_order_rows(order)]
    table = Table(rows, colWidths=[32 * mm, 142 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    signature = Table(
        [
            [
                _p("承办部门签收：\n\n签收人：　　　　　日期："),
                _p("办理结果：\n\n负责人签字（盖章）：　　　　日期："),
            ],
        ],
        colWidths=[87 * mm, 87 * mm],
        rowHeights=[32 * mm],
    )
    signature.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story = [
        _p(order.case.centre.name, SMALL),
        Paragraph("问题工作单", TITLE),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        signature,
        Spacer(1, 4 * mm),
        _p(
            "请于派单后1个工作日内签收；不属于本部门职责的，签收期限内退单并说明依据。依法不能办理的，须书面说明法律政策依据。",
            SMALL,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
