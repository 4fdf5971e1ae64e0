"""The window's core without Qt: table forms laid out as printed, autofill, the entry session."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.autofill import Autofill, marked_cells
from services.engine import Checker
from services.forms import EntryError, TableForm
from services.money import AmountError, parse_amount
from services.session import EntrySession
from services.synthetic import generate, supports
from services.templates import all_templates, get_template
from services.workbook import Cell, Workbook

#: templates the generated department fills (the nine-table family; 四川 has its own test file)
GENERATED = sorted(t for t, tt in all_templates().items() if supports(tt))

D = Decimal


# ── layout ──────────────────────────────────────────────────────────────────
def test_two_sided_tables_are_side_by_side_as_printed(sample_wb):
    form = EntrySession(sample_wb).form("01")
    assert [c.kind for c in form.columns] == ["label", "line", "amount"] * 2
    assert form.row_count() == 30  # 收入 lines 1–30 beside 支出 lines 31–60
    assert form.text(0, 1) == "1" and form.text(0, 4) == "31"
    assert form.cell(0, 2) == Cell("01", "一般公共预算财政拨款收入", 1)
    assert form.cell(0, 5) == Cell("01", "201", 2)
    assert form.cell(10, 2) is None and form.text(10, 1) == "11"  # a printed filler line
    lines, cells = form.header_cells()
    assert lines == 3
    assert {(h.row, h.column, h.columns, h.text) for h in cells if h.row == 0} == {(0, 0, 3, "收入"), (0, 3, 3, "支出")}
    assert [h.text for h in cells if h.row == 2 and h.text] == ["栏次", "1", "栏次", "2"]


def test_table_07_header_groups(sample_wb):
    form = EntrySession(sample_wb).form("07")
    lines, cells = form.header_cells()
    assert lines == 4
    by = {(h.row, h.column): h for h in cells}
    assert form.column_count() == 12  # one row printed without a 项目 column, as published
    assert by[(0, 0)].text == "预算数" and by[(0, 0)].columns == 6
    assert by[(0, 6)].text == "决算数" and by[(0, 6)].columns == 6
    assert by[(1, 2)].text == "公务用车购置及运行费" and by[(1, 2)].columns == 3
    assert by[(1, 0)].text == "合计" and by[(1, 0)].rows == 2  # shorter path spans down
    assert [by[(3, j)].text for j in range(12)] == [str(n) for n in range(1, 13)]
    # every header line is covered exactly once in every column
    for j in range(form.column_count()):
        covered = sorted(r for h in cells if h.column <= j < h.column + h.columns for r in range(h.row, h.row + h.rows))
        assert covered == list(range(lines))


def test_table_06_three_groups_with_totals_on_the_last_line(sample_wb):
    form = EntrySession(sample_wb).form("06")
    assert [c.panel for c in form.columns] == [0] * 3 + [1] * 3 + [2] * 3
    assert form.panels[0][0].code == "301" and form.panels[1][0].code == "302" and form.panels[2][0].code == "307"
    last = form.row_count() - 1
    assert form.text(last, 1).strip() == "人员经费合计" and form.text(last, 4).strip() == "公用经费合计"
    # 公用经费 covers two groups: its total's label under the first, its figure under the last,
    # as the published table (and the PDF and the Excel export) print it
    assert form.text(last, 2) == "320.66" and form.text(last, 5) == "" and form.text(last, 8) == "12.36"
    assert form.cell(last, 8) == Cell("06", "公用经费合计", 1) and form.label_span(last, 4) == 4
    lines, cells = form.header_cells()
    assert {(h.column, h.columns, h.text) for h in cells if h.row == 0} == {(0, 3, "人员经费"), (3, 6, "公用经费")}


def test_coded_rows_sort_by_code_with_totals_first(sample_wb):
    form = EntrySession(sample_wb).form("03")
    codes = [r.code for r in form.panels[0]]
    assert codes[0] == "" and form.panels[0][0].total
    assert codes[1:] == sorted(codes[1:])
    assert form.text(1, 1) == "一般公共服务支出" and form.text(2, 1).startswith("  ")  # 款 indented


@pytest.mark.parametrize("template", GENERATED)
def test_every_cell_has_one_place(template):
    wb = generate(get_template(template), rows=40)
    session = EntrySession(wb)
    for no in wb.template.tables:
        form = session.form(no)
        shown = [form.cell(r, c) for r in range(form.row_count()) for c in range(form.column_count())]
        shown = [c for c in shown if c is not None]
        assert len(shown) == len(set(shown))
        for cell in shown:
            assert form.cell(*form.position(cell)) == cell
        assert {c for c in wb.values if c.table == no} <= set(shown)


# ── amounts shown and typed ─────────────────────────────────────────────────
def test_amounts_in_wan_with_two_decimals_and_separators(synthetic_wb):
    session = EntrySession(synthetic_wb)
    form = session.form("03")
    session.manual_totals = True
    r, c = form.position(Cell("03", "合计", 1))
    session.apply({Cell("03", "合计", 1): D("1234567.8")})
    assert form.text(r, c) == "1,234,567.80"
    assert form.edit_text(r, c) == "1234567.8"


def test_computed_cells_are_read_only_until_the_switch(sample_wb):
    session = EntrySession(sample_wb)
    form = session.form("03")
    r, c = form.position(Cell("03", "201", 2))
    assert form.is_computed(r, c) and not form.editable(r, c)
    with pytest.raises(EntryError, match="自动计算"):
        form.parse(r, c, "1")
    assert form.editable(r, c, manual_totals=True)
    r, c = form.position(Cell("03", "2010301", 2))
    assert not form.is_computed(r, c) and form.editable(r, c)


def test_parse_names_the_cell(sample_wb):
    form = EntrySession(sample_wb).form("03")
    r, c = form.position(Cell("03", "2010301", 3))
    with pytest.raises(EntryError) as e:
        form.parse(r, c, "12a")
    assert "公开03表 2010301 行政运行（栏3 项目支出）" in str(e.value) and "不是金额" in str(e.value)


amounts = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
junk = st.sampled_from(["abc", "1,2,3", "--1", "1.2.3", "１２ａ", "￥"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(amounts.map(lambda d: f"{d:,.2f}"), st.just(""), junk), min_size=1, max_size=3), min_size=1, max_size=3))
def test_a_paste_is_all_or_nothing(grid):
    wb = generate(get_template("national-2020"), rows=10)
    session = EntrySession(wb)
    form = session.form("03")
    top, left = form.position(Cell("03", "合计", 2))
    top += 3
    before = dict(wb.values)
    try:
        values, _ = form.plan_paste(top, left, grid)
    except EntryError:
        assert wb.values == before
        assert any(_bad(s) for row in grid for s in row)
        return
    assert not any(_bad(s) for row in grid for s in row)
    session.apply(values)
    for i, row in enumerate(grid):
        for j, text in enumerate(row):
            cell = form.cell(top + i, left + j)
            if cell is not None and form.editable(top + i, left + j):
                assert wb.get(cell) == parse_amount(text)


def _bad(text: str) -> bool:
    try:
        parse_amount(text)
    except AmountError:
        return True
    return False


# ── autofill and the session ────────────────────────────────────────────────
@pytest.mark.parametrize("template", GENERATED)
def test_every_marked_cell_has_a_formula_and_a_consistent_department_is_a_fixed_point(template):
    wb = generate(get_template(template), rows=60)
    fill = Autofill(wb, Checker(wb))
    assert set(fill.formulas) == marked_cells(wb)
    assert fill.fill_all() == {}


def test_autofill_uses_the_table_rule_not_the_balance_check(sample_wb):
    fill = Autofill(sample_wb, Checker(sample_wb))
    assert fill.formulas[Cell("01", "收入总计", 1)].spec.id == "01-收入总计"
    assert fill.formulas[Cell("04", "收入总计", 1)].spec.id == "04-收入总计"


def test_an_empty_table_stays_blank(sample_wb):
    session = EntrySession(sample_wb)
    session.apply({Cell("08", "合计", 1): None})
    assert sample_wb.get(Cell("08", "合计", 3)) is None


def test_edit_returns_every_changed_figure_and_finding(sample_wb):
    session = EntrySession(sample_wb)
    change = session.apply({Cell("03", "2101103", 2): D("21.06")})
    assert change.values[Cell("03", "2101103", 2)] == (D("21.05"), D("21.06"))
    assert change.values[Cell("03", "合计", 1)] == (D("707.12"), D("707.13"))
    assert {f.rule for f in change.delta.appeared} >= {"表间-01各类对03", "表间-01支出合计对03"}
    back = session.undo()
    assert sample_wb.get(Cell("03", "合计", 1)) == D("707.12")
    assert {f.rule for f in back.delta.disappeared} >= {"表间-01各类对03"}


def test_manual_totals_are_not_overwritten(sample_wb):
    session = EntrySession(sample_wb)
    session.manual_totals = True
    session.apply({Cell("03", "2101103", 2): D("21.06")})
    assert sample_wb.get(Cell("03", "合计", 1)) == D("707.12")
    assert any(f.rule == "03-栏合计" for f in session.checker.findings())
    session.manual_totals = False
    change = session.fill_all()
    assert sample_wb.get(Cell("03", "合计", 1)) == D("707.13") and change.values


def test_add_code_brings_parents_and_remove_refills(sample_wb):
    session = EntrySession(sample_wb)
    change = session.add_code("03", "2070101")
    assert change.tables == {"03"}
    assert {"207", "20701", "2070101"} <= set(sample_wb.coded["03"])
    session.remove_codes("03", ["2101103"])
    assert sample_wb.get(Cell("03", "21011", 1)) == D("7.66") and sample_wb.get(Cell("03", "合计", 1)) == D("686.07")


class _Store:
    """Records what would be written to the department file."""

    def __init__(self, fail: bool = False):
        self.calls, self.fail = [], fail

    def __getattr__(self, name):
        def call(*args):
            if self.fail:
                raise OSError("磁盘已满")
            self.calls.append((name, *args))
        return call


def test_every_change_goes_to_the_store_at_once(sample_wb):
    store = _Store()
    session = EntrySession(sample_wb, store)
    session.apply({Cell("03", "2101103", 2): D("21.06")})
    batches = [args[1] for name, *args in store.calls if name == "set_cells"]
    assert len(batches) == 1  # the figure and the totals it changed: one transaction
    assert batches[0][Cell("03", "2101103", 2)] == D("21.06") and Cell("03", "合计", 1) in batches[0]
    session.set_text("概况.部门职责", "x")
    assert store.calls[-1] == ("set_text", 2020, "概况.部门职责", "x")


def test_a_failed_save_is_reported_not_raised(sample_wb):
    session = EntrySession(sample_wb, _Store(fail=True))
    change = session.apply({Cell("03", "2101103", 2): D("21.06")})
    assert change.save_error == "磁盘已满"
    assert sample_wb.get(Cell("03", "2101103", 2)) == D("21.06")  # kept in the window


def test_new_workbook_has_a_form_for_every_table():
    for t in all_templates().values():
        session = EntrySession(Workbook.new(t, t.years[0], "新部门"))
        for no in t.tables:
            form: TableForm = session.form(no)
            assert form.row_count() >= 1 and form.column_count() >= 2


def test_amounts_are_typed_to_the_cent_and_every_refusal_says_why(sample_wb):
    session = EntrySession(sample_wb)
    form = session.form("01")
    r, c = form.position(Cell("01", "一般公共预算财政拨款收入", 1))
    with pytest.raises(EntryError, match="超过两位小数.*如 0.01"):
        form.parse(r, c, "0.005")
    with pytest.raises(EntryError, match="超过两位小数.*未粘贴任何数据"):
        form.plan_paste(r, c, [["1.234"]])
    assert form.parse(r, c, "1.230") == (Cell("01", "一般公共预算财政拨款收入", 1), D("1.23"))
    total = form.position(Cell("01", "本年收入合计", 1))
    assert "本年收入合计 = 一至八项收入之和" in form.why_not_typed(*total)
    assert form.why_not_typed(*total, manual_totals=True) is None
    assert "行次" in form.why_not_typed(r, c - 1)  # the 行次 column
    assert "由报表模板规定" in form.why_not_typed(r, c - 2)
    assert "不填数字" in form.why_not_typed(10, c)  # a printed filler line
    assert form.why_not_typed(r, c) is None


def test_removing_the_only_item_under_a_kuan_takes_its_figures_and_the_rollups_follow(sample_wb):
    session = EntrySession(sample_wb)
    wb = sample_wb
    assert [c for c in wb.codes("03") if c.startswith("213")] == ["213", "21305", "2130599"]
    total_before = wb.get(Cell("03", "合计", 1))
    before = session.rows("03")
    change = session.remove_codes("03", ["2130599"])
    assert "21305" in wb.coded["03"]  # the 款 stays, as a row of its own
    assert wb.get(Cell("03", "21305", 1)) is None and wb.get(Cell("03", "213", 1)) is None
    assert wb.get(Cell("03", "合计", 1)) == total_before - D("3.00")
    assert not [f for f in session.checker.findings() if f.table == "03"]  # the table still adds up
    assert Cell("03", "21305", 1) in change.values
    session.set_rows(before)  # undo puts every figure back
    assert wb.get(Cell("03", "21305", 1)) == D("3.00") and wb.get(Cell("03", "合计", 1)) == total_before


def test_a_read_only_session_refuses_every_edit_itself(sample_wb):
    why = "这是区财政局汇总中的部门报表，只能查看"
    session = EntrySession(sample_wb, read_only=why)
    before = dict(sample_wb.values), {t: dict(r) for t, r in sample_wb.coded.items()}, dict(sample_wb.texts)
    cell = Cell("01", "一般公共预算财政拨款收入", 1)
    for edit in (lambda: session.apply({cell: D("1.00")}), lambda: session.restore({cell: None}), session.fill_all,
                 lambda: session.add_code("03", "2070101"), lambda: session.remove_codes("03", ["2010301"]),
                 lambda: session.rename_code("03", "2010301", "新名"), lambda: session.set_rows(session.rows("03")),
                 lambda: session.set_text("概况.部门职责", "改"), lambda: session.set_prior(cell, D("1")),
                 lambda: session.edit_forms(lambda forms: None, "绩效"), lambda: session.replace_year(sample_wb),
                 session.undo, session.redo):
        with pytest.raises(EntryError, match=why):
            edit()
    form = session.form("01")
    assert not form.editable(*form.position(cell)) and form.why_not_typed(*form.position(cell)) == why
    with pytest.raises(EntryError, match=why):
        form.plan_paste(0, 2, [["5"]])
    assert (dict(sample_wb.values), {t: dict(r) for t, r in sample_wb.coded.items()}, dict(sample_wb.texts)) == before
    assert sample_wb.prior == {}
