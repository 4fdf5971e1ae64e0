"""One read of a district file per call (each opens a `District`), for tests that look once."""

from __future__ import annotations

from pathlib import Path

from services.exchange.status import District


def status(path: Path, year: int | None = None):  # noqa: ANN201
    with District(path) as d:
        return d.status(year)


def list_departments(path: Path, year: int):  # noqa: ANN201
    with District(path) as d:
        return d.departments(year)


def history(path: Path, year: int, key: str):  # noqa: ANN201
    with District(path) as d:
        return d.history(year, key)


def load_department(path: Path, year: int, key: str):  # noqa: ANN201
    with District(path) as d:
        return d.department(year, key)


def department_findings(path: Path, year: int, key: str):  # noqa: ANN201
    with District(path) as d:
        return d.findings(year, key)


def load_consolidated(path: Path, year: int):  # noqa: ANN201
    with District(path) as d:
        return d.consolidated(year)
