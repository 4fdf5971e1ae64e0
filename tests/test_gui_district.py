"""District mode in the window (区汇总): the 汇总 tables read-only, the department list with its
badges, each department opened read-only with its red flags, and its submission history.

The district is built once from the two fixture departments as the bureau builds it: import the
workbook, save a department file, submit (株洲 with --allow-errors: 4 errors, 强制上报), and
consolidate both.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QPushButton

from services.exchange.consolidate import consolidate
from services.exchange.district_file import is_district_file
from services.exchange.roster import RosterEntry, set_roster
from services.exchange.submission import submit
from services.store import DepartmentFile
from services.workbook import Cell
from services.xlsx_import import import_xlsx
from tests.district_reads import history, list_departments
from ui import file_actions
from ui.district import CONSOLIDATED_READ_ONLY, HISTORY_COLUMNS, LIST_COLUMNS
from ui.district_page import DistrictPage, StatusModel
from ui.table_model import ERROR_BG

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "data" / "shared" / "fixtures"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures")
ZZ, WH = "株洲市渌口区信访局", "武汉市汉阳区信访局"
SPENT = Cell("01", "本年支出合计", 2)
R = Qt.ItemDataRole


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Department files, their sealed submissions, and the district made of both."""
    root = tmp_path_factory.mktemp("district")
    out: dict[str, Path] = {}
    for key, name in (("zz", "zhuzhou_2020.xlsx"), ("wh", "wuhan_2020.xlsx")):
        wb = import_xlsx(FIXTURES / name).workbook
        with DepartmentFile.create(root / f"{key}.sqlite", wb.department, wb.department_code) as f:
            f.save(wb)
        out[key] = root / f"{key}.sqlite"
        out[f"{key}.sub"] = root / f"{key}.sub"
        submit(out[key], 2020, out[f"{key}.sub"], allow_errors=key == "zz")
    out["district"] = root / "district.sqlite"
    assert consolidate([out["zz.sub"], out["wh.sub"]], out["district"], name="某某区汇总").written
    return out


@pytest.fixture
def district(built: dict[str, Path], tmp_path: Path) -> Path:
    return Path(shutil.copy(built["district"], tmp_path / "district.sqlite"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _untouched(path: Path, before: str) -> bool:
    """Byte-identical, and no journal beside it (the window never opened it for writing)."""
    sidecars = [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]
    return _sha(path) == before and not any(p.exists() for p in sidecars)


def _row(page: DistrictPage, name: str) -> int:
    return next(i for i, d in enumerate(page.departments.items) if d.name == name)


def _text(model: StatusModel, row: int, title: str) -> str:
    col = next(j for j, c in enumerate(model.columns) if c.title == title)
    return model.data(model.index(row, col))


# ── the models ─────────────────────────────────────────────────────────────
def test_status_models_pass_the_model_tester(district: Path, qtmodeltester) -> None:
    deps = list_departments(district, 2020)
    listing = StatusModel(LIST_COLUMNS)
    listing.set_items(deps)
    qtmodeltester.check(listing)
    past = StatusModel(HISTORY_COLUMNS)
    past.set_items(history(district, 2020, deps[0].key))
    qtmodeltester.check(past)
    qtmodeltester.check(StatusModel(LIST_COLUMNS))  # empty


def test_district_files_are_told_from_department_files(district: Path, built: dict[str, Path]) -> None:
    before = _sha(district)
    assert is_district_file(district)
    assert not is_district_file(built["wh"]) and not is_district_file(built["wh.sub"])
    assert _untouched(district, before)


# ── the district window ────────────────────────────────────────────────────
def test_district_lists_both_departments_with_badges(district: Path, open_window) -> None:
    before = _sha(district)
    win = open_window(district)
    assert win.document.read_only == CONSOLIDATED_READ_ONLY and win.read_only
    page = win.stack.currentWidget()
    assert isinstance(page, DistrictPage) and win.nav.currentIndex().data(R.UserRole) == ("district", 2020)
    model = page.departments
    assert {d.name for d in model.items} == {ZZ, WH}
    zz, wh = _row(page, ZZ), _row(page, WH)
    assert _text(model, zz, "状态") == "✗ 4 个错误未改正" and _text(model, zz, "强制上报") == "强制上报"
    assert _text(model, zz, "封存时审核") == "4 错 0 提示" and _text(model, zz, "复核") == "4 错 0 提示"
    assert _text(model, zz, "上报次数") == "第 1 次" and _text(model, zz, "封存时间")
    assert _text(model, wh, "状态") == "✓ 复核通过" and _text(model, wh, "强制上报") == ""
    assert _text(model, wh, "复核") == "无问题"
    red = model.data(model.index(zz, 0), R.ForegroundRole).color().name()
    green = model.data(model.index(wh, 0), R.ForegroundRole).color().name()
    assert red == "#b3261e" and green == "#1b6e2e"
    assert "1 个部门有未改正的错误" in page.summary.text() and "1 个强制上报" in page.summary.text()
    assert page.counts() == (1, 0)
    nav_line = win.nav._lines[("district", 2020)]
    assert nav_line.data(R.UserRole + 1) == (1, 0)
    # the selected department's detail: stored re-check findings and history
    page.select(page.departments.items[zz].key)
    assert page.findings.findings.rowCount() == 4
    assert all(f.is_error for f in page.findings.findings.items)
    assert page.history.rowCount() == 1 and "强制上报" in page.detail.text()
    page.select(page.departments.items[wh].key)
    assert page.findings.findings.rowCount() == 0 and "无问题" in page.detail.text()
    # the status bar says why the 汇总 is read-only
    assert "下次汇总时会重新计算并覆盖" in win.statusBar().currentMessage() and win.mode.text() == "只读"
    assert "（只读）" in win.windowTitle() and not win.findings.isVisible()
    assert not win.import_action.isEnabled() and not win.new_year_action.isEnabled()
    assert _untouched(district, before)


def test_departments_on_the_roster_that_have_not_submitted(district: Path, open_window) -> None:
    set_roster(district, [RosterEntry("", ZZ), RosterEntry("", WH), RosterEntry("101001", "某某区教育局")])
    before = _sha(district)
    page = open_window(district).stack.currentWidget()
    assert "名单中 1 个部门未报送" in page.summary.text()
    assert page.tabs.tabText(2) == "未报送（1）"
    assert [page.missing.item(i).text() for i in range(page.missing.count())] == ["某某区教育局（101001）"]
    assert _untouched(district, before)


def test_department_list_finds_and_filters(district: Path, open_window) -> None:
    page = open_window(district).stack.currentWidget()
    assert page.tabs.tabText(2) == "未报送（未导入名单）" and "导入应报部门名单" in page.missing.item(0).text()
    page.search.setText("汉阳")
    assert [d.name for d in page.departments.items] == [WH] and page.selected().name == WH
    page.search.setText("")
    page.problems_only.setChecked(True)
    assert [d.name for d in page.departments.items] == [ZZ] and page.counts() == (1, 0)
    page.search.setText("汉阳")  # no department with problems matches: nothing selected, nothing shown
    assert page.departments.rowCount() == 0 and page.selected() is None and page.detail.text() == ""
    page.problems_only.setChecked(False)
    page.search.clear()
    assert page.departments.rowCount() == 2


def test_consolidated_tables_are_read_only(district: Path, open_window) -> None:
    before = _sha(district)
    win = open_window(district)
    page = win.show_table("01", 2020)
    model = page.model
    assert model.editor.session.read_only and model.form.read_only and win.findings.isVisible()
    row, col = model.form.position(SPENT)
    idx = model.index(row, col)
    assert model.data(idx) == "1,139.51"
    assert not model.flags(idx) & Qt.ItemFlag.ItemIsEditable
    assert not any(model.flags(model.index(r, c)) & Qt.ItemFlag.ItemIsEditable
                   for r in range(model.rowCount()) for c in range(model.columnCount()))
    assert model.setData(idx, "1") is False
    assert model.data(idx) == "1,139.51" and "下次汇总时会重新计算" in win.statusBar().currentMessage()
    page.view.setCurrentIndex(idx)
    page.view.clear_selection()
    page.view.paste("5")
    assert model.form.wb.get(SPENT) == Decimal("1139.51") and not win.undo_action.isEnabled()
    assert not win.add_row_action.isEnabled() and not win.manual_action.isEnabled()
    win.close()
    assert _untouched(district, before)


def test_department_opens_read_only_with_its_red_flags(district: Path, open_window, qtbot) -> None:
    before = _sha(district)
    win = open_window(district)
    page = win.show_district(2020)
    zz = page.departments.items[_row(page, ZZ)]
    dept = page.open_department(zz.key)
    assert dept is not None and dept.isVisible() and dept.isWindow() and dept is not win
    assert page.open_department(zz.key) is dept  # one window per department
    assert dept.document.department == ZZ and dept.read_only and dept.document.district is None
    assert ZZ in dept.windowTitle() and "（只读）" in dept.windowTitle()
    assert "强制上报" in dept.statusBar().currentMessage()
    found = dept.findings.findings.items
    assert sum(f.is_error for f in found) == 4
    for f in found:  # every error is a red cell of its table
        table = dept.show_table(f.cell.table)
        idx = table.model.index(*table.model.form.position(f.cell))
        assert table.model.data(idx, R.BackgroundRole) == ERROR_BG
        assert not table.model.flags(idx) & Qt.ItemFlag.ItemIsEditable
        assert table.model.setData(idx, "0") is False
    t01 = dept.show_table("01")
    wb = t01.model.form.wb
    values = dict(wb.values)
    assert not t01.model.editor.type_in(t01.model.form, 0, 2, "1")
    t01.view.selectAll()
    t01.view.clear_selection()
    qtbot.keyClick(t01.view, Qt.Key.Key_5)
    qtbot.keyClick(t01.view, Qt.Key.Key_Return)
    assert wb.values == values and not dept.undo_action.isEnabled() and dept.editor(2020).session.undo_label() is None
    dept.show_texts(2020)
    texts = dept.pages[("texts", 2020)]
    assert all(e.isReadOnly() for e in texts.findChildren(QPlainTextEdit))
    perf = dept.show_performance(2020)
    assert not any(b.isEnabled() for b in perf.findChildren(QPushButton))
    # the stored finding, double-clicked in the list, shows the live one's cell
    page.select(zz.key)
    page.findings.jump.emit(page.findings.findings.items[0])
    cur = dept.current_page()
    assert cur is not None and cur.model.form.cell(cur.view.currentIndex().row(), cur.view.currentIndex().column()) == found[0].cell
    dept.close()
    win.close()
    assert _untouched(district, before)


def test_resubmission_shows_in_the_history(built: dict[str, Path], tmp_path: Path, open_window) -> None:
    dept = Path(shutil.copy(built["wh"], tmp_path / "wh2.sqlite"))
    with DepartmentFile.open(dept) as f:
        f.set_cell(2020, Cell("03", "2010308", 1), Decimal("370.83"))
    submit(dept, 2020, tmp_path / "wh2.sub", allow_errors=True)
    district = Path(shutil.copy(built["district"], tmp_path / "district.sqlite"))
    assert consolidate([tmp_path / "wh2.sub"], district).written
    win = open_window(district)
    page = win.show_district(2020)
    wh = _row(page, WH)
    assert _text(page.departments, wh, "上报次数") == "第 2 次"
    assert _text(page.departments, wh, "强制上报") == "强制上报" and page.counts()[0] == 2
    page.select(page.departments.items[wh].key)
    assert page.history.rowCount() == 2
    assert _text(page.history, 0, "") == "当前" and _text(page.history, 1, "").startswith("已于 ")
    assert "历次上报（2）" in page.tabs.tabText(1)


def test_file_open_switches_between_district_and_department(district: Path, built: dict[str, Path],
                                                           open_window, dialog_log) -> None:
    dept = Path(shutil.copy(built["wh"], district.parent / "wh.sqlite"))
    win = open_window(dept)
    assert not win.read_only and win.import_action.isEnabled()
    assert file_actions.open_file(win, district)
    assert win.read_only and ("district", 2020) in win.pages and not win.reports and dialog_log == []
    assert file_actions.open_file(win, dept)
    assert not win.read_only and win.import_action.isEnabled() and win.manual_action.isEnabled()
    assert win.mode.text() == "合计：自动计算" and win.mode.toolTip() == ""
    assert ("district", 2020) not in win.pages and win.findings.isVisible()


def test_screenshot_of_a_district(district: Path, tmp_path: Path) -> None:
    out = tmp_path / "district.png"
    r = subprocess.run([sys.executable, "main.py", str(district), "--screenshot", str(out)], cwd=ROOT,
                       env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 10_000


# ── the 上报与汇总 menu ──────────────────────────────────────────────────────
def _answer(monkeypatch, **answers) -> None:  # noqa: ANN001
    """The file dialogs' answers: open (one file), opens (several), save (a path)."""
    from PySide6.QtWidgets import QFileDialog

    if "open" in answers:
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(answers["open"]), "")))
    if "opens" in answers:
        monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                            staticmethod(lambda *a, **k: ([str(p) for p in answers["opens"]], "")))
    if "save" in answers:
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(answers["save"]), "")))


def _menu_action(win, text: str):  # noqa: ANN001, ANN202
    menu = next(a for a in win.menuBar().actions() if a.text() == "上报与汇总(&R)").menu()
    return next(a for a in menu.actions() if a.text() == text)


def test_clerk_seals_the_year_from_the_menu(built: dict[str, Path], tmp_path: Path, open_window, monkeypatch,
                                           dialog_log, dialog_answers) -> None:
    from services.exchange.gate import open_submission

    dept = Path(shutil.copy(built["wh"], tmp_path / "wh.sqlite"))
    win = open_window(dept)
    assert win.submit_action.isEnabled()
    _answer(monkeypatch, save=tmp_path / "武汉_上报")
    win.submit_action.trigger()
    sealed = tmp_path / "武汉_上报.sqlite"
    assert open_submission(sealed).manifest.department == WH
    assert dialog_log[-1][0] == "report" and "请把这个文件交给区财政局" in dialog_log[-1][2]
    # 株洲 has errors: the clerk is asked, and saying no writes nothing
    zz = Path(shutil.copy(built["zz"], tmp_path / "zz.sqlite"))
    win = open_window(zz)
    dialog_answers["生成上报文件"] = False
    _answer(monkeypatch, save=tmp_path / "株洲.sqlite")
    win.submit_action.trigger()
    assert dialog_log[-1][0] == "ask" and "4 个错误" in dialog_log[-1][2] and not (tmp_path / "株洲.sqlite").exists()
    assert "--" not in dialog_log[-1][2]  # the window names no command-line flag
    dialog_answers["生成上报文件"] = True
    win.submit_action.trigger()
    assert open_submission(tmp_path / "株洲.sqlite").manifest.allow_errors == 1
    assert "强制上报" in dialog_log[-1][2]


def test_bureau_consolidates_from_the_menu_and_sees_the_district(built: dict[str, Path], tmp_path: Path,
                                                                 open_window, monkeypatch, dialog_log) -> None:
    win = open_window(Path(shutil.copy(built["wh"], tmp_path / "wh.sqlite")))
    district = tmp_path / "新区.sqlite"
    _answer(monkeypatch, opens=[built["zz.sub"], built["wh.sub"]], save=district)
    consolidate_action = _menu_action(win, "汇总各部门上报文件…")
    consolidate_action.trigger()
    assert dialog_log[-2][0] == "report" and "已汇总 2 个上报文件" in dialog_log[-2][2]
    assert "✓ zz.sub" in dialog_log[-2][2] and dialog_log[-1][0] == "ask"  # open it?
    assert win.document.district == district and isinstance(win.stack.currentWidget(), DistrictPage)
    assert not win.submit_action.isEnabled()
    # a refused batch, from the district window: nothing changes, every verdict is shown
    bad = tmp_path / "坏文件.sqlite"
    bad.write_bytes(b"not a database")
    before = _sha(district)
    _answer(monkeypatch, opens=[built["wh.sub"], bad])
    consolidate_action.trigger()
    kind, _, text = dialog_log[-1]
    assert kind == "report!" and "✗ 坏文件.sqlite：拒收" in text and "没有汇总任何文件" in text
    assert _sha(district) == before
    # the roster, from the district window: its 未报送 list follows
    roster = tmp_path / "名单.csv"
    roster.write_text(f"部门代码,部门名称\n,{ZZ}\n,{WH}\n101001,某某区教育局\n", encoding="utf-8")
    _answer(monkeypatch, open=roster)
    _menu_action(win, "导入应报部门名单…").trigger()
    page = win.stack.currentWidget()
    assert isinstance(page, DistrictPage) and page.tabs.tabText(2) == "未报送（1）"
    # a resubmission into the district the window shows: written, and the window shows it
    dept = Path(shutil.copy(built["wh"], tmp_path / "wh2.sqlite"))
    with DepartmentFile.open(dept) as f:
        f.set_cell(2020, Cell("03", "2010308", 1), Decimal("370.83"))
    submit(dept, 2020, tmp_path / "wh2.sub", allow_errors=True)
    _answer(monkeypatch, opens=[tmp_path / "wh2.sub"])
    consolidate_action.trigger()
    assert "已汇总 1 个上报文件" in dialog_log[-1][2] and _sha(district) != before
    page = win.stack.currentWidget()
    wh = next(d for d in page.departments.items if d.name == WH)
    assert wh.times == 2 and wh.allow_errors and page.tabs.tabText(2) == "未报送（1）"


def test_double_click_on_a_summary_cell_names_the_departments_behind_it(district: Path, open_window, qtbot,
                                                                        dialog_log) -> None:
    win = open_window(district)
    page = win.show_table("01", 2020)
    idx = page.model.index(*page.model.form.position(SPENT))
    page.view.scrollTo(idx)
    rect = page.view.visualRect(idx)
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    kind, title, text = dialog_log[-1]
    assert (kind, title) == ("report", "穿透查询")
    assert "汇总数 1,139.51 万元，由 2 个部门组成" in text and "武汉市汉阳区信访局" in text and "株洲市渌口区信访局" in text


def test_a_cancelled_consolidation_leaves_the_district_file_as_it_was(built: dict[str, Path], district: Path,
                                                                      open_window, monkeypatch, cancel_on_progress) -> None:
    win = open_window(Path(shutil.copy(built["wh"], district.parent / "wh.sqlite")))
    before = _sha(district)
    _answer(monkeypatch, opens=[built["zz.sub"], built["wh.sub"]], save=district)
    _menu_action(win, "汇总各部门上报文件…").trigger()
    assert cancel_on_progress and cancel_on_progress[0].startswith("已检查 1/2")
    assert _sha(district) == before and "没有改动" in win.statusBar().currentMessage()
    assert not [p for p in district.parent.iterdir() if "district" in p.name and p.name != "district.sqlite"]  # no work copy left
