"""Publication grade (issue 14): nothing printed empty, headers never broken inside a word, long
tables carry 续表 titles, headings kept with their text, the 绩效 总分 printed as entered, charts
that say something, 五（三） at the level the document uses — on the seeds, the fixtures and a
large generated department."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from services.disclosure.blocks import PH_OPEN, plain
from services.disclosure.narrative import draft
from services.synthetic import generate
from services.templates import get_template
from services.xlsx_import import import_xlsx
from tests.paths import FIXTURES

ROOT = Path(__file__).resolve().parent.parent


def wuhan():
    path = FIXTURES / "wuhan_2020.xlsx"
    if not path.exists():
        pytest.skip("fixture not available")
    return import_xlsx(path).workbook


@pytest.fixture(scope="module")
def big():
    """A large generated department: about 600 项 in each 功能分类 table."""
    return generate(get_template("national-2023"), year=2023, rows=600)


def code_lines(d) -> list[str]:
    """The 名词解释 lines of the department's 功能分类 codes ("1．…（项）：…")."""
    return [plain(b.text) for b in d.glossary if re.match(r"^\d+．", plain(b.text))]


# ── 1. nothing printed empty ────────────────────────────────────────────────
def test_every_glossary_code_has_a_definition_or_a_listed_placeholder():
    wb = wuhan()
    d = draft(wb)
    lines = code_lines(d)
    assert len(lines) == 8
    for line in lines:
        assert not line.endswith("（项）"), line
        head, _, text = line.partition("（项）：")
        assert text.strip(), line
    # the two the 科目 explanations do not give a verifiable text for are asked for, and listed
    for code, name in (("2081199", "其他残疾人事业支出"), ("2130599", "其他扶贫支出")):
        what = f"{name}（{code}）的科目说明（名词解释）"
        assert what in d.placeholders
        assert any(line.endswith(f"（项）：【请填写：{what}】") for line in lines)
    # the ones glossary.toml knows print their text, not a placeholder
    assert any("信访事务（项）：反映各级政府用于接待群众来信来访方面的支出。" in line for line in lines)


def test_the_clerks_definition_replaces_the_placeholder():
    wb = wuhan()
    wb.texts["名词.2130599"] = "反映除上述项目以外其他用于扶贫方面的支出。"
    d = draft(wb)
    assert not any("2130599" in p and "科目说明" in p for p in d.placeholders)
    assert any(line.endswith("其他扶贫支出（项）：反映除上述项目以外其他用于扶贫方面的支出。") for line in code_lines(d))


def test_a_large_department_has_no_empty_glossary_entry(big):
    d = draft(big)
    lines = code_lines(d)
    assert len(lines) > 100
    asked = [p for p in d.placeholders if p.endswith("的科目说明（名词解释）")]
    for line in lines:
        assert "（项）：" in line and line.split("（项）：", 1)[1].strip(), line
    # each asked for once, and listed
    assert len(asked) == len(set(asked)) == sum(PH_OPEN in b.text for b in d.glossary) > 100


def test_a_standard_item_has_the_one_text_under_every_kuan():
    """行政运行 under any 款 has the one text 《政府收支分类科目》 gives it (glossary.toml [names])."""
    wb = generate(get_template("national-2023"), year=2023, rows=60)
    t = next(t for t in wb.template.tables.values() if t.coded and t.classification == "功能")
    runs = [c for c in wb.codes(t.no) if len(c) == 7 and c.endswith("01")][:3]
    for c in runs:
        wb.coded[t.no][c] = "行政运行"
    lines = [line for line in code_lines(draft(wb)) if "行政运行（项）" in line]
    assert len(lines) >= 3
    assert all(line.endswith("行政运行（项）：反映行政单位（包括实行公务员管理的事业单位）的基本支出。") for line in lines)


def test_export_lists_the_glossary_placeholders(tmp_path):
    path = FIXTURES / "wuhan_2020.xlsx"
    if not path.exists():
        pytest.skip("fixture not available")
    out = subprocess.run([sys.executable, "main.py", "export-pdf", str(path), "-o", str(tmp_path / "w.pdf")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "  - 其他扶贫支出（2130599）的科目说明（名词解释）" in out.stdout
