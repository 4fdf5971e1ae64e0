"""The sealed submission file (上报文件): what a department sends to the district finance bureau.

A submission is a small SQLite file holding one department-year and nothing else: a one-row
`manifest`, the figures, coded rows, texts, last year's figures and the findings at the time of
sealing. It is not a department file: its ``application_id`` and its own ``user_version``
(`FORMAT_VERSION`) differ, so neither can be taken for the other.

The bureau opens thousands of these from machines it does not control, so the file's schema is a
contract written down once: `DDL` is the exact text of every ``CREATE`` statement, as SQLite keeps
it in ``sqlite_master``. A writer executes exactly these statements and the bureau's gate refuses a
file whose ``sqlite_master`` differs in any way, even by a space. The SQLAlchemy `Table` objects
below are used for the rows (insert, select); a test proves they describe the same columns.
A new format is a new version with its own frozen `DDL`; never edit a released one.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text

#: ``PRAGMA application_id``: "JSSB" (决算上报). Department and district files use "JSGD".
APPLICATION_ID = 0x4A535342
#: ``PRAGMA user_version`` of a submission; the newest format this program reads and writes.
FORMAT_VERSION = 1
#: The manifest's ``format`` column: says what the file is to anyone who opens it.
FORMAT_NAME = "决算公开助手上报文件"

metadata = MetaData()


def _cell_table(name: str) -> Table:
    return Table(
        name, metadata,
        Column("table_no", Text, primary_key=True),
        Column("row_key", Text, primary_key=True),
        Column("col_no", Integer, primary_key=True),
        Column("amount", Text, nullable=False),
        sqlite_with_rowid=False,
    )


manifest = Table(
    "manifest", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("format", Text, nullable=False),
    Column("department", Text, nullable=False),
    Column("department_code", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("template_id", Text, nullable=False),
    Column("app_name", Text, nullable=False),
    Column("app_version", Text, nullable=False),
    Column("department_schema", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("value_count", Integer, nullable=False),
    Column("prior_count", Integer, nullable=False),
    Column("coded_count", Integer, nullable=False),
    Column("text_count", Integer, nullable=False),
    Column("finding_count", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    #: 1 when the clerk sealed it with error-level findings (强制上报), else 0
    Column("allow_errors", Integer, nullable=False),
    #: SHA-256 (hex) of the canonical content, see `services.exchange.canonical`
    Column("digest", Text, nullable=False),
)
cell_value = _cell_table("cell_value")
prior_value = _cell_table("prior_value")
coded_row = Table(
    "coded_row", metadata,
    Column("table_no", Text, primary_key=True),
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    sqlite_with_rowid=False,
)
narrative_text = Table(
    "narrative_text", metadata,
    Column("key", Text, primary_key=True),
    Column("text", Text, nullable=False),
    sqlite_with_rowid=False,
)
#: The check summary at sealing (封存时的审核结果), one row per finding, in the checker's order.
finding = Table(
    "finding", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("rule", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("table_no", Text, nullable=False),
    Column("row_label", Text, nullable=False),
    Column("column_label", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("expected", Text),
    Column("actual", Text),
    Column("difference", Text),
    Column("possible_rounding", Integer, nullable=False),
)

#: Format 1, exactly as written to and expected in ``sqlite_master`` (see the module docstring).
DDL: tuple[str, ...] = (
    "CREATE TABLE manifest (id INTEGER NOT NULL PRIMARY KEY, format TEXT NOT NULL,"
    " department TEXT NOT NULL, department_code TEXT NOT NULL, year INTEGER NOT NULL,"
    " template_id TEXT NOT NULL, app_name TEXT NOT NULL, app_version TEXT NOT NULL,"
    " department_schema INTEGER NOT NULL, created_at TEXT NOT NULL, value_count INTEGER NOT NULL,"
    " prior_count INTEGER NOT NULL, coded_count INTEGER NOT NULL, text_count INTEGER NOT NULL,"
    " finding_count INTEGER NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,"
    " allow_errors INTEGER NOT NULL, digest TEXT NOT NULL)",
    "CREATE TABLE cell_value (table_no TEXT NOT NULL, row_key TEXT NOT NULL, col_no INTEGER NOT NULL,"
    " amount TEXT NOT NULL, PRIMARY KEY (table_no, row_key, col_no)) WITHOUT ROWID",
    "CREATE TABLE prior_value (table_no TEXT NOT NULL, row_key TEXT NOT NULL, col_no INTEGER NOT NULL,"
    " amount TEXT NOT NULL, PRIMARY KEY (table_no, row_key, col_no)) WITHOUT ROWID",
    "CREATE TABLE coded_row (table_no TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,"
    " PRIMARY KEY (table_no, code)) WITHOUT ROWID",
    "CREATE TABLE narrative_text (\"key\" TEXT NOT NULL PRIMARY KEY, text TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE finding (seq INTEGER NOT NULL PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL,"
    " table_no TEXT NOT NULL, row_label TEXT NOT NULL, column_label TEXT NOT NULL, message TEXT NOT NULL,"
    " expected TEXT, actual TEXT, difference TEXT, possible_rounding INTEGER NOT NULL)",
)
