"""The department file's tables (部门数据文件的表结构), as typed SQLAlchemy 2 models.

One SQLite file holds one department (部门) and every year it has entered (部门决算, one
`department_year` each, possibly on different templates). A year's content mirrors
`services.workbook.Workbook` field by field, so saving and loading is a plain copy:
``values`` → `CellValue`, ``coded`` → `CodedRow`, ``texts`` → `NarrativeText`,
``prior`` → `PriorValue`.

These classes describe a file of the current schema version (`services.migrations.SCHEMA_VERSION`);
older shapes exist only as frozen DDL inside the migration steps. Only `services.store` imports
this module: SQLAlchemy's ORM costs about half a second to import, which start-up cannot afford.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from sqlalchemy import CheckConstraint, ForeignKey, MetaData, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from services.money import AmountError, from_storage, to_storage


class StoredAmountError(ValueError):
    """Text in an amount column that is not a number: the file was changed by something else."""


class AmountText(TypeDecorator[Decimal]):
    """An exact amount kept as canonical text (``"1717.31"``, ``"-0.000001"``).

    SQLite has no decimal type and a REAL would round, so the text from `money.to_storage` is
    what is stored, and `money.from_storage` reads it back to the identical `Decimal`.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # A float or NaN reaching the file would be a silent loss of exactness: refuse it here
        # too, even though the store checks before it writes.
        if not isinstance(value, Decimal) or not value.is_finite():
            raise AmountError(f"“{value}”不是可以保存的金额")
        return to_storage(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        try:
            return from_storage(str(value))
        except InvalidOperation:
            raise StoredAmountError(str(value)) from None


#: Named constraints, so a future migration can name what it drops or rebuilds (shared by every
#: schema of the product: the department file, the district's tables).
NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
}
#: Text stays text and every amount goes through `AmountText` (exact, never a float).
TYPE_ANNOTATION_MAP = {str: Text(), Decimal: AmountText()}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = TYPE_ANNOTATION_MAP


IntPk = Annotated[int, mapped_column(primary_key=True)]
#: Every per-year row belongs to a `DepartmentYear`; deleting the year deletes its rows.
YearRef = Annotated[int, mapped_column(ForeignKey("department_year.id", ondelete="CASCADE"))]
#: ISO 8601 local time with its offset, e.g. ``2021-03-05T09:30:12+08:00``; text sorts correctly.
Timestamp = str


class Meta(Base):
    """Key/value facts about the file itself: which product wrote it, at which schema version."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[str]


class Department(Base):
    """The department (部门) the file belongs to: exactly one row, ``id = 1``."""

    __tablename__ = "department"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[IntPk]
    name: Mapped[str]
    #: 部门/单位代码 as the finance bureau assigns it; may be unknown ('').
    code: Mapped[str] = mapped_column(default="")


class DepartmentYear(Base):
    """One year's final accounts (某年度部门决算) and the template it was entered on."""

    __tablename__ = "department_year"

    id: Mapped[IntPk]
    year: Mapped[int] = mapped_column(unique=True)
    template_id: Mapped[str]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class _CellAmount:
    """The columns of a figure addressed like a workbook cell (本年数 and 上年数 alike)."""

    id: Mapped[IntPk]
    year_id: Mapped[YearRef]
    table_no: Mapped[str]
    row_key: Mapped[str]
    col_no: Mapped[int]
    amount: Mapped[Decimal]


class CellValue(_CellAmount, Base):
    """One figure of the year (本年数); a blank cell has no row."""

    __tablename__ = "cell_value"
    # The unique index leads with year_id, so it also serves the foreign key and loading a year.
    __table_args__ = (
        UniqueConstraint("year_id", "table_no", "row_key", "col_no", name="uq_cell_value_cell"),
    )


class CodedRow(Base):
    """A classification row (科目行) present in a coded table, with the name the clerk gave it."""

    __tablename__ = "coded_row"
    __table_args__ = (
        UniqueConstraint("year_id", "table_no", "code", name="uq_coded_row_code"),
    )

    id: Mapped[IntPk]
    year_id: Mapped[YearRef]
    table_no: Mapped[str]
    code: Mapped[str]
    #: '' means "use the catalog's name".
    name: Mapped[str] = mapped_column(default="")


class NarrativeText(Base):
    """A text of the year (部门职责, 机构设置, a reason for a change …), by key."""

    __tablename__ = "narrative_text"
    __table_args__ = (
        UniqueConstraint("year_id", "key", name="uq_narrative_text_key"),
    )

    id: Mapped[IntPk]
    year_id: Mapped[YearRef]
    key: Mapped[str]
    text: Mapped[str]


class PriorValue(_CellAmount, Base):
    """Last year's figure for a cell (上年数), typed in once when last year has no file."""

    __tablename__ = "prior_value"
    __table_args__ = (
        UniqueConstraint("year_id", "table_no", "row_key", "col_no", name="uq_prior_value_cell"),
    )


class FindingNote(Base):
    """The clerk's explanation of a finding (出错说明), by the finding's stable key
    (`services.explanations.key_of`: rule, table, row and column as the finding names them)."""

    __tablename__ = "finding_note"
    __table_args__ = (
        UniqueConstraint("year_id", "rule", "table_no", "row_label", "column_label", name="uq_finding_note_key"),
    )

    id: Mapped[IntPk]
    year_id: Mapped[YearRef]
    rule: Mapped[str]
    table_no: Mapped[str]
    row_label: Mapped[str]
    column_label: Mapped[str]
    text: Mapped[str]
