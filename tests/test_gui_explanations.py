"""出错说明 typed in the findings panel: the warning shows as explained (panel and cell), the file
has it, undo takes it back, and the sealed submission carries it to the district."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from services.audit import audit
from services.exchange.gate import open_submission
from services.exchange.submission import submit
from services.explanations import key_of
from services.prior_check import RULE
from services.store import DepartmentFile
from services.workbook import Cell
from tests.seed003 import seed003
from ui.findings_panel import NOTE_COLUMN
from ui.table_model import EXPLAINED_BG, WARNING_BG

SANGONG = Cell("09", "三公经费", 7)  # 4.43 last year, 7.04 now: +58.92%
REASON = "2023年承办全省信访工作会议，公务接待增加"


def _file(tmp_path: Path) -> Path:
    wb = seed003()
    del wb.texts["原因.三公.上年"]  # the 情况说明 gives no reason: the comparison asks for one
    path = tmp_path / "长沙市信访局.sqlite"
    with DepartmentFile.create(path, wb.department) as f:
        f.save(wb)
    return path


def test_an_explanation_typed_in_the_findings_panel_travels_to_the_district(open_window, qtbot, tmp_path):
    path = _file(tmp_path)
    win = open_window(path)
    page = win.show_table("09")
    panel, model = win.findings, win.findings.findings
    row = next(i for i, f in enumerate(model.items) if f.rule == RULE and f.cell == SANGONG)
    finding = model.items[row]
    pos = page.model.form.position(SANGONG)
    assert pos is not None
    cell_index = page.model.index(*pos)
    assert page.model.data(cell_index, Qt.ItemDataRole.BackgroundRole) is WARNING_BG
    assert model.data(model.index(row, 0)).startswith("! 提示")

    # the clerk selects the finding and types: the 出错说明 editor opens on that row
    panel.setFocus()
    panel.setCurrentIndex(model.index(row, 4))
    qtbot.keyClick(panel, Qt.Key.Key_F2)
    editor = panel.focusWidget()
    assert editor is not panel and panel.currentIndex().column() == NOTE_COLUMN
    qtbot.keyClicks(editor, REASON[:4])  # Qt's test keyboard types ASCII; the Chinese as an input method does
    editor.insert(REASON[4:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    session = win.editor(2023).session
    qtbot.waitUntil(lambda: session.explanation(finding) == REASON)  # the editor commits on its next event
    assert model.data(model.index(row, 0)).startswith("✓ 提示·已说明")
    assert model.data(model.index(row, NOTE_COLUMN)) == REASON
    assert page.model.data(cell_index, Qt.ItemDataRole.BackgroundRole) is EXPLAINED_BG  # not amber
    with DepartmentFile.open(path, readonly=True) as f:  # saved at once
        assert f.load(2023).notes == {key_of(finding): REASON}

    # one undo step takes it back, and the cell is amber again
    assert session.undo_label() == "填写出错说明"
    win.editor(2023).undo()
    assert session.explanation(finding) is None
    assert page.model.data(cell_index, Qt.ItemDataRole.BackgroundRole) is WARNING_BG
    win.editor(2023).redo()
    assert session.explanation(finding) == REASON

    # sealed from the file the window edits: the district's gate reads it back with the finding
    submit(path, 2023, tmp_path / "上报.sub", allow_errors=True)  # seed 003 has two real 0.01 gaps in 06
    sub = open_submission(tmp_path / "上报.sub")
    assert sub.workbook.notes == {key_of(finding): REASON}
    assert [key_of(f) for f in sub.sealed if key_of(f) in sub.workbook.notes] == [key_of(finding)]


def test_a_read_only_year_shows_explanations_but_takes_none(open_window, qtbot, tmp_path):
    path = _file(tmp_path)
    with DepartmentFile.open(path) as f:
        wb = f.load(2023)
    finding = next(f for f in audit(wb) if f.rule == RULE)
    with DepartmentFile.open(path) as f:
        f.set_note(2023, key_of(finding), REASON)
    with DepartmentFile.open(path):  # another program holds the file: the window opens it read-only
        win = open_window(path)
        model = win.findings.findings
        row = next(i for i, f in enumerate(model.items) if key_of(f) == key_of(finding))
        assert model.data(model.index(row, NOTE_COLUMN)) == REASON
        assert not model.flags(model.index(row, NOTE_COLUMN)) & Qt.ItemFlag.ItemIsEditable


def test_the_completeness_checklist_lists_what_is_missing(open_window, tmp_path):
    path = _file(tmp_path)
    with DepartmentFile.open(path) as f:
        wb = f.load(2023)
        for key in ("数据.三公.车辆保有量", "数据.三公.出国团组", "数据.三公.出国人次"):
            del wb.texts[key]
        f.save(wb)
    win = open_window(path)
    dialog = win.show_checklist()
    assert dialog is not None
    rows = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text())
            for r in range(dialog.table.rowCount())}
    assert rows["公务用车保有量"][0] == "✗ 缺少" and "公务用车保有量" in rows["公务用车保有量"][1]
    assert rows["公开01表 收入支出决算总表"][0] == "✓ 已有"
    assert rows["因公出国（境）团组数和人次"][0] == "— 本年度不需要"  # 因公出国 spent nothing
    assert sum(state == "✗ 缺少" for state, _ in rows.values()) == 1
    assert "缺少 1 项" in dialog.head.text()
    # filled in on the texts page: the list, still open, follows
    win.editor(2023).run(lambda: win.editor(2023).session.set_text("数据.三公.车辆保有量", "2"))
    states = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert "✗ 缺少" not in states and "都已齐全" in dialog.head.text()
    dialog.close()


def test_the_district_window_shows_the_explanation_with_its_finding(open_window, tmp_path):
    from services.exchange.consolidate import consolidate
    from ui.district_page import DistrictPage

    path = _file(tmp_path)
    with DepartmentFile.open(path) as f:
        wb = f.load(2023)
        finding = next(x for x in audit(wb) if x.rule == RULE and x.cell == SANGONG)
        f.set_note(2023, key_of(finding), REASON)
    submit(path, 2023, tmp_path / "上报.sub", allow_errors=True)
    district = tmp_path / "区.sqlite"
    assert consolidate([tmp_path / "上报.sub"], district, name="某某区汇总").written
    win = open_window(district)
    page = win.stack.currentWidget()
    assert isinstance(page, DistrictPage)
    page.select(page.departments.items[0].key)
    model = page.findings.findings
    row = next(i for i, f in enumerate(model.items) if key_of(f) == key_of(finding))
    assert model.data(model.index(row, NOTE_COLUMN)) == REASON
    assert model.data(model.index(row, 0)).startswith("✓ 提示·已说明")
    assert not model.flags(model.index(row, NOTE_COLUMN)) & Qt.ItemFlag.ItemIsEditable  # the bureau reads it
    others = [i for i in range(model.rowCount()) if i != row]
    assert all(model.data(model.index(i, NOTE_COLUMN)) == "" for i in others)


def test_the_navigator_badge_counts_only_warnings_without_explanation(open_window, tmp_path):
    path = _file(tmp_path)
    win = open_window(path)
    badge = win.nav._lines[("table", 2023, "09")]
    before = badge.data(Qt.ItemDataRole.UserRole + 1)
    finding = next(f for f in win.year_findings(2023) if f.cell == SANGONG)
    win.editor(2023).explain(finding, REASON)
    after = badge.data(Qt.ItemDataRole.UserRole + 1)
    assert after[1] == before[1] - 1 and "（1 个已说明）" in win.counts.text()


def test_the_review_report_is_exported_from_the_menu(open_window, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    from ui import dialogs

    path = _file(tmp_path)
    win = open_window(path)
    finding = next(f for f in win.year_findings(2023) if f.cell == SANGONG)
    win.editor(2023).explain(finding, REASON)
    out = tmp_path / "审核情况.xlsx"
    monkeypatch.setattr(dialogs, "save_path", lambda *_args, **_kw: out)
    action = next(a for m in win.menuBar().actions() if m.text() == "审核(&A)" for a in m.menu().actions()
                  if a.text().startswith("导出审核情况"))
    action.trigger()
    rows = [[c.value for c in row] for row in load_workbook(out)["审核情况"].iter_rows()]
    assert [r[-1] for r in rows if REASON in r] == ["已说明"]
    assert sum(r[-1] == "未说明" for r in rows) == len(win.year_findings(2023)) - 1 - 2  # the two errors say more
    assert "已导出审核情况" in win.statusBar().currentMessage()


def test_sealing_from_the_menu_counts_the_errors_still_unexplained(open_window, monkeypatch, tmp_path, dialog_log):
    from ui import dialogs

    path = _file(tmp_path)
    win = open_window(path)
    error = next(f for f in win.year_findings(2023) if f.is_error)  # seed 003's 0.01 gaps in 06
    win.editor(2023).explain(error, "尾数差异，账面 1244012.49 元")
    out = tmp_path / "长沙_上报.sqlite"
    monkeypatch.setattr(dialogs, "save_path", lambda *_args, **_kw: out)
    win.submit_action.trigger()
    asked = next(text for kind, _title, text in dialog_log if kind == "ask")
    assert "2 个错误" in asked and "其中 1 个还没有写出错说明" in asked
    assert dialog_log[-1][0] == "report" and "其中 1 个附有出错说明" in dialog_log[-1][2]
    assert open_submission(out).workbook.notes == {key_of(error): "尾数差异，账面 1244012.49 元"}
