"""The 绩效自评 page: thin models over the forms that pass Qt's model checks, edits that save and
re-check at once, red/amber cells with the message as tooltip, 一级/二级 pickers, projects and
indicator rows added and removed, undo, and jumping to a finding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QPushButton, QStyleOptionViewItem

from services.performance import FORMS_KEY, check_performance, load_forms, save_forms
from services.performance.model import form_cell
from services.session import EntrySession
from tests.seed002_performance import SEED002_TEXTS, seed002_forms
from ui.editing import SessionEditor
from ui.performance_page import ERROR_BG, WARNING_BG, PerformancePage

D = Decimal
R = Qt.ItemDataRole


@pytest.fixture
def wb(sample_wb):
    save_forms(sample_wb, seed002_forms())
    sample_wb.texts.update(SEED002_TEXTS)
    return sample_wb


class _Store:
    """What the session saves (a department file's per-edit methods)."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def set_text(self, year, key, text):  # noqa: ANN001, ANN201
        self.texts.append((key, text))

    def set_cells(self, year, values, prior=False):  # noqa: ANN001, ANN201
        pass


def _page(wb, store=None):  # noqa: ANN001, ANN202
    return PerformancePage(SessionEditor(EntrySession(wb, store)))


@pytest.fixture
def page(qtbot, wb):
    store = _Store()
    p = _page(wb, store)
    p.saved_calls = store.texts
    qtbot.addWidget(p)
    p.resize(1300, 800)
    p.show()
    return p


def test_models_pass_qt_model_checks(qtmodeltester, page):
    page.list.setCurrentRow(1)
    for model in page.editor.models.values():
        qtmodeltester.check(model)
    page.list.setCurrentRow(0)  # the department form: goals column and the small tables
    for model in page.editor.models.values():
        qtmodeltester.check(model)


def test_list_names_the_forms_with_their_findings(page):
    texts = [page.list.item(i).text() for i in range(page.list.count())]
    assert texts[0].startswith("部门整体支出绩效自评表") and "!1" in texts[0]
    assert texts[1].startswith("信访工作经费") and "!1" in texts[1]
    assert texts[2] == "全区稳定工作经费"


def test_rate_and_score_are_computed_and_read_only(page):
    page.list.setCurrentRow(1)
    m = page.editor.models["funds"]
    assert (m.data(m.index(0, 5)), m.data(m.index(0, 6))) == ("75.18%", "15.04")
    assert not m.flags(m.index(0, 5)) & Qt.ItemFlag.ItemIsEditable
    assert m.flags(m.index(0, 3)) & Qt.ItemFlag.ItemIsEditable
    assert "总分 91.04" in page.editor.summary.text() and "评价等次 优" in page.editor.summary.text()


def test_an_edit_saves_rechecks_and_colours_the_cell(qtbot, page, wb):
    page.list.setCurrentRow(2)  # 全区稳定工作经费: 185 of 185
    m = page.editor.models["funds"]
    spent = m.index(0, 3)
    assert m.data(spent, R.BackgroundRole) is None
    with qtbot.waitSignal(page.editor_of_year.changed) as sig:
        assert m.setData(spent, "180")
    assert m.data(m.index(0, 5)) == "97.29%" and m.data(m.index(0, 6)) == "19.46"  # 97.297…% truncated
    assert m.data(spent, R.BackgroundRole) == WARNING_BG  # the three projects no longer add up to table 03
    assert "公开03表" in m.data(spent, R.ToolTipRole) and "执行数为 185 万元" in m.data(spent, R.ToolTipRole)
    assert any(f.rule == "绩效-项目对支出表" for f in sig.args[0].delta.appeared)
    assert any(f.rule == "绩效-项目对支出表" for f in page.findings)
    key, text = page.saved_calls[-1]
    assert key == FORMS_KEY and '"spent": "180"' in text
    assert load_forms(wb).projects[1].funds[0].spent == D(180)


def test_an_error_is_red_and_a_bad_number_is_refused(qtbot, page):
    page.list.setCurrentRow(1)
    m = page.editor.models["indicators"]
    score = m.index(0, 6)
    assert m.setData(score, "5")  # more than its 分值 4
    assert m.data(score, R.BackgroundRole) == ERROR_BG
    assert "超过分值" in m.data(score, R.ToolTipRole)
    with qtbot.waitSignal(page.refused) as sig:
        assert not m.setData(score, "四分")
    assert "得分" in sig.args[0]
    assert m.data(score) == "5"


def test_level_pickers_offer_the_standard_names(qtbot, page):
    page.list.setCurrentRow(1)
    view = page.editor.views["indicators"]
    m = page.editor.models["indicators"]
    delegate = view.itemDelegate()
    box = delegate.createEditor(view.viewport(), QStyleOptionViewItem(), m.index(0, 0))
    assert isinstance(box, QComboBox)
    assert [box.itemText(i) for i in range(box.count())] == ["产出指标", "效益指标", "满意度指标"]
    box2 = delegate.createEditor(view.viewport(), QStyleOptionViewItem(), m.index(10, 1))  # a 效益 row
    assert [box2.itemText(i) for i in range(box2.count())] == ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"]
    box2.setCurrentText("生态效益指标")
    delegate.setModelData(box2, m, m.index(10, 1))
    assert m.data(m.index(10, 1)) == "生态效益指标"
    assert not isinstance(delegate.createEditor(view.viewport(), QStyleOptionViewItem(), m.index(0, 3)), QComboBox)
    box.deleteLater()
    box2.deleteLater()


def test_add_and_remove_projects_and_indicator_rows_with_undo(qtbot, page, wb, dialog_answers, dialog_log):
    n = page.list.count()
    qtbot.mouseClick(page.findChild(QPushButton, "addProject"), Qt.MouseButton.LeftButton)
    assert page.list.count() == n + 1 and page.list.currentRow() == n
    form = page.current_form()
    assert form.id == "P4" and form.department == wb.department
    name = page.editor.findChild(QLineEdit, "field:name")
    qtbot.keyClicks(name, "New")  # QTest types ASCII only
    assert load_forms(wb).projects[-1].name == "New"
    assert page.list.item(n).text().startswith("New")
    page.add_indicator(form, None)
    page.add_indicator(form, 0)
    assert page.editor.models["indicators"].rowCount() == 2
    page.remove_indicator(form, 1)
    assert page.editor.models["indicators"].rowCount() == 1
    assert page.session.undo_label() == "删除指标行"
    page.editor_of_year.undo()
    assert page.editor.models["indicators"].rowCount() == 2
    dialog_answers["删除"] = False
    page.remove_project()
    assert page.list.count() == n + 1
    dialog_answers["删除"] = True
    page.remove_project()
    assert dialog_log[-1][0] == "ask" and "New" in dialog_log[-1][2]
    assert page.list.count() == n and len(load_forms(wb).projects) == 3
    page.editor_of_year.undo()
    assert page.list.count() == n + 1 and load_forms(wb).projects[-1].name == "New"


def test_typing_in_a_text_is_one_undo_step(qtbot, page, wb):
    page.list.setCurrentRow(2)
    edit = page.editor.findChild(QPlainTextEdit, "text:goal_target")
    qtbot.keyClicks(edit, "stable")
    assert load_forms(wb).projects[1].goal_target == "stable"
    page.editor_of_year.undo()  # six keys, one step
    assert load_forms(wb).projects[1].goal_target == ""
    assert page.editor.findChild(QPlainTextEdit, "text:goal_target").toPlainText() == ""
    assert page.session.undo_label() is None
    page.editor_of_year.redo()
    assert page.editor.findChild(QPlainTextEdit, "text:goal_target").toPlainText() == "stable"


def test_department_form_and_its_small_tables(page, wb):
    page.list.setCurrentRow(0)
    blk = page.editor.models["blk:三公"]
    assert blk.rowCount() == 1 and blk.data(blk.index(0, 0)) == "局机关及二级机构汇总"
    blk.setData(blk.index(0, 1), "1.2")
    blk.setData(blk.index(0, 2), "0.04")
    assert blk.data(blk.index(0, 1), R.BackgroundRole) == ERROR_BG  # seed 001's 三公 合计
    page.add_block_row(page.current_form(), page.editor.views["blk:三公"])
    assert blk.rowCount() == 2
    assert page.editor.findChild(QLineEdit, "field:unit").text() == "武汉市汉阳区信访局"


def test_add_department_form_when_there_is_none(qtbot, sample_wb):
    p = _page(sample_wb)
    qtbot.addWidget(p)
    assert p.list.count() == 0 and p.editor is None
    p.add_department()
    assert p.list.count() == 1 and p.current_form().id == "D"
    assert not p.findChild(QPushButton, "addDepartment").isEnabled()
    assert load_forms(sample_wb).department is not None


def test_show_finding_selects_the_cell(page, wb):
    f = next(f for f in check_performance(wb) if f.cell == form_cell("P3", "fund0", "spent"))
    page.show_finding(f)
    assert page.current_form().id == "P3"
    view = page.editor.views["funds"]
    assert (view.currentIndex().row(), view.currentIndex().column()) == (0, 3)
    g = next(f for f in check_performance(wb) if f.rule == "绩效-偏差原因")
    page.show_finding(g)
    assert page.current_form().id == "D"
    assert page.editor.views["indicators"].currentIndex().row() == 36


def test_refresh_after_the_tables_change(page, wb):
    from services.workbook import Cell

    page.list.setCurrentRow(2)
    m = page.editor.models["funds"]
    assert m.data(m.index(0, 3), R.BackgroundRole) is None
    page.editor_of_year.set_values({Cell("03", "2010308", 3): D("300")}, "表03")  # a figure, on another page
    assert m.data(m.index(0, 3), R.BackgroundRole) == WARNING_BG


def test_report_text_is_saved_with_the_year(page, wb):
    page.list.setCurrentRow(0)
    edit = page.editor.findChild(QPlainTextEdit, "text:report")
    assert edit.toPlainText().startswith("一、自评结论")
    edit.setPlainText("2020 年，部门整体绩效自评得分为95.98 分。")
    assert page.saved_calls[-1][0] == "绩效.自评报告"
    assert any(f.column == "总分" and f.rule == "绩效-说明" for f in page.findings)


def test_imported_forms_replace_the_forms_and_can_be_undone(page, wb):
    from services.performance import PerformanceForms

    page.import_forms(PerformanceForms(projects=[seed002_forms().projects[2]]))
    assert page.list.count() == 1 and page.current_form().name == "局机关运行保障工作经费项目"
    page.editor_of_year.undo()
    assert page.list.count() == 4 and len(load_forms(wb).projects) == 3


def test_a_wrong_weight_is_flagged_from_the_first_figure(qtbot, page):
    """A new project: 分值 390 typed before any indicator is flagged at once, in red; an empty
    indicator row added after it is not told it lacks a 分值."""
    qtbot.mouseClick(page.findChild(QPushButton, "addProject"), Qt.MouseButton.LeftButton)
    form = page.current_form()
    m = page.editor.models["funds"]
    assert m.headerData(4, Qt.Orientation.Horizontal, R.DisplayRole) == "分值"
    assert m.setData(m.index(0, 2), "100") and m.setData(m.index(0, 3), "90")
    assert m.setData(m.index(0, 4), "390")
    mine = [f for f in page.findings if f.cell is not None and f.cell.row.startswith(form.id)]
    weights = [f for f in mine if f.rule == "绩效-分值合计"]
    assert weights and weights[0].is_error and weights[0].actual == D(390)
    assert m.data(m.index(0, 4), R.BackgroundRole) == ERROR_BG
    page.add_indicator(form, None)
    mine = [f for f in page.findings if f.cell is not None and f.cell.row.startswith(form.id)]
    assert not [f for f in mine if f.rule == "绩效-缺分值"]
    assert m.setData(m.index(0, 4), "20")
    assert not [f for f in page.findings if f.rule == "绩效-分值合计" and f.cell is not None and f.cell.row.startswith(form.id)]
