"""import-docx, driven from outside: a Word file's 概况 and 情况说明 into a year's texts, section by
section, then checked against the year's tables. The Word files are built from the seeds' own
published texts (headings numbered as the seeds number them); one holds tables too."""

import subprocess
import sys
from pathlib import Path

import pytest

from services.store import DepartmentFile
from tests.paths import FIXTURES, ROOT
from tests.real_texts import seed_paragraphs, seed_texts


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=180)


def _docx(paragraphs: list[str], dest: Path, table_rows: list[list[str]] | None = None) -> Path:
    """A Word file as a clerk types it: numbered headings in heading styles, the rest as paragraphs."""
    import re

    import docx

    document = docx.Document()
    for p in paragraphs:
        if re.match(r"^第[一二三四五]部分", p):
            document.add_heading(p, level=1)
        elif re.match(r"^[一二三四五六七八九十]+、", p) and len(p) <= 40:
            document.add_heading(p, level=2)
        else:
            document.add_paragraph(p)
        if table_rows and p.startswith("第二部分") and not document.tables:
            table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
            for r, row in enumerate(table_rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    document.save(str(dest))
    return dest


@pytest.fixture
def zhuzhou(tmp_path) -> Path:
    dest = tmp_path / "株洲市渌口区信访局.sqlite"
    assert run("import-xlsx", str(FIXTURES / "zhuzhou_2020.xlsx"), "-o", str(dest)).returncode == 0
    return dest


def _texts(path: Path, year: int = 2020) -> dict[str, str]:
    with DepartmentFile.open(path, readonly=True) as f:
        return f.load(year).texts


def test_seed000_text_from_word_is_read_by_section_and_checked(tmp_path, zhuzhou):
    doc = _docx(seed_paragraphs("000"), tmp_path / "情况说明.docx")
    p = run("import-docx", str(doc), str(zhuzhou))
    assert p.returncode == 0, p.stderr  # the texts' findings are warnings
    texts = _texts(zhuzhou)
    assert {k: v for k, v in texts.items() if k.startswith(("概况.", "情况说明", "名词.公开文件"))} == seed_texts("000")
    assert texts["名词.公开文件"].startswith("一、财政拨款收入：")  # the 名词解释, kept whole
    assert texts["概况.部门职责"].startswith("根据涪办[2019]49 号三定文件规定，本部门主要职责是：\n（一）贯彻执行上级")
    # seed 000's real contradictions: 收、支总计 432.32 (01 says 432.39), 年初财政拨款结转 0 (04: 0.06)
    assert "“收、支总计432.32万元”与公开01表 行30 总计（栏1 金额）432.39 不符" in p.stdout
    assert "“年初财政拨款结转和结余0万元”与公开04表" in p.stdout
    # and the template's alternatives left in its 三公 sentences
    assert "模板的“减少（增加）”“减少（增长）”没有选定其中一个词" in p.stdout
    assert "已从 情况说明.docx 读入 株洲市渌口区信访局 2020 年度的" in p.stdout


def test_a_word_file_of_the_whole_disclosure_leaves_its_tables(tmp_path, zhuzhou):
    rows = [["项目", "决算数"], ["一般公共预算财政拨款收入", "432.32"], ["本年收入合计", "432.32"]]
    doc = _docx(seed_paragraphs("000"), tmp_path / "公开文件.docx", rows)
    with DepartmentFile.open(zhuzhou, readonly=True) as f:
        before = f.load(2020).values
    p = run("import-docx", str(doc), str(zhuzhou))
    assert p.returncode == 0, p.stderr
    assert "文件中有 1 张表格，未导入" in p.stdout
    with DepartmentFile.open(zhuzhou, readonly=True) as f:
        assert f.load(2020).values == before


def test_a_second_word_file_replaces_the_sections_of_the_first(tmp_path, zhuzhou):
    assert run("import-docx", str(_docx(seed_paragraphs("000"), tmp_path / "a.docx")), str(zhuzhou)).returncode == 0
    paras = [p for p in seed_paragraphs("000") if not p.startswith("十三、")]
    shorter = [p if "432.32" not in p else p.replace("432.32", "432.39") for p in paras]
    p = run("import-docx", str(_docx(shorter, tmp_path / "b.docx")), str(zhuzhou))
    assert p.returncode == 0, p.stderr
    texts = _texts(zhuzhou)
    assert not any(k.startswith("情况说明.十三、") for k in texts)
    assert "432.32" not in texts["情况说明.一、收入支出决算总体情况说明"]
    assert "“收、支总计432.32万元”" not in p.stdout


@pytest.mark.parametrize("content, why", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Word（.doc）"),
    (b"plain text, not a docx", "不是 Word（.docx）文件"),
    (b"PK\x03\x04broken zip", "不是 Word（.docx）文件"),
])
def test_a_file_that_is_no_word_file_changes_nothing(tmp_path, zhuzhou, content, why):
    bad = tmp_path / "情况说明.docx"
    bad.write_bytes(content)
    before = _texts(zhuzhou)
    p = run("import-docx", str(bad), str(zhuzhou))
    assert p.returncode == 2 and why in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert _texts(zhuzhou) == before


def test_a_word_file_without_numbered_sections_changes_nothing(tmp_path, zhuzhou):
    doc = _docx(["会议纪要", "今天讨论了决算公开的安排。"], tmp_path / "纪要.docx")
    before = _texts(zhuzhou)
    p = run("import-docx", str(doc), str(zhuzhou))
    assert p.returncode == 2 and "没有找到“第一部分 …概况”或“第三部分 …情况说明”" in p.stderr
    assert _texts(zhuzhou) == before


def test_import_docx_needs_the_year_to_be_in_the_file(tmp_path, zhuzhou):
    doc = _docx(seed_paragraphs("000"), tmp_path / "情况说明.docx")
    p = run("import-docx", str(doc), str(zhuzhou), "--year", "2019")
    assert p.returncode == 2 and "请用 --year 指定年度" in p.stderr and "2020" in p.stderr
    p = run("import-docx", str(doc), str(tmp_path / "没有.sqlite"))
    assert p.returncode == 2 and "找不到部门数据文件" in p.stderr


def test_seed002_text_from_word_finds_its_two_real_contradictions(tmp_path):
    """Seed 002 (武汉市汉阳区信访局 2020) writes 机关运行经费 12.37 (06 公用经费合计 12.36) and 卫生健康
    28.7 (05: 28.71); its text has no other defect."""
    dest = tmp_path / "武汉市汉阳区信访局.sqlite"
    assert run("import-xlsx", str(FIXTURES / "wuhan_2020.xlsx"), "-o", str(dest)).returncode == 0
    p = run("import-docx", str(_docx(seed_paragraphs("002"), tmp_path / "002.docx")), str(dest))
    assert p.returncode == 0, p.stderr
    warnings = [ln for ln in p.stdout.splitlines() if ln.strip().startswith("! [提示]")]
    assert len(warnings) == 2, warnings
    assert any("“机关运行经费支出 12.37 万元”与公开06表 公用经费合计（栏1 决算数）12.36 不符" in w for w in warnings)
    assert any("“卫生健康(类)支出 28.7 万元”与公开05表 210 卫生健康支出" in w and "28.71" in w for w in warnings)
