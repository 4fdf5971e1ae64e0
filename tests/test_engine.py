"""The reconciliation engine: every rule fires and stays quiet; incremental re-checks agree with a
full check; small gaps are named as possible 尾数差异; user data never makes it raise."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.compile import Check
from services.engine import Checker, check_workbook
from services.synthetic import generate, supports
from services.templates import all_templates, get_template
from services.workbook import Cell

# the generated department fills the nine-table family; 四川 is tested by its own file
TEMPLATES = sorted(t for t, tt in all_templates().items() if supports(tt))


@pytest.fixture(scope="module", params=TEMPLATES)
def consistent(request):
    return generate(get_template(request.param), rows=60, seed=7)


def test_generated_department_is_quiet(consistent):
    assert check_workbook(consistent) == []


def _sum_side_for_tests(wb, side) -> Decimal:  # noqa: ANN001
    """Σ of one side of a check: how far the check is from failing."""
    total = side[1]
    for sign, cell in side[0]:
        total += sign * (wb.get(cell) or 0)
    return total


def _break(checker: Checker, ch: Check) -> tuple[Cell, Decimal | None]:
    """Change the check's anchor cell so that the comparison fails; returns the old value."""
    wb = checker.wb
    cell = ch.anchor
    old = wb.get(cell)
    left, right = _sum_side_for_tests(wb, ch.lhs), _sum_side_for_tests(wb, ch.rhs)
    sign = next(s for s, c in ch.lhs[0] + ch.rhs[0] if c == cell)
    on_left = any(c == cell for _, c in ch.lhs[0])
    if ch.cmp == "=":
        delta = Decimal("1.00")
    elif ch.cmp == "≥":  # make left < right
        delta = (right - left - 1) if on_left else (left - right + 1)
    else:  # ≤: make left > right
        delta = (right - left + 1) if on_left else (left - right - 1)
    checker.set_value(cell, (old or 0) + delta * sign)
    return cell, old


def test_every_rule_fires_and_goes_quiet_again(consistent):
    """For each rule of the template: break one instance, see exactly that rule fire, repair it."""
    checker = Checker(consistent)
    by_rule: dict[str, Check] = {}
    for ch in checker._checks:
        if ch.missing_parent is None:
            by_rule.setdefault(ch.spec.id, ch)
    formula_rules = {r.id for r in consistent.template.all_rules() if r.rule != "上级科目存在"}
    assert formula_rules == set(by_rule), "every rule has an instance on the generated department"
    for rule_id, ch in by_rule.items():
        cell, old = _break(checker, ch)
        fired = {f.rule for f in checker.findings()}
        assert rule_id in fired, rule_id
        hit = next(f for f in checker.findings() if f.rule == rule_id)
        assert hit.severity == ch.spec.level
        assert hit.message and hit.table_title
        delta = checker.set_value(cell, old)
        assert rule_id in {f.rule for f in delta.disappeared}
        assert checker.findings() == [], rule_id


def test_missing_parent_code_is_an_error_and_adding_it_clears_it(consistent):
    wb = generate(consistent.template, rows=60, seed=7)
    code = next(c for c in wb.codes("03") if len(c) == 7)
    parent = code[:5]
    wb.coded["03"].pop(parent)
    fs = [f for f in check_workbook(wb) if f.rule == "03-上级科目"]
    assert len(fs) == len([c for c in wb.codes("03") if c[:5] == parent and len(c) == 7])
    assert parent in fs[0].message and fs[0].severity == "error"
    checker = Checker(wb)
    wb.add_code("03", parent)
    delta = checker.rebuild()
    assert {f.rule for f in delta.disappeared} >= {"03-上级科目"}


def test_incremental_matches_full_check_after_random_edits():
    wb = generate(get_template("national-2020"), rows=60, seed=3)
    checker = Checker(wb)
    cells = sorted(wb.values)
    import random

    rng = random.Random(5)
    for _ in range(300):
        cell = rng.choice(cells)
        value = None if rng.random() < 0.2 else Decimal(rng.randint(-10_000, 10_000_00)) / 100
        checker.set_value(cell, value)
    assert checker.findings() == check_workbook(wb)


def test_recheck_touches_only_dependent_rules():
    wb = generate(get_template("national-2020"), rows=600, seed=3)
    checker = Checker(wb)
    leaf = next(c for c in wb.codes("02") if len(c) == 7)
    delta = checker.set_value(Cell("02", leaf, 4), Decimal("999"))
    assert 0 < delta.evaluated < 10  # its row sum and its 款 sum, not thousands of checks
    assert {f.rule for f in delta.appeared} == {"02-栏合计", "02-款"}
    assert checker.check_count > 1000


def test_one_cent_per_addend_is_named_as_rounding_but_still_an_error():
    wb = generate(get_template("national-2020"), rows=60, seed=9)
    checker = Checker(wb)
    total = Cell("01", "本年收入合计", 1)
    checker.set_value(total, wb.get(total) + Decimal("0.03"))
    f = next(f for f in checker.findings() if f.rule == "01-收入合计")
    assert f.severity == "error" and f.possible_rounding and "尾数" in f.message
    assert f.difference == Decimal("0.03") and f.expected + f.difference == f.actual
    checker.set_value(total, wb.get(total) + Decimal("0.07"))  # 0.10 over 8 addends: a real error
    f = next(f for f in checker.findings() if f.rule == "01-收入合计")
    assert not f.possible_rounding and "尾数" not in f.message


def test_json_shape():
    wb = generate(get_template("national-2023"), rows=20, seed=2)
    checker = Checker(wb)
    checker.set_value(Cell("06", "30101", 1), Decimal("1"))
    j = checker.findings()[0].as_json()
    assert set(j) >= {"rule", "severity", "table", "table_title", "row", "column", "message", "expected", "actual", "difference", "possible_rounding"}
    assert isinstance(j["expected"], str) and Decimal(j["difference"]) == Decimal(j["actual"]) - Decimal(j["expected"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["01", "02", "03", "04", "05", "06", "07", "08", "09"]),
            st.sampled_from(["合计", "201", "20103", "2010308", "9", "", "本年收入合计", "三公经费", "301", "abc"]),
            st.integers(min_value=-2, max_value=14),
            st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9)),
        ),
        max_size=30,
    )
)
def test_never_raises_on_strange_data(edits):
    wb = generate(get_template("national-2020"), rows=10, seed=1)
    checker = Checker(wb)
    for table, row, col, value in edits:
        if row.isdigit() and wb.table(table).coded:
            wb.add_code(table, row)
            checker.rebuild()
        checker.set_value(Cell(table, row, col), value)
    assert checker.findings() == check_workbook(wb)


def test_workbook_pickles_exactly():
    import pickle

    wb = generate(get_template("national-2023"), rows=20, seed=4)
    wb.values[Cell("01", "收入总计", 1)] = Decimal("-0.000001")
    wb.prior[Cell("02", "合计", 3)] = Decimal("1E+3")
    wb.texts["部门职责"] = "信访"
    back = pickle.loads(pickle.dumps(wb))
    assert back == wb and back.template is wb.template
    assert all(type(c) is Cell for c in back.values) and back.prior[Cell("02", "合计", 3)] == 1000


@pytest.mark.parametrize("template_id", ["national-2020", "national-2023"])
def test_shared_expansions_are_what_a_fresh_expansion_gives(template_id: str) -> None:
    """Expansions are shared through the template (`Template.memo`) between departments with
    other rows; each department must still get exactly the checks of its own rows."""
    import tomllib

    from services.compile import compile_checks
    from services.templates import parse_template

    template = get_template(template_id)

    def shape(checks: list[Check]) -> list[tuple]:
        return [(c.spec.id, c.key, c.cmp, c.left, c.right, c.missing_parent) for c in checks]

    # One more rule whose expansion depends on which 类 rows a department has: with no 栏 named,
    # its columns are those the rows present have in common.
    data = tomllib.loads(template.path.read_text(encoding="utf-8"))
    data["cross"].append({"table": "03", "rules": [
        {"id": "测试-03类对05", "level": "提示", "text": "测试", "rule": "每个类：表03 该类 ≥ 表05 该类"}]})
    template = parse_template(data, template.path)
    for seed in range(1, 13):  # departments with their own codes, one after another
        wb = generate(template, 2020, rows=25, seed=seed, vary_codes=True)
        if seed % 3 == 0:  # and some with rows missing: 类 without their 款, a table left empty
            wb.coded["03"] = {c: n for c, n in wb.coded["03"].items() if len(c) != 5}
            wb.coded["05"] = {}
        shared = shape(compile_checks(wb))
        wb.template = parse_template(data, template.path)  # the same rules, nothing shared yet
        assert shape(compile_checks(wb)) == shared, seed
