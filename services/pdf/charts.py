"""Charts (图): 收支总计变动 (bars) and 收入/支出结构 (pies), drawn with reportlab.graphics.

Vector drawings, not images, so they print sharply and add little to the file. Every label uses
the embedded 宋体; the amounts shown are the table figures (two decimals), and the shares are
computed exactly with `Decimal` like the narrative's.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from services.disclosure.blocks import Chart
from services.money import format_wan
from services.pdf.fonts import SONG
from services.pdf.textflow import esc

PALETTE = [colors.HexColor(c) for c in ("#2F5597", "#C55A11", "#548235", "#7F6000", "#7030A0", "#2E75B6", "#A5A5A5", "#BF9000")]
FONT_SIZE = 10


def _f(d: Decimal) -> float:
    return float(d)  # float-ok: drawing coordinates only, never money arithmetic


def _share(part: Decimal, whole: Decimal) -> str:
    if whole == 0:
        return ""
    return format((part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f") + "%"


#: every chart is drawn at one size (the body's width × this height), so charts on a page match
HEIGHT = 170.0


def _pie(chart: Chart, width: float) -> Drawing:
    height = HEIGHT
    total = sum((v for _, v in chart.items), Decimal(0))
    names = [f"{name}  {format_wan(v)}万元  {_share(v, total)}" for name, v in chart.items]
    legend_width = max(stringWidth(n, SONG, FONT_SIZE) for n in names) + 20
    x0 = max(0.0, (width - (175 + legend_width)) / 2)  # pie and legend centred as a whole
    d = Drawing(width, height)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = x0 + 20, 20, 130, 130
    pie.data = [_f(v) for _, v in chart.items]
    pie.labels = None
    pie.simpleLabels = 1
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.8
    for i in range(len(chart.items)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    pie.slices.fontName = SONG
    d.add(pie)
    legend = Legend()
    legend.x, legend.y = x0 + 175, height / 2 + 8 * len(chart.items)
    legend.fontName, legend.fontSize = SONG, FONT_SIZE
    legend.alignment = "right"
    legend.dx = legend.dy = 8
    legend.deltay = 16
    legend.columnMaximum = 12
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], n) for i, n in enumerate(names)]
    d.add(legend)
    return d


def _bars(chart: Chart, width: float) -> Drawing:
    height = HEIGHT
    d = Drawing(width, height)
    bc = VerticalBarChart()
    bc.x, bc.y, bc.width, bc.height = 50, 30, width - 190, height - 45
    bc.data = [[_f(v) for v in values] for _, values in chart.series]
    top = max((v for _, values in chart.series for v in values), default=Decimal(0))
    bc.valueAxis.valueMin = 0
    bc.valueAxis.valueMax = _f(top) * 1.2 if top > 0 else 1
    bc.valueAxis.labels.fontName = SONG
    bc.valueAxis.labels.fontSize = FONT_SIZE - 1
    bc.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    bc.categoryAxis.categoryNames = chart.categories
    bc.categoryAxis.labels.fontName = SONG
    bc.categoryAxis.labels.fontSize = FONT_SIZE
    bc.groupSpacing, bc.barSpacing = 18, 4
    bc.barLabels.fontName = SONG
    bc.barLabels.fontSize = FONT_SIZE - 1
    bc.barLabels.nudge = 7
    labels = [[format_wan(v) for v in values] for _, values in chart.series]
    bc.barLabelFormat = "values"
    bc.barLabelArray = labels
    for i in range(len(chart.series)):
        bc.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        bc.bars[i].strokeColor = None
    d.add(bc)
    legend = Legend()
    legend.x, legend.y = width - 120, height - 30
    legend.fontName, legend.fontSize = SONG, FONT_SIZE
    legend.alignment = "right"
    legend.dx = legend.dy = 8
    legend.deltay = 16
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, (name, _) in enumerate(chart.series)]
    d.add(legend)
    return d


def chart_flowables(chart: Chart, number: int, styles, width: float) -> list:
    """The drawing and its caption (图N：title)."""
    drawing = _pie(chart, width) if chart.kind == "pie" else _bars(chart, width)
    drawing.hAlign = "CENTER"
    return [drawing, Paragraph(esc(f"图{number}：{chart.title}"), styles.caption)]
