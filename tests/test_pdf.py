"""The publication PDF: what it says (titles, department, totals, the drafted 情况说明), that it is
print-ready (fonts embedded, names wrapped inside their cells, Chinese line-breaking rules), that the
same data gives the same bytes, and that the clerk's own texts are checked against the tables."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from services.cli.tables import cmd_export_pdf
from services.disclosure.narrative import PH_OPEN, draft, plain
from services.money import parse_amount, round_cent
from services.narrative_check import check_texts
from services.pdf import export_pdf
from services.pdf.linebreak import NO_END, NO_START, breaks
from services.synthetic import generate
from services.templates import get_template
from services.workbook import Cell
from tests.seed003 import seed003

ROOT = Path(__file__).resolve().parent.parent
from tests.paths import FIXTURES, SEEDS  # noqa: E402

FORBIDDEN_START = "，。、；：？！）】》”’…%,.;:)"


def pdf_text(path: Path, first: int | None = None) -> str:
    """The text of a PDF as pdftotext reads it (pypdf when poppler is not installed)."""
    if shutil.which("pdftotext"):
        args = ["pdftotext", "-enc", "UTF-8"] + (["-f", str(first)] if first else []) + [str(path), "-"]
        return subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")
    pages = PdfReader(path).pages[(first or 1) - 1:]
    return "\n".join(p.extract_text() for p in pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "seed003.pdf"
    steps = []
    res = export_pdf(seed003(), path, progress=lambda done, total, what: steps.append((done, total, what)))
    return path, res, steps


# ── content ─────────────────────────────────────────────────────────────────
def test_every_table_title_department_and_key_totals_are_printed(seed_pdf):
    path, _, _ = seed_pdf
    text = squeeze(pdf_text(path))
    wb = seed003()
    for no, t in wb.template.tables.items():
        assert squeeze(t.title) in text, t.title
        assert f"公开{no}表" in text
    assert "长沙市信访局" in text and "部门决算" in text
    for total in ("1,717.31", "1,435.88", "281.43", "1,311.48", "124.40", "9.13", "7.04"):
        assert total in text, total
    for part in ("第一部分", "第二部分", "第三部分", "第四部分", "第五部分", "目录"):
        assert part in squeeze(text.replace("　", "")), part


def test_narrative_is_drafted_from_the_numbers(seed_pdf):
    path, _, _ = seed_pdf
    text = squeeze(pdf_text(path))
    assert "2023年度收、支总计1717.31万元。与上年相比，收、支总计各减少207.43万元，下降10.78%。" in text
    assert "主要原因是：2023年市级信访救助资金专项中200万元纳入财政公共项目。" in text
    assert "基本支出1435.88万元，占83.61%；项目支出281.43万元，占16.39%" in text
    assert "人员经费1311.48万元，占基本支出的91.34%" in text
    assert "完成预算的77.11%" in text and "增长432.50%" in text
    assert "完成年初预算的88.61%" in text
    # the seed printed 48.53% here; 281.43 / 572.97 is 49.12%
    assert "完成年初预算的49.12%" in text
    assert "政府采购支出总额28.53万元" in text and "占政府采购支出总额的92.11%" in text
    assert "机关运行经费支出124.40万元，比上年决算数增加10.58万元，增长9.30%" in text


def _amounts(text: str) -> list[Decimal]:
    return [Decimal(m.replace(",", "")) for m in re.findall(r"(\d[\d,]*\.?\d*)万元(?!以上)", text)]


def test_every_amount_in_the_narrative_comes_from_the_tables_or_the_clerk():
    wb = seed003()
    allowed = {round_cent(v) for v in wb.values.values()} | {round_cent(v) for v in wb.prior.values()}
    allowed |= {round_cent(abs(wb.values.get(c, Decimal(0)) - v)) for c, v in wb.prior.items()}
    for text in wb.texts.values():
        allowed |= {round_cent(a) for a in _amounts(text)}
        try:
            v = parse_amount(text)
            if v is not None:
                allowed.add(round_cent(v))
        except ValueError:
            pass
    allowed.add(Decimal("28.53"))  # 政府采购 total = 货物 + 工程 + 服务, all three entered by the clerk
    d = draft(wb)
    stated = [a for b in d.narrative if b.kind == "p" for a in _amounts(plain(b.text))]
    assert stated
    assert [a for a in stated if round_cent(a) not in allowed] == []


def test_page_count_and_progress(seed_pdf):
    path, res, steps = seed_pdf
    assert res.pages == len(PdfReader(path).pages)
    assert res.pages >= 12
    assert res.seconds > 0
    assert [s[0] for s in steps] == list(range(1, len(steps) + 1))
    assert steps[-1][0] == steps[-1][1]


def test_missing_texts_print_visible_placeholders(tmp_path):
    wb = seed003()
    del wb.texts["原因.收入支出总体"], wb.texts["数据.会议费"], wb.texts["概况.部门职责"]
    res = export_pdf(wb, tmp_path / "x.pdf")
    assert "收、支总计增减变化的主要原因" in res.placeholders
    assert "会议费支出（万元）" in res.placeholders
    assert "部门职责" in res.placeholders
    text = squeeze(pdf_text(tmp_path / "x.pdf"))
    assert "【请填写：收、支总计增减变化的主要原因】" in text
    assert "开支会议费【请填写：会议费支出（万元）】万元" in text


def test_no_prior_year_asks_for_it_instead_of_inventing_a_change():
    wb = seed003()
    wb.prior = {}
    first = next(b for b in draft(wb).narrative if b.kind == "p")
    assert PH_OPEN in first.text
    assert "与上年相比，收、支总计各【请填写：与上年相比的增减情况" in plain(first.text)


def test_last_year_in_the_same_file_gives_the_changes(tmp_path):
    """Both years imported from Excel (no 上年数 of their own): the later year compares with the
    earlier one's figures in the same file, and says by how much."""
    from services.store import DepartmentFile

    this = seed003()
    this.prior = {}
    last = seed003()
    last.year, last.prior = this.year - 1, {}
    last.values = {c: v * 2 for c, v in last.values.items()}  # last year: twice as much
    path = tmp_path / "dept.sqlite"
    with DepartmentFile.create(path, this.department) as f:
        f.save(last)
        f.save(this)
        loaded = f.load(this.year)
        assert loaded.prior == last.values and f.load(last.year).prior == {}
    first = plain(next(b for b in draft(loaded).narrative if b.kind == "p").text)
    assert "与上年相比，收、支总计各减少1717.31万元，下降50.00%" in first


def test_empty_table_prints_its_sentence(seed_pdf):
    path, _, _ = seed_pdf
    text = squeeze(pdf_text(path))
    wb = seed003()
    for no in ("07", "08"):
        note = wb.template.tables[no].empty_note
        assert note and squeeze(note) in text, no


# ── print-ready ─────────────────────────────────────────────────────────────
def _fonts(path: Path) -> list[dict]:
    out = []
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            out.append(ref.get_object())
    return out


@pytest.mark.parametrize("source", ["seed", "fixture"])
def test_every_font_is_embedded(seed_pdf, tmp_path, source):
    path = seed_pdf[0]
    if source == "fixture":
        xlsx = FIXTURES / "zhuzhou_2020.xlsx"
        if not xlsx.exists():
            pytest.skip("fixture not available")
        path = tmp_path / "z.pdf"
        assert cmd_export_pdf(xlsx, None, path, sys.stdout, sys.stderr) == 0
    fonts = _fonts(path)
    assert fonts
    for f in fonts:
        assert f["/Subtype"] == "/TrueType", f["/BaseFont"]
        assert "/FontFile2" in f["/FontDescriptor"].get_object(), f["/BaseFont"]
        assert "Helvetica" not in f["/BaseFont"]
    if shutil.which("pdffonts"):
        lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert lines and all(line.split()[-5] == "yes" for line in lines), lines  # the "emb" column


def test_same_data_gives_the_same_bytes(seed_pdf, tmp_path):
    path, _, _ = seed_pdf
    again = tmp_path / "again.pdf"
    export_pdf(seed003(), again)
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / "other.pdf"  # another process: no hidden global state (font registration order …)
    code = f"from tests.seed003 import seed003\nfrom services.pdf import export_pdf\nexport_pdf(seed003(), {str(other)!r})"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    assert other.read_bytes() == path.read_bytes()
    assert b"/CreationDate (D:20231231" in path.read_bytes()


LONG_NAME = "关于某某专项工作经费及其配套资金的支出" * 3  # 57 characters
LONG_NAME = LONG_NAME + "的说明"  # 60


def _long_name_workbook():
    wb = generate(get_template("national-2023"), year=2023, rows=10, seed=3, department="测试局")
    code = next(c for c in wb.codes("03") if len(c) == 7)
    wb.coded["03"][code] = LONG_NAME
    return wb, code


def test_a_long_name_wraps_inside_its_cell():
    from services.disclosure.texts import narrative_spec
    from services.pdf import fonts, linebreak
    from services.pdf.document import frame_width
    from services.pdf.styles import make_styles
    from services.pdf.tables import LABEL, PAD, TITLE_ROWS, size_grid, table_flowables, table_grid

    assert len(LONG_NAME) == 60
    fonts.register()
    linebreak.install()
    wb, _ = _long_name_workbook()
    sized = size_grid(table_grid(wb, "03"), frame_width(False), frame_width(True))
    flows = table_flowables(sized, wb, make_styles(), narrative_spec()["tables_part"], "三、支出决算表")
    table = flows[0]  # the title block is the table's first rows
    checked = 0
    for row in table._cellvalues[TITLE_ROWS:]:
        for j, cell in enumerate(row):
            if sized.grid.col_kinds[j] != LABEL or not hasattr(cell, "getPlainText"):
                continue
            inner = sized.widths[j] - 2 * PAD  # what the table gives the paragraph
            cell.wrap(inner, 10_000)
            for line in cell.blPara.lines:
                width = getattr(line, "currentWidth", None)
                if width is None:  # single-style paragraph: [extraSpace, words]
                    width = inner - line[0]
                assert width <= inner + 0.01
            if cell.getPlainText() == LONG_NAME:
                assert len(cell.blPara.lines) >= 2
                checked += 1
    assert checked == 1


def test_a_long_name_is_split_across_lines_in_the_pdf(tmp_path):
    wb, code = _long_name_workbook()
    export_pdf(wb, tmp_path / "long.pdf")
    text = pdf_text(tmp_path / "long.pdf")
    lines = text.splitlines()
    assert not any(LONG_NAME in line for line in lines)  # never one line (it would overflow)
    assert LONG_NAME in squeeze(text)  # but all of it is there, wrapped


def test_no_line_starts_with_closing_punctuation(seed_pdf):
    path, _, _ = seed_pdf
    text = pdf_text(path, first=3)  # after the cover and the 目录 (whose dot leaders start lines)
    bad = [line for line in text.splitlines() if line and line[0] in FORBIDDEN_START]
    assert bad == []


def test_line_breaker_rules():
    text = "收支总计1717.31万元，与上年相比（增加）“三公”经费。"
    widths = [5.0 if c.isascii() else 10.0 for c in text]
    for max_width in range(40, 200, 5):
        lines = breaks(text, lambda i, _: widths[i], [float(max_width)])
        assert "".join(text[s:e] for s, e, *_ in lines) == text
        for k, (s, e, used, mw, _) in enumerate(lines):
            assert used <= mw + 1e-6 or e - s == 1
            if k > 0:
                assert text[s] not in NO_START, (max_width, text[s:e])
            if e < len(text):
                assert text[e - 1] not in NO_END, (max_width, text[s:e])
        starts = {s for s, *_ in lines}
        # numbers are never cut: no line starts inside 1717.31
        number = text.index("1717.31")
        assert not any(number < s < number + 7 for s in starts) or max_width < 40


def test_every_drafted_paragraph_follows_the_rules():
    from reportlab.platypus import Paragraph

    from services.pdf import fonts, linebreak
    from services.pdf.document import frame_width
    from services.pdf.styles import make_styles
    from services.pdf.textflow import markup

    fonts.register()
    linebreak.install()
    body = make_styles().body
    d = draft(seed003())
    for b in d.overview + d.narrative + d.glossary:
        if b.kind not in ("p", "lead"):
            continue
        p = Paragraph(markup(b.text), body)
        p.wrap(frame_width(False, table=False), 10_000)
        for line in p.blPara.lines[1:]:
            first = line.words[0].text[:1] if hasattr(line, "words") else line[1][0][:1]
            assert first and first not in FORBIDDEN_START, plain(b.text)


# ── the clerk's texts against the tables ─────────────────────────────────────
def test_narrative_check_finds_a_contradicting_number():
    wb = seed003()
    wb.texts["原因.收入支出总体"] = "本年收、支总计1717.32万元，主要是人员增加。"
    found = check_texts(wb)
    assert len(found) == 1
    f = found[0]
    assert (f.rule, f.severity, f.table) == ("说明-数字不符", "warning", "01")
    assert f.expected == Decimal("1717.31") and f.actual == Decimal("1717.32")
    assert "1,717.31" in f.message and "1,717.32" in f.message and "原因.收入支出总体" in f.message
    assert f.possible_rounding and f.cell == Cell("01", "收入总计", 1)


def test_narrative_check_seed000_style_contradictions():
    wb = seed003()
    wb.values[Cell("01", "收入总计", 1)] = Decimal("432.39")
    wb.texts["说明.其他"] = "2020年度收、支总计432.32万元、432.39万元（收入总计含年初结转和结余0.06万元）。"
    wb.texts["原因.机关运行经费"] = "机关运行经费 12.37 万元，卫生健康（类）支出 28.7 万元"
    found = {(f.table, f.actual) for f in check_texts(wb)}
    assert ("01", Decimal("432.32")) in found
    assert ("01", Decimal("0.06")) in found  # 年初结转和结余 is 0.00 in 01
    assert ("06", Decimal("12.37")) in found  # 06 公用经费合计 is 124.40


def _seed_narrative(seed: str) -> dict[str, str]:
    """第三部分 of a published seed, one text per paragraph, as if the clerk had typed it."""
    text = next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
    start = text.index("第三部分", text.index("第三部分") + 4)
    part = text[start:text.index("第四部分", start)]
    return {f"说明.{i:03d}": p.strip() for i, p in enumerate(part.splitlines()) if p.strip()}


@pytest.mark.parametrize("fixture, seed", [("zhuzhou_2020", "000"), ("wuhan_2020", "002")])
def test_narrative_check_finds_the_seeds_real_contradictions(fixture, seed):
    """DOMAIN.md: 000 says 收、支总计 432.32 and 财政拨款年初结转 0; 002 says 机关运行经费 12.37 and 卫生健康 28.7."""
    from services.cli.common import load_any

    xlsx = FIXTURES / f"{fixture}.xlsx"
    if not xlsx.exists() or not (ROOT / "services" / "xlsx_import.py").exists():
        pytest.skip("xlsx importer or fixture not available")
    wb = load_any(xlsx).workbooks[0]
    wb.texts = _seed_narrative(seed)
    found = {(f.table, f.actual, f.expected) for f in check_texts(wb)}
    if seed == "000":
        assert ("01", Decimal("432.32"), Decimal("432.39")) in found
        assert ("04", Decimal("0"), Decimal("0.06")) in found
    else:
        assert found == {("06", Decimal("12.37"), Decimal("12.36")), ("05", Decimal("28.7"), Decimal("28.71"))}


def test_narrative_check_class_names():
    wb = seed003()
    wb.texts["说明.其他"] = "一般公共服务（类）支出1717.30万元。"
    (f,) = check_texts(wb)
    assert f.table == "05" and f.expected == Decimal("1717.31")


def test_narrative_check_stays_quiet_for_correct_numbers_and_other_figures():
    wb = seed003()
    assert check_texts(wb) == []
    wb.texts["说明.其他"] = (
        "收、支总计1717.31万元，与上年相比减少207.43万元；“三公”经费支出预算为9.13万元，支出决算为7.04万元；"
        "公务接待费比上年增加1.73万元；人员经费1311.48万元。"
    )
    assert check_texts(wb) == []


# ── command line, other templates, start-up ─────────────────────────────────
def test_command_exit_codes(tmp_path, capsys):
    assert cmd_export_pdf(tmp_path / "missing.xlsx", None, tmp_path / "o.pdf", sys.stdout, sys.stderr) == 2
    assert "无法读取" in capsys.readouterr().err
    xlsx = FIXTURES / "wuhan_2020.xlsx"
    if not xlsx.exists() or not (ROOT / "services" / "xlsx_import.py").exists():
        pytest.skip("xlsx importer or fixture not available")
    out = tmp_path / "w.pdf"
    assert cmd_export_pdf(xlsx, None, out, sys.stdout, sys.stderr) == 0
    said = capsys.readouterr().out
    assert "武汉市汉阳区信访局" in said and "页" in said
    text = squeeze(pdf_text(out))
    assert "武汉市汉阳区信访局" in text and "707.12" in text
    assert len(PdfReader(out).pages) >= 12


@pytest.mark.parametrize("template", ["national-2020", "national-2023"])
def test_generated_departments_export(tmp_path, template):
    wb = generate(get_template(template), year=int(template[-4:]), rows=60, seed=5)
    res = export_pdf(wb, tmp_path / "g.pdf")
    assert res.pages >= 12
    text = squeeze(pdf_text(tmp_path / "g.pdf"))
    three = next(t for t in wb.template.tables.values() if "三公" in t.title)
    assert squeeze(three.title) in text


def test_making_a_pdf_module_available_does_not_import_reportlab():
    code = "import services.pdf, services.narrative_check, sys; print('reportlab' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unwritable_destination_is_an_error(tmp_path, capsys):
    xlsx = FIXTURES / "zhuzhou_2020.xlsx"
    if not xlsx.exists():
        pytest.skip("fixture not available")
    dest = tmp_path / "no-such-dir" / "x.pdf"
    assert cmd_export_pdf(xlsx, None, dest, sys.stdout, sys.stderr) == 2
    assert "无法写入" in capsys.readouterr().err
