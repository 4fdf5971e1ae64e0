-- The department file as version 1 of 决算公开助手 wrote it (PRAGMA user_version = 1).
-- Frozen here so tests can build a v1 file with plain sqlite3 and check that opening it
-- migrates it with every value intact. Differences from version 2:
--   * department_year has no template_id (a year was shown on the bundled template for it);
--   * there is no prior_value table (上年数 could not be typed in).
-- Journal mode was the default (rollback journal, not WAL).

PRAGMA application_id = 1246971716;  -- 0x4A534744, "JSGD"
PRAGMA user_version = 1;

CREATE TABLE meta (
    "key" TEXT NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT pk_meta PRIMARY KEY ("key")
);

CREATE TABLE department (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    CONSTRAINT pk_department PRIMARY KEY (id),
    CONSTRAINT ck_department_one_row CHECK (id = 1)
);

CREATE TABLE department_year (
    id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT pk_department_year PRIMARY KEY (id),
    CONSTRAINT uq_department_year_year UNIQUE (year)
);

CREATE TABLE cell_value (
    id INTEGER NOT NULL,
    year_id INTEGER NOT NULL,
    table_no TEXT NOT NULL,
    row_key TEXT NOT NULL,
    col_no INTEGER NOT NULL,
    amount TEXT NOT NULL,
    CONSTRAINT pk_cell_value PRIMARY KEY (id),
    CONSTRAINT uq_cell_value_cell UNIQUE (year_id, table_no, row_key, col_no),
    CONSTRAINT fk_cell_value_year_id FOREIGN KEY(year_id) REFERENCES department_year (id) ON DELETE CASCADE
);

CREATE TABLE coded_row (
    id INTEGER NOT NULL,
    year_id INTEGER NOT NULL,
    table_no TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    CONSTRAINT pk_coded_row PRIMARY KEY (id),
    CONSTRAINT uq_coded_row_code UNIQUE (year_id, table_no, code),
    CONSTRAINT fk_coded_row_year_id FOREIGN KEY(year_id) REFERENCES department_year (id) ON DELETE CASCADE
);

CREATE TABLE narrative_text (
    id INTEGER NOT NULL,
    year_id INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    text TEXT NOT NULL,
    CONSTRAINT pk_narrative_text PRIMARY KEY (id),
    CONSTRAINT uq_narrative_text_key UNIQUE (year_id, "key"),
    CONSTRAINT fk_narrative_text_year_id FOREIGN KEY(year_id) REFERENCES department_year (id) ON DELETE CASCADE
);

INSERT INTO meta ("key", value) VALUES ('app', '决算公开助手'), ('schema_version', '1');
