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
from services.workbook import Cell
from services.xlsx_import import import_xlsx
from tests.paths import FIXTURES
from tests.seed003 import seed003

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


# ── 2. typeset, not just laid out ───────────────────────────────────────────
@pytest.fixture(scope="module")
def pdfs(tmp_path_factory, big):
    """The PDFs of seed 003, the wuhan fixture (seed 002) and the large generated department."""
    from services.pdf import export_pdf

    out = {}
    folder = tmp_path_factory.mktemp("publication")
    for name, wb in (("seed003", seed003()), ("wuhan", wuhan()), ("big", big)):
        export_pdf(wb, folder / f"{name}.pdf")
        out[name] = (folder / f"{name}.pdf", wb)
    return out


def page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    n = len(PdfReader(path).pages)
    return [subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(p), "-l", str(p), str(path), "-"],
                           capture_output=True, check=True).stdout.decode("utf-8") for p in range(1, n + 1)]


def bbox_lines(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, its text lines as (xMin, yMin, xMax, yMax, text) (pdftotext -bbox-layout)."""
    import html

    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    pages = []
    for page in xml.split("<page ")[1:]:
        lines = []
        for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', page, re.S):
            text = "".join(html.unescape(w) for w in re.findall(r">([^<]*)</word>", m.group(5)))
            lines.append((float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)), text))
        pages.append(lines)
    return pages


def ink_right(path: Path, page: int, dpi: int = 144):  # noqa: ANN201
    """A function (yMin, yMax) → the rightmost inked point (pt) of the page's rendering in that band:
    where a line really ends (poppler's boxes do not follow character spacing everywhere)."""
    from PIL import Image

    stem = path.with_name(f"ink-{path.stem}-{page}")
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png",
                    str(path), str(stem)], check=True)
    img = Image.open(f"{stem}.png").point(lambda v: 255 if v < 128 else 0)
    scale = dpi / 72

    def right(y0: float, y1: float) -> float:
        box = img.crop((0, int(y0 * scale) + 1, img.width, int(y1 * scale) - 1)).getbbox()
        return box[2] / scale if box else 0.0

    return right


needs_poppler = pytest.mark.skipif(subprocess.run(["which", "pdftotext"], capture_output=True).returncode != 0,
                                   reason="poppler-utils not installed")


@pytest.mark.parametrize("text, expected", [
    ("科目代码", ["科目代码"]),
    ("对附属单位补助支出", ["对附属单位", "补助", "支出"]),
    ("年初(末)结转和结余", ["年初(末)", "结转和", "结余"]),
    ("因公出国(境)费", ["因公出国", "(境)费"]),
    ("得分（20分*执行率）", ["得分", "（20分*", "执行率）"]),
    ("资本性支出（基本建设）", ["资本性", "支出", "（基本建设）"]),
])
def test_a_header_is_split_into_its_words(text, expected):
    from services.pdf.headwords import words

    assert words(text) == expected


def test_no_header_is_broken_inside_a_word(big):
    """Every header cell of every table, as sized for the page: each of its words fits its cell."""
    from services.pdf import fonts, headwords
    from services.pdf.document import frame_width
    from services.pdf.fonts import HEI
    from services.pdf.tables import HEAD, NORMAL, PAD, size_grid, table_grid

    fonts.register()
    checked = 0
    for wb in (seed003(), wuhan(), big, generate(get_template("sichuan-2020"), year=2020, rows=40)):
        for no in wb.template.tables:
            sized = size_grid(table_grid(wb, no), frame_width(False), frame_width(True), NORMAL)
            ends = {(c0, r0): c1 for c0, r0, c1, _ in sized.grid.spans}
            for r in range(sized.grid.header_rows):
                for j, (text, kind) in enumerate(sized.grid.rows[r]):
                    if kind != HEAD or not text:
                        continue
                    room = sum(sized.widths[j:ends.get((j, r), j) + 1]) - 2 * PAD
                    lines = headwords.lines(text, room, HEI, NORMAL[0])
                    assert "".join(lines) == text
                    assert all(fonts.width(line, HEI, NORMAL[0]) <= room + 0.01 for line in lines), (no, text, lines)
                    checked += 1
    assert checked > 100


@needs_poppler
def test_the_published_headers_read_whole(pdfs):
    path, _ = pdfs["wuhan"]
    lines = [line.strip() for page in page_texts(path) for line in page.splitlines()]
    assert "科目编码" in lines and "对附属单位" in lines
    for broken in ("码", "出", "余", "费", "金", "目"):
        assert broken not in lines


@needs_poppler
def test_a_long_table_repeats_its_title_block_with_continued(pdfs):
    path, wb = pdfs["big"]
    pages = page_texts(path)
    for no in ("02", "03", "05"):
        title = wb.template.tables[no].title
        on = [p for p in pages if f"公开{no}表" in p]
        assert len(on) > 5  # a 600-项 table runs over many pages
        assert sum(f"{title}（续表）" in p for p in on) == len(on) - 1
        assert f"{title}（续表）" not in on[0] and title in on[0]
        assert all("单位：万元" in p and "部门：模拟局" in p for p in on)


HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+．)")


@needs_poppler
@pytest.mark.parametrize("name", ["seed003", "wuhan", "big"])
def test_no_heading_ends_a_page(pdfs, name):
    path, wb = pdfs[name]
    d = draft(wb)
    heads = [re.sub(r"\s+", "", plain(b.text)) for b in d.overview + d.narrative + d.glossary if b.kind in ("h1", "h2", "lead")]
    for k, page in enumerate(page_texts(path)[2:], 3):
        text = re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", page))
        assert not any(h and text.endswith(h) for h in heads), (k, text[-40:])


@needs_poppler
@pytest.mark.parametrize("name", ["seed003", "wuhan", "big"])
def test_body_text_is_justified_and_no_line_has_one_character(pdfs, name):
    """Every line of a paragraph that goes on ends at the right margin (measured on the rendered page:
    its last character's ink, for lines ending in an ideograph or a digit); no line holds one character."""
    from services.pdf.styles import A4, BODY_MARGINS, BODY_SIZE

    path, _ = pdfs[name]
    left, right = BODY_MARGINS[0], A4[0] - BODY_MARGINS[1]
    checked = pages = 0
    for k, lines in enumerate(bbox_lines(path)[2:], 3):
        if any(x0 < left - 1 for x0, *_ in lines):
            continue  # a table page
        pages += 1
        if pages > 30:
            break
        ink = None
        for (x0, y0, _x1, y1, text), nxt in zip(lines, lines[1:] + [(0.0, 0.0, 0.0, 0.0, "")]):
            if min(abs(x0 - left), abs(x0 - left - 2 * BODY_SIZE)) > 0.5:
                continue  # not a line set in the frame (a chart's label, a centred title, the page number)
            assert len(text) > 1 or not text, f"孤字 {text!r}"
            goes_on = abs(nxt[0] - left) < 0.5 and nxt[4] and not HEADING.match(nxt[4])
            if goes_on and re.match(r"[\u4e00-\u9fff0-9]", text[-1]):
                ink = ink or ink_right(path, k)
                assert right - 4 <= ink(y0, y1) <= right + 0.5, (k, text, ink(y0, y1), right)
                checked += 1
    assert checked > 10


def test_adjacent_marks_are_squeezed():
    from services.pdf.linebreak import breaks, squeezed

    text = "行政运行（项）。称“三公经费。”见【附件】，（一）"
    assert squeezed(text) == {text.index("）。"), text.index("。”"), text.index("】，"), text.index("，（")}
    widths = [10.0] * len(text)
    (line,) = breaks(text, lambda i, _: widths[i], [1000.0])
    assert line[2] == 10.0 * len(text) - 4 * 5.0  # each takes half its width


# ── 5. print what was entered ───────────────────────────────────────────────
def test_the_forms_print_the_total_the_clerk_entered_and_the_check_reports_the_difference(tmp_path):
    from decimal import Decimal

    from services.pdf.performance import performance_pdf
    from services.performance import save_forms
    from services.performance.checks import check_form
    from services.performance.layout import form_grid
    from services.performance.spec import spec_for
    from tests.seed002_performance import seed002_forms

    spec = spec_for(2020)
    forms = seed002_forms(stated=True)
    p = next(f for f in forms.projects if f.name == "局机关运行保障工作经费项目")

    def printed(form) -> list[str]:  # noqa: ANN001
        g = form_grid(form, spec, 2020, "武汉市汉阳区信访局")
        return [next(t for t, _ in row[1:] if t) for row in g.rows if row[0][0] == "总分"]

    assert printed(p) == ["99.21"] and not [f for f in check_form(p, spec) if f.rule == "绩效-总分"]
    p.stated_total = Decimal("99.12")  # the clerk's figure, not what the form adds up to
    assert printed(p) == ["99.12"]
    [f] = [f for f in check_form(p, spec) if f.rule == "绩效-总分"]
    assert f.expected == Decimal("99.21") and f.actual == Decimal("99.12")
    p.stated_total = None  # nothing entered: the computed one
    assert printed(p) == ["99.21"]

    p.stated_total = Decimal("99.12")
    wb = wuhan()
    save_forms(wb, forms)
    performance_pdf(wb, str(tmp_path / "forms.pdf"))
    text = subprocess.run(["pdftotext", str(tmp_path / "forms.pdf"), "-"], capture_output=True, check=True).stdout.decode()
    assert "99.12" in text and "99.21" not in text


# ── 4. charts that say something ───────────────────────────────────────────
def charts_of(wb) -> list:  # noqa: ANN001
    return [b.chart for b in draft(wb).narrative if b.kind == "chart"]


def test_a_change_chart_needs_two_years_and_a_pie_two_slices():
    wb = seed003()  # 收入 is all 财政拨款 (a full disc), 支出 has 基本 and 项目, last year is known
    kinds = [(c.kind, c.title) for c in charts_of(wb)]
    assert sum(k == "bar" for k, _ in kinds) == 2  # 收支总计 and 财政拨款收支总计, each over two years
    assert all(len(c.categories) == 2 for c in charts_of(wb) if c.kind == "bar")
    pies = [c for c in charts_of(wb) if c.kind == "pie"]
    assert pies and all(len(c.items) > 1 for c in pies)
    income = next(t for t in wb.template.tables.values() if t.title == "收入决算表")
    parts = [c.no for c in income.columns[1:] if wb.get(Cell(income.no, "合计", c.no))]
    assert len(parts) == 1 and len(pies) == 1  # the 收入 pie would have been a full disc: its sentence is there
    assert any("收入合计1717.31万元" in plain(b.text) for b in draft(wb).narrative)
    wb.prior = {}  # one year: the sentence says it, no chart
    assert [c.kind for c in charts_of(wb)] == ["pie"]


def test_charts_share_one_size(big):
    from services.pdf import fonts
    from services.pdf.document import frame_width
    from services.pdf.styles import make_styles
    from services.pdf.textflow import block_flowables

    fonts.register()
    sizes = set()
    for wb in (seed003(), wuhan(), big):
        for f in block_flowables(draft(wb).narrative, make_styles(), frame_width(False, table=False), [0]):
            for inner in getattr(f, "_content", []):
                if hasattr(inner, "contents"):  # a Drawing
                    sizes.add((inner.width, inner.height))
    assert len(sizes) == 1


# ── 3. 五（三） at the level the document uses ─────────────────────────────
def detail_items(d) -> list[str]:  # noqa: ANN001
    return [plain(b.text) for b in d.narrative if b.kind == "lead"]


def test_detail_level_is_a_setting_and_the_budgets_are_asked_at_it():
    from services.disclosure.narrative import budget_codes

    wb = wuhan()
    items = detail_items(draft(wb))
    assert len(items) == 8 and all(i.endswith("（项）。") for i in items)  # the template's level: 项
    assert len(budget_codes(wb)) == 8
    wb.texts["设置.具体情况级次"] = "类"  # as seed 002 publishes it
    d = draft(wb)
    assert detail_items(d) == ["1．一般公共服务支出（类）。", "2．社会保障和就业支出（类）。", "3．卫生健康支出（类）。", "4．农林水支出（类）。"]
    assert budget_codes(wb) == ["201", "208", "210", "213"]
    assert "一般公共服务支出（201）年初预算数（万元）" in d.placeholders
    assert not any("2010301" in p and "年初预算" in p for p in d.placeholders)
    wb.texts["数据.年初预算.201"] = "556.83"  # seed 002's figures
    wb.texts["原因.预算执行.201"] = "开展集中治理重复信访、化解信访积案工作经费投入增加"
    text = "".join(plain(b.text) for b in draft(wb).narrative)
    assert "一般公共服务支出（类）。年初预算为556.83万元，支出决算为654.40万元，完成年初预算的117.52%" in text
    wb.texts["设置.具体情况级次"] = "款"
    assert [c for c in budget_codes(wb)] == ["20103", "20805", "20811", "21011", "21305"]


def test_a_large_department_goes_up_a_level_until_it_reads(big):
    from services.disclosure.narrative import budget_codes

    d = draft(big)
    items = detail_items(d)
    assert 0 < len(items) <= 30 and all(i.endswith("（类）。") for i in items)
    assert all(len(c) == 3 for c in budget_codes(big))
    asked = [p for p in d.placeholders if "年初预算数" in p]
    assert len(asked) == len(items) + 1  # each 类, and the total
    big.texts["设置.具体情况级次"] = "项"  # the clerk's choice is kept, however long
    try:
        assert len(detail_items(draft(big))) > 500
    finally:
        del big.texts["设置.具体情况级次"]


# ── 7. speed: the fonts' metrics are parsed once ───────────────────────────
def test_font_metrics_cache_gives_the_same_bytes_and_survives_damage(tmp_path):
    import os

    code = ("import sys\nfrom tests.seed003 import seed003\nfrom services.pdf import export_pdf\n"
            "export_pdf(seed003(), sys.argv[1])")
    env = {**os.environ, "DISCLOSURE_DESK_CACHE": str(tmp_path / "cache")}

    def export(name: str) -> bytes:
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], cwd=ROOT, env=env, check=True, timeout=300)
        return (tmp_path / name).read_bytes()

    parsed = export("parsed.pdf")  # no cache yet: parses the TTCs and writes their metrics
    cached = sorted((tmp_path / "cache" / "fonts").glob("*.cache"))
    assert len(cached) == 3  # 宋, 黑 and 楷
    assert export("cached.pdf") == parsed  # from the cache: the same bytes
    cached[0].write_bytes(b"not a pickle")
    assert export("damaged.pdf") == parsed  # a damaged cache is parsed again (and rewritten)
    assert cached[0].read_bytes() != b"not a pickle"


@needs_poppler
@pytest.mark.parametrize("name", ["seed003", "big"])
def test_every_contents_entry_names_the_page_it_is_on(pdfs, name):
    """The 目录's page numbers (each drawn as its heading is placed) are where the entries print."""
    path, _ = pdfs[name]
    pages = page_texts(path)
    numbered = {}
    for text in pages:
        found = re.findall(r"—\s*(\d+)\s*—", text)
        if found:
            numbered[int(found[-1])] = re.sub(r"\s+", "", text)
    layout = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "3", str(path), "-"], capture_output=True, check=True).stdout.decode()
    entries = [(re.sub(r"[\s.]+", "", m.group(1)), int(m.group(2)))
               for m in re.finditer(r"^\s*(\S.*?)[\s.]+(\d+)\s*$", layout, re.M) if "、" in m.group(1)]
    assert len(entries) > 20
    for title, page in entries:
        assert title in numbered[page] or title.split("、", 1)[1] in numbered[page], (title, page)  # tables print no numeral


def test_the_document_is_laid_out_once(tmp_path, monkeypatch):
    """The 目录's entries are the story's headings, known before the layout: one pass, not two."""
    from services.pdf import document, export_pdf

    def refused(*args, **kw):  # noqa: ANN002, ANN003
        raise AssertionError("laid out twice")

    monkeypatch.setattr(document.DisclosureDoc, "multiBuild", refused)
    assert export_pdf(seed003(), tmp_path / "once.pdf").pages == 25


@needs_poppler
def test_headings_other_than_the_storys_fall_back_to_two_passes(tmp_path, monkeypatch):
    """Should the placed headings ever differ from the story's, the 目录 is made in two passes,
    and its numbers are as right as ever."""
    from services.pdf import contents, document, export_pdf

    monkeypatch.setattr(document, "entries_of", lambda story: contents.entries_of(story)[1:])
    wb = seed003()
    path = tmp_path / "twice.pdf"
    assert export_pdf(wb, path).pages == 25
    layout = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(path), "-"], capture_output=True,
                            check=True).stdout.decode()
    assert re.search(r"附件2：.*\s23\s*$", layout, re.M)


# ── 6. 公文 conventions: the PDF's dates ────────────────────────────────────
def test_the_pdf_is_dated_by_the_documents_own_publication_date(tmp_path):
    from services.pdf import export_pdf
    from services.pdf.justify import pdf_date

    assert pdf_date(2023, "2024年9月30日") == "D:20240930120000+08'00'"
    assert pdf_date(2023, "2024-09-05") == "D:20240905120000+08'00'"
    assert pdf_date(2023, "2024年2月30日") == pdf_date(2023, None) == "D:20231231120000+08'00'"  # not a date
    wb = seed003()
    wb.texts["封面.日期"] = "2024年9月30日"
    export_pdf(wb, tmp_path / "dated.pdf")
    data = (tmp_path / "dated.pdf").read_bytes()
    assert b"/CreationDate (D:20240930" in data and b"/ModDate (D:20240930" in data


@needs_poppler
def test_page_numbers_are_outside_right_on_odd_pages_left_on_even(pdfs):
    path, _ = pdfs["seed003"]
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    seen = set()
    for page in xml.split("<page ")[1:]:
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', page)
        for k in range(len(words) - 2):
            if words[k][1] == "—" and words[k + 1][1].isdigit() and words[k + 2][1] == "—":
                n, x0 = int(words[k + 1][1]), float(words[k][0])
                assert (x0 > width / 2) == bool(n % 2), (n, x0, width)
                seen.add(n % 2)
    assert seen == {0, 1}


# ── 6. 公文 conventions: 28 characters a line, （一）-level headings in 楷体 ────
def test_a_body_line_holds_28_characters():
    """GB/T 9704: 28 characters a line on the 156 mm text block (the body measured as it is set)."""
    from reportlab.platypus import Paragraph

    from services.pdf import fonts
    from services.pdf.styles import BODY_MARGINS, make_styles

    fonts.register()
    styles = make_styles()
    width = 156 * 72 / 25.4
    assert abs((210 * 72 / 25.4 - BODY_MARGINS[0] - BODY_MARGINS[1]) - width) < 1e-6
    for n, lines in ((28, 1), (29, 2), (56, 2)):
        p = Paragraph("财" * n, styles.body_flush)
        p.wrap(width, 10_000)
        assert len(p.blPara.lines) == lines, n
    indented = Paragraph("财" * 54, styles.body)  # the first line indented two characters
    indented.wrap(width, 10_000)
    assert len(indented.blPara.lines) == 2


def test_second_level_headings_print_in_kai_with_song_for_what_it_lacks():
    from services.pdf import fonts
    from services.pdf.styles import make_styles
    from services.pdf.textflow import markup

    fonts.register()
    assert make_styles().h2.fontName == fonts.KAI
    # 堃 (in 宋体, not in GB 2312's 楷体) prints in 宋体; the rest, placeholders included, in 楷体
    text = markup("（一）区堃园管理处情况", fonts.KAI)
    assert text == f'（一）区<font name="{fonts.SONG}">堃</font>园管理处情况'
    assert markup("（二）A&B", fonts.KAI) == "（二）A&amp;B"


@needs_poppler
def test_the_kai_face_is_embedded_and_carries_its_modification_notice(pdfs):
    path, _ = pdfs["seed003"]
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"\+UKaiCN\s+TrueType.*yes\s+yes\s+yes", listed)
    from reportlab.pdfbase.ttfonts import TTFontFile

    from services.pdf.fonts import FONT_DIR

    face = TTFontFile(str(FONT_DIR / "ukai-gb2312.ttf"))
    gb = {ord(bytes([hi, lo]).decode("gb2312")) for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)
          if not (hi == 0xD7 and lo > 0xF9)}
    assert gb <= set(face.charToGlyph)  # every GB 2312 汉字
    assert (FONT_DIR / "LICENSE-arphic-ukai.txt").exists()
    assert "Modified 2026-12-01".encode("utf-16-be") in (FONT_DIR / "ukai-gb2312.ttf").read_bytes()
