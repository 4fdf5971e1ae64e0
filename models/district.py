"""The district file's own tables (区汇总文件): every department's accepted submissions.

A district file is a department file (`models.schema`, same ``application_id`` and schema version)
whose one "department" is the district's consolidation (某某区汇总): `DepartmentFile.load(year)`
returns the 汇总 workbook, so checking and exporting work on it unchanged. Next to those tables it
holds these, on their own `DistrictBase` (their own metadata, so a plain department file is never
required to have them):

* `DistrictDepartment` — each department that ever submitted, by its code (or name if it has none);
* `DistrictSubmission` — every accepted submission, a register of receipts: the current one for a
  department-year has ``replaced_at`` NULL; one replaced by a later submission keeps all its rows
  and gets ``replaced_at``/``replaced_by`` (the history, 历次上报);
* `DistrictContent` — each submission's content exactly as sealed: figures, 上年数, coded rows,
  texts, manifest and the findings at sealing, in the canonical form its digest covers;
* `DistrictFinding` — the engine's findings when the bureau re-checked the submission (复核);
* `DistrictRosterEntry` — the departments the bureau expects to report (应报部门名单), so the
  status can name those that have not (未报送).

Only SQLAlchemy Core/ORM statements touch these tables, so the same code can later run on a
server database; the partial unique index is declared for SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from sqlalchemy import ForeignKey, Index, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.schema import NAMING_CONVENTION, TYPE_ANNOTATION_MAP, Timestamp

#: Version of these tables, kept in the file's ``meta`` table under `VERSION_KEY`.
DISTRICT_SCHEMA_VERSION = 2
VERSION_KEY = "district_schema_version"
#: ``meta`` key and value that mark a department-schema file as a district file.
KIND_KEY, KIND_DISTRICT = "kind", "district"


class DistrictBase(DeclarativeBase):
    # Its own base, so a plain department file never gets these tables.
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = TYPE_ANNOTATION_MAP


IntPk = Annotated[int, mapped_column(primary_key=True)]


class DistrictDepartment(DistrictBase):
    """A department (部门) known to the district."""

    __tablename__ = "district_department"

    id: Mapped[IntPk]
    #: the department code, or ``名称:<name>`` for a department without one
    key: Mapped[str] = mapped_column(unique=True)
    code: Mapped[str]
    #: indexed: matching a submission to a department asks by name (10,000 departments)
    name: Mapped[str] = mapped_column(index=True)


class DistrictSubmission(DistrictBase):
    """One accepted submission (上报) of a department-year, current or replaced."""

    __tablename__ = "district_submission"
    __table_args__ = (
        Index("ix_district_submission_year", "year", "department_id"),
    )

    id: Mapped[IntPk]
    department_id: Mapped[int] = mapped_column(ForeignKey("district_department.id"))
    year: Mapped[int]
    #: the department's name as the submission gave it
    department: Mapped[str]
    template_id: Mapped[str]
    digest: Mapped[str]
    #: when the clerk sealed it (manifest ``created_at``) and when the bureau accepted it
    sealed_at: Mapped[Timestamp]
    received_at: Mapped[Timestamp]
    #: the file name it arrived as
    source: Mapped[str]
    app_version: Mapped[str]
    #: sealed with error-level findings, knowingly (强制上报)
    allow_errors: Mapped[bool]
    sealed_errors: Mapped[int]
    sealed_warnings: Mapped[int]
    #: the bureau's re-check (复核) with this program's rules
    errors: Mapped[int]
    warnings: Mapped[int]
    value_count: Mapped[int]
    replaced_at: Mapped[Timestamp | None]
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("district_submission.id"))


# At most one current submission per department-year (a partial unique index).
Index(
    "uq_district_submission_current", DistrictSubmission.department_id, DistrictSubmission.year, unique=True,
    sqlite_where=DistrictSubmission.replaced_at.is_(None), postgresql_where=DistrictSubmission.replaced_at.is_(None),
)


class DistrictContent(DistrictBase):
    """What a submission says, exactly as sealed (上报内容): its canonical serialisation
    (`services.exchange.canonical`), zlib-compressed, one row per submission.

    One row rather than a row per figure: a district receives thousands of submissions of a
    thousand figures or more each, and the consolidated tables are the searchable form. Since it
    is the very text the submission's digest covers, ``sha256(decompress(content)) == digest``
    proves at any later time that the district holds what the department sealed.
    """

    __tablename__ = "district_content"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("district_submission.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes]


class DistrictFinding(DistrictBase):
    """A finding of the bureau's re-check of a submission (复核结果), in the checker's order."""

    __tablename__ = "district_finding"
    #: one B-tree in primary-key order (SQLite WITHOUT ROWID): a submission's findings are one range
    __table_args__ = {"sqlite_with_rowid": False}

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("district_submission.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str]
    severity: Mapped[str]
    table_no: Mapped[str]
    row_label: Mapped[str]
    column_label: Mapped[str]
    message: Mapped[str]
    expected: Mapped[Decimal | None]
    actual: Mapped[Decimal | None]
    difference: Mapped[Decimal | None]
    possible_rounding: Mapped[bool]


class DistrictRosterEntry(DistrictBase):
    """A department the district expects a submission from (应报部门), in the roster's order."""

    __tablename__ = "district_roster"

    seq: Mapped[IntPk]
    #: as `DistrictDepartment.key`: the code, or ``名称:<name>`` without one
    key: Mapped[str] = mapped_column(unique=True)
    code: Mapped[str]
    name: Mapped[str]


class DistrictTotal(DistrictBase):
    """The running 汇总 of one cell of a year (本年数, or 上年数 with ``prior``): the sum of the
    current submissions and how many fill the cell, so that one more submission changes only its
    own cells (subtract the one it replaces, add it) instead of adding up every department again.
    A cell no current submission fills has no row (it is blank in the 汇总, not 0.00)."""

    __tablename__ = "district_total"
    __table_args__ = {"sqlite_with_rowid": False}

    year: Mapped[int] = mapped_column(primary_key=True)
    prior: Mapped[bool] = mapped_column(primary_key=True)
    table_no: Mapped[str] = mapped_column(primary_key=True)
    row_key: Mapped[str] = mapped_column(primary_key=True)
    col_no: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[Decimal]
    count: Mapped[int]


class DistrictTotalRow(DistrictBase):
    """A coded row of the 汇总 year, with its name and how many current submissions list it."""

    __tablename__ = "district_total_row"
    __table_args__ = {"sqlite_with_rowid": False}

    year: Mapped[int] = mapped_column(primary_key=True)
    table_no: Mapped[str] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    count: Mapped[int]


class DistrictOffset(DistrictBase):
    """An offset (抵消) the bureau recorded in a year's 汇总: money that moves between two units of
    the district and would be counted twice by a plain sum (a unit's 上级补助收入 and its parent's
    对附属单位补助支出; 附属单位上缴收入 and 上缴上级支出), with who recorded it and why."""

    __tablename__ = "district_offset"

    id: Mapped[IntPk]
    year: Mapped[int]
    table_no: Mapped[str]
    row_key: Mapped[str]
    col_no: Mapped[int]
    #: taken out of the 汇总 (a negative amount puts back)
    amount: Mapped[Decimal]
    #: between whom, in the bureau's words (e.g. 区教育局 ↔ 区第一中学)
    parties: Mapped[str]
    reason: Mapped[str]
    recorded_by: Mapped[str]
    recorded_at: Mapped[Timestamp]


class DistrictAdjust(DistrictBase):
    """What the offsets take out of each cell of a year's 汇总, the totals that sum them included
    (`Autofill.propagate`): the 汇总 year holds the plain sum (`DistrictTotal`) minus this."""

    __tablename__ = "district_adjust"
    __table_args__ = {"sqlite_with_rowid": False}

    year: Mapped[int] = mapped_column(primary_key=True)
    table_no: Mapped[str] = mapped_column(primary_key=True)
    row_key: Mapped[str] = mapped_column(primary_key=True)
    col_no: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[Decimal]


def create_district_tables(conn) -> None:  # noqa: ANN001 - a Connection
    """The district's tables and indexes, adding what a later version added: ``create_all``
    adds a missing table, not a missing index of an existing one (the department name's)."""
    DistrictBase.metadata.create_all(conn)
    for table in DistrictBase.metadata.sorted_tables:
        for ix in table.indexes:
            ix.create(conn, checkfirst=True)
