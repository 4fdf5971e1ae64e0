"""The six real texts (the five seeds and 上海市普陀区财政局 2024) as workbooks, for the text rules.

Each seed's text is split into its sections as a PDF's or a Word file's would be
(`services.published.sections`); a seed that is no 决算 document (001, a 绩效 report) is one text.
The tables are the real ones where the tests have them (000 and 002: the fixtures' workbooks,
003: `tests.seed003`, putuo: its published PDF); 001 and 004 have none, so the rules that read a
table stay silent on them.
"""

from __future__ import annotations

from functools import cache

from services.published.sections import split_sections
from services.templates import get_template
from services.workbook import Workbook
from tests.paths import FIXTURES, SEEDS, SHARED

PUTUO_PDF = SHARED / "samples" / "putuo_czj_2024.pdf"


def seed_paragraphs(stem: str) -> list[str]:
    path = next(SEEDS.glob(f"{stem}_*.txt"))
    # a table's line holds tabs: the tables are read as tables, not as text
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and "\t" not in ln]


def seed_texts(stem: str) -> dict[str, str]:
    paras = seed_paragraphs(stem)
    return split_sections(paras) or {"全文": "\n".join(paras)}


@cache
def _tables(stem: str) -> Workbook:
    if stem == "000":
        from services.xlsx_import import import_xlsx

        return import_xlsx(FIXTURES / "zhuzhou_2020.xlsx").workbook
    if stem == "002":
        from services.xlsx_import import import_xlsx

        return import_xlsx(FIXTURES / "wuhan_2020.xlsx").workbook
    if stem == "003":
        from tests.seed003 import seed003

        return seed003()
    names = {"001": ("岳阳市云溪区信访局", 2022, "national-2020"), "004": ("攀枝花市西区信访局", 2020, "national-2020")}
    dept, year, template = names[stem]
    return Workbook.new(get_template(template), year, dept)


def seed_workbook(stem: str) -> Workbook:
    """Seed ``stem``'s tables (where the tests have them) with its own published texts."""
    import copy

    wb = copy.deepcopy(_tables(stem))
    wb.texts = {k: v for k, v in wb.texts.items() if k.startswith(("数据.", "设置.", "封面."))}
    wb.texts.update(seed_texts(stem))
    return wb


@cache
def putuo_import():  # noqa: ANN201 - an ImportResult
    from services.published.importer import import_pdf

    return import_pdf(PUTUO_PDF)


def putuo_workbook() -> Workbook:
    import copy

    return copy.deepcopy(putuo_import().workbook)


SEED_STEMS = ("000", "001", "002", "003", "004")
