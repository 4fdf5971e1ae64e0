"""A year read from a published PDF in the window: the findings panel lists its table gaps and its
text findings (under 情况说明（文字）), exactly what ``check`` says of the file."""

import json
import os
import subprocess
import sys

import pytest

from tests.paths import ROOT
from tests.real_texts import PUTUO_PDF

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def putuo_file(tmp_path_factory):
    dest = tmp_path_factory.mktemp("putuo") / "上海市普陀区财政局.sqlite"
    p = subprocess.run([sys.executable, str(ROOT / "main.py"), "import-pdf", str(PUTUO_PDF), "-o", str(dest)],
                       capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=False)
    assert p.returncode == 0, p.stderr
    return dest


def test_the_window_shows_the_text_findings_of_a_published_pdf(open_window, putuo_file):
    win = open_window(putuo_file)
    shown = win.year_findings(2024)
    texts = [f for f in shown if f.table == "说明"]
    assert {f.rule for f in texts} == {"说明-占比不符", "说明-其中不符", "说明-增减矛盾"}
    model = win.findings.findings
    rows = [model.data(model.index(r, 1)) for r in range(model.rowCount())]
    assert rows.count("情况说明（文字）") == len(texts)
    assert sum(f.is_error for f in shown) == 10
    from ui.navigator import COUNTS

    assert win.nav._lines[("texts", 2024)].data(COUNTS) == (0, len(texts))  # badged on the texts' page


def test_findings_json_of_the_window_is_check_json_for_a_published_pdf(putuo_file, tmp_path):
    out = tmp_path / "shown.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    gui = subprocess.run([sys.executable, str(ROOT / "main.py"), str(putuo_file), "--screenshot", str(tmp_path / "w.png"),
                          "--findings-json", str(out)], capture_output=True, text=True, encoding="utf-8", cwd=ROOT,
                         env=env, check=False)
    assert gui.returncode == 0, gui.stderr
    cli = subprocess.run([sys.executable, str(ROOT / "main.py"), "check", "--json", str(putuo_file)],
                         capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=False)
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(cli.stdout)


def test_the_sections_read_are_on_the_texts_page_and_a_correction_clears_its_finding(open_window, putuo_file, tmp_path):
    import shutil

    path = tmp_path / putuo_file.name
    shutil.copy(putuo_file, path)  # the module's file stays as imported
    win = open_window(path)
    win.show_texts(2024)
    page = win.pages[("texts", 2024)]
    key = "情况说明.五、一般公共预算财政拨款支出决算情况说明.（二）一般公共预算财政拨款支出决算结构情况"
    read = [k for k in page.texts if k.startswith("情况说明.")]
    assert read[0] == "情况说明.一、收入支出决算总体情况说明" and read[-1].startswith("情况说明.十一、")  # as numbered
    edit = page.texts[key]
    assert "占71.73%" in edit.toPlainText()
    edit.setPlainText(edit.toPlainText().replace("占71.73%", "占71.65%"))
    assert not [f for f in win.year_findings(2024) if f.rule == "说明-占比不符"]
    from services.store import DepartmentFile

    with DepartmentFile.open(path, readonly=True) as f:
        assert "占71.65%" in f.load(2024).texts[key]


def test_a_text_finding_takes_the_clerk_to_the_text_it_quotes(open_window, putuo_file, qtbot):
    win = open_window(putuo_file)
    finding = next(f for f in win.year_findings(2024) if f.rule == "说明-其中不符")
    win.jump_to_finding(finding)
    page = win.pages[("texts", 2024)]
    assert win.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.texts[finding.row].hasFocus())
    assert "251.25" in page.texts[finding.row].toPlainText()
