"""The 绩效 forms as printed (印刷版式): grids of text cells with spans, as the seeds lay them out.

Seven columns: the section label (预算执行情况 / 年度绩效指标 / 总分 …), 一级, 二级, 三级 (wide),
年初目标值, 实际完成值, 得分. The 资金 block puts the source name under 一级/二级 and the template's
``print_columns`` (预算数（A）, 执行数（B）, 执行率（B/A）, 得分…) in the last columns; the indicator
block prints "产出指标（40分）" and "数量指标（16分）" once per group, spanning its rows, as seed 002
does; the department form adds a "年度目标1：（11分）" line before each goal's rows. No ReportLab
here (tests and a preview can read it); `services.pdf.performance` typesets it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from services.money import ZERO, format_wan
from services.performance.model import REPORT_KEY, DepartmentForm, Form, PerformanceForms, ProjectForm
from services.performance.scoring import format_rate, format_score, scores
from services.performance.spec import PerformanceSpec
from services.workbook import Workbook

NCOLS = 7
#: relative column widths (the three texts wrap; the figures do not)
WIDTHS = (24, 19, 21, 44, 25, 25, 16)
# cell kinds
LABEL, HEAD, TEXT, NUM, LONG = "label", "head", "text", "num", "long"


@dataclass
class FormGrid:
    title: str
    info_left: str
    info_right: str
    rows: list[list[tuple[str, str]]] = field(default_factory=list)
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)  # (c0, r0, c1, r1)
    #: rows a page must not split (a 年度目标 line and its first indicator)
    keep: list[tuple[int, int]] = field(default_factory=list)
    #: the department's small tables: (title, header, rows)
    blocks: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)

    def add(self, cells: list[tuple[str, str]], spans: list[tuple[int, int]] = ()) -> int:  # type: ignore[assignment]
        """A row of NCOLS cells; ``spans``: (c0, c1) merged within this row."""
        r = len(self.rows)
        cells = cells + [("", TEXT)] * (NCOLS - len(cells))
        self.rows.append(cells)
        for c0, c1 in spans:
            if c1 > c0:
                self.spans.append((c0, r, c1, r))
        return r


def _w(d: Decimal | None) -> str:
    return format_score(d, None) if d is not None else ""


def fill(template: str, **values: str) -> str:
    for k, v in values.items():
        template = template.replace("{" + k + "}", v)
    return template


def form_grid(form: Form, spec: PerformanceSpec, year: int, department: str) -> FormGrid:
    pdf = spec.pdf
    if isinstance(form, ProjectForm):
        title = fill(pdf.get("project_title", "{年度}年度{项目名称}项目自评表"), 年度=str(year), 项目名称=form.name)
        title = title.replace("项目项目", "项目")  # "…工作经费项目" + "项目自评表", as seed 002 prints it once
        left = f"单位名称：{form.implementer or department}"
    else:
        assert isinstance(form, DepartmentForm)
        title = fill(pdf.get("department_title", "{年度}年度{部门}部门整体绩效自评表"), 年度=str(year), 部门=department)
        left = f"单位名称：{form.unit or department}"
    g = FormGrid(title, left, f"填报日期：{form.filled_on}" if form.filled_on else "")
    if isinstance(form, ProjectForm):
        g.add([("项目名称", LABEL), (form.name, TEXT)], [(1, 6)])
        g.add([("主管部门", LABEL), (form.department, TEXT), ("", TEXT), ("项目实施单位", LABEL), (form.implementer, TEXT)],
              [(1, 2), (4, 6)])
    else:
        g.add([("单位名称", LABEL), (form.unit or department, TEXT)], [(1, 6)])
        g.blocks = _blocks(form, spec)
    s = scores(form, spec)
    _funds(g, form, spec, s)
    if form.goal_target or form.goal_actual:
        r = g.add([("年度总体目标", LABEL), ("预期目标", HEAD), ("", HEAD), ("", HEAD), ("实际完成情况", HEAD)], [(1, 3), (4, 6)])
        g.add([("", LABEL), (form.goal_target, LONG), ("", TEXT), ("", TEXT), (form.goal_actual, LONG)], [(1, 3), (4, 6)])
        g.spans.append((0, r, 0, r + 1))
    _indicators(g, form, spec)
    # what the clerk entered prints as entered (the check reports a difference); computed only when blank
    total = form.stated_total if form.stated_total is not None else s.total
    g.add([("总分", LABEL), (format_score(total) if total is not None else "", NUM)], [(1, 6)])
    if isinstance(form, DepartmentForm):
        g.add([("评价等次", LABEL), (form.stated_grade.strip() or s.grade, TEXT)], [(1, 6)])
    g.add([("偏差大或目标未完成原因分析", LABEL), (form.analysis, LONG)], [(1, 6)])
    g.add([("改进措施及结果应用方案", LABEL), (form.improvement, LONG)], [(1, 6)])
    return g


def _funds(g: FormGrid, form: Form, spec: PerformanceSpec, s) -> None:  # noqa: ANN001
    cols = spec.print_columns[-5:]
    first = NCOLS - len(cols)
    weight = _w(form.execution_weight)
    label = fill(spec.pdf.get("execution_label", "预算执行情况（万元）（{分值}分）"), 分值=weight)
    head = [(label, LABEL)] + [("", HEAD)] * (first - 1) + [(fill(t, 分值=weight), HEAD) for _, t in cols]
    r0 = g.add(head, [(1, first - 1)])
    rows = [row for k, row in enumerate(form.funds) if k == 0 or any(v is not None for v in (row.initial, row.budget, row.spent))]
    for k, row in enumerate(rows):
        values = {"initial": format_wan(row.initial), "budget": format_wan(row.budget), "spent": format_wan(row.spent),
                  "weight": weight if k == 0 else "",
                  "rate": format_rate(form.stated_rate if form.stated_rate is not None else s.rate) if k == 0 else "",
                  "score": format_score(form.stated_score if form.stated_score is not None else s.execution) if k == 0 else ""}
        g.add([("", LABEL), (row.source, TEXT)] + [("", TEXT)] * (first - 2) + [(values[key], NUM) for key, _ in cols],
              [(1, first - 1)])
    g.spans.append((0, r0, 0, r0 + len(rows)))


def _indicators(g: FormGrid, form: Form, spec: PerformanceSpec) -> None:
    inds = form.indicators
    total = sum((i.weight for i in inds if i.weight is not None), ZERO)
    label = fill(spec.pdf.get("indicators_label", "年度绩效指标（{分值}分）"), 分值=_w(total))
    header = [(label, LABEL), ("一级指标", HEAD), ("二级指标", HEAD), ("三级指标", HEAD), ("年初目标值（A）", HEAD),
              ("实际完成值（B）", HEAD), ("得分", HEAD)]
    goals = form.goals() if isinstance(form, DepartmentForm) else []
    if not goals:
        r0 = g.add(header)
        _rows(g, inds, "")
        g.spans.append((0, r0, 0, len(g.rows) - 1))
        return
    for n, goal in enumerate(goals, 1):
        members = [i for i in inds if i.goal == goal]
        w = sum((i.weight for i in members if i.weight is not None), ZERO)
        line = g.add([(f"年度目标{n}：（{_w(w)}分）", LABEL), (goal, TEXT)], [(1, 6)])
        r0 = g.add(header) if n == 1 else len(g.rows)
        g.keep.append((line, r0 + (1 if n == 1 else 0)))
        if n == 1:
            g.rows[r0][0] = ("年度绩效指标", LABEL)
        _rows(g, members, "年度绩效指标")
        g.spans.append((0, r0, 0, len(g.rows) - 1))
    loose = [i for i in inds if not i.goal]
    if loose:
        r0 = len(g.rows)
        _rows(g, loose, "年度绩效指标")
        g.spans.append((0, r0, 0, len(g.rows) - 1))


def _rows(g: FormGrid, inds: list, first_label: str) -> None:
    start = len(g.rows)
    for i in inds:
        g.add([(first_label, LABEL), ("", TEXT), ("", TEXT), (i.level3, TEXT), (i.target, TEXT), (i.actual, TEXT),
               (_w(i.score), NUM)])
    # 一级 and 二级 once per run of equal values, spanning the run, with the run's 分值
    for col, key in ((1, lambda i: i.level1), (2, lambda i: (i.level1, i.level2))):
        k = 0
        while k < len(inds):
            j = k
            while j + 1 < len(inds) and key(inds[j + 1]) == key(inds[k]):
                j += 1
            w = sum((x.weight for x in inds[k:j + 1] if x.weight is not None), ZERO)
            name = inds[k].level1 if col == 1 else inds[k].level2
            g.rows[start + k][col] = (f"{name}（{_w(w)}分）" if name and w else name, TEXT)
            if j > k:
                g.spans.append((col, start + k, col, start + j))
            k = j + 1


def _blocks(form: DepartmentForm, spec: PerformanceSpec) -> list[tuple[str, list[str], list[list[str]]]]:
    out = []
    for b in spec.blocks:
        rows = form.blocks.get(b.id, [])
        if not any(v is not None for r in rows for v in r.values):
            continue
        out.append((b.title, ["机构名称", *b.columns],
                    [[r.name] + [format_wan(r.values[c]) if c < len(r.values) else "" for c in range(len(b.columns))] for r in rows]))
    return out


MISSING_REPORT = "部门整体支出绩效自评报告"
MISSING_DEPARTMENT = "部门整体支出绩效自评表（在“绩效自评”中填写）"
MISSING_PROJECTS = "项目支出绩效自评表（在“绩效自评”中填写，每个项目一张）"


def missing(wb: Workbook, forms: PerformanceForms) -> list[str]:
    """What the 附件 still lacks (printed as 【请填写：…】), for the list `PdfResult.placeholders` gives."""
    out = []
    if not wb.texts.get(REPORT_KEY, "").strip():
        out.append(MISSING_REPORT)
    if forms.department is None:
        out.append(MISSING_DEPARTMENT)
    if not forms.projects:
        out.append(MISSING_PROJECTS)
    return out
