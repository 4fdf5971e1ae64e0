"""Published PDFs read back in (import-pdf, check PUBLISHED.pdf), driven from outside.

The real 上海市普陀区财政局 2024 PDF must give the figures and the table findings its workbook gives,
and its text the contradictions found by reading it; the product's own export-pdf of the fixtures'
departments and a clerk's Excel printed by LibreOffice must read back to the figures printed; a
table read in part is reported as such, never as errors; a file that is no PDF changes nothing.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.audit import audit
from services.completeness import items as completeness_items
from services.published.importer import PublishedReadError, import_pdf
from services.store import DepartmentFile
from services.xlsx_import import import_xlsx
from tests.paths import FIXTURES, ROOT, SHARED
from tests.real_texts import PUTUO_PDF, putuo_import

PUTUO_XLSX = SHARED / "samples" / "putuo_czj_2024.xlsx"

#: the document's real inconsistencies, found by reading it (page, section, figures: see the issue note)
PUTUO_TABLE_FINDINGS = [
    ("表间-01各类对03", "01", "-0.01"),  # p.6 01 208 326.71 vs 03 208 326.72
    ("02-合计", "02", "-0.01"), ("02-合计", "02", "-0.01"),  # p.8 02 合计 2,946.25 / 2,940.05 vs Σ类
    ("03-合计", "03", "-0.01"), ("03-合计", "03", "-0.01"),  # p.10 03 合计 2,940.05 / 2,336.91
    ("表间-04各类对05", "04", "-0.01"),  # p.12 04 208 326.71 vs 05 326.72
    ("05-合计", "05", "-0.01"), ("05-合计", "05", "-0.01"),  # p.15 05 合计 2,940.05 / 2,336.91
    ("06-类", "06", "-0.01"), ("06-类", "06", "-0.02"),  # p.16 06 301 2,082.85, 302 171.07
]
PUTUO_TEXT_FINDINGS = {
    # p.21 四、财政拨款收入支出总计0.3万元 (04 总计 2,961.68)
    ("说明-数字不符", "情况说明.四、财政拨款收入支出决算总体情况说明", "0.30"),
    # p.21 四、…总计持平。主要原因：…减少支付
    ("说明-增减矛盾", "情况说明.四、财政拨款收入支出决算总体情况说明", None),
    # p.21 五（二）一般公共服务支出（类）2106.66万元，占71.73% (2106.66 / 2940.05 = 71.65%)
    ("说明-占比不符", "情况说明.五、一般公共预算财政拨款支出决算情况说明.（二）一般公共预算财政拨款支出决算结构情况", "71.73"),
    # p.24 十一（二）政府采购251.25万元，其中4.79 + 0 + 246.47 = 251.26
    ("说明-其中不符", "情况说明.十一、其他重要事项的情况说明.（二）政府采购支出情况", "251.26"),
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def _nonzero(values: dict) -> dict:
    return {k: v for k, v in values.items() if v != 0}  # a blank and a printed 0.00 are the same figure


def test_putuo_pdf_reads_the_figures_its_workbook_holds():
    res = putuo_import()
    wb, xlsx = res.workbook, import_xlsx(PUTUO_XLSX).workbook
    assert wb.template.id == "shanghai-2024" and (wb.department, wb.year) == ("上海市普陀区财政局", 2024)
    assert res.unplaced == [] and wb.incomplete() == {}
    assert wb.values == xlsx.values and wb.coded == xlsx.coded
    table_findings = [f for f in audit(wb) if f.table.isdigit() and f.rule != "说明-数字不符"]
    assert [f.message for f in table_findings] == [f.message for f in audit(xlsx)]


def test_putuo_pdf_texts_are_its_sections():
    texts = putuo_import().workbook.texts
    assert texts["概况.部门职责"].startswith("第一条根据《上海市普陀区机构改革方案》")
    assert "（十二）完成区委、区政府交办的其他任务。" in texts["概况.部门职责"]  # a numbered paragraph, not a heading
    assert texts["情况说明.一、收入支出决算总体情况说明"] == (
        "上海市普陀区财政局2024年度收入支出总计2995.39万元。与2023年度相比，收入支出总计减少56.95万元，下降1.87%。"
        "主要原因：基本支出中人员进出及退休变化，以及项目支出中合同支付进度条款等原因减少支付。")
    detail = texts["情况说明.五、一般公共预算财政拨款支出决算情况说明.（三）一般公共预算财政拨款支出决算具体情况"]
    assert "11、住房保障支出（类）住房改革支出（款）购房补贴（项）" in detail  # items stay in their section
    # part 4, the 名词解释, is kept whole (its numbered entries are not sections of the 情况说明)
    assert texts["名词.公开文件"].startswith("一、财政拨款收入：指单位本年度从本级财政部门取得的财政拨款")
    assert "十一、机关运行经费：" in texts["名词.公开文件"]
    assert not any("财政拨款收入：指" in v for k, v in texts.items() if k != "名词.公开文件")


def test_check_putuo_pdf_reports_its_real_inconsistencies_and_nothing_else():
    p = run("check", "--json", str(PUTUO_PDF))
    assert p.returncode == 1, p.stderr
    items = json.loads(p.stdout)
    tables = sorted((i["rule"], i["table"], i["difference"]) for i in items if i["severity"] == "error")
    assert tables == sorted(PUTUO_TABLE_FINDINGS)
    warnings = [i for i in items if i["severity"] == "warning"]
    got = {(i["rule"], i["row"] if i["table"] == "说明" else _text_key(i["message"]), i["actual"]) for i in warnings}
    assert got == PUTUO_TEXT_FINDINGS
    assert len(warnings) == len(PUTUO_TEXT_FINDINGS)
    assert next(i for i in warnings if i["rule"] == "说明-其中不符")["possible_rounding"] is True


def _text_key(message: str) -> str:
    return message.split("“", 1)[1].split("”", 1)[0]


def test_import_pdf_makes_a_department_file_that_checks_the_same(tmp_path):
    dest = tmp_path / "普陀区财政局.sqlite"
    p = run("import-pdf", str(PUTUO_PDF), "-o", str(dest))
    assert p.returncode == 0, p.stderr
    assert "放入 195 个数据、未能放入 0 个" in p.stdout and "部门名称按封面取“上海市普陀区财政局”" in p.stdout
    with DepartmentFile.open(dest, readonly=True) as f:
        wb = f.load(2024)
    assert wb.values == putuo_import().workbook.values and wb.texts == putuo_import().workbook.texts
    a, b = run("check", "--json", str(dest)), run("check", "--json", str(PUTUO_PDF))
    assert json.loads(a.stdout) == json.loads(b.stdout)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The fixtures' departments printed by export-pdf, with the department files they came from."""
    out = {}
    for name in ("zhuzhou_2020", "wuhan_2020"):
        d = tmp_path_factory.mktemp(name)
        src, pdf = d / f"{name}.sqlite", d / f"{name}.pdf"
        assert run("import-xlsx", str(FIXTURES / f"{name}.xlsx"), "-o", str(src)).returncode == 0
        p = run("export-pdf", str(src), "-o", str(pdf))
        assert p.returncode == 0, p.stderr
        with DepartmentFile.open(src, readonly=True) as f:
            out[name] = (f.load(2020), pdf)
    return out


@pytest.mark.parametrize("name", ["zhuzhou_2020", "wuhan_2020"])
def test_exported_pdf_reads_back_the_figures_printed(exported, name):
    printed, pdf = exported[name]
    res = import_pdf(pdf)
    wb = res.workbook
    assert (wb.template.id, wb.department, wb.year) == (printed.template.id, printed.department, 2020)
    assert res.unplaced == [] and wb.incomplete() == {}
    assert _nonzero(wb.values) == _nonzero(printed.values)
    # the tables' findings are the same, and the text the product drafted from the figures
    # contradicts none of them: what it adds is the 【请填写：…】 the export left for the clerk
    found = audit(wb)
    blanks = [f for f in found if f.rule == "说明-模板空白"]
    assert blanks and all("【请填写" in f.message for f in blanks)
    # …and, read back, the document lacks exactly the parts the department file lacks (公开完整性)
    lacking = [f for f in found if f.rule == "公开完整性"]
    assert {f.row for f in lacking} == {i.what for i in completeness_items(printed) if i.missing}
    assert [f.message for f in found if f not in blanks + lacking] == [f.message for f in audit(printed)]
    assert {"概况.部门职责", "情况说明.一、收入支出决算总体情况说明"} <= set(wb.texts)


def _ruled_copy(src: Path, dest: Path) -> None:
    """A clerk's workbook as printed from Excel: every cell ruled, columns wide enough for their text."""
    from openpyxl import load_workbook
    from openpyxl.styles import Border, Side
    from openpyxl.utils import get_column_letter

    book = load_workbook(src)
    thin = Side(style="thin")
    for ws in book.worksheets:
        widths: dict[int, int] = {}
        for row in ws.iter_rows():
            for c in row:
                c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
                if c.value is not None:
                    widths[c.column] = max(widths.get(c.column, 0), len(str(c.value)) * 2 + 2)
        for col, w in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = min(w, 40)
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    book.save(dest)


def _libreoffice_pdfs(workbooks: list[Path], out: Path) -> None:
    """Each workbook printed to PDF by LibreOffice, which finds the bundled CJK fonts through a
    fontconfig file of its own (the machine may have none)."""
    import os

    conf = out / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{ROOT / "resources" / "fonts"}</dir>
<cachedir>{out / "fc"}</cachedir></fontconfig>""", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(out)}
    subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, workbooks)],
                   env=env, capture_output=True, timeout=300, check=True)


needs_libreoffice = pytest.mark.skipif(shutil.which("libreoffice") is None, reason="needs LibreOffice (libreoffice-calc)")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The fixtures and the real 普陀区 disclosures (tests/data/real, laid out as published) as
    ruled workbooks printed by LibreOffice: name → (the workbook read directly, the PDF)."""
    from tests import real_workbooks as R

    out = tmp_path_factory.mktemp("printed")
    sources = {name: FIXTURES / f"{name}.xlsx" for name in ("zhuzhou_2020", "wuhan_2020")}
    for name, tsv in R.sources().items():
        sources[name] = R.build(tsv, out / f"built_{name}.xlsx")
    ruled = []
    for name, src in sources.items():
        ruled.append(out / f"{name}.xlsx")
        _ruled_copy(src, ruled[-1])
    _libreoffice_pdfs(ruled, out)
    return {name: (src, out / f"{name}.pdf") for name, src in sources.items()}


def _printed_names() -> list[str]:
    from tests import real_workbooks as R

    return ["zhuzhou_2020", "wuhan_2020", *R.sources()]


@needs_libreoffice
@pytest.mark.parametrize("name", _printed_names())
def test_a_workbook_printed_by_libreoffice_reads_back_as_the_workbook(printed, name):
    """Every figure printed is read back, and the real documents' own gaps are found, no more."""
    src, pdf = printed[name]
    res = import_pdf(pdf)
    wb, xlsx = res.workbook, import_xlsx(src).workbook
    assert res.unplaced == [] and wb.incomplete() == xlsx.incomplete()  # ycl's 08 prints its 合计 as headers
    assert wb.template.id == xlsx.template.id
    assert _nonzero(wb.values) == _nonzero(xlsx.values)
    assert [f.message for f in audit(wb)] == [f.message for f in audit(xlsx)]


def test_a_table_missing_from_the_pdf_is_incomplete_not_wrong(tmp_path):
    """The PDF without 04's second and third pages (13–14, its rows from 二十 down and its totals):
    04 is reported unread and every rule that reads it is a warning; no error appears that the
    whole document does not have, and no text is checked against the table that was not read."""
    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(PUTUO_PDF), PdfWriter()
    for i, page in enumerate(reader.pages, start=1):
        if i not in (13, 14):
            writer.add_page(page)
    cut = tmp_path / "putuo_czj_2024.pdf"
    with cut.open("wb") as f:
        writer.write(f)
    wb = import_pdf(cut).workbook
    assert set(wb.incomplete()) == {"04"}
    whole = audit(putuo_import().workbook)
    found = audit(wb)
    assert [f.message for f in found if f.is_error] == [f.message for f in whole if f.is_error and "04" not in
                                                           {c.table for c in f.cells}]
    assert not [f for f in found if f.rule == "说明-数字不符"]  # 0.3 against 04 总计, which was not read
    p = run("check", str(cut))
    assert "公开04表未能完整读入：没有读到合计（总计）行" in p.stdout


@pytest.mark.parametrize("content, why", [
    (b"", "不是 PDF"),
    (b"PK\x03\x04 not a pdf", "不是 PDF"),
    (b"%PDF-1.7\n garbage that is no pdf", "PDF"),
])
def test_a_file_that_is_no_pdf_changes_nothing(tmp_path, content, why):
    bad = tmp_path / "决算.pdf"
    bad.write_bytes(content)
    dest = tmp_path / "dept.sqlite"
    p = run("import-pdf", str(bad), "-o", str(dest))
    assert p.returncode == 2 and why in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not dest.exists()
    assert run("check", str(bad)).returncode == 2


def test_a_pdf_without_tables_is_refused_in_one_line(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "文字.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "2024 report without any table")
    c.save()
    with pytest.raises(PublishedReadError, match="没有找到带表格线的决算公开表"):
        import_pdf(path)
    p = run("check", str(path))
    assert p.returncode == 2 and "无法读取" in p.stderr


def test_import_pdf_refuses_what_is_not_a_pdf_by_name(tmp_path):
    p = run("import-pdf", str(FIXTURES / "wuhan_2020.xlsx"), "-o", str(tmp_path / "x.sqlite"))
    assert p.returncode == 2 and "import-xlsx" in p.stderr


def test_tables_over_many_pages_with_their_titles_and_headers_reprinted_read_back_whole(tmp_path):
    """A department of 120 项 a table (48 pages): export-pdf reprints each table's title (续表), 部门 and
    单位 lines and header rows on every page; the reading joins the pages into one table again."""
    from services.pdf import export_pdf
    from services.synthetic import generate
    from services.templates import get_template

    big = generate(get_template("national-2020"), rows=120, department="某某市某某区某某局")
    pdf = tmp_path / "big.pdf"
    export_pdf(big, pdf)
    res = import_pdf(pdf)
    assert res.unplaced == [] and res.workbook.incomplete() == {}
    assert not any("出现了不止一次" in n for n in res.notes)
    assert _nonzero(res.workbook.values) == _nonzero(big.values)
    found = [f for f in audit(res.workbook) if f.rule not in ("说明-模板空白", "公开完整性")]
    assert [f.message for f in found] == [f.message for f in audit(big)]
    lacking = {f.row for f in audit(res.workbook) if f.rule == "公开完整性"}
    assert lacking == {i.what for i in completeness_items(big) if i.missing}


def test_a_pdf_page_far_denser_than_any_disclosure_is_refused_in_one_line(tmp_path, monkeypatch):
    from reportlab.pdfgen import canvas

    from services.published import pdf_read

    path = tmp_path / "密.pdf"
    c = canvas.Canvas(str(path))
    for i in range(300):
        c.line(10, 10 + i, 500, 10 + i)
    c.save()
    monkeypatch.setattr(pdf_read, "MAX_PAGE_RULES", 100)  # the limit (20,000 lines) scaled down to keep the test fast
    with pytest.raises(PublishedReadError, match="第 1 页的文字或线条多得不像部门决算公开文件"):
        import_pdf(path)


def test_a_table_page_printed_as_a_picture_leaves_its_table_incomplete(tmp_path):
    """02's second page (9: 210 卫生健康 … 221 住房保障) replaced by a picture: 02 is incomplete and its
    合计 against the classes it could read is a warning, not an error."""
    from PIL import Image
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    png, picture = tmp_path / "scan.png", tmp_path / "scan.pdf"
    Image.new("RGB", (60, 40), "white").save(png)
    c = canvas.Canvas(str(picture), pagesize=(842, 595))
    c.drawImage(str(png), 60, 60, 700, 470)
    c.save()
    reader, writer = PdfReader(PUTUO_PDF), PdfWriter()
    for i, page in enumerate(reader.pages, start=1):
        writer.add_page(PdfReader(picture).pages[0] if i == 9 else page)
    scanned = tmp_path / "putuo_czj_2024.pdf"
    with scanned.open("wb") as f:
        writer.write(f)
    wb = import_pdf(scanned).workbook
    assert wb.incomplete() == {"02": "第9页是图片，没有文字，表中印在这一页的部分未能读入"}
    assert not [f for f in audit(wb) if f.is_error and f.table == "02"]


def test_a_table_page_without_its_ruling_leaves_its_table_incomplete(tmp_path):
    """02's second page with its ruling lines taken out of the content stream: pdfplumber finds no
    table there, its figures are kept, cannot all be placed, and 02 is reported read in part."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, NameObject

    paths = {b"re", b"m", b"l", b"c", b"v", b"y", b"h", b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
    reader, writer = PdfReader(PUTUO_PDF), PdfWriter()
    for i, page in enumerate(reader.pages, start=1):
        if i == 9:
            content = ContentStream(page.get_contents(), reader)
            content.operations = [(args, op) for args, op in content.operations if op not in paths]
            page[NameObject("/Contents")] = content
        writer.add_page(page)
    unruled = tmp_path / "putuo_czj_2024.pdf"
    with unruled.open("wb") as f:
        writer.write(f)
    wb = import_pdf(unruled).workbook
    assert set(wb.incomplete()) == {"02"} and "个数字未能放入" in wb.incomplete()["02"]
    assert not [f for f in audit(wb) if f.is_error and f.table == "02"]
    # the rest of the document is read as before
    assert [f.message for f in audit(wb) if f.is_error] == [f.message for f in audit(putuo_import().workbook)
                                                           if f.is_error and f.table != "02"]
