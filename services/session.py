"""The editing session (录入会话): one department-year being edited, with its undo history.

Every change a clerk can make is one operation here, whatever window or command makes it:
figures typed, pasted or cleared, totals filled in, coded rows added, renamed or removed, texts,
上年数, the 绩效 forms, an Excel import into the open year. Each stores what changed, fills in the
computed cells (`services.autofill`), runs the audit again (`services.audit`), saves through the
department file at once, and returns one `Change` saying what changed (figures, rows, texts,
上年数, forms, the findings that appeared and disappeared, any save error), so a window repaints
just that (Anki's ``OpChanges``). Each is also one `Step` of the history: undo and redo put the
step's *before* or *after* back through the same path, so every kind of edit is undone the same way.

A read-only session (a district's department, a file another window edits) refuses every
operation itself, with its reason, before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from services.audit import Audit
from services.autofill import Autofill
from services.engine import Checker, Delta
from services.explanations import ExplanationError, checked, key_of
from services.findings import Finding
from services.forms import MAX_ROW_NAME, EntryError, TableForm
from services.performance import FORMS_KEY, load_forms
from services.workbook import Cell, Workbook

if TYPE_CHECKING:
    from services.performance import PerformanceForms

__all__ = ["Change", "EntrySession", "RowSet", "Step"]

#: figures (or 上年数) changed: cell → (old, new)
Values = dict[Cell, tuple[Decimal | None, Decimal | None]]
#: texts changed: key → (old, new); None is a text that was not there
Texts = dict[str, tuple[str | None, str | None]]
#: explanations changed (出错说明): finding key → (old, new); None is no explanation
Notes = dict[tuple[str, str, str, str], tuple[str | None, str | None]]
#: how many steps undo can go back; a step is small (the cells it changed), a whole-year import
#: holds the year twice
HISTORY_LIMIT = 500


K = TypeVar("K")
V = TypeVar("V")


def _then(first: dict[K, tuple[V, V]], later: dict[K, tuple[V, V]]) -> None:
    """(old, new) pairs of two changes in a row, as one: the first old, the later new."""
    for key, (old, new) in later.items():
        first[key] = (first[key][0], new) if key in first else (old, new)


@dataclass
class Change:
    """What one operation did, for the views to repaint: everything it changed, and the findings."""

    values: Values = field(default_factory=dict)
    delta: Delta = field(default_factory=Delta)
    #: tables whose rows were added or removed (their forms were laid out again)
    tables: set[str] = field(default_factory=set)
    #: why the change is only in memory, if saving it failed (shown to the clerk)
    save_error: str | None = None
    texts: Texts = field(default_factory=dict)
    prior: Values = field(default_factory=dict)
    #: the 绩效 forms changed (`EntrySession.performance` is a new object)
    forms: bool = False
    #: the whole year was replaced (an import, or its undo): every view of it is laid out again
    whole: bool = False
    #: what the step was, in the clerk's words (撤销“填写 …”)
    label: str = ""
    notes: Notes = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.values or self.tables or self.texts or self.prior or self.forms or self.whole or self.notes)

    def add(self, other: Change) -> Change:
        """This change followed by ``other``, as one."""
        _then(self.values, other.values)
        _then(self.prior, other.prior)
        _then(self.texts, other.texts)
        _then(self.notes, other.notes)
        self.delta.appeared += other.delta.appeared
        self.delta.disappeared += other.delta.disappeared
        self.tables |= other.tables
        self.save_error = self.save_error or other.save_error
        self.forms, self.whole = self.forms or other.forms, self.whole or other.whole
        return self


@dataclass
class RowSet:
    """A coded table's rows and figures, to put back exactly (undo of adding/removing rows)."""

    table: str
    coded: dict[str, str]
    values: dict[Cell, Decimal]


@dataclass
class Step:
    """One entry of the history: what an operation changed, before and after."""

    label: str
    values: Values = field(default_factory=dict)
    rows: dict[str, tuple[RowSet, RowSet]] = field(default_factory=dict)
    texts: Texts = field(default_factory=dict)
    prior: Values = field(default_factory=dict)
    forms: tuple[str | None, str] | None = None  # the 绩效 forms' JSON (None: there were none)
    year: tuple[Workbook, Workbook] | None = None  # the whole year (an import)
    #: consecutive steps with the same key are one (typing in one text field)
    merge: str | None = None
    notes: Notes = field(default_factory=dict)

    def absorb(self, later: Step) -> None:
        _then(self.values, later.values)
        _then(self.notes, later.notes)
        _then(self.prior, later.prior)
        _then(self.texts, later.texts)
        if later.forms is not None:
            self.forms = (self.forms[0] if self.forms else later.forms[0], later.forms[1])


def snapshot(wb: Workbook) -> Workbook:
    """A copy of a year's content (the template is shared: it is never changed)."""
    return Workbook(wb.template, wb.year, wb.department, wb.department_code, dict(wb.values),
                    {t: dict(rows) for t, rows in wb.coded.items()}, dict(wb.texts), dict(wb.prior),
                    dict(wb.notes))


class EntrySession:
    """One department-year being edited: workbook, audit, autofill, forms, store and history.

    ``store`` is a `services.store.DepartmentFile` (or anything with its per-edit methods), or
    None when the figures live only in memory; ``save_errors`` are the exceptions it raises for
    a file that cannot be written, reported in `Change.save_error` instead of raised.
    """

    def __init__(self, wb: Workbook, store=None, save_errors: tuple[type[BaseException], ...] = (OSError,),  # noqa: ANN001
                 read_only: str | None = None):
        self.wb, self.store, self.save_errors = wb, store, save_errors
        #: why this year cannot be edited (a district's department, a sealed year, a file another
        #: window edits): every edit is refused with it, before anything changes
        self.read_only = read_only
        #: the clerk types totals by hand (as published documents do); nothing is filled in
        self.manual_totals = False
        #: whether this session has written the year's 上年数 out whole (see `set_prior`)
        self._prior_written = False
        self._history: list[Step] = []
        self._done = 0  # steps [0, _done) are done; the rest were undone and can be redone
        self._performance: PerformanceForms | None = None
        self._build()

    def _build(self) -> None:
        #: every finding of the year (`services.audit`): what the window shows is what `check` says
        self.audit = Audit(self.wb)
        self.checker: Checker = self.audit.tables
        self.autofill = Autofill(self.wb, self.checker)
        self._forms: dict[str, TableForm] = {}

    @property
    def year(self) -> int:
        return self.wb.year

    def form(self, table: str) -> TableForm:
        if table not in self._forms:
            self._forms[table] = TableForm(self.wb, table, self.autofill.is_computed, self.autofill.rule_text, self.read_only)
        return self._forms[table]

    def _writable(self) -> None:
        if self.read_only is not None:
            raise EntryError(self.read_only)

    # ── history ─────────────────────────────────────────────────────────────
    def _record(self, step: Step, change: Change) -> Change:
        """Put a done operation on the history (nothing when it changed nothing)."""
        change.label = step.label
        if not change:
            return change
        del self._history[self._done:]
        top = self._history[-1] if self._history else None
        if top is not None and step.merge is not None and top.merge == step.merge:
            top.absorb(step)
        else:
            self._history.append(step)
            del self._history[:-HISTORY_LIMIT]
        self._done = len(self._history)
        return change

    def undo_label(self) -> str | None:
        """What undo would undo, or None when there is nothing to undo."""
        return self._history[self._done - 1].label if self._done else None

    def redo_label(self) -> str | None:
        return self._history[self._done].label if self._done < len(self._history) else None

    def undo(self) -> Change | None:
        """Put the last step's *before* back (None when there is nothing to undo)."""
        self._writable()
        if not self._done:
            return None
        self._done -= 1
        return self._put(self._history[self._done], before=True)

    def redo(self) -> Change | None:
        self._writable()
        if self._done >= len(self._history):
            return None
        self._done += 1
        return self._put(self._history[self._done - 1], before=False)

    def _put(self, step: Step, before: bool) -> Change:
        side = 0 if before else 1
        if step.year is not None:
            change = self._replace(snapshot(step.year[side]))
        else:
            change = Change()
            for rows in step.rows.values():
                change.add(self._set_rows(rows[side]))
            if step.values:
                change.add(self._finish(self._set({c: v[side] for c, v in step.values.items()})))
            for key, pair in step.texts.items():
                change.add(self._set_text(key, pair[side]))
            for cell, value in step.prior.items():
                change.add(self._set_prior(cell, value[side]))
            for finding_key, note in step.notes.items():
                change.add(self._set_note(finding_key, note[side]))
            if step.forms is not None:
                change.add(self._set_forms(step.forms[side]))
        change.label = step.label
        return change

    # ── figures ─────────────────────────────────────────────────────────────
    def apply(self, values: dict[Cell, Decimal | None], label: str = "填写") -> Change:
        """Store typed or pasted figures, fill in what depends on them, re-check, save."""
        self._writable()
        changed = self._set(values)
        if not self.manual_totals:
            for cell, (old, new) in self.autofill.fill(changed).items():
                changed[cell] = (changed[cell][0] if cell in changed else old, new)
        change = self._finish(changed)
        return self._record(Step(label, values=change.values), change)

    def restore(self, values: dict[Cell, Decimal | None], label: str = "填写") -> Change:
        """Put figures exactly as given: nothing is filled in (a paste of totals as published)."""
        self._writable()
        change = self._finish(self._set(values))
        return self._record(Step(label, values=change.values), change)

    def stale_totals(self) -> list[Cell]:
        """The computed cells (合计, 小计, 类/款) that do not equal their parts as they stand now:
        totals typed by hand, or printed so, that 按明细重新计算 would change."""
        return [c for c in self.autofill.formulas if self.autofill.value(c) != self.wb.get(c)]

    def fill_all(self) -> Change:
        """Recompute every computed cell from its parts (after typing totals by hand)."""
        self._writable()
        change = self._finish(self.autofill.fill_all())
        return self._record(Step("按明细重新计算全部合计", values=change.values), change)

    def _set(self, values: dict[Cell, Decimal | None]) -> Values:
        changed: Values = {}
        for cell, new in values.items():
            old = self.wb.set(cell, new)
            if old != new:
                changed[cell] = (old, new)
        return changed

    def _finish(self, changed: Values) -> Change:
        delta = self.checker.cells_changed(changed)
        if changed:
            more = self.audit.refresh()  # texts and 绩效 forms are checked against the figures too
            delta.appeared += more.appeared
            delta.disappeared += more.disappeared
        error = self._save(lambda s: s.set_cells(self.year, {c: new for c, (_, new) in changed.items()})) if changed else None
        return Change(changed, delta, save_error=error)

    def _save(self, write: Callable) -> str | None:
        if self.store is None:
            return None
        try:
            write(self.store)
        except self.save_errors as e:
            return str(e)
        return None

    # ── coded rows ──────────────────────────────────────────────────────────
    def rows(self, table: str) -> RowSet:
        return RowSet(table, dict(self.wb.coded.get(table, {})),
                      {c: v for c, v in self.wb.values.items() if c.table == table})

    def add_code(self, table: str, code: str, name: str = "") -> Change:
        """Add a classification row with its missing parent 类/款 rows ('' = the catalog's name)."""
        self._writable()
        target = self.rows(table)
        Workbook(self.wb.template, self.year, coded={table: target.coded}).add_code(table, code, name)
        return self.set_rows(target, f"增加科目 {code}")

    def rename_code(self, table: str, code: str, name: str) -> Change:
        """Give a classification row the clerk's name ('' = the catalog's name again)."""
        self._writable()
        name = " ".join(name.split())
        if len(name) > MAX_ROW_NAME:
            raise EntryError(f"科目名称过长（{len(name)} 个字，最多 {MAX_ROW_NAME} 个字）")
        target = self.rows(table)
        target.coded[code] = name
        return self.set_rows(target, f"科目 {code} 改名")

    def remove_codes(self, table: str, codes: list[str]) -> Change:
        """Remove rows (and every row under them) with their figures; the parents left are
        filled in again from the rows that remain."""
        self._writable()
        before = self.rows(table)
        gone = {c for c in before.coded if any(c.startswith(g) for g in codes)}
        target = RowSet(table, {c: n for c, n in before.coded.items() if c not in gone},
                        {c: v for c, v in before.values.items() if c.row not in gone})
        ancestors = {p for g in gone for p in (g[:3], g[:5]) if p in target.coded and p not in gone}
        summed = [c for c in self.autofill.formulas if c.table == table and c.row in ancestors]
        change = self._set_rows(target)
        if not self.manual_totals:
            # a 款 whose only 项 went is no sum any more: what it held was theirs, so it goes too
            orphans: dict[Cell, Decimal | None] = {c: None for c in summed if c not in self.autofill.formulas and self.wb.get(c) is not None}
            cleared = self._set(orphans)
            keys = ancestors | {r.key for r in self.wb.table(table).total_rows if r.key}
            cells = [c for c in self.autofill.formulas if c.table == table and c.row in keys]
            change.add(self._finish({**cleared, **self.autofill.refill(cells)}))
        # totals refilled in other tables (if a template sums across tables) are undone as figures
        elsewhere = {c: v for c, v in change.values.items() if c.table != table}
        return self._record(Step(f"删除科目 {'、'.join(codes)}", values=elsewhere, rows={table: (before, self.rows(table))}), change)

    def set_rows(self, target: RowSet, label: str = "修改科目行") -> Change:
        """Make a coded table's rows and figures exactly ``target``; saved and re-checked."""
        self._writable()
        before = self.rows(target.table)
        change = self._set_rows(target)
        if before.coded == target.coded and not change.values:
            return change
        return self._record(Step(label, rows={target.table: (before, self.rows(target.table))}), change)

    def _set_rows(self, target: RowSet) -> Change:
        table, wb = target.table, self.wb
        before = self.rows(table)
        removed = [c for c in before.coded if c not in target.coded]
        added = {c: n for c, n in target.coded.items() if before.coded.get(c) != n}
        wb.replace_codes(table, dict(target.coded))
        changed: Values = {}
        for cell in set(before.values) | set(target.values):
            old, new = before.values.get(cell), target.values.get(cell)
            if old != new:
                wb.set(cell, new)
                changed[cell] = (old, new)

        def write(s) -> None:  # noqa: ANN001
            for code in removed:
                s.remove_coded_row(self.year, table, code)
            for code, name in added.items():
                s.set_coded_row(self.year, table, code, name)
            for cell, (_, new) in changed.items():
                if cell.row not in removed:  # a removed row's figures went with it
                    s.set_cell(self.year, cell, new)

        error = self._save(write)
        delta = self.audit.rebuild()
        self.autofill.rebuild()
        if table in self._forms:
            self._forms[table].refresh_rows()
        return Change(changed, delta, {table}, error)

    # ── texts and 上年数 ─────────────────────────────────────────────────────
    def set_text(self, key: str, text: str) -> Change:
        """A narrative text (部门职责, reasons …); typing on in one field is one step. The audit
        is run again: a text may contradict the tables."""
        self._writable()
        if key == FORMS_KEY:  # the forms as their JSON (a document's, a test's): what they are now
            return self.edit_forms(lambda _forms: load_forms(Workbook(self.wb.template, self.year, texts={key: text})), "修改绩效自评表")
        change = self._set_text(key, text)
        return self._record(Step("修改文字", texts=change.texts, merge=f"text:{key}"), change)

    def set_entry_unit(self, unit: str) -> Change:
        """How this year's figures are typed and shown: in 元, as the ledger holds them (stored
        exactly, published in 万元 by 舍位平衡), or in 万元. No figure changes."""
        self._writable()
        from services.rounding import ENTRY_UNIT_KEY, YUAN

        change = self._set_text(ENTRY_UNIT_KEY, YUAN if unit == YUAN else None)
        return self._record(Step(f"金额单位改为{YUAN if unit == YUAN else '万元'}", texts=change.texts), change)

    def _set_text(self, key: str, text: str | None) -> Change:
        old = self.wb.texts.get(key)
        if old == text or (old is None and text == ""):
            return Change()
        if text is None:
            self.wb.texts.pop(key, None)
        else:
            self.wb.texts[key] = text
        delta = self.audit.refresh()
        error = self._save(lambda s: s.set_text(self.year, key, text))
        return Change(delta=delta, save_error=error, texts={key: (old, text)})

    def set_prior(self, cell: Cell, value: Decimal | None) -> Change:
        """Last year's figure (上年数) typed by the clerk; typing on in one field is one step."""
        self._writable()
        change = self._set_prior(cell, value)
        return self._record(Step("修改上年数", prior=change.prior, merge=f"prior:{cell}"), change)

    def _set_prior(self, cell: Cell, value: Decimal | None) -> Change:
        old = self.wb.prior.get(cell)
        if old == value:
            return Change()
        if value is None:
            self.wb.prior.pop(cell, None)
        else:
            self.wb.prior[cell] = value
        delta = self.audit.refresh()  # the 情况说明 compares with 上年数
        if self._prior_written:
            error = self._save(lambda s: s.set_cells(self.year, {cell: value}, prior=True))
        else:
            # The first one typed writes every 上年数 the year shows with it: those the file
            # carried over from the previous year (`DepartmentFile.load`) must not vanish because
            # the year now has 上年数 of its own.
            everything: dict[Cell, Decimal | None] = {**self.wb.prior, cell: value}
            error = self._save(lambda s: s.set_cells(self.year, everything, prior=True))
            self._prior_written = error is None
        return Change(delta=delta, save_error=error, prior={cell: (old, value)})

    # ── explanations (出错说明) ──────────────────────────────────────────────
    def explanation(self, finding: Finding) -> str | None:
        """The clerk's explanation of a finding, if it has one."""
        return self.wb.notes.get(key_of(finding))

    def explain(self, finding: Finding, text: str) -> Change:
        """Explain a finding (a warning, or an error to be sealed with 强制上报); '' removes the
        explanation. Typing on in one finding's field is one step. The audit runs again: a
        last-year comparison is answered by its explanation (`services.prior_check`)."""
        self._writable()
        try:
            cleaned = checked(text)
        except ExplanationError as e:
            raise EntryError(f"{e}：公开{finding.table}表 {finding.row} {finding.column}") from None
        key = key_of(finding)
        change = self._set_note(key, cleaned or None)
        return self._record(Step("填写出错说明", notes=change.notes, merge=f"note:{key}"), change)

    def _set_note(self, key: tuple[str, str, str, str], text: str | None) -> Change:
        old = self.wb.notes.get(key)
        if old == text:
            return Change()
        if text is None:
            self.wb.notes.pop(key, None)
        else:
            self.wb.notes[key] = text
        delta = self.audit.refresh()  # the 情况说明's reasons may come from explanations
        error = self._save(lambda s: s.set_note(self.year, key, text))
        return Change(delta=delta, save_error=error, notes={key: (old, text)})

    # ── 绩效 forms ──────────────────────────────────────────────────────────
    @property
    def performance(self) -> PerformanceForms:
        """The year's 绩效自评 forms (`services.performance`), as typed data."""
        if self._performance is None:
            self._performance = load_forms(self.wb)
        return self._performance

    def edit_forms(self, edit: Callable[[PerformanceForms], PerformanceForms | None], label: str,
                   merge: str | None = None) -> Change:
        """Change the 绩效 forms with ``edit``, in place or by returning new forms (an import); it
        may raise `EntryError`, and then nothing changes. Saved, checked again, one step
        (``merge``: typing on in one field)."""
        self._writable()
        from services.performance import dumps, loads, spec_for

        forms = self.performance
        before, before_text = dumps(forms), self.wb.texts.get(FORMS_KEY)
        try:
            forms = edit(forms) or forms
        except EntryError:
            if dumps(forms) != before:  # refused half-way: the forms as they were
                self._performance = loads(before)
            raise
        forms.template = forms.template or spec_for(self.year).id
        after = dumps(forms)
        if after == before and before_text is not None:
            return Change()
        change = self._set_forms(after, edited=forms)
        return self._record(Step(label, forms=(before_text, after), merge=merge), change)

    def _set_forms(self, text: str | None, edited: PerformanceForms | None = None) -> Change:
        """The forms as ``text`` (their JSON; None: none), or ``edited``, already in that state."""
        change = self._set_text(FORMS_KEY, text)
        self._performance = edited if edited is not None else load_forms(self.wb)
        change.texts, change.forms = {}, True
        return change

    # ── the whole year ──────────────────────────────────────────────────────
    def replace_year(self, wb: Workbook, label: str = "导入") -> Change:
        """Replace the year's figures, rows, texts and 上年数 with ``wb``'s (an Excel import into
        the open year); one step, undone by putting the year back as it was. The clerk's 出错说明
        stay (a workbook brings none): those whose findings the new figures still have stay on them."""
        self._writable()
        before = snapshot(self.wb)
        incoming = snapshot(wb)
        incoming.notes = incoming.notes or dict(self.wb.notes)
        change = self._replace(incoming)
        return self._record(Step(label, year=(before, snapshot(self.wb))), change)

    def _replace(self, wb: Workbook) -> Change:
        old = self.audit.findings()
        wb.department, wb.department_code = self.wb.department, self.wb.department_code
        values = {c: (self.wb.values.get(c), wb.values.get(c)) for c in set(self.wb.values) | set(wb.values)
                  if self.wb.values.get(c) != wb.values.get(c)}
        error = self._save(lambda s: s.save(wb))
        for name in ("template", "values", "coded", "texts", "prior", "notes"):
            setattr(self.wb, name, getattr(wb, name))
        self._performance = None
        self._prior_written = True
        self._build()
        new = self.audit.findings()
        delta = Delta([f for f in new if f not in old], [f for f in old if f not in new])
        return Change(values, delta, set(self.wb.template.tables), error, forms=True, whole=True)

