"""A throwaway PostgreSQL server (no pytest here: `installer/smoke.py` starts one too).

Debian's postgresql package (``initdb`` and ``pg_ctl``, installed by ``.ci/run``) makes a cluster in
a temporary folder and serves it on a free local port and a private socket folder, for this run
only. The tests' fixtures are in `tests.pg_server`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER = "bureau"


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as Debian's postgres user
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # found also when PATH is only /usr/bin:/bin (the installers' smoke test runs so)
        runuser = shutil.which("runuser", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin") or "runuser"
        return [runuser, "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def running_server() -> Iterator[str | None]:
    """``postgresql://bureau@127.0.0.1:PORT`` of a server that runs while the block does; None
    where PostgreSQL is not installed."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="juesuan-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    subprocess.run(_as_server_user([initdb, "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-locale"]),
                   check=True, capture_output=True)
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40"
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql://{USER}@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def new_database(server: str, name: str) -> str:
    """The URL of a new, empty database ``name`` on ``server`` (dropped first if it exists)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"
