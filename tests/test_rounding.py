"""舍位平衡: a year kept in 元 is checked on its exact figures and published in 万元 that add up.

The ledgers are the seeds' own figures scaled by a factor with four decimals (×1.0437): every sum
of the real tables still holds exactly, now on figures to the 分 of a 元, as a ledger holds them;
the rules the real tables break (seed 000's four 尾数 gaps) stay broken.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from services.audit import audit
from services.forms import EntryError, TableForm
from services.money import CENT, round_cent
from services.rounding import ENTRY_UNIT_KEY, YUAN, balanced, finer_than_cent, published
from services.synthetic import generate
from services.templates import get_template
from services.workbook import Cell, Workbook
from services.xlsx_import import import_xlsx
from tests import xlsx_variants as V
from tests.paths import FIXTURES, ROOT

K = Decimal("1.0437")


def ledger(wb: Workbook) -> Workbook:
    """The same department-year with every figure × K: exact to the 分 of a 元."""
    wb.values = {c: v * K for c, v in wb.values.items()}
    return wb


def rules(findings) -> set[tuple[str, str, str, int | None]]:  # noqa: ANN001
    return {(f.rule, f.table, f.row, f.column) for f in findings}


def rounded_each(wb: Workbook) -> Workbook:
    return Workbook(wb.template, wb.year, wb.department, wb.department_code,
                    {c: round_cent(v) for c, v in wb.values.items()}, wb.coded, {}, {})


@pytest.fixture(scope="module")
def wuhan() -> Workbook:
    return ledger(import_xlsx(FIXTURES / "wuhan_2020.xlsx").workbook)


def test_a_consistent_ledger_has_no_tail_gaps_and_publishes_tables_that_add_up(wuhan: Workbook) -> None:
    assert finer_than_cent(wuhan)
    assert audit(wuhan) == []  # checked on the exact figures: nothing to warn about
    each = audit(rounded_each(wuhan))
    assert each and all(f.possible_rounding for f in each)  # what rounding figure by figure prints
    pub = published(wuhan)
    assert pub is not wuhan and not finer_than_cent(pub)
    assert audit(pub) == []  # the published tables add up to the cent, across tables too
    for cell, exact in wuhan.values.items():
        assert abs(pub.values[cell] - exact) < CENT, cell  # never further than the next cent
    assert balanced(wuhan) == balanced(wuhan)  # the same figures always print the same


def test_the_real_mistakes_stay_and_no_new_one_appears() -> None:
    zhuzhou = import_xlsx(FIXTURES / "zhuzhou_2020.xlsx").workbook
    real = rules(audit(zhuzhou))
    assert len(real) == 4
    scaled = ledger(zhuzhou)
    assert rules(audit(scaled)) == real  # still broken in the ledger
    assert rules(audit(published(scaled))) == real  # and no other rule broken by the rounding


def test_a_six_hundred_row_department_balances() -> None:
    wb = ledger(generate(get_template("national-2020"), 2020, rows=120, seed=7))
    assert audit(wb) == []
    assert len(audit(rounded_each(wb))) > 50
    assert audit(published(wb)) == []


def test_a_year_to_the_cent_is_published_as_it_is() -> None:
    wb = import_xlsx(FIXTURES / "wuhan_2020.xlsx").workbook
    assert published(wb) is wb


def test_the_form_takes_and_shows_yuan(wuhan: Workbook) -> None:
    wuhan.texts[ENTRY_UNIT_KEY] = YUAN
    form = TableForm(wuhan, "01")
    row = next(r for r in range(form.row_count()) if form.cell(r, 2) is not None)
    col = 2
    cell, value = form.parse(row, col, "12,345.67")
    assert value == Decimal("1.234567")
    wuhan.set(cell, value)
    assert form.text(row, col) == "12,345.67" and form.edit_text(row, col) == "12345.67"
    with pytest.raises(EntryError, match="以元为单位"):
        form.parse(row, col, "1.234")
    del wuhan.texts[ENTRY_UNIT_KEY]
    assert form.text(row, col) == "1.23"  # the same figure in 万元


def _ledger_workbook(src: Path, dst: Path) -> Path:
    """A fixture written as a ledger exports it: every table in 元, figures × K to the 分."""
    return V.build(src, dst, V.ledger(K))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT)


def test_from_a_yuan_workbook_to_a_publication_that_adds_up(tmp_path: Path) -> None:
    src = _ledger_workbook(FIXTURES / "wuhan_2020.xlsx", tmp_path / "ledger_2020.xlsx")
    dept = tmp_path / "dept.sqlite"
    r = _cli("import-xlsx", str(src), "-o", str(dept))
    assert r.returncode == 0, r.stderr
    assert "舍位平衡" in r.stdout + r.stderr
    r = _cli("check", str(dept))
    assert r.returncode == 0 and "尾数" not in r.stdout, r.stdout
    out = tmp_path / "published.xlsx"
    r = _cli("export-xlsx", str(dept), "-o", str(out))
    assert r.returncode == 0, r.stderr
    back = import_xlsx(out).workbook
    assert not finer_than_cent(back)  # 万元 to the cent
    assert audit(back) == []  # and every printed sum holds
    # …where the same ledger rounded figure by figure would not
    assert audit(rounded_each(import_xlsx(src).workbook))
    assert import_xlsx(src).workbook.texts.get(ENTRY_UNIT_KEY) == YUAN
    assert Cell("01", "本年收入合计", 1) in back.values
