"""A district as the bureau names it (区汇总的位置): a file path, or a PostgreSQL server's URL.

Light on purpose (no SQLAlchemy): the command line reads its arguments with it before any
command runs.
"""

from __future__ import annotations

import re
from pathlib import Path

#: what a district on a server is given as
SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")

Target = str | Path


def is_server(target: Target) -> bool:
    return isinstance(target, str) and target.startswith(SCHEMES)


def as_target(text: str) -> Target:
    """A command-line argument as a district or a file: a URL stays text, anything else is a path."""
    return text if is_server(text) else Path(text)


def label(target: Target) -> str:
    """The district as messages name it: the file's name, or the URL without its password."""
    if is_server(target):
        return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1@", str(target)).replace("+psycopg", "")
    return Path(target).name
