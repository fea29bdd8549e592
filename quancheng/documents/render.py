"""Rendering a document to PDF with ReportLab: agency, title, number, party, body, officers,
date and the agency's seal (an uploaded image, or a red round seal drawn from its name)."""

from __future__ import annotations

import hashlib
import io
import math
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tables import LongTable

from quancheng.documents.content import DocumentContent
from quancheng.documents.fonts import truetype_subset

SEAL_RED = colors.HexColor("#d0111b")
PRODUCER = "quancheng-document"
# The words of the form itself (GB/T 9704 style), not UI text: documents are issued in Chinese.
FORM = {
    "number": "文号",
    "case": "案号",
    "party": "当事人",
    "officers": "执法人员",
    "date_format": "{d.year}年{d.month}月{d.day}日",
    "seal_label": "（印章）",
}


def _date(value: object) -> str:
    return FORM["date_format"].format(d=value)


class SealBlock(Flowable):
    """Agency name and date at the right, with the seal laid over them."""

    def __init__(self, agency: str, date_text: str, font: str, seal_image: Path | None) -> None:
        super().__init__()
        self.agency, self.date_text, self.font, self.seal_image = (
            agency,
            date_text,
            font,
            seal_image,
        )
        self.width, self.height = 160 * mm, 48 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        right = self.width - 8 * mm
        c.setFont(self.font, 14)
        c.drawRightString(right, 22 * mm, self.agency)
        c.drawRightString(right, 14 * mm, self.date_text)
        cx = right - pdfmetrics.stringWidth(self.agency, self.font, 14) / 2
        cy, radius = 20 * mm, 20 * mm
        if self.seal_image is not None:
            c.drawImage(
                str(self.seal_image),
                cx - radius,
                cy - radius,
                2 * radius,
                2 * radius,
                mask="auto",
                preserveAspectRatio=True,
            )
        else:
            draw_seal(c, cx, cy, radius, self.agency, self.font)


def draw_seal(c: object, cx: float, cy: float, radius: float, name: str, font: str) -> None:
    """A red round official seal: a ring, the name along the upper arc, a star in the middle."""
    c.saveState()  # type: ignore[attr-defined]
    c.setStrokeColor(SEAL_RED)  # type: ignore[attr-defined]
    c.setFillColor(SEAL_RED)  # type: ignore[attr-defined]
    c.setLineWidth(radius * 0.06)  # type: ignore[attr-defined]
    c.circle(cx, cy, radius * 0.95, stroke=1, fill=0)  # type: ignore[attr-defined]
    _star(c, cx, cy, radius * 0.28)
    text_radius = radius * 0.7
    arc = math.radians(250)
    size = min(radius * 0.26, arc * text_radius / (max(len(name), 1) * 1.1))
    span = min(arc, (len(name) - 1) * size * 1.1 / text_radius)
    c.setFont(font, size)  # type: ignore[attr-defined]
    for index, char in enumerate(name):
        step = span / max(len(name) - 1, 1)
        angle = math.pi / 2 + span / 2 - index * step
        x = cx + text_radius * math.cos(angle)
        y = cy + text_radius * math.sin(angle)
        c.saveState()  # type: ignore[attr-defined]
        c.translate(x, y)  # type: ignore[attr-defined]
        c.rotate(math.degrees(angle - math.pi / 2))  # type: ignore[attr-defined]
        c.drawCentredString(0, -size * 0.35, char)  # type: ignore[attr-defined]
        c.restoreState()  # type: ignore[attr-defined]
    c.restoreState()  # type: ignore[attr-defined]


def _star(c: object, cx: float, cy: float, r: float) -> None:
    path = c.beginPath()  # type: ignore[attr-defined]
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = math.pi / 2 + i * math.pi / 5
        point = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
        if i == 0:
            path.moveTo(*point)
        else:
            path.lineTo(*point)
    path.close()
    c.drawPath(path, stroke=0, fill=1)  # type: ignore[attr-defined]


def render_pdf(content: DocumentContent, seal_image: Path | None = None) -> bytes:
    """The document as PDF bytes, with the glyphs it uses embedded."""
    font = _register_font(content)
    story = _story(content, font, seal_image)
    out = io.BytesIO()
    doc = _template(out, content)
    try:
        doc.build(story)
    finally:
        _forget(font)
    return out.getvalue()


def _register_font(content: DocumentContent) -> str:
    """Register a subset of the CJK font holding every glyph the document uses, under a
    name derived from that text; returns the name."""
    text = content.all_text() + "".join(FORM.values()) + "年月日：（）"
    font = "QCJK" + hashlib.sha256(text.encode()).hexdigest()[:20]
    pdfmetrics.registerFont(TTFont(font, io.BytesIO(truetype_subset(text, font))))
    return font


def _story(content: DocumentContent, font: str, seal_image: Path | None) -> list[Flowable]:
    """The page content top to bottom: agency, title, number, the table, agency and seal."""
    base = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=20, leading=30, alignment=TA_CENTER)
    agency = ParagraphStyle("agency", parent=title, fontSize=16, textColor=SEAL_RED)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    story: list[Flowable] = [
        Paragraph(escape(content.agency_name), agency),
        Paragraph(escape(content.title), title),
    ]
    if content.number:
        story.append(Paragraph(escape(content.number), right))
    story.append(Spacer(1, 4 * mm))
    story += [
        _table(_rows(content), base),
        Spacer(1, 10 * mm),
        SealBlock(content.agency_name, _date(content.issued_on), font, seal_image),
    ]
    return story


def _rows(content: DocumentContent) -> list[tuple[str, str]]:
    """The table's label and value pairs: case number, parties, the record's rows, officers."""
    rows = [(FORM["case"], content.case_number)]
    if content.parties:
        rows.append((FORM["party"], "、".join(content.parties)))
    rows += content.rows
    if content.officers:
        rows.append((FORM["officers"], "、".join(content.officers)))
    return rows


def _table(rows: list[tuple[str, str]], style: ParagraphStyle) -> LongTable:
    """A gridded two-column table of ``rows``, line breaks in values kept."""
    table = LongTable(
        [
            [Paragraph(escape(k), style), Paragraph(escape(v).replace("\n", "<br/>"), style)]
            for k, v in rows
        ],
        colWidths=[38 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _template(out: io.BytesIO, content: DocumentContent) -> SimpleDocTemplate:
    """An A4 document writing to ``out``, its metadata taken from ``content``."""
    return SimpleDocTemplate(
        out,
        pagesize=A4,
        title=content.title,
        author=content.agency_name,
        subject=content.number or content.case_number,
        creator=PRODUCER,
        leftMargin=26 * mm,
        rightMargin=26 * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
    )


def _forget(font: str) -> None:
    """Drop the per-document font again so a long-running server does not collect them."""
    registered = pdfmetrics._fonts.get(font)  # noqa: SLF001 - ReportLab has no unregister
    pdfmetrics._fonts.pop(font, None)  # noqa: SLF001
    if registered is not None:
        pdfmetrics._dynFaceNames.pop(registered.face.name, None)  # noqa: SLF001


__all__ = ["render_pdf", "draw_seal", "Table"]
