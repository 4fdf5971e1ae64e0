"""Consolidation (汇总): accepting a batch of submissions into the district file, all or nothing.

Each file passes the gate (`services.exchange.gate`) and is registered (`ledger`), replacing an
earlier submission of the same department-year, which stays in the history. The district's own
department-year (某某区汇总) is kept as the cell-wise sum of the current submissions, coded rows
merged by code, in the department schema, so checking and exporting treat it as any department.
A run collects what it changes (`totals.YearDelta`: subtract the replaced, add the new) while the
batch streams through, and writes only those cells (`totals.apply`): memory grows with the cells
a run touches, not with the number of departments, and one more submission into a district of
ten thousand costs that one submission.

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
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

from sqlalchemy import Connection

from services.engine import bulk_allocation
from services.exchange import department_merge, district_store, ledger, totals
from services.exchange.canonical import Content
from services.exchange.department_match import Registry
from services.exchange.district_file import DEFAULT_NAME, DistrictError
from services.exchange.gate import Refused, Submission, is_submission_file, open_submission
from services.exchange.target import Target
from services.exchange.totals import YearDelta
from services.identity import printable

#: ``progress(done, total, file name)``: a file's verdict is in
Progress = Callable[[int, int, str], None]
ADDED, REPLACED, UNCHANGED = "新增", "替换", "未变化"
#: sealed before the submission the district holds: kept in the history, the newer one stays
OLDER = "早于已收到的上报，存入历次上报，未替换"
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
    district: Target
    outcomes: list[FileOutcome] = field(default_factory=list)
    #: whether the district file was replaced by the new version
    written: bool = False
    #: the consolidated years that changed
    years: list[int] = field(default_factory=list)
    #: departments an earlier version had registered twice, now one (`department_merge`)
    merged: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if not o.accepted]


class _Run:
    """One consolidation run over an open transaction on the district."""

    def __init__(self, conn: Connection, now: str) -> None:
        self.c, self.now = conn, now
        #: per year: what this run changes in its 汇总, and the template it is summed on
        self.deltas: dict[int, YearDelta] = {}
        self.templates: dict[int, str] = {}
        self.changed: set[int] = set()
        #: something was stored (a submission, if only into the history): the run must be committed
        self.stored = False
        #: how the last accepted submission was matched to its department, when not by its key
        self.note = ""
        #: the district's departments, read at the first submission (after any merge)
        self.registry: Registry | None = None
        #: (department, year) of the submissions this run stored
        self.stored_for: set[tuple[int, int]] = set()
        #: their contents and findings, written a batch at a time
        self.pending = ledger.Pending(conn)

    def _year(self, year: int, template_id: str) -> YearDelta:
        d = self.deltas.get(year)
        if d is None:
            d = self.deltas[year] = YearDelta()
            self.templates[year] = ledger.year_template(self.c, year) or template_id
            if not totals.stored(self.c, year):
                # A district from before running sums were kept: its current submissions once
                # more, then never again.
                for sid in list(ledger.current_ids(self.c, year)):
                    d.add(self._content(sid))
        return d

    def accept(self, sub: Submission) -> str:
        m = sub.manifest
        delta = self._year(m.year, m.template_id)
        if self.registry is None:
            self.registry = Registry(self.c)
        dept, self.note = self.registry.department_of(m)  # one department under any spelling of its code
        # a department this run registered has nothing in the district but what this run stored
        fresh = dept in self.registry.new and (dept, m.year) not in self.stored_for
        old = None if fresh else ledger.current(self.c, dept, m.year)
        if old is not None and old.digest == m.digest:
            return UNCHANGED
        if old is not None and seal_order(m.created_at, m.digest) < seal_order(old.sealed_at, old.digest):
            # The newest seal wins, whatever order the files come in: this one is history.
            ledger.add(self.c, sub, dept, sub.source.name, self.now, None, self.pending, newer=old.id)
            self.stored = True
            self.stored_for.add((dept, m.year))
            return OLDER
        if self.templates[m.year] != m.template_id:
            # A year is summed on one template; only a department that is the year's sole one may
            # move it to another.
            if any(old is None or sid != old.id for sid in ledger.current_ids(self.c, m.year)):
                raise Refused(f"使用的报表模板（{m.template_id}）与本区 {m.year} 年度已收到的上报"
                              f"（{self.templates[m.year]}）不同")
            self.templates[m.year] = m.template_id
        if old is not None:
            delta.add(self._content(old.id), sign=-1)
        ledger.add(self.c, sub, dept, sub.source.name, self.now, old.id if old else None, self.pending)
        delta.add(sub.parts())
        self.changed.add(m.year)
        self.stored = True
        self.stored_for.add((dept, m.year))
        return REPLACED if old is not None else ADDED

    def merge_duplicates(self) -> list[str]:
        """One department registered twice by an earlier version made one (`department_merge`):
        the submissions that stop being current leave the 汇总. What the bureau is told."""
        if department_merge.done(self.c):
            return []
        merges = department_merge.plan(self.c, lambda s: seal_order(s.sealed_at, s.digest))
        for m in merges:
            for sid, year, _winner in m.retire:
                self._year(year, "").add(self._content(sid), sign=-1)
                self.changed.add(year)
        department_merge.apply(self.c, merges, self.now)
        self.stored = self.stored or bool(merges)
        return [m.sentence() for m in merges]

    def _content(self, sid: int) -> Content:
        """A stored submission's content (written first if it is still in the batch)."""
        self.pending.flush()
        return ledger.content(self.c, sid)

    def write(self) -> None:
        """The rest of the batch, and the changed years' 汇总 where it changed (`totals.apply`)."""
        self.pending.flush()
        for year in sorted(self.changed):
            totals.apply(self.c, year, self.templates[year], self.deltas[year], self.now)


def seal_order(sealed_at: str, digest: str) -> tuple[datetime, str]:
    """Which of two seals of a department-year is newer: the later seal time (instants, whatever
    their offsets; a time without one is taken as Beijing time), and on a tie the content's digest,
    so that the outcome never depends on the order the files came in."""
    try:
        when = datetime.fromisoformat(sealed_at)
    except ValueError:  # the gate refuses such a manifest; an old district row may still hold one
        when = datetime(1, 1, 2, tzinfo=timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=_BEIJING)
    return when, digest


_BEIJING = timezone(timedelta(hours=8))


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _workers(files: int, asked: int | None) -> int:
    if asked is not None:
        return max(1, asked)
    return min(os.cpu_count() or 1, MAX_WORKERS) if files >= PARALLEL_FROM else 1


def consolidate(submission_paths: list[Path], district: Target, *, name: str | None = None,
                code: str = "", workers: int | None = None, progress: Progress | None = None,
                start_method: str | None = None) -> ConsolidateResult:
    """Accept every submission into the district, or none of them.

    ``district`` is a district file (created when missing, named ``name``, default 全区汇总) or a
    PostgreSQL URL (`district_store`). ``workers``: processes for the gate (default: one per
    core, up to `MAX_WORKERS`, from `PARALLEL_FROM` files on; 1 runs everything in this process);
    ``start_method``: how they start ("spawn" from a process with threads of its own, such as the
    window). ``progress(done, total, file name)`` is called as each file's verdict is in. Raises
    `DistrictError` when the district itself cannot be used; a refused submission is an outcome,
    not an error.
    """
    paths = [Path(p) for p in submission_paths]
    if not paths:
        raise DistrictError("没有给出上报文件")
    result = ConsolidateResult(district)
    with district_store.writing(district, name or DEFAULT_NAME, code) as tx:
        run = _Run(tx.conn, _now())
        result.merged = run.merge_duplicates()
        # Unpickled departments and running sums are many small acyclic objects: without the
        # cycle collector rescanning them, the run stays linear in the number of files.
        with bulk_allocation():
            for p, gated in _gated(paths, _workers(len(paths), workers), start_method):
                result.outcomes.append(_one(run, p, gated))
                if progress is not None:
                    progress(len(result.outcomes), len(paths), p.name)
        if result.refused or not run.stored:
            tx.abandon()
            return result
        run.write()
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
    where = district_store.label(r.district)
    if r.refused:
        left = "没有创建" if isinstance(r.district, Path) and not r.district.exists() else "没有改动"
        return f"有 {len(r.refused)} 个文件被拒收，本次没有汇总任何文件，{where} {left}。"
    if not r.written:
        return f"所有上报均已收到过，{where} 没有改动。"
    years = "、".join(map(str, r.years))
    if r.merged:
        merged = f"合并了 {len(r.merged)} 个此前重复登记的部门"
        if all(o.action == UNCHANGED for o in r.outcomes):
            recount = f"，{years} 年度的汇总数已重算" if r.years else ""
            return f"所有上报均已收到过；{merged}{recount}，已写入 {where}。"
        return f"已汇总 {len(r.outcomes)} 个上报文件（{years} 年度），并{merged}，已写入 {where}。"
    if not r.years:
        return f"收到的上报都早于已有的上报，已存入历次上报，{where} 的汇总数没有变化。"
    return f"已汇总 {len(r.outcomes)} 个上报文件到 {r.district if isinstance(r.district, Path) else where}（{years} 年度）。"


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
