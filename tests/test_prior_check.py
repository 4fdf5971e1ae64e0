"""与上年数据核对 (services.prior_check) on seed 003, whose 上年数 are those its published text
implies: the figures that moved 10% or more (or from zero) are warnings until they have a reason,
quiet with the reasons the published document gives; the threshold is the template's; the reason
typed as the finding's 出错说明 is the 情况说明's 主要原因 sentence."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from services.audit import audit
from services.disclosure.blocks import plain
from services.disclosure.narrative import draft
from services.prior_check import RULE, check_prior, compared, reasons
from services.session import EntrySession
from services.templates import all_templates
from services.workbook import Cell
from tests.seed003 import seed003

D = Decimal
#: the reasons seed 003's published 情况说明 gives for its changes on 2022
REASONS = ("原因.收入支出总体", "原因.财政拨款收支总体", "原因.一般公共预算财政拨款支出", "原因.三公.上年",
           "原因.三公.公务用车运行维护费.上年", "原因.三公.公务接待费.上年")


def _narrative(wb) -> str:  # noqa: ANN001
    return "".join(plain(b.text) for b in draft(wb).narrative)


def _without_reasons():  # noqa: ANN202
    wb = seed003()
    for key in REASONS:
        del wb.texts[key]
    return wb


def test_seed003_is_quiet_with_its_published_reasons() -> None:
    wb = seed003()
    assert not [f for f in audit(wb) if f.rule == RULE]


def test_each_figure_that_moved_needs_a_reason_until_it_has_one() -> None:
    wb = _without_reasons()
    found = {f.cell: f for f in check_prior(wb)}
    # 1717.31 against 1924.74 (−10.78%) in 01/04/05; 三公 7.04 against 4.43, 运行费 4.91/4.03, 接待 2.13/0.40
    assert set(found) == {Cell("01", "收入总计", 1), Cell("04", "收入总计", 1), Cell("05", "合计", 1),
                          Cell("09", "三公经费", 7), Cell("09", "三公经费", 11), Cell("09", "三公经费", 12)}
    assert all(f.severity == "warning" for f in found.values())
    total = found[Cell("01", "收入总计", 1)]
    assert (total.expected, total.actual, total.difference) == (D("1924.74"), D("1717.31"), D("-207.43"))
    assert "下降 10.78%" in total.message and "收、支总计增减变化的主要原因" in total.message
    # 06 公用经费合计 124.40 against 113.82 is +9.30%: under the threshold, quiet
    assert Cell("06", "公用经费合计", 1) in {c for c, _, _ in compared(wb)}
    assert Cell("06", "公用经费合计", 1) not in found
    # each reason written in the 情况说明 answers its own figure only
    wb.texts["原因.三公.上年"] = "公务接待增加"
    assert Cell("09", "三公经费", 7) not in {f.cell for f in check_prior(wb)}
    assert len(check_prior(wb)) == 5


def test_zero_to_non_zero_and_back_fire_and_a_typed_prior_alone_is_compared() -> None:
    wb = _without_reasons()
    wb.prior = {Cell("09", "三公经费", 8): D("0"), Cell("09", "三公经费", 10): D("3.50")}  # 出国 0 → 0, 购置 3.50 → 0
    assert [f.cell for f in check_prior(wb)] == [Cell("09", "三公经费", 10)]
    wb.prior[Cell("09", "三公经费", 12)] = D("0")  # 接待 0 → 2.13
    assert {f.cell for f in check_prior(wb)} == {Cell("09", "三公经费", 10), Cell("09", "三公经费", 12)}
    wb.prior = {}
    assert check_prior(wb) == []  # no 上年数: nothing to compare


def test_the_threshold_is_the_templates() -> None:
    wb = _without_reasons()
    wb.template = dataclasses.replace(wb.template, prior_threshold=50, memo={})
    assert {f.cell for f in check_prior(wb)} == {Cell("09", "三公经费", 7), Cell("09", "三公经费", 12)}
    assert "变动达到 50%" in check_prior(wb)[0].message


def test_every_bundled_template_compares_totals_classes_and_each_sangong_item() -> None:
    for t in all_templates().values():
        wb = seed003()
        wb.template = t
        cells = {c for c, _, _ in compared(wb)}
        three = {c.col for c in cells if c.row == "三公经费"}
        assert three == {7, 8, 10, 11, 12}, t.id
        assert any(c.row == "收入总计" for c in cells), t.id


def test_the_explanation_is_the_main_reason_in_the_narrative() -> None:
    wb = _without_reasons()
    session = EntrySession(wb)
    sangong = next(f for f in session.audit.findings() if f.cell == Cell("09", "三公经费", 7))
    assert "【请填写：“三公”经费与上年相比增减变化的主要原因】" in _narrative(wb)
    session.explain(sangong, "主要原因是承办全省信访工作会议。")
    assert reasons(wb) == {"原因.三公.上年": "主要原因是承办全省信访工作会议。"}
    text = _narrative(wb)
    assert "主要原因是：承办全省信访工作会议" in text and "“三公”经费与上年相比增减变化的主要原因】" not in text
    # the finding stays, explained (it travels with the submission), not amber
    assert session.explanation(sangong) and session.audit.at(Cell("09", "三公经费", 7)) == [sangong]
    wb.texts["原因.三公.上年"] = "因会议增多"  # a reason typed in the 情况说明 is the clerk's word: it wins
    session.audit.refresh()
    assert "主要原因是：因会议增多" in _narrative(wb)


def test_a_kuan_is_compared_unless_it_says_what_its_lei_says_or_there_are_too_many() -> None:
    wb = _without_reasons()
    kuan = Cell("03", "20103", 1)  # 1717.31 this year, 201's only 款
    wb.prior = {kuan: D("1924.74"), Cell("03", "201", 1): D("1924.74")}
    assert check_prior(wb) == []  # the same change as its 类: said once (by 01's 类 row, when it has 上年数)
    wb.prior[Cell("03", "201", 1)] = D("2000.00")  # the 类 had another 款 last year
    assert [f.cell for f in check_prior(wb)] == [kuan]


def test_a_summary_with_a_hundred_kuan_compares_their_totals_instead() -> None:
    from services.synthetic import generate

    t = all_templates()["national-2020"]
    last, this = generate(t, 2020, rows=600, seed=1), generate(t, 2021, rows=600, seed=2)
    this.prior = dict(last.values)
    assert sum(len(c) == 5 for c in this.coded["03"]) > 100
    found = check_prior(this)
    assert not [f for f in found if f.table == "03" and len(f.cell.row) == 5]
    # every figure differs between these two generated years, yet the warnings stay readable
    assert 0 < len(found) <= len(compared(this)) < 100
