"""The editing session's history (services.session): every kind of edit a clerk makes — figures,
pastes, totals filled in, coded rows, texts, 上年数, the 绩效 forms, an Excel import into the open
year — is one step; undo and redo put the year back exactly, in memory and in the department
file, with the findings `check` gives for that file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.engine import check_workbook
from services.performance import FORMS_KEY, dumps, load_forms
from services.session import HISTORY_LIMIT, EntrySession
from services.store import DepartmentFile
from services.workbook import Cell
from services.xlsx_import import import_xlsx
from tests.paths import FIXTURES
from tests.seed002_performance import seed002_forms

D = Decimal
TYPED = Cell("03", "2010301", 2)
INCOME = Cell("01", "一般公共预算财政拨款收入", 1)


def _state(wb):  # noqa: ANN001, ANN202
    return (dict(wb.values), {t: dict(r) for t, r in wb.coded.items()}, dict(wb.texts), dict(wb.prior), wb.template.id)


@pytest.fixture
def session(sample_wb, make_department_file):
    sample_wb.texts[FORMS_KEY] = dumps(seed002_forms())
    path = make_department_file(sample_wb)
    f = DepartmentFile.open(path)
    yield EntrySession(f.load(2020), f, (OSError,))
    f.close()


def _on_disk(session):  # noqa: ANN001, ANN202
    return session.store.load(2020)


def test_every_kind_of_edit_is_undone_and_redone_in_memory_and_on_disk(session):
    def spend(forms):  # noqa: ANN001, ANN202
        forms.projects[1].funds[0].spent = D(180)

    zhuzhou = import_xlsx(FIXTURES / "zhuzhou_2020.xlsx").workbook
    edits = [
        ("填写", lambda: session.apply({TYPED: D("300.00")})),
        ("粘贴", lambda: session.apply({Cell("03", "2010302", 2): D("1.00"), Cell("03", "2010302", 3): D("2.00")}, "粘贴")),
        ("合计照抄", lambda: session.restore({Cell("03", "合计", 1): D("1.00")}, "粘贴")),
        ("合计重算", session.fill_all),
        ("增加科目", lambda: session.add_code("03", "2070101")),
        ("改名", lambda: session.rename_code("03", "2070101", "自定名称")),
        ("删除科目", lambda: session.remove_codes("03", ["210"])),
        ("文字", lambda: session.set_text("概况.部门职责", "2020年度收、支总计799.99万元。")),
        ("上年数", lambda: session.set_prior(INCOME, D("650.00"))),
        ("绩效", lambda: session.edit_forms(spend, "修改执行数")),
        ("导入", lambda: session.replace_year(zhuzhou, "导入 zhuzhou_2020.xlsx")),
        ("导入后填写", lambda: session.apply({INCOME: D("1.00")})),
    ]
    states = [_state(session.wb)]
    for what, edit in edits:
        change = edit()
        assert change and change.save_error is None, what
        states.append(_state(session.wb))
        assert states[-1] != states[-2], what
        disk = _on_disk(session)
        assert _state(disk)[:4] == states[-1][:4], what  # saved at once
        assert session.audit.findings() == check_workbook(disk), what  # the session's findings are check's
    for i in range(len(edits), 0, -1):
        label = session.undo_label()
        change = session.undo()
        assert change is not None and change.label == label and change.save_error is None
        assert _state(session.wb) == states[i - 1], edits[i - 1][0]
        assert _state(_on_disk(session))[:4] == states[i - 1][:4], edits[i - 1][0]
        assert session.audit.findings() == check_workbook(_on_disk(session))
    assert session.undo() is None and session.undo_label() is None
    for i in range(1, len(edits) + 1):
        session.redo()
        assert _state(session.wb) == states[i], edits[i - 1][0]
    assert session.redo() is None
    assert _state(_on_disk(session))[:4] == states[-1][:4]


def test_the_change_says_what_the_edit_did(session):
    change = session.set_text("概况.部门职责", "2020年度收、支总计799.99万元。")
    assert change.texts == {"概况.部门职责": (None, "2020年度收、支总计799.99万元。")}
    assert [f.rule for f in change.delta.appeared] == ["说明-数字不符"]  # a text contradicting table 01
    change = session.undo()
    assert [f.rule for f in change.delta.disappeared] == ["说明-数字不符"]
    change = session.set_prior(INCOME, D("650.00"))
    assert change.prior == {INCOME: (None, D("650.00"))}
    change = session.edit_forms(lambda forms: setattr(forms.projects[1].funds[0], "spent", D(180)), "修改执行数")
    assert change.forms and any(f.rule == "绩效-项目对支出表" for f in change.delta.appeared)
    assert load_forms(session.wb).projects[1].funds[0].spent == D(180) == session.performance.projects[1].funds[0].spent


def test_typing_on_in_one_field_is_one_step_and_a_new_edit_ends_redo(session):
    for text in ("部", "部门", "部门职责"):
        session.set_text("概况.部门职责", text)
    session.set_text("概况.机构设置", "一个")
    assert session.undo_label() == "修改文字"
    session.undo()
    session.undo()  # the three keystrokes in 部门职责: one step
    assert "概况.部门职责" not in session.wb.texts and session.undo_label() is None
    session.redo()
    assert session.wb.texts["概况.部门职责"] == "部门职责"
    session.apply({TYPED: D("1.00")})
    assert session.redo_label() is None and session.redo() is None  # 机构设置 cannot come back now


def test_nothing_changed_is_no_step_and_a_refused_form_edit_changes_nothing(session):
    from services.forms import EntryError

    assert not session.apply({TYPED: session.wb.get(TYPED)}) and session.undo_label() is None
    assert not session.set_text("概况.部门职责", "") and session.undo_label() is None
    before = dumps(session.performance)

    def half(forms):  # noqa: ANN001, ANN202
        forms.projects[0].name = "改了一半"
        raise EntryError("不能填写")

    with pytest.raises(EntryError):
        session.edit_forms(half, "修改")
    assert dumps(session.performance) == before and session.undo_label() is None


def test_history_is_bounded(sample_wb):
    session = EntrySession(sample_wb)
    for i in range(HISTORY_LIMIT + 20):
        session.apply({TYPED: D(i)})
    steps = 0
    while session.undo() is not None:
        steps += 1
    assert steps == HISTORY_LIMIT and sample_wb.get(TYPED) == D(19)


def test_stale_totals_are_the_computed_cells_that_disagree_with_their_parts(session):
    """Quiet on a consistent year; a total typed by hand (手工填写合计) is named, with the total
    that adds it up; 按明细重新计算 leaves none."""
    assert session.stale_totals() == []
    total = Cell("01", "本年收入合计", 1)
    session.manual_totals = True
    session.apply({total: D("707.13")})
    stale = session.stale_totals()
    assert total in stale and Cell("01", "收入总计", 1) in stale
    session.fill_all()
    assert session.stale_totals() == [] and session.wb.get(total) == D("707.12")
