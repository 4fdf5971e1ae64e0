"""The repository of a department file (读写): every read and write of its years, on its connection.

`Repository` is the file's data: the department, whole years (`load`, `save`, `delete_year`)
and the single edits the entry window makes (`set_cell`, `set_coded_row`, `set_text`, …), each
its own small transaction. `services.store.file.DepartmentFile` is the file it works on: it
supplies the transactions (`_reading`, `_writing`), opening, locking and closing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as upsert

from models.schema import (
    CellValue,
    CodedRow,
    Department,
    DepartmentYear,
    FindingNote,
    Meta,
    NarrativeText,
    PriorValue,
    StoredAmountError,
)
from services.money import AmountError, to_storage
from services.store import digest
from services.store.errors import DepartmentFileError, Problem
from services.templates import TemplateError, get_template
from services.workbook import Cell, Workbook


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _check_amount(value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise AmountError(f"“{value}”不是可以保存的金额")


def _prepared() -> dict[str, Any]:
    """The per-edit statements, built once: building a statement costs more than running it.

    They are Core statements on the tables (not the ORM classes) with bound parameters, so an
    edit is a dictionary of values and a cached compiled statement, nothing else.
    """
    years, cells, priors, rows, texts = (cast(Table, model.__table__)
                                         for model in (DepartmentYear, CellValue, PriorValue, CodedRow, NarrativeText))
    out: dict[str, Any] = {
        "touch": update(years).where(years.c.year == bindparam("y")).values(updated_at=bindparam("now"))
        .returning(years.c.id),
    }
    for name, table in (("cell", cells), ("prior", priors)):
        stmt = upsert(table)
        out[f"put_{name}"] = stmt.on_conflict_do_update(
            index_elements=["year_id", "table_no", "row_key", "col_no"], set_={"amount": stmt.excluded.amount}
        )
        out[f"get_{name}"] = select(table.c.amount).where(
            table.c.year_id == bindparam("year_id"), table.c.table_no == bindparam("table_no"),
            table.c.row_key == bindparam("row_key"), table.c.col_no == bindparam("col_no"),
        )
        out[f"clear_{name}"] = delete(table).where(
            table.c.year_id == bindparam("year_id"), table.c.table_no == bindparam("table_no"),
            table.c.row_key == bindparam("row_key"), table.c.col_no == bindparam("col_no"),
        )
    stmt = upsert(rows)
    out["put_row"] = stmt.on_conflict_do_update(
        index_elements=["year_id", "table_no", "code"], set_={"name": stmt.excluded.name}
    )
    out["drop_row"] = delete(rows).where(
        rows.c.year_id == bindparam("year_id"), rows.c.table_no == bindparam("table_no"),
        rows.c.code == bindparam("code"),
    )
    out["get_row"] = select(rows.c.name).where(
        rows.c.year_id == bindparam("year_id"), rows.c.table_no == bindparam("table_no"),
        rows.c.code == bindparam("code"),
    )
    out["get_row_values"] = select(cells.c.col_no, cells.c.amount).where(
        cells.c.year_id == bindparam("year_id"), cells.c.table_no == bindparam("table_no"),
        cells.c.row_key == bindparam("code"),
    )
    out["drop_row_values"] = delete(cells).where(
        cells.c.year_id == bindparam("year_id"), cells.c.table_no == bindparam("table_no"),
        cells.c.row_key == bindparam("code"),
    )
    stmt = upsert(texts)
    out["put_text"] = stmt.on_conflict_do_update(index_elements=["year_id", "key"], set_={"text": stmt.excluded.text})
    out["get_text"] = select(texts.c.text).where(texts.c.year_id == bindparam("year_id"), texts.c.key == bindparam("key"))
    out["clear_text"] = delete(texts).where(texts.c.year_id == bindparam("year_id"), texts.c.key == bindparam("key"))
    notes = cast(Table, FindingNote.__table__)
    where = ["year_id", "rule", "table_no", "row_label", "column_label"]
    stmt = upsert(notes)
    out["put_note"] = stmt.on_conflict_do_update(index_elements=where, set_={"text": stmt.excluded.text})
    out["clear_note"] = delete(notes).where(*[notes.c[k] == bindparam(k) for k in where])
    out["get_note"] = select(notes.c.text).where(*[notes.c[k] == bindparam(k) for k in where])
    return out


_SQL = _prepared()


class Repository:
    """Reads and writes of a department file's years; the file supplies its transactions."""

    path: Path
    #: whether each year's 校验值 is kept (a department file; a district's 汇总 is not, see
    #: `services.store.digest`)
    keeps_digest: bool = False

    def _reading(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _writing(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _no_year(self, year: int) -> DepartmentFileError:
        return DepartmentFileError(self.path, f"中没有 {year} 年度的数据", Problem.NO_YEAR)

    def _touch(self, conn: Connection, year: int) -> int:
        """The year's id, marking it changed now; the year must exist."""
        year_id = conn.execute(_SQL["touch"], {"y": year, "now": _now()}).scalar()
        if year_id is None:
            raise self._no_year(year)
        return year_id

    # ── the 校验值 of each year ─────────────────────────────────────────────
    def _redigest(self, c: Connection, year: int, gone: list[int], added: list[int]) -> None:
        """Keep the year's checksum after a write that replaced the rows hashed ``gone`` by the
        rows hashed ``added`` (same transaction)."""
        if not self.keeps_digest:
            return
        k = digest.key(year)
        stored = c.execute(select(Meta.value).where(Meta.key == k)).scalar()
        try:
            # every year of a v4 file has one (the upgrade gave the older ones theirs): a missing
            # or unreadable one was removed or damaged, and recomputing it would hide that
            if stored is None:
                raise ValueError(k)
            new = (int(stored, 16) - sum(gone) + sum(added)) & digest.MASK
        except ValueError:
            raise self._damaged(year) from None
        self._put_digest(c, year, new)

    def _damaged(self, year: int) -> DepartmentFileError:
        return DepartmentFileError(
            self.path, f"的 {year} 年度数据与保存时的校验值不符：文件被其他程序改动过或已损坏，"
            "请用备份恢复（或从导出的 Excel 重新导入）", Problem.CORRUPT)

    @staticmethod
    def _put_digest(c: Connection, year: int, value: int) -> None:
        stmt = upsert(Meta).values(key=digest.key(year), value=digest.as_text(value))
        c.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value}))

    def _check_digest(self, year: int, stored: str | None, template_id: str, values: dict[Cell, Decimal],
                      prior: dict[Cell, Decimal], coded: dict[str, dict[str, str]], texts: dict[str, str],
                      notes: dict[tuple[str, str, str, str], str]) -> None:
        """Refuse a year whose rows are not what the program wrote (see `services.store.digest`)."""
        found = digest.of_rows(
            template_id,
            [(x.table, x.row, x.col, to_storage(v) or "") for x, v in values.items()],
            [(x.table, x.row, x.col, to_storage(v) or "") for x, v in prior.items()],
            [(t, code, name) for t, rows in coded.items() for code, name in rows.items()],
            list(texts.items()), list(notes.items()))
        if digest.as_text(found) != stored:
            raise self._damaged(year)

    # ── the department ─────────────────────────────────────────────────────
    def department(self) -> tuple[str, str]:
        """(name, code) of the department."""
        with self._reading() as c:
            return self._department(c)

    @staticmethod
    def _department(conn: Connection) -> tuple[str, str]:
        row = conn.execute(select(Department.name, Department.code).where(Department.id == 1)).first()
        return (row[0], row[1]) if row else ("", "")

    @staticmethod
    def _put_department(conn: Connection, name: str, code: str) -> None:
        # update, else insert: portable (a district may live on a PostgreSQL server), and the
        # row is written once per file, never per keystroke
        if conn.execute(update(Department).where(Department.id == 1).values(name=name, code=code)).rowcount == 0:
            conn.execute(insert(Department).values(id=1, name=name, code=code))

    def set_department(self, name: str, code: str = "") -> None:
        with self._writing() as c:
            self._put_department(c, name, code)
            self._department_digest(c, name, code)

    def _department_digest(self, c: Connection, name: str, code: str) -> None:
        if self.keeps_digest:
            stmt = upsert(Meta).values(key=digest.DEPARTMENT_KEY, value=digest.department(name, code))
            c.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value}))

    # ── whole years ────────────────────────────────────────────────────────
    def years(self) -> list[int]:
        with self._reading() as c:
            return list(c.execute(select(DepartmentYear.year).order_by(DepartmentYear.year)).scalars())

    def load(self, year: int) -> Workbook:
        """The year as it was saved and edited: figures, coded rows, texts, last year's figures.

        A year with no 上年数 of its own (both years imported from Excel, say) takes the previous
        year's figures in this file, as 新建年度 would have carried them over."""
        try:
            with self._reading() as c:
                found = c.execute(
                    select(DepartmentYear.id, DepartmentYear.template_id).where(DepartmentYear.year == year)
                ).first()
                if found is None:
                    raise self._no_year(year)
                year_id, template_id = found
                name, code = self._department(c)
                values = self._amounts(c, CellValue, year_id)
                prior = own_prior = self._amounts(c, PriorValue, year_id)
                if not prior:
                    before = c.execute(select(DepartmentYear.id).where(DepartmentYear.year == year - 1)).scalar()
                    if before is not None:
                        prior = self._amounts(c, CellValue, before)
                coded: dict[str, dict[str, str]] = {}
                for table, row_code, row_name in c.execute(
                    select(CodedRow.table_no, CodedRow.code, CodedRow.name)
                    .where(CodedRow.year_id == year_id)
                    .order_by(CodedRow.table_no, CodedRow.code)
                ):
                    coded.setdefault(table, {})[row_code] = row_name
                texts = {k: t for k, t in c.execute(
                    select(NarrativeText.key, NarrativeText.text).where(NarrativeText.year_id == year_id)
                )}
                stored_digest = c.execute(select(Meta.value).where(Meta.key == digest.key(year))).scalar()
                named = c.execute(select(Meta.value).where(Meta.key == digest.DEPARTMENT_KEY)).scalar()
                if self.keeps_digest and named != digest.department(name, code):
                    raise DepartmentFileError(
                        self.path, "的部门名称或代码与保存时的校验值不符：文件被其他程序改动过或已损坏，请用备份恢复",
                        Problem.CORRUPT)
                notes = {(rule, table, row, col): text for rule, table, row, col, text in c.execute(
                    select(FindingNote.rule, FindingNote.table_no, FindingNote.row_label, FindingNote.column_label,
                           FindingNote.text).where(FindingNote.year_id == year_id)
                )}
        except StoredAmountError as e:
            raise DepartmentFileError(
                self.path, f"的 {year} 年度有一个金额“{e}”无法识别，文件可能被其他程序改动过", Problem.CORRUPT
            ) from None
        try:
            template = get_template(template_id)
        except TemplateError:
            raise DepartmentFileError(
                self.path, f"的 {year} 年度使用报表模板“{template_id}”，本软件没有这个模板，请升级本软件",
                Problem.TEMPLATE,
            ) from None
        if self.keeps_digest:
            self._check_digest(year, stored_digest, template_id, values, own_prior, coded, texts, notes)
        # Like Workbook.new: every coded table of the template has its (possibly empty) row set.
        for spec in template.tables.values():
            if spec.coded:
                coded.setdefault(spec.no, {})
        return Workbook(template, year, name, code, values, coded, texts, prior, notes)

    @staticmethod
    def _amounts(conn: Connection, model: type[CellValue] | type[PriorValue], year_id: int) -> dict[Cell, Decimal]:
        rows = conn.execute(
            select(model.table_no, model.row_key, model.col_no, model.amount).where(model.year_id == year_id)
        )
        return {Cell(table, row, col): amount for table, row, col, amount in rows}

    def save(self, workbook: Workbook) -> None:
        """Add the workbook's year, or replace that year entirely, in one transaction.

        The department's name and code are the file's, one for all years: a workbook that
        carries them (non-empty) updates them; an empty one leaves them as they are.
        """
        for value in chain(workbook.values.values(), workbook.prior.values()):
            _check_amount(value)
        now = _now()
        with self._writing() as c:
            year_id = c.execute(select(DepartmentYear.id).where(DepartmentYear.year == workbook.year)).scalar()
            if year_id is None:
                year_id = c.execute(
                    insert(DepartmentYear)
                    .values(year=workbook.year, template_id=workbook.template.id, created_at=now, updated_at=now)
                    .returning(DepartmentYear.id)
                ).scalar_one()
            else:
                c.execute(update(DepartmentYear).where(DepartmentYear.id == year_id)
                          .values(template_id=workbook.template.id, updated_at=now))
                for model in (CellValue, CodedRow, NarrativeText, PriorValue, FindingNote):
                    c.execute(delete(model).where(model.year_id == year_id))
            for model, amounts in ((CellValue, workbook.values), (PriorValue, workbook.prior)):
                if amounts:
                    c.execute(insert(model), [
                        {"year_id": year_id, "table_no": cell.table, "row_key": cell.row, "col_no": cell.col,
                         "amount": amount}
                        for cell, amount in amounts.items()
                    ])
            coded = [{"year_id": year_id, "table_no": table, "code": code, "name": name}
                     for table, rows in workbook.coded.items() for code, name in rows.items()]
            if coded:
                c.execute(insert(CodedRow), coded)
            if workbook.texts:
                c.execute(insert(NarrativeText), [
                    {"year_id": year_id, "key": key, "text": text} for key, text in workbook.texts.items()
                ])
            if workbook.notes:
                c.execute(insert(FindingNote), [
                    {"year_id": year_id, "rule": k[0], "table_no": k[1], "row_label": k[2], "column_label": k[3],
                     "text": text} for k, text in workbook.notes.items()
                ])
            if workbook.department or workbook.department_code:
                self._put_department(c, workbook.department, workbook.department_code)
            if self.keeps_digest:
                self._department_digest(c, *self._department(c))
            if self.keeps_digest:
                self._put_digest(c, workbook.year, digest.of_rows(
                    workbook.template.id,
                    [(x.table, x.row, x.col, to_storage(v) or "") for x, v in workbook.values.items()],
                    [(x.table, x.row, x.col, to_storage(v) or "") for x, v in workbook.prior.items()],
                    [(t, code, name) for t, rows in workbook.coded.items() for code, name in rows.items()],
                    list(workbook.texts.items()), list(workbook.notes.items())))

    def delete_year(self, year: int) -> None:
        """Delete the year and everything in it (the rows go with it: ON DELETE CASCADE)."""
        with self._writing() as c:
            if c.execute(delete(DepartmentYear).where(DepartmentYear.year == year)).rowcount == 0:
                raise self._no_year(year)
            c.execute(delete(Meta).where(Meta.key == digest.key(year)))

    # ── single edits, each committed at once ───────────────────────────────
    def set_cell(self, year: int, cell: Cell, value: Decimal | None) -> None:
        """One figure of the year; ``None`` clears it."""
        self._set_amount("cell", year, cell, value)

    def set_cells(self, year: int, values: Mapping[Cell, Decimal | None], *, prior: bool = False) -> None:
        """Several figures of the year (``prior``: 上年数) in one transaction (a paste, a total and
        its parts): all of them reach the disk, or none."""
        for value in values.values():
            if value is not None:
                _check_amount(value)
        if not values:
            return
        kind = "prior" if prior else "cell"
        with self._writing() as c:
            year_id = self._touch(c, year)
            gone, added = [], []
            for cell, value in values.items():
                key = {"year_id": year_id, "table_no": cell.table, "row_key": cell.row, "col_no": cell.col}
                if self.keeps_digest:
                    old = c.execute(_SQL[f"get_{kind}"], key).scalar()
                    if old is not None:
                        gone.append(digest.value(kind, cell.table, cell.row, cell.col, to_storage(old) or ""))
                    if value is not None:
                        added.append(digest.value(kind, cell.table, cell.row, cell.col, to_storage(value) or ""))
                if value is None:
                    c.execute(_SQL[f"clear_{kind}"], key)
                else:
                    c.execute(_SQL[f"put_{kind}"], {**key, "amount": value})
            self._redigest(c, year, gone, added)

    def set_prior(self, year: int, cell: Cell, value: Decimal | None) -> None:
        """Last year's figure for a cell (上年数); ``None`` clears it."""
        self._set_amount("prior", year, cell, value)

    def _set_amount(self, kind: str, year: int, cell: Cell, value: Decimal | None) -> None:
        self.set_cells(year, {cell: value}, prior=kind == "prior")

    def set_coded_row(self, year: int, table: str, code: str, name: str = "") -> None:
        """Add a classification row to a coded table, or rename it ('' = the catalog's name)."""
        with self._writing() as c:
            year_id = self._touch(c, year)
            key = {"year_id": year_id, "table_no": table, "code": code}
            old = c.execute(_SQL["get_row"], key).scalar() if self.keeps_digest else None
            c.execute(_SQL["put_row"], {**key, "name": name})
            self._redigest(c, year, [] if old is None else [digest.coded(table, code, old)],
                           [digest.coded(table, code, name)])

    def remove_coded_row(self, year: int, table: str, code: str) -> None:
        """Remove a classification row and its figures, as `Workbook.remove_code` does
        (last year's figures for the row stay: they belong to last year)."""
        with self._writing() as c:
            year_id = self._touch(c, year)
            key = {"year_id": year_id, "table_no": table, "code": code}
            gone = []
            if self.keeps_digest:
                gone = [digest.coded(table, code, name) for name in c.execute(_SQL["get_row"], key).scalars()]
                gone += [digest.value("cell", table, code, col, to_storage(amount) or "")
                         for col, amount in c.execute(_SQL["get_row_values"], key)]
            c.execute(_SQL["drop_row"], key)
            c.execute(_SQL["drop_row_values"], key)
            self._redigest(c, year, gone, [])

    def set_text(self, year: int, key: str, text: str | None) -> None:
        """A text of the year; ``None`` removes it ('' is kept as an empty text)."""
        with self._writing() as c:
            year_id = self._touch(c, year)
            params = {"year_id": year_id, "key": key}
            old = c.execute(_SQL["get_text"], params).scalar() if self.keeps_digest else None
            if text is None:
                c.execute(_SQL["clear_text"], params)
            else:
                c.execute(_SQL["put_text"], {**params, "text": text})
            self._redigest(c, year, [] if old is None else [digest.text(key, old)],
                           [] if text is None else [digest.text(key, text)])


    def set_note(self, year: int, key: tuple[str, str, str, str], text: str | None) -> None:
        """The explanation of a finding (出错说明) by its key; ``None`` removes it."""
        with self._writing() as c:
            year_id = self._touch(c, year)
            params = {"year_id": year_id, "rule": key[0], "table_no": key[1], "row_label": key[2],
                      "column_label": key[3]}
            old = c.execute(_SQL["get_note"], params).scalar() if self.keeps_digest else None
            if text is None:
                c.execute(_SQL["clear_note"], params)
            else:
                c.execute(_SQL["put_note"], {**params, "text": text})
            self._redigest(c, year, [] if old is None else [digest.note(key, old)],
                           [] if text is None else [digest.note(key, text)])


class ConnectionRepository(Repository):
    """The same reads and writes on a connection someone else holds (a district on a database
    server, or inside a consolidation's transaction). ``in_transaction``: the caller has begun
    one, and every read and write joins it; otherwise each is its own transaction."""

    def __init__(self, conn: Connection, label: str, in_transaction: bool = False) -> None:
        self.conn, self.path, self._joined = conn, Path(label), in_transaction

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        if self._joined:
            yield self.conn
        else:
            with self.conn.begin():
                yield self.conn

    _writing = _reading
