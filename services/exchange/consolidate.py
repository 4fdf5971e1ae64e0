"""Consolidation (汇总): accepting a batch of submissions into the district file, all or nothing.

Each file passes the gate (`services.exchange.gate`) and is registered (`ledger`), replacing an
earlier submission of the same department-year, which stays in the history. The district's own
department-year (某某区汇总) is kept as the cell-wise sum of the current submissions, coded rows
merged by code, and saved through `DepartmentFile.save`, so checking and exporting treat it as
any department. Sums are kept while the batch streams through (`YearTotals`): memory grows with
the number of distinct cells of a year, not with the number of departments.

One refused file refuses the run: the work copy is discarded and the district file stays
byte-identical (`district_file.WorkCopy`); every file still gets its verdict, so the bureau sees
all the reasons at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from services.engine import bulk_allocation
from services.exchange import ledger
from services.exchange.canonical import Content
from services.exchange.department_match import department_of
from services.exchange.district_file import DEFAULT_NAME, DistrictError, WorkCopy
from services.exchange.gate import Refused, Submission, is_submission_file, open_submission
from services.identity import printable
from services.templates import get_template
from services.workbook import Cell, Workbook

#: ``progress(done, total, file name)``: a file's verdict is in
Progress = Callable[[int, int, str], None]
ADDED, REPLACED, UNCHANGED = "新增", "替换", "未变化"
#: From this many files on, the gate runs in worker processes (starting them costs ~0.3 s).
PARALLEL_FROM = 40
MAX_WORKERS = 4


@dataclass(frozen=True)
class FileOutcome:
    """The verdict on one submission file."""

    path: Path
    accepted: bool
    reason: str = ""
    department: str = ""
    year: int | None = None
    action: str = ""
    errors: int = 0
    warnings: int = 0
    allow_errors: bool = False
    #: how it was matched to a department the district knew (the bureau is told)
    note: str = ""


@dataclass
class ConsolidateResult:
    district: Path
    outcomes: list[FileOutcome] = field(default_factory=list)
    #: whether the district file was replaced by the new version
    written: bool = False
    #: the consolidated years that changed
    years: list[int] = field(default_factory=list)

    @property
    def refused(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if not o.accepted]


class YearTotals:
    """Running cell-wise sums of one year's current submissions, each with how many submissions
    fill the cell (a cell no submission fills any more is blank again, not 0.00)."""

    def __init__(self, template_id: str) -> None:
        self.template_id = template_id
        #: cell → (sum, how many submissions fill it)
        self.values: dict[tuple[str, str, int], tuple[Decimal, int]] = {}
        self.prior: dict[tuple[str, str, int], tuple[Decimal, int]] = {}
        #: (table, code) → (name, how many submissions list it)
        self.coded: dict[tuple[str, str], tuple[str, int]] = {}

    def add(self, content: Content, sign: int = 1) -> None:
        """Add (``sign=1``) or take away (``-1``) one submission's content."""
        _sum(self.values, content.values, sign)
        _sum(self.prior, content.prior, sign)
        coded = self.coded
        for table, code, name in content.coded:
            key = (table, code)
            have = coded.get(key)
            if sign > 0:
                coded[key] = (name, 1) if have is None else (have[0] or name, have[1] + 1)
            elif have is not None:
                if have[1] <= 1:
                    del coded[key]
                else:
                    coded[key] = (have[0], have[1] - 1)

    def workbook(self, year: int, name: str, code: str, texts: dict[str, str]) -> Workbook:
        template = get_template(self.template_id)
        coded: dict[str, dict[str, str]] = {t.no: {} for t in template.tables.values() if t.coded}
        for (table, c), (n, _) in sorted(self.coded.items()):
            coded.setdefault(table, {})[c] = n

        def cells(sums: dict[tuple[str, str, int], tuple[Decimal, int]]) -> dict[Cell, Decimal]:
            return {Cell(*k): v for k, (v, _) in sums.items()}

        return Workbook(template, year, name, code, cells(self.values), coded, dict(texts), cells(self.prior))


def _sum(target: dict[tuple[str, str, int], tuple[Decimal, int]], rows: list[list[Any]], sign: int) -> None:
    """Add or take away figures given as canonical rows ``[table, row, col, amount]``.

    The hot loop of a consolidation (a thousand submissions of a thousand figures or more): one
    dictionary holds each sum with its count, so a figure costs one lookup and one store.
    """
    get = target.get
    if sign > 0:
        for t, r, c, a in rows:
            k = (t, r, c)
            have = get(k)
            target[k] = (Decimal(a), 1) if have is None else (have[0] + Decimal(a), have[1] + 1)
        return
    for t, r, c, a in rows:
        k = (t, r, c)
        have = get(k)
        if have is None:
            continue
        if have[1] <= 1:
            del target[k]
        else:
            target[k] = (have[0] - Decimal(a), have[1] - 1)


class _Run:
    """One consolidation run over an open transaction on the work copy."""

    def __init__(self, conn: Connection, now: str) -> None:
        self.c, self.now = conn, now
        self.totals: dict[int, YearTotals] = {}
        self.changed: set[int] = set()
        #: how the last accepted submission was matched to its department, when not by its key
        self.note = ""

    def _year(self, year: int, template_id: str) -> YearTotals:
        t = self.totals.get(year)
        if t is None:
            t = YearTotals(ledger.year_template(self.c, year) or template_id)
            for sid in list(ledger.current_ids(self.c, year)):  # what earlier runs accepted
                t.add(ledger.content(self.c, sid))
            self.totals[year] = t
        return t

    def accept(self, sub: Submission) -> str:
        m = sub.manifest
        totals = self._year(m.year, m.template_id)
        dept, self.note = department_of(self.c, m)  # one department under any spelling of its code
        old = ledger.current(self.c, dept, m.year)
        if old is not None and old.digest == m.digest:
            return UNCHANGED
        if totals.template_id != m.template_id:
            # A year is summed on one template; only a department that is the year's sole one may
            # move it to another.
            if any(old is None or sid != old.id for sid in ledger.current_ids(self.c, m.year)):
                raise Refused(f"使用的报表模板（{m.template_id}）与本区 {m.year} 年度已收到的上报"
                              f"（{totals.template_id}）不同")
            totals.template_id = m.template_id
        if old is not None:
            totals.add(ledger.content(self.c, old.id), sign=-1)
        ledger.add(self.c, sub, dept, sub.source.name, self.now, old.id if old else None)
        totals.add(sub.parts())
        self.changed.add(m.year)
        return REPLACED if old is not None else ADDED


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _workers(files: int, asked: int | None) -> int:
    if asked is not None:
        return max(1, asked)
    return min(os.cpu_count() or 1, MAX_WORKERS) if files >= PARALLEL_FROM else 1


def consolidate(submission_paths: list[Path], district_path: Path, *, name: str | None = None,
                code: str = "", workers: int | None = None, progress: Progress | None = None,
                start_method: str | None = None) -> ConsolidateResult:
    """Accept every submission into the district file, or none of them.

    A missing district file is created (named ``name``, default 全区汇总). ``workers``: processes
    for the gate (default: one per core, up to `MAX_WORKERS`, from `PARALLEL_FROM` files on; 1 runs
    everything in this process); ``start_method``: how they start ("spawn" from a process with
    threads of its own, such as the window). ``progress(done, total, file name)`` is called as
    each file's verdict is in. Raises `DistrictError` when the district file itself cannot be
    used; a refused submission is an outcome, not an error.
    """
    paths = [Path(p) for p in submission_paths]
    if not paths:
        raise DistrictError("没有给出上报文件")
    result = ConsolidateResult(Path(district_path))
    work = WorkCopy(result.district, name or DEFAULT_NAME, code)
    work.start()
    try:
        conn = work.connect()
        try:
            run = _Run(conn, _now())
            # Unpickled departments and running sums are many small acyclic objects: without the
            # cycle collector rescanning them, the run stays linear in the number of files.
            with conn.begin() as tx, bulk_allocation():
                for p, gated in _gated(paths, _workers(len(paths), workers), start_method):
                    result.outcomes.append(_one(run, p, gated))
                    if progress is not None:
                        progress(len(result.outcomes), len(paths), p.name)
                if result.refused or not run.changed:
                    tx.rollback()
        finally:
            conn.close()
            conn.engine.dispose()
        if result.refused or not run.changed:
            work.discard()
            return result
        with work.department_file() as f:
            name_, code_ = f.department()
            have = set(f.years())
            for year in sorted(run.changed):
                texts = f.load(year).texts if year in have else {}
                f.save(run.totals[year].workbook(year, name_, code_, texts))
        work.commit()
    except BaseException:
        work.discard()
        raise
    result.written, result.years = True, sorted(run.changed)
    return result


def _gate(path: Path) -> Submission | Refused:
    try:
        with bulk_allocation():
            return open_submission(path)
    except Refused as e:
        return e
    except Exception as e:  # a file no check foresaw must not stop the others' verdicts
        return Refused(f"检查时出现意外错误（{type(e).__name__}: {str(e)[:80]}），请把此文件交给技术支持")


def _gated(paths: list[Path], workers: int, start_method: str | None = None) -> Iterator[tuple[Path, Submission | Refused]]:
    """Each path with its verdict from the gate, in order. With ``workers`` > 1 the gate runs in
    that many processes (it is CPU-bound: parsing and re-checking), a few files ahead of the
    caller and never more, so memory stays flat however many files there are."""
    if workers <= 1:
        for p in paths:
            yield p, _gate(p)
        return
    ahead: deque[tuple[Path, Future[Submission | Refused]]] = deque()
    todo = iter(paths)
    context = multiprocessing.get_context(start_method) if start_method else None
    from services.exchange.leftovers import follow_parent

    with ProcessPoolExecutor(workers, mp_context=context, initializer=follow_parent) as pool:
        for p in islice(todo, workers * 4):
            ahead.append((p, pool.submit(_gate, p)))
        while ahead:
            p, fut = ahead.popleft()
            nxt = next(todo, None)
            if nxt is not None:
                ahead.append((nxt, pool.submit(_gate, nxt)))
            yield p, fut.result()


def _one(run: _Run, path: Path, gated: Submission | Refused) -> FileOutcome:
    try:
        if isinstance(gated, Refused):
            raise gated
        sub = gated
        action = run.accept(sub)
    except Refused as e:
        return FileOutcome(path, False, str(e))
    m = sub.manifest
    return FileOutcome(path, True, "", m.department, m.year, action, sub.errors, sub.warnings, bool(m.allow_errors),
                       run.note)


def outcome_line(o: FileOutcome) -> str:
    """One file's verdict as the bureau reads it."""
    if not o.accepted:
        return printable(f"✗ {o.path.name}：拒收：{o.reason}")
    forced = "，强制上报" if o.allow_errors else ""
    note = f"；{o.note}" if o.note else ""
    return printable(f"✓ {o.path.name}：{o.department} {o.year} 年度 {o.action}"
                     f"（复核 {o.errors} 个错误、{o.warnings} 个提示{forced}）{note}")


def conclusion(r: ConsolidateResult) -> str:
    """What the run did to the district file, in one sentence."""
    if r.refused:
        left = "没有改动" if r.district.exists() else "没有创建"
        return f"有 {len(r.refused)} 个文件被拒收，本次没有汇总任何文件，{r.district.name} {left}。"
    if not r.written:
        return f"所有上报均已收到过，{r.district.name} 没有改动。"
    return f"已汇总 {len(r.outcomes)} 个上报文件到 {r.district}（{'、'.join(map(str, r.years))} 年度）。"


def submission_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """The files to consolidate: each file as given, and for a folder the files in it that say
    they are submissions (by their header; the gate still checks each); also the folders'
    other files, skipped. A thousand names do not fit on a Windows command line; a folder does."""
    files: list[Path] = []
    skipped: list[Path] = []
    for p in map(Path, paths):
        if not p.is_dir():
            files.append(p)
            continue
        for f in sorted(p.iterdir()):
            if f.is_file():
                (files if is_submission_file(f) else skipped).append(f)
    return files, skipped
