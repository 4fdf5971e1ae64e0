"""The canonical content of a submission (规范化内容) and its SHA-256 digest (校验码).

The digest is taken over what the submission *says*, never over its bytes: the same figures in a
file written by another SQLite version, vacuumed, or with different free pages have the same
digest, while any change to a figure, a code, a name, a text, the manifest or the sealed findings
changes it. The writer (`services.exchange.submission`) and the bureau's gate
(`services.exchange.gate`) both call `digest`, on the rows as stored (amounts as their canonical
decimal text, e.g. ``"1717.31"``), so the two can only agree if nothing changed in between.

The serialisation, fixed for format 1 (never change it; a new one needs a new format version):
UTF-8 JSON (``ensure_ascii=False``, separators ``,`` and ``:`` without spaces), one line per
part, each line ending in ``\n``:

* ``["决算公开助手上报文件",1]`` — the format and its version;
* ``["M",[[field,value],…]]`` — every manifest field except ``digest``, sorted by field name;
* ``["V",[[table,row,col,amount],…]]`` — the figures, sorted by (table, row, col);
* ``["P",[[table,row,col,amount],…]]`` — last year's figures (上年数), sorted likewise;
* ``["C",[[table,code,name],…]]`` — the coded rows, sorted by (table, code);
* ``["T",[[key,text],…]]`` — the texts, sorted by key (the clerk's 出错说明 of the findings sealed
  among them, named ``出错说明:`` + the finding's key as JSON, `services.explanations`);
* ``["F",[[seq,rule,severity,table,row,column,message,expected,actual,difference,
  possible_rounding],…]]`` — the findings at sealing, sorted by seq.

Strings sort by code point; JSON escapes every control character, so no field can fake a record
boundary. A digest is not a signature: it proves the file was not changed by accident or by a
naive edit, not who made it (anyone can recompute it); the gate's own checks do not rely on it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models.submission import FORMAT_NAME, FORMAT_VERSION

CellRow = tuple[str, str, int, str]
CodedRowT = tuple[str, str, str]
TextRow = tuple[str, str]
FindingRow = tuple[int, str, str, str, str, str, str, "str | None", "str | None", "str | None", int]


ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def serialise(
    manifest: Mapping[str, str | int],
    values: Iterable[CellRow],
    prior: Iterable[CellRow],
    coded: Iterable[CodedRowT],
    texts: Iterable[TextRow],
    findings: Iterable[FindingRow],
) -> bytes:
    """The canonical serialisation described in the module docstring (UTF-8 bytes)."""
    parts: list[list[Any]] = [
        [FORMAT_NAME, FORMAT_VERSION],
        ["M", [[key, manifest[key]] for key in sorted(manifest) if key != "digest"]],
    ]
    for tag, rows in (("V", values), ("P", prior), ("C", coded), ("T", texts), ("F", findings)):
        parts.append([tag, sorted(rows)])  # one C-level encode per part: tuples become arrays
    return "".join(ENCODE(part) + "\n" for part in parts).encode("utf-8")


def digest_of(content: bytes) -> str:
    """The digest (校验码): SHA-256, lower-case hex, of a canonical serialisation (`serialise`)."""
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Content:
    """A canonical serialisation read back (the district keeps each submission as one): the
    parts by tag, rows as lists in canonical order, amounts as their canonical text."""

    manifest: dict[str, Any]
    values: list[list[Any]]
    prior: list[list[Any]]
    coded: list[list[Any]]
    texts: list[list[Any]]
    findings: list[list[Any]]


def parse(content: bytes) -> Content:
    """The parts of a serialisation this program wrote (`serialise`); raises ValueError otherwise."""
    lines = content.decode("utf-8").split("\n")
    if len(lines) != 8 or lines[-1] != "" or json.loads(lines[0]) != [FORMAT_NAME, FORMAT_VERSION]:
        raise ValueError("not a canonical submission content")
    parts = [json.loads(line) for line in lines[1:7]]
    if [p[0] for p in parts] != ["M", "V", "P", "C", "T", "F"]:
        raise ValueError("not a canonical submission content")
    return Content(dict(parts[0][1]), *(p[1] for p in parts[1:]))
