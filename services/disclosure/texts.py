"""Text specifications (文字规范): ``resources/texts/narrative.toml`` and ``glossary.toml``.

The fixed phrasing of the disclosure, the keys under which a clerk's own texts and figures are
stored in `Workbook.texts`, and the labels `services.narrative_check` looks for, are data a finance
person can read and edit. This module only loads them and answers small questions: which table
plays a role ("三公表") in a template, what a table's name reads like in a heading, which keys a
workbook's clerk may fill in. No ReportLab here: the narrative checker uses it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from services.cache import bundled_toml
from services.templates import TableSpec, Template

TEXT_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "texts"


@cache
def narrative_spec() -> dict:
    return bundled_toml(TEXT_DIR / "narrative.toml")


@cache
def glossary_spec() -> dict:
    return bundled_toml(TEXT_DIR / "glossary.toml")


def find_table(template: Template, role: str) -> TableSpec | None:
    """The table playing ``role`` (a name from ``[tables]``): by exact title, alias, then contained text."""
    wanted = narrative_spec()["tables"].get(role, role)
    tables = list(template.tables.values())
    for t in tables:
        if t.title == wanted or wanted in t.aliases:
            return t
    for t in tables:
        if wanted in t.title or any(wanted in a for a in t.aliases):
            return t
    return None


def heading_name(title: str) -> str:
    """A table title as a heading reads it: 收入支出决算总表 → 收入支出决算总体, …明细表 → …."""
    name = title[:-1] if title.endswith("表") else title
    if name.endswith("明细"):
        name = name[: -len("明细")]
    if name.endswith("总"):
        name += "体"
    return name


@dataclass(frozen=True)
class TextField:
    """One thing the clerk may write or enter: its key in `Workbook.texts` and what it means."""

    key: str
    what: str
    kind: str  # 文字 | 原因 | 金额 | 数量
    optional: bool = False


def _entries() -> dict[str, tuple[str, str, bool]]:
    """Every key pattern → (what, kind, optional)."""
    spec = narrative_spec()
    out: dict[str, tuple[str, str, bool]] = {}
    for k, what in spec["texts"].items():
        out[k] = (what, "文字", False)
    for k, what in spec["reasons"].items():
        out[k] = (what, "原因", False)
    for k, d in spec["figures"].items():
        out[k] = (d["what"], d.get("kind", "金额"), bool(d.get("optional", False)))
    return out


_PATTERN = re.compile(r"\{([^}]+)\}")


def field(pattern: str, **subs: str) -> TextField:
    """The field for a key pattern such as ``数据.年初预算.{科目}`` with its blanks filled in."""
    what, kind, optional = _entries()[pattern]
    key = _PATTERN.sub(lambda m: subs.get(m.group(1), m.group(0)), pattern)
    what = _PATTERN.sub(lambda m: subs.get(m.group(1), m.group(0)), what)
    return TextField(key, what, kind, optional)


def text_fields() -> list[TextField]:
    """The key patterns as written in narrative.toml (``{科目}`` etc. not expanded), for a form."""
    return [TextField(k, w, kind, opt) for k, (w, kind, opt) in _entries().items()]
