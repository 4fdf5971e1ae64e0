"""One audit for every path: the findings the window shows are the findings `check` prints,
after every kind of edit — figures, coded rows, texts, the 绩效 forms — and from outside
(``main.py FILE --findings-json``) exactly ``check --json``."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

from services.audit import VALIDATORS, Audit, audit
from services.engine import check_workbook
from services.performance import FORMS_KEY, dumps
from services.store import DepartmentFile
from services.workbook import Cell
from tests.paths import ROOT
from tests.seed002_performance import seed002_forms

WRONG_TEXT = "2020年度收、支总计799.99万元。"  # 01 says 707.12: a 说明-数字不符 finding
INCOME_1 = Cell("01", "一般公共预算财政拨款收入", 1)


def _from_file(path, year=2020):  # noqa: ANN001, ANN202
    with DepartmentFile.open(path, readonly=True) as f:
        return check_workbook(f.load(year))


def test_the_audit_lists_every_validator_and_check_workbook_is_it(sample_wb):
    sample_wb.texts["概况.部门职责"] = WRONG_TEXT
    sample_wb.texts["原因.机关运行经费"] = "会议减少，比上年减少 万元。"  # a blank of the template: 文字规则
    sample_wb.texts[FORMS_KEY] = dumps(seed002_forms())
    found = Audit(sample_wb)
    assert {name for name, _ in VALIDATORS} == {"说明文字", "文字规则", "与上年核对", "公开完整性", "绩效"}
    assert found.of("说明文字") and found.of("文字规则") and found.of("绩效")  # all fire on this department
    assert found.findings() == audit(sample_wb) == check_workbook(sample_wb)
    rules = [f.rule for f in found.findings()]
    assert "说明-数字不符" in rules and any(f.table == "绩效" for f in found.findings())


def test_window_and_check_agree_after_every_kind_of_edit(open_window, make_department_file, sample_wb):
    path = make_department_file(sample_wb)
    win = open_window(path)
    session = win.editor(2020).session

    def same() -> None:
        shown = win.year_findings(2020)
        assert shown == _from_file(path)  # what the window shows is what check says of the file
        assert win.findings.findings.rowCount() == len(shown)

    same()
    win.editor(2020).set_values({INCOME_1: Decimal("700.00")}, "一个数")  # a figure: 01 no longer adds up
    assert any(f.is_error for f in win.year_findings(2020))
    same()
    win.editor(2020).add_code("03", "2070101")  # a coded row
    same()
    win.show_texts(2020)
    win.pages[("texts", 2020)].texts["概况.部门职责"].setPlainText(WRONG_TEXT)  # a text
    assert any(f.rule == "说明-数字不符" for f in win.year_findings(2020))
    same()
    change = win.editor(2020).run(lambda: session.set_text(FORMS_KEY, dumps(seed002_forms())))  # the 绩效 forms
    assert change is not None and change.forms and change.save_error is None
    assert any(f.table == "绩效" for f in win.year_findings(2020))
    same()
    win.editor(2020).set_values({INCOME_1: Decimal("707.12")}, "改回")  # figures back: the text still disagrees
    same()


def test_findings_json_of_the_window_is_check_json(make_department_file, sample_wb, tmp_path):
    sample_wb.texts["概况.部门职责"] = WRONG_TEXT
    sample_wb.texts[FORMS_KEY] = dumps(seed002_forms())
    sample_wb.set(INCOME_1, Decimal("700.00"))
    path = make_department_file(sample_wb)
    shown = tmp_path / "shown.json"
    env = {"QT_QPA_PLATFORM": "offscreen", **__import__("os").environ}
    gui = subprocess.run([sys.executable, str(ROOT / "main.py"), str(path), "--screenshot", str(tmp_path / "w.png"),
                          "--findings-json", str(shown)], capture_output=True, text=True, encoding="utf-8", cwd=ROOT,
                         env=env, check=False)
    assert gui.returncode == 0, gui.stderr
    cli = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", "--json", str(path)], capture_output=True,
                         text=True, encoding="utf-8", cwd=ROOT, check=False)
    assert cli.returncode == 1
    window, check = json.loads(shown.read_text(encoding="utf-8")), json.loads(cli.stdout)
    assert window == check
    kinds = {(i["rule"] == "说明-数字不符", i["table"] == "绩效", i["severity"]) for i in window}
    assert (True, False, "warning") in kinds and any(i["table"] == "绩效" for i in window)
    assert any(i["severity"] == "error" and i["table"] == "01" for i in window)
