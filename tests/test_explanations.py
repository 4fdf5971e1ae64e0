"""出错说明 (services.explanations): kept by the finding's key through edits that leave the finding,
dormant (kept, not shown) when it goes, stored in the department file (schema v3, an older file
upgraded with its backup), one undo step of the session, refused when too long, cleaned of control
characters, sealed and re-read by the district's gate as untrusted text, and driven end to end from
the command line: typed with ``note``, shown by ``check``, sealed, consolidated, shown by ``status``,
the 上报情况 sheet and the 审核情况 report."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from services.exchange import canonical
from services.exchange.gate import Refused, open_submission
from services.exchange.submission import submit
from services.explanations import MAX_CHARS, NOTE_PREFIX, dormant, key_of, text_key
from services.forms import EntryError
from services.migrations import SCHEMA_VERSION
from services.prior_check import RULE as PRIOR
from services.session import EntrySession
from services.store import DepartmentFile
from services.workbook import Cell
from services.xlsx_import import import_xlsx
from tests.paths import FIXTURES, ROOT
from tests.seed003 import seed003

TOTAL = Cell("01", "收入总计", 1)  # 株洲 2020: 432.39 against 432.32 + 0.00 + 0.06
CARRIED = Cell("01", "年初结转和结余", 1)
REASON = "尾数差异：原始账 4323812.45 元"


@pytest.fixture
def zz(tmp_path: Path) -> Path:
    wb = import_xlsx(FIXTURES / "zhuzhou_2020.xlsx").workbook
    path = tmp_path / "株洲.sqlite"
    with DepartmentFile.create(path, wb.department, wb.department_code) as f:
        f.save(wb)
    return path


def _total(session: EntrySession):  # noqa: ANN202
    return next((f for f in session.audit.findings() if f.cell == TOTAL), None)


def test_an_explanation_stays_through_an_edit_and_goes_dormant_when_its_finding_goes(zz: Path) -> None:
    with DepartmentFile.open(zz) as f:
        session = EntrySession(f.load(2020), f, (OSError,))
        finding = _total(session)
        assert finding is not None and session.explanation(finding) is None
        change = session.explain(finding, REASON)
        assert change.notes == {key_of(finding): (None, REASON)} and session.undo_label() == "填写出错说明"

        # a figure the rule reads changes: the finding stays (its message and figures change), and so does its explanation
        session.restore({CARRIED: Decimal("0.10")})
        moved = _total(session)
        assert moved is not None and moved.message != finding.message and moved.expected != finding.expected
        assert session.explanation(moved) == REASON

        # corrected: the finding goes, its explanation is kept in the file, dormant, shown nowhere
        session.restore({CARRIED: Decimal("0.07")})
        assert _total(session) is None
        assert dormant(session.wb.notes, session.audit.findings()) == {key_of(finding): REASON}
        assert f.load(2020).notes == {key_of(finding): REASON}

        session.undo()  # the figure back: the finding returns, explained
        back = _total(session)
        assert back is not None and session.explanation(back) == REASON

        session.undo()  # undo the first edit, then the explanation itself
        session.undo()
        assert session.explanation(back) is None and f.load(2020).notes == {}
        session.redo()
        assert f.load(2020).notes == {key_of(finding): REASON}


def test_a_long_explanation_is_refused_and_control_characters_are_removed(zz: Path) -> None:
    with DepartmentFile.open(zz) as f:
        session = EntrySession(f.load(2020), f, (OSError,))
        finding = _total(session)
        assert finding is not None
        with pytest.raises(EntryError) as e:
            session.explain(finding, "长" * (MAX_CHARS + 1))
        assert "出错说明过长" in str(e.value) and "公开01表" in str(e.value)
        assert session.wb.notes == {} and f.load(2020).notes == {} and session.undo_label() is None
        session.explain(finding, "\x1b[31m尾数\u202e差异\n见账簿 ")
        assert session.explanation(finding) == "[31m尾数差异 见账簿"
        session.explain(finding, "")  # cleared
        assert session.explanation(finding) is None and f.load(2020).notes == {}


def test_a_version_2_file_is_backed_up_and_upgraded_to_keep_explanations(zz: Path, tmp_path: Path) -> None:
    old = tmp_path / "旧.sqlite"
    shutil.copy(zz, old)
    con = sqlite3.connect(old)
    con.execute("DROP TABLE finding_note")
    con.execute("PRAGMA user_version = 2")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    before = old.read_bytes()
    with DepartmentFile.open(old) as f:
        assert (f.migrated_from, f.backup_path) == (2, tmp_path / "旧.sqlite.bak-v2")
        wb = f.load(2020)
        assert wb.notes == {}
        f.set_note(2020, ("r", "01", "行30 总计", "栏1 金额"), "说明")
        assert f.load(2020).notes == {("r", "01", "行30 总计", "栏1 金额"): "说明"}
    assert (tmp_path / "旧.sqlite.bak-v2").read_bytes() == before
    con = sqlite3.connect(old)
    assert con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    con.close()


def _resealed(path: Path, extra: list[tuple[str, str]]) -> None:
    """Add texts to a submission and recompute its digest, as a forger could."""
    con = sqlite3.connect(path)
    con.executemany("INSERT INTO narrative_text (key, text) VALUES (?, ?)", extra)
    con.execute("UPDATE manifest SET text_count = text_count + ?", (len(extra),))
    cols = [r[1] for r in con.execute("SELECT * FROM pragma_table_info('manifest')")]
    m = dict(zip(cols, con.execute("SELECT * FROM manifest").fetchone()))
    del m["id"]
    rows = {t: con.execute(f"SELECT * FROM {t}").fetchall()
            for t in ("cell_value", "prior_value", "coded_row", "narrative_text", "finding")}
    digest = canonical.digest_of(canonical.serialise(m, rows["cell_value"], rows["prior_value"], rows["coded_row"],
                                                     rows["narrative_text"], rows["finding"]))
    con.execute("UPDATE manifest SET digest = ?", (digest,))
    con.commit()
    con.close()


def test_the_seal_carries_explanations_and_the_gate_reads_them_as_untrusted_text(zz: Path, tmp_path: Path) -> None:
    with DepartmentFile.open(zz) as f:
        session = EntrySession(f.load(2020), f, (OSError,))
        finding = _total(session)
        assert finding is not None
        session.explain(finding, REASON)
        session.wb.notes[("已消除的规则", "02", "行1", "栏1")] = "不再有的问题"  # dormant: stays home
        f.set_note(2020, ("已消除的规则", "02", "行1", "栏1"), "不再有的问题")
    sub_path = tmp_path / "zz.sub"
    submit(zz, 2020, sub_path, allow_errors=True)
    sub = open_submission(sub_path)
    assert sub.workbook.notes == {key_of(finding): REASON}
    assert not any(k.startswith(NOTE_PREFIX) for k in sub.workbook.texts)
    assert [t for k, t in sub.parts().texts if k.startswith(NOTE_PREFIX)] == [REASON]  # covered by the digest

    cases = {
        "malformed key": ([(NOTE_PREFIX + "[1,2", "x")], "位置无法识别"),
        "key of three": ([(NOTE_PREFIX + '["a","b","c"]', "x")], "位置无法识别"),
        "long key": ([(text_key(("r" * 600, "01", "行", "栏")), "x")], "位置过长"),
        "long text": ([(text_key(("r", "01", "行", "栏")), "长" * (MAX_CHARS + 1))], "出错说明过长"),
    }
    for what, (extra, reason) in cases.items():
        forged = tmp_path / f"{what}.sub"
        shutil.copy(sub_path, forged)
        _resealed(forged, extra)
        with pytest.raises(Refused) as e:
            open_submission(forged)
        assert reason in str(e.value), what
    cleaned = tmp_path / "cleaned.sub"
    shutil.copy(sub_path, cleaned)
    _resealed(cleaned, [(text_key(("r", "01", "行", "栏")), "原因\x1b[2J\u200b说明\n第二行")])
    assert open_submission(cleaned).workbook.notes[("r", "01", "行", "栏")] == "原因[2J说明 第二行"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def test_an_explained_warning_travels_from_the_command_line_to_the_district(tmp_path: Path) -> None:
    """The clerk explains a last-year warning and a 强制上报 error with ``note``; ``check`` shows
    them; ``submit`` seals them; the bureau's ``consolidate`` takes them in; ``status``, the
    exported 上报情况 sheet and the clerk's 审核情况 report show each with its finding."""
    wb = seed003()
    del wb.texts["原因.三公.上年"]  # no reason in the 情况说明: the 三公 rise needs one
    dept = tmp_path / "长沙市信访局.sqlite"
    with DepartmentFile.create(dept, wb.department) as f:
        f.save(wb)

    listed = _run("note", dept.name, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = [line for line in listed.stdout.splitlines() if line[:4].strip().rstrip(".").isdigit()]
    warning_no = next(int(line.split(".")[0]) for line in lines if "“三公”经费（栏7" in line)
    error_no = next(int(line.split(".")[0]) for line in lines if "[错误]" in line)
    for no, text in ((warning_no, "承办全省信访工作会议，公务接待增加"), (error_no, "302 尾数差异，账面 1244012.49 元")):
        done = _run("note", dept.name, "--finding", str(no), "--text", text, cwd=tmp_path)
        assert done.returncode == 0 and "的出错说明：" in done.stdout, done.stderr
    bad = _run("note", dept.name, "--finding", "99", "--text", "x", cwd=tmp_path)
    assert bad.returncode == 1 and "没有第 99 个问题" in bad.stderr

    checked = _run("check", dept.name, "--json", cwd=tmp_path)
    found = json.loads(checked.stdout)
    explained = {f["rule"]: f["explanation"] for f in found if f["explanation"]}
    assert explained == {PRIOR: "承办全省信访工作会议，公务接待增加", "06-类": "302 尾数差异，账面 1244012.49 元"}
    text = _run("check", dept.name, cwd=tmp_path).stdout
    assert "✓ [提示·已说明]" in text and "出错说明：承办全省信访工作会议，公务接待增加" in text

    sealed = _run("submit", dept.name, "--year", "2023", "-o", "长沙.sub", "--allow-errors", cwd=tmp_path)
    assert sealed.returncode == 0 and "其中 2 个附有出错说明" in sealed.stdout, sealed.stderr
    assert _run("consolidate", "长沙.sub", "-o", "区.sqlite", cwd=tmp_path).returncode == 0
    status = _run("status", "区.sqlite", cwd=tmp_path)
    assert "出错说明：承办全省信访工作会议，公务接待增加" in status.stdout
    assert "出错说明：302 尾数差异，账面 1244012.49 元" in status.stdout
    shown = status.stdout.splitlines()
    at = shown.index("        出错说明：承办全省信访工作会议，公务接待增加")
    assert "“三公”经费" in shown[at - 1] and "[提示]" in shown[at - 1]  # with its finding

    assert _run("export-xlsx", "区.sqlite", "-o", "区.xlsx", cwd=tmp_path).returncode == 0
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "区.xlsx")["上报情况"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    note_rows = [r for r in rows if "承办全省信访工作会议，公务接待增加" in r]
    assert len(note_rows) == 1 and note_rows[0][0] == "长沙市信访局" and "与上年相比" in note_rows[0][6]
    assert any("302 尾数差异，账面 1244012.49 元" in r for r in rows)  # with the errors outstanding too

    for out in ("审核情况.xlsx", "审核情况.pdf"):
        report = _run("report", dept.name, "--year", "2023", "-o", out, cwd=tmp_path)
        assert report.returncode == 0 and "其中 2 个已写出错说明" in report.stdout, report.stderr
    rows = [[c.value for c in row] for row in load_workbook(tmp_path / "审核情况.xlsx")["审核情况"].iter_rows()]
    assert ["已说明" in r for r in rows if "承办全省信访工作会议，公务接待增加" in r] == [True]
    pdf = subprocess.run(["pdftotext", str(tmp_path / "审核情况.pdf"), "-"], capture_output=True, text=True)
    assert "审核情况" in pdf.stdout and "承办全省信访工作会议" in pdf.stdout.replace("\n", "")
    assert _run("report", dept.name, "-o", "x.docx", cwd=tmp_path).returncode == 2


def test_a_workbook_imported_again_keeps_the_clerks_explanations(zz: Path, tmp_path: Path) -> None:
    with DepartmentFile.open(zz) as f:
        session = EntrySession(f.load(2020), f, (OSError,))
        finding = _total(session)
        assert finding is not None
        session.explain(finding, REASON)
        session.replace_year(import_xlsx(FIXTURES / "zhuzhou_2020.xlsx").workbook)  # the same figures again
        assert session.explanation(finding) == REASON and f.load(2020).notes == {key_of(finding): REASON}
        session.undo()
        assert session.explanation(finding) == REASON
    again = _run("import-xlsx", str(FIXTURES / "zhuzhou_2020.xlsx"), "-o", zz.name, cwd=zz.parent)
    assert again.returncode == 0, again.stderr
    with DepartmentFile.open(zz, readonly=True) as f:
        assert f.load(2020).notes == {key_of(finding): REASON}
