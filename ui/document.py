"""An open department (打开的部门): its file and its years, each edited through an `EntrySession`.

A department file (.sqlite) is opened for writing and stays open: every edit is committed to it
at once. A publication workbook (.xlsx) opened directly is imported into memory only, and the
window says so until it is saved as a department file. A district file (区汇总文件) opens
read-only (`ui.district`): its 汇总 years, or one department's submission; ``read_only`` says why.
No Qt here.
"""

from __future__ import annotations

from pathlib import Path

from services.session import EntrySession
from services.templates import Template
from services.workbook import Cell, Workbook


class OpenError(Exception):
    """A file that cannot be opened or written; ``str()`` is one line of Chinese for the clerk."""


class Document:
    def __init__(self, path: Path, file, workbooks: dict[int, Workbook], notes: list[str] | None = None,  # noqa: ANN001
                 unplaced: list[str] | None = None, *, read_only: str | None = None, district: Path | None = None):
        self.path, self.file = path, file
        self.workbooks = workbooks
        #: what an Excel import noticed, and the figures it could not place
        self.notes, self.unplaced = notes or [], unplaced or []
        #: why nothing can be edited (shown in the status bar), or None for a document to edit
        self.read_only = read_only
        #: the district file whose 汇总 this is (the window adds its department list), or None
        self.district = district
        self._sessions: dict[int, EntrySession] = {}

    # ── opening ─────────────────────────────────────────────────────────────
    @classmethod
    def open(cls, path: Path, template_id: str | None = None) -> Document:
        """A department file, a district file, or a workbook read with ``template_id`` (chosen
        from the workbook when None)."""
        path = Path(path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from services.xlsx_import import XlsxImportError, import_xlsx

            try:
                res = import_xlsx(path, template_id=template_id)
            except XlsxImportError as e:
                raise OpenError(str(e)) from None
            return cls(path, None, {res.workbook.year: res.workbook}, list(res.notes), [str(u) for u in res.unplaced])
        from services.exchange.district_file import is_district_file
        from services.store import DepartmentFile, DepartmentFileError
        from ui.district import open_district

        if is_district_file(path):  # never opened for writing: consolidation needs it closed
            return open_district(path)
        held = None  # why the file can only be looked at: another window or process edits it
        try:
            try:
                f = DepartmentFile.open(path)
            except DepartmentFileError as e:
                if not e.holder:
                    raise
                held, f = str(e), DepartmentFile.open(path, readonly=True)
        except DepartmentFileError as e:
            raise OpenError(str(e)) from None
        try:
            years = f.years()
            if not years:
                raise OpenError(f"“{path.name}”中还没有任何年度的数据")
            workbooks = {y: f.load(y) for y in years}
        except (DepartmentFileError, OpenError) as e:
            f.close()
            raise OpenError(str(e)) from None
        if held is not None:
            f.close()
            return cls(path, None, workbooks, read_only=held)
        return cls(path, f, workbooks)

    @classmethod
    def create(cls, path: Path, department: str, code: str, year: int, template: Template) -> Document:
        """A new department file with one empty year."""
        from services.store import DepartmentFile, DepartmentFileError

        try:
            with DepartmentFile.create(path, department, code, overwrite=path.exists()) as f:
                f.save(Workbook.new(template, year, department, code))
        except DepartmentFileError as e:
            raise OpenError(str(e)) from None
        return cls.open(path)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()

    # ── years ───────────────────────────────────────────────────────────────
    @property
    def on_disk(self) -> bool:
        """Whether the figures are a file's (a department file, or read-only from a district file),
        or only an import held in memory (an .xlsx)."""
        return self.file is not None or self.read_only is not None

    @property
    def years(self) -> list[int]:
        return sorted(self.workbooks)

    @property
    def department(self) -> str:
        return self.workbooks[self.years[-1]].department

    def session(self, year: int) -> EntrySession:
        """The year's session, made (and checked) the first time it is needed."""
        if year not in self._sessions:
            errors: tuple[type[BaseException], ...] = (OSError,)
            if self.file is not None:
                from services.store import DepartmentFileError

                errors = (DepartmentFileError, OSError)
            self._sessions[year] = EntrySession(self.workbooks[year], self.file, errors, self.read_only)
        return self._sessions[year]

    def checked(self, year: int) -> bool:
        return year in self._sessions

    def set_department(self, name: str, code: str) -> None:
        from services.identity import department_name, normal_code

        self._editable()
        name, code = department_name(name), normal_code(code)  # one spelling (１０１００１ → 101001)
        for wb in self.workbooks.values():
            wb.department, wb.department_code = name, code
        if self.file is not None:
            self._write(lambda f: f.set_department(name, code))

    def put_year(self, wb: Workbook) -> None:
        """Add a year, or replace it entirely (an Excel import into this department)."""
        self._editable()
        if self.file is not None:
            self._write(lambda f: f.save(wb))
        self.workbooks[wb.year] = wb
        self._sessions.pop(wb.year, None)

    def new_year(self, year: int, template: Template) -> Workbook:
        """A new year carrying over the latest earlier year's rows, with its figures as 上年数."""
        last = max((y for y in self.workbooks if y < year), default=None)
        wb = Workbook.new(template, year, self.department, self.workbooks[self.years[-1]].department_code)
        if last is not None:
            prev = self.workbooks[last]
            for table, rows in prev.coded.items():
                if table in wb.coded:
                    wb.replace_codes(table, rows)
            wb.prior = {Cell(c.table, c.row, c.col): v for c, v in prev.values.items()}
        self.put_year(wb)
        return wb

    def save_as(self, path: Path) -> Document:
        """Every year written to a new department file, which is then opened in this one's place."""
        from services.store import DepartmentFile, DepartmentFileError

        if path.resolve() == self.path.resolve():
            raise OpenError("不能另存为正在使用的这个文件本身，请换一个文件名")
        wb = self.workbooks[self.years[-1]]
        try:
            with DepartmentFile.create(path, wb.department, wb.department_code, overwrite=path.exists()) as f:
                for y in self.years:
                    f.save(self.workbooks[y])
        except DepartmentFileError as e:
            raise OpenError(str(e)) from None
        self.close()
        return Document.open(path)

    def _editable(self) -> None:
        if self.read_only is not None:
            raise OpenError(self.read_only)

    def flush(self) -> None:
        """Make the committed edits durable against a power cut (called when the clerk pauses)."""
        if self.file is not None:
            self._write(lambda f: f.flush())

    def _write(self, op) -> None:  # noqa: ANN001
        from services.store import DepartmentFileError

        try:
            op(self.file)
        except DepartmentFileError as e:
            raise OpenError(str(e)) from None
