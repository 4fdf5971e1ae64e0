"""Upgrading an old department file to the current schema (数据文件格式升级), without Alembic.

Alembic is built for server databases and costs start-up time; a department file needs far less:
an ordered list of steps, step *n* turning a version-*n* file into version *n + 1*. The version is
SQLite's ``PRAGMA user_version``. Each step is a function over a plain `sqlite3.Connection` with
its DDL frozen as written at the time, never derived from `models.schema` (which only knows the
current shape), so an old step keeps doing what it did when the schema moves on.

`upgrade` runs the missing steps inside the caller's transaction; `services.store` owns that
transaction, the backup copy made before it (``<name>.bak-v<old>``) and the checks before commit.
No SQLAlchemy here: this module is plain `sqlite3`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Step = Callable[[sqlite3.Connection], None]

#: Tables every file of a version has; a file lacking one is not ours (or is damaged).
TABLES: dict[int, frozenset[str]] = {
    1: frozenset(
        {"meta", "department", "department_year", "cell_value", "coded_row", "narrative_text"}
    ),
}


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """v2 records each year's template and adds last year's figures (上年数, ``prior_value``).

    v1 had no ``template_id``: a year was always shown on the bundled template for that year, so
    that is what the year gets now. SQLite cannot add a NOT NULL column without a default, so the
    table is rebuilt (SQLite's documented "12-step" way; foreign keys are off meanwhile and the
    ids are kept, so the per-year rows still point at their year).
    """
    from services.templates import template_for_year  # templates are only needed to migrate

    conn.execute(
        """CREATE TABLE department_year_v2 (
            id INTEGER NOT NULL,
            year INTEGER NOT NULL,
            template_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CONSTRAINT pk_department_year PRIMARY KEY (id),
            CONSTRAINT uq_department_year_year UNIQUE (year)
        )"""
    )
    rows = conn.execute("SELECT id, year, created_at, updated_at FROM department_year").fetchall()
    conn.executemany(
        "INSERT INTO department_year_v2 (id, year, template_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [(id_, year, template_for_year(year).id, made, changed) for id_, year, made, changed in rows],
    )
    conn.execute("DROP TABLE department_year")
    conn.execute("ALTER TABLE department_year_v2 RENAME TO department_year")
    conn.execute(
        """CREATE TABLE prior_value (
            id INTEGER NOT NULL,
            year_id INTEGER NOT NULL,
            table_no TEXT NOT NULL,
            row_key TEXT NOT NULL,
            col_no INTEGER NOT NULL,
            amount TEXT NOT NULL,
            CONSTRAINT pk_prior_value PRIMARY KEY (id),
            CONSTRAINT uq_prior_value_cell UNIQUE (year_id, table_no, row_key, col_no),
            CONSTRAINT fk_prior_value_year_id FOREIGN KEY(year_id)
                REFERENCES department_year (id) ON DELETE CASCADE
        )"""
    )


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """v3 keeps the clerk's explanations of findings (出错说明, ``finding_note``), one per finding
    key (rule, table, row, column as the finding names them); an older file has none."""
    conn.execute(
        """CREATE TABLE finding_note (
            id INTEGER NOT NULL,
            year_id INTEGER NOT NULL,
            rule TEXT NOT NULL,
            table_no TEXT NOT NULL,
            row_label TEXT NOT NULL,
            column_label TEXT NOT NULL,
            text TEXT NOT NULL,
            CONSTRAINT pk_finding_note PRIMARY KEY (id),
            CONSTRAINT uq_finding_note_key UNIQUE (year_id, rule, table_no, row_label, column_label),
            CONSTRAINT fk_finding_note_year_id FOREIGN KEY(year_id)
                REFERENCES department_year (id) ON DELETE CASCADE
        )"""
    )


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    """v4 makes the 校验值 (`services.store.digest`) part of the format: every year of a
    department file has one, and so do its name and code. A v3 file kept them only once edited
    by a version that knew them; this gives every year without one its checksum, from its rows
    as they are now. One already there is kept, so a file damaged since is still refused.

    An older program refuses a v4 file (it is newer than it knows), so no version that does not
    keep the checksums can write to a file that has them. A district keeps none (its 汇总 is the
    consolidation's own).
    """
    from services.store import digest  # the hash only: this step's SQL is its own, frozen

    if conn.execute("SELECT 1 FROM meta WHERE key = 'kind' AND value = 'district'").fetchone():
        return
    have = {k for (k,) in conn.execute("SELECT key FROM meta WHERE key LIKE ?", (digest.PREFIX + "%",))}
    put = "INSERT INTO meta (key, value) VALUES (?, ?)"
    person = conn.execute("SELECT name, code FROM department WHERE id = 1").fetchone()
    if person is not None and digest.DEPARTMENT_KEY not in have:
        conn.execute(put, (digest.DEPARTMENT_KEY, digest.department(*person)))
    for year_id, year, template_id in conn.execute(
            "SELECT id, year, template_id FROM department_year").fetchall():
        if digest.key(year) in have:
            continue

        def rows(sql: str, year_id: int = year_id) -> list[tuple]:  # type: ignore[type-arg]
            return conn.execute(sql, (year_id,)).fetchall()

        sums = digest.of_rows(
            template_id,
            rows("SELECT table_no, row_key, col_no, coalesce(amount, '') FROM cell_value WHERE year_id = ?"),
            rows("SELECT table_no, row_key, col_no, coalesce(amount, '') FROM prior_value WHERE year_id = ?"),
            rows("SELECT table_no, code, name FROM coded_row WHERE year_id = ?"),
            rows("SELECT key, text FROM narrative_text WHERE year_id = ?"),
            [((r, t, row, col), text) for r, t, row, col, text in rows(
                "SELECT rule, table_no, row_label, column_label, text FROM finding_note WHERE year_id = ?")])
        conn.execute(put, (digest.key(year), digest.as_text(sums)))


#: ``STEPS[n - 1]`` turns version n into n + 1. Append only; never edit a released step.
STEPS: list[Step] = [_v1_to_v2, _v2_to_v3, _v3_to_v4]
TABLES[2] = TABLES[1] | {"prior_value"}
TABLES[3] = TABLES[2] | {"finding_note"}
TABLES[4] = TABLES[3]

#: The version a new file gets, and the newest this program can open.
SCHEMA_VERSION = len(STEPS) + 1


def upgrade(conn: sqlite3.Connection, from_version: int) -> None:
    """Run the steps from ``from_version`` to `SCHEMA_VERSION` and record the new version.

    The caller holds the transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) with foreign keys off,
    so a failing step leaves the file exactly as it was.
    """
    if not 1 <= from_version <= SCHEMA_VERSION:
        raise ValueError(f"no migration from schema version {from_version}")
    if not conn.in_transaction:
        raise RuntimeError("upgrade() must run inside the caller's transaction")
    for step in STEPS[from_version - 1 :]:
        step(conn)
    # PRAGMA takes no parameters; SCHEMA_VERSION is our own integer constant, not data.
    conn.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(SCHEMA_VERSION),),
    )
