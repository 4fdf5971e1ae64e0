"""A real PostgreSQL server for the tests, started by the test run itself (`tests.pg_cluster`).

Each test gets a database of its own. Where the server is not installed the tests that need it
are skipped, saying so (never silently passing).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg_cluster import USER, new_database, running_server

__all__ = ["USER", "new_database", "pg_district", "pg_server", "running_server"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server that lives for the test run."""
    with running_server() as url:
        if url is None:
            pytest.skip("PostgreSQL 服务器未安装（Debian: apt-get install postgresql），跳过需要它的测试")
        yield url


@pytest.fixture
def pg_district(pg_server: str, request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database for one test."""
    name = "d_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:50]
    return new_database(pg_server, name)
