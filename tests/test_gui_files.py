"""Files from the window: the sample, New/Open/Save As, Excel import and export through the
menus (with QFileDialog answered by the test), recent files, and that nothing typed is lost."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from services.money import to_storage
from services.store import DepartmentFile
from services.templates import get_template
from services.workbook import Cell
from tests.paths import FIXTURES
from ui import file_actions
from ui.app import sample_file
from ui.document import Document
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
D = Decimal
INCOME_1 = Cell("01", "一般公共预算财政拨款收入", 1)


def _answer_open(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def _answer_save(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def test_the_sample_opens(tmp_path, open_window):
    path = sample_file(tmp_path)
    win = open_window(path)
    assert win.document.department == "武汉市汉阳区信访局"
    assert win.year == 2020 and win.findings.findings.rowCount() == 0
    assert win.current_page().model.form.text(0, 2) == "707.12"
    assert sample_file(tmp_path) == path  # made once, then reused


def test_edits_survive_a_killed_window(open_window, make_department_file, sample_wb):
    path = make_department_file(sample_wb)
    win = open_window(path)
    win.jump_to(INCOME_1)
    page = win.current_page()
    assert page.model.setData(page.view.currentIndex(), "700")
    win.editor(2020).add_code("03", "2070101")
    win.show_texts(2020)
    win.pages[("texts", 2020)].texts["概况.部门职责"].setPlainText("受理来信来访。")
    # The window stays open (as if the program were killed now): a fresh reader sees it all.
    with DepartmentFile.open(path, readonly=True) as fresh:
        wb = fresh.load(2020)
    assert wb.get(INCOME_1) == D(700)
    assert "2070101" in wb.coded["03"]
    assert wb.texts["概况.部门职责"] == "受理来信来访。"
    assert "已保存" in win.statusBar().currentMessage()


_KILLED = """
import sys
from decimal import Decimal
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ui.document import Document
from ui.main_window import MainWindow
from services.workbook import Cell
win = MainWindow(Document.open(__import__("pathlib").Path(sys.argv[1])))
win.show()
win.editor(2020).type_in(win.current_page().model.form, 0, 2, "1,234.56")
print("typed", flush=True)
app.exec()
"""


def test_nothing_typed_is_lost_when_the_process_is_killed(make_department_file, sample_wb):
    path = make_department_file(sample_wb)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, str(path)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "typed"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).get(INCOME_1) == D("1234.56")


def test_import_excel_from_the_menu_into_the_open_file(open_window, make_department_file, synthetic_wb, monkeypatch, dialog_log):
    synthetic_wb.year = 2020
    path = make_department_file(synthetic_wb)
    win = open_window(path)
    _answer_open(monkeypatch, FIXTURES / "zhuzhou_2020.xlsx")
    win.import_action.trigger()
    assert any(kind == "ask" and "替换" in text for kind, _, text in dialog_log)  # 2020 was there
    wb = win.document.workbooks[2020]
    assert "渌口" in wb.department or wb.department == synthetic_wb.department
    assert win.findings.findings.rowCount() >= 4  # seed 000's real mistakes
    assert win.reports and "来源" in win.reports[-1].text
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).values == wb.values


def test_import_excel_refused_by_the_clerk_changes_nothing(open_window, make_department_file, sample_wb, monkeypatch, dialog_answers):
    path = make_department_file(sample_wb)
    win = open_window(path)
    dialog_answers["导入"] = False
    _answer_open(monkeypatch, FIXTURES / "zhuzhou_2020.xlsx")
    win.import_action.trigger()
    assert win.document.workbooks[2020].get(INCOME_1) == D("707.12")


def test_export_excel_from_the_menu(open_window, make_department_file, sample_wb, monkeypatch, tmp_path):
    win = open_window(make_department_file(sample_wb))
    out = tmp_path / "导出.xlsx"
    _answer_save(monkeypatch, out)
    win.export_action.trigger()
    assert out.exists()
    from services.xlsx_import import import_xlsx

    back = import_xlsx(out).workbook
    assert back.get(INCOME_1) == D("707.12") and back.get(Cell("03", "2010308", 3)) == D("369.83")
    assert "已导出" in win.statusBar().currentMessage()


def test_open_excel_then_save_as_a_department_file(qtbot, monkeypatch, tmp_path):
    win = MainWindow()
    qtbot.addWidget(win)
    _answer_open(monkeypatch, FIXTURES / "wuhan_2020.xlsx")
    assert file_actions.open_file(win)
    assert not win.document.on_disk and "Excel" in win.windowTitle()
    win.editor(2020).set_values({INCOME_1: D(1)}, "t")
    assert "只在本窗口中" in win.statusBar().currentMessage()
    dest = tmp_path / "汉阳信访局"  # the suffix is added
    _answer_save(monkeypatch, dest)
    file_actions.save_as(win)
    assert win.document.on_disk and win.document.path == dest.with_suffix(".sqlite")
    win.editor(2020).set_values({INCOME_1: D(2)}, "t")
    with DepartmentFile.open(win.document.path, readonly=True) as f:
        assert f.load(2020).get(INCOME_1) == D(2)
    assert file_actions.recent_files()[0] == win.document.path
    win.document.close()


def test_new_department_and_new_year(qtbot, monkeypatch, tmp_path):
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(file_actions, "ask_new_department", lambda parent: ("测试局", "001", 2021, get_template("national-2020")))
    _answer_save(monkeypatch, tmp_path / "测试局.sqlite")
    file_actions.new_department(win)
    assert win.document.years == [2021] and win.document.department == "测试局"
    win.editor(2021).add_code("03", "2010301")
    win.editor(2021).set_values({Cell("03", "2010301", 2): D(5)}, "t")
    monkeypatch.setattr(file_actions, "ask_new_year", lambda parent, years: (2022, get_template("national-2020")))
    file_actions.new_year(win)
    assert win.document.years == [2021, 2022] and win.year == 2022
    wb = win.document.workbooks[2022]
    assert "2010301" in wb.coded["03"] and wb.get(Cell("03", "2010301", 2)) is None
    assert wb.prior[Cell("03", "2010301", 2)] == D(5)
    with DepartmentFile.open(tmp_path / "测试局.sqlite", readonly=True) as f:
        assert f.years() == [2021, 2022]
    win.document.close()


def test_a_file_that_cannot_be_opened_is_explained(qtbot, monkeypatch, tmp_path, dialog_log):
    bad = tmp_path / "坏.sqlite"
    bad.write_text("not a database")
    win = MainWindow()
    qtbot.addWidget(win)
    _answer_open(monkeypatch, bad)
    assert not file_actions.open_file(win)
    assert dialog_log and dialog_log[-1][0] == "error" and "坏.sqlite" in dialog_log[-1][2]


def test_recent_files_menu(open_window, make_department_file, sample_wb):
    path = make_department_file(sample_wb)
    file_actions.remember(path)
    win = open_window(path)
    win._fill_recent()
    assert [a.text() for a in win.recent_menu.actions()] == [str(path)]


@pytest.mark.parametrize("table", ["1", "收入决算表", "06", "7"])
def test_screenshot_mode(make_department_file, sample_wb, tmp_path, table):
    path = make_department_file(sample_wb)
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "main.py", str(path), "--table", table, "--screenshot", str(out)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert (img.width(), img.height()) == (1440, 900)


def test_screenshot_of_an_unreadable_file_exits_2(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "main.py", str(tmp_path / "无.sqlite"), "--screenshot", str(tmp_path / "x.png")],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "无法打开" in r.stderr


def test_document_refuses_save_as_over_itself(make_department_file, sample_wb):
    path = make_department_file(sample_wb)
    doc = Document.open(path)
    try:
        from ui.document import OpenError

        with pytest.raises(OpenError):
            doc.save_as(path)
    finally:
        doc.close()


def test_department_page_saves_texts_and_checks_figures(open_window, make_department_file, sample_wb):
    path = make_department_file(sample_wb)
    win = open_window(path)
    win.show_texts(2020)
    page = win.pages[("texts", 2020)]
    assert {"概况.部门职责", "原因.收入支出总体", "数据.会议费", "数据.三公.接待团组", "原因.三公.公务接待费.预算",
            "数据.年初预算.2010308"} <= set(page.texts)
    page.texts["原因.收入支出总体"].setPlainText("开展集中治理重复信访工作经费增加")
    page.texts["数据.会议费"].setText("1,2")  # not a number: marked, not saved
    assert "未保存" in win.statusBar().currentMessage()
    page.texts["数据.会议费"].setText("１２.５")
    page.texts["数据.三公.接待团组"].setText("2.5")  # a count must be whole
    page.name.setText("武汉市汉阳区信访局（改）")
    page.name.editingFinished.emit()
    with DepartmentFile.open(path, readonly=True) as f:
        wb = f.load(2020)
        assert f.department()[0] == "武汉市汉阳区信访局（改）"
    assert wb.texts["原因.收入支出总体"] == "开展集中治理重复信访工作经费增加"
    assert wb.texts["数据.会议费"] == "１２.５" and "数据.三公.接待团组" not in wb.texts
    assert "（改）" in win.windowTitle()


def test_prior_year_figures_typed_on_the_department_page(open_window, make_department_file, sample_wb):
    """The sample has no previous year: the page asks for the 上年数 the 情况说明 compares with,
    and what the clerk types there turns placeholders into stated changes."""
    from services.disclosure.narrative import draft, prior_cells

    sample_wb.prior = {}
    path = make_department_file(sample_wb)
    win = open_window(path)
    win.show_texts(2020)
    page = win.pages[("texts", 2020)]
    total = Cell("01", "收入总计", 1)
    assert list(page.priors) == prior_cells(sample_wb) and total in page.priors
    first = next(b for b in draft(win.document.workbooks[2020]).narrative if b.kind == "p")
    assert "与上年相比的增减情况" in first.text
    page.priors[total].setText("1,0")  # not a number: marked, not saved
    assert "未保存" in win.statusBar().currentMessage()
    page.priors[total].setText("600")
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).prior == {total: D("600")}
    first = next(b for b in draft(win.document.workbooks[2020]).narrative if b.kind == "p")
    assert "与上年相比" in first.text and "与上年相比的增减情况" not in first.text


def test_prior_typed_keeps_those_carried_from_the_previous_year(open_window, make_department_file, sample_wb):
    last = copy.deepcopy(sample_wb)
    last.year, last.prior = 2019, {}
    sample_wb.prior = {}
    path = make_department_file(last)
    with DepartmentFile.open(path) as f:
        f.save(sample_wb)
    win = open_window(path)
    win.show_texts(2020)
    page = win.pages[("texts", 2020)]
    total, spent = Cell("01", "收入总计", 1), Cell("01", "支出总计", 2)
    assert page.priors[spent].text() == to_storage(last.values[spent])  # carried from 2019 on load
    page.priors[total].setText("600")
    with DepartmentFile.open(path, readonly=True) as f:
        prior = f.load(2020).prior
    assert prior[total] == D("600") and prior[spent] == last.values[spent] and len(prior) == len(last.values)


def test_export_pdf_from_the_menu(open_window, make_department_file, sample_wb, monkeypatch, tmp_path, dialog_answers, dialog_log):
    from ui import dialogs

    shown = []
    monkeypatch.setattr(dialogs, "show_file", shown.append)
    win = open_window(make_department_file(sample_wb))
    out = tmp_path / "公开"  # the suffix is added
    _answer_save(monkeypatch, out)
    win.pdf_action.trigger()
    pdf = tmp_path / "公开.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(pdf).pages[:6])
    assert "武汉市汉阳区信访局" in text
    assert "已导出公开 PDF" in win.statusBar().currentMessage() and "页" in win.statusBar().currentMessage()
    assert shown == [pdf]  # the clerk said yes to "现在打开它吗"
    assert any(kind == "ask" and "打开" in text for kind, _, text in dialog_log)


def test_the_clerk_reads_a_workbook_again_with_another_template(qtbot, monkeypatch, tmp_path):
    """The import report says which template was taken; 换用其他报表模板 reads the same workbook
    again with the one the clerk picks, and the window shows it."""
    from services.templates import all_templates
    from tests.paths import SHARED
    from ui import dialogs

    win = MainWindow()
    qtbot.addWidget(win)
    sample = SHARED / "samples" / "putuo_czj_2024.xlsx"
    assert file_actions.open_file(win, sample)
    assert win.document.workbooks[2024].template.id == "shanghai-2024"
    report = win.reports[-1]
    assert "采用报表模板“上海市部门决算公开九张表（2024年版式）”" in report.text and "--" not in report.text
    asked: list[list[str]] = []

    def pick(parent, title, label, items, current=0):  # noqa: ANN001
        asked.append(items)
        return next(i for i, text in enumerate(items) if text.startswith(all_templates()["national-2024"].name))

    monkeypatch.setattr(dialogs, "choose", pick)
    report.other.click()
    assert asked and len(asked[0]) == len(all_templates())
    assert win.document.workbooks[2024].template.id == "national-2024"
    assert "按指定采用报表模板" in win.reports[-1].text
    win.document.close()


def test_import_excel_with_another_template_into_the_open_file(open_window, make_department_file, sample_wb, monkeypatch):
    from tests.paths import SHARED
    from ui import dialogs

    win = open_window(make_department_file(sample_wb))
    sample = SHARED / "samples" / "putuo_czj_2024.xlsx"
    _answer_open(monkeypatch, sample)
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: True)  # another department's workbook: import anyway
    win.import_action.trigger()
    assert win.document.workbooks[2024].template.id == "shanghai-2024"
    monkeypatch.setattr(dialogs, "choose", lambda parent, title, label, items, current=0: next(
        i for i, t in enumerate(items) if t.startswith("全国部门决算公开九张表（2024")))
    win.reports[-1].other.click()
    assert win.document.workbooks[2024].template.id == "national-2024"
    with DepartmentFile.open(win.document.path, readonly=True) as f:
        assert f.load(2024).template.id == "national-2024"


@pytest.mark.parametrize("leave", ["close", "ctrl_s_then_close", "other_year"])
def test_the_figure_being_typed_is_kept_however_the_clerk_leaves(open_window, make_department_file, sample_wb, qtbot, leave):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    from services.templates import get_template

    if leave == "other_year":  # a second year to go to
        other = copy.deepcopy(sample_wb)
        other.year, other.template = 2021, get_template("national-2020")
    path = make_department_file(sample_wb)
    if leave == "other_year":
        with DepartmentFile.open(path) as f:
            f.save(other)
    win = open_window(path)
    win.show_table("01", 2020)
    win.jump_to(INCOME_1)
    view = win.current_page().view
    qtbot.keyClicks(view, "1")  # typing opens the cell's editor: not committed yet
    editor = view.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "23.45")
    assert editor.text() == "123.45" and win.document.workbooks[2020].get(INCOME_1) == D("707.12")
    if leave == "close":
        win.close()
    elif leave == "ctrl_s_then_close":
        qtbot.keyClick(view.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert "已保存" in win.statusBar().currentMessage()
        win.close()
    else:
        win.show_table("01", 2021)
        win.close()
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).get(INCOME_1) == D("123.45")


def test_a_second_window_on_the_same_file_is_read_only_and_says_who_edits_it(open_window, make_department_file, sample_wb, tmp_path):
    path = make_department_file(sample_wb)
    first = open_window(path)
    second = open_window(path)
    assert first.document.read_only is None
    assert second.document.read_only and "正由" in second.document.read_only and "打开编辑" in second.document.read_only
    assert not second.editor(2020).set_values({INCOME_1: D("1.00")}, "t")  # refused, nothing written
    first.editor(2020).set_values({INCOME_1: D("700.00")}, "t")
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.load(2020).get(INCOME_1) == D("700.00")
    # the command line is refused too, with the same reason and nothing changed
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "import-xlsx", str(FIXTURES / "zhuzhou_2020.xlsx"),
                           "-o", str(path)], capture_output=True, text=True, encoding="utf-8", check=False)
    assert proc.returncode == 2 and "正由" in proc.stderr
    first.close()
    third = open_window(path)  # the first window closed: the file is free again
    assert third.document.read_only is None


def test_a_department_name_being_typed_is_kept_when_the_window_closes(open_window, make_department_file, sample_wb, qtbot):
    path = make_department_file(sample_wb)
    win = open_window(path)
    win.show_texts(2020)
    name = win.pages[("texts", 2020)].name
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    name.selectAll()
    name.insert("武汉市汉阳区人民来访接待中心")  # as typed (QTest cannot type Chinese keys)
    assert name.isModified()
    win.close()  # the field never lost the focus: its editingFinished had not fired
    with DepartmentFile.open(path, readonly=True) as f:
        assert f.department()[0] == "武汉市汉阳区人民来访接待中心"
