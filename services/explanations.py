"""出错说明 (explanations): the clerk's words on a finding, kept with the data and sent with it.

As in the official software, a warning (提示性审核) or an error sealed with 强制上报 can carry the
clerk's explanation. It belongs to the finding by a stable key, `key_of`: the rule, the table,
the row and the column as the finding names them — not the message, whose figures change with
every edit — so it stays on a finding that an edit leaves in place. When the finding disappears
(the figure was corrected) its explanation is kept, *dormant*: it is shown again if the finding
comes back (an undo, the figure typed back), listed under 已消除 in the 审核情况 report, and never
sealed or sent (it explains nothing the district sees). A coded row renamed, or a rule moved to
another row, is another finding: its old explanation goes dormant the same way.

In the department file explanations are their own table (`models.schema.FindingNote`); in the
workbook ``Workbook.notes``; in a sealed submission (format 1 unchanged) they travel among the
texts under `text_key` (``出错说明:`` + the key as JSON), so the digest covers them and an older
district program reads them as texts it does not print. The district's gate takes them back
with `from_texts`, as untrusted text: the key must be four short strings, the text is cleaned of
control and invisible characters and held to `MAX_CHARS`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Protocol

from services.identity import clean_text

#: (rule, table, row, column) as the finding names them
Key = tuple[str, str, str, str]
#: the longest explanation (a sentence or two; the official software allows about as much)
MAX_CHARS = 500
#: the longest part of a key (a row or column label; a rule id)
MAX_KEY_PART = 500
#: a submission's texts holding an explanation: this prefix, then the key as a JSON array
NOTE_PREFIX = "出错说明:"


class _Named(Protocol):
    @property
    def rule(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def row(self) -> str: ...
    @property
    def column(self) -> str: ...


def key_of(f: _Named) -> Key:
    """A finding's stable key (a `Finding` or a `SealedFinding`)."""
    return (f.rule, f.table, f.row, f.column)


def clean(text: object) -> str:
    """An explanation as kept: one line, no control or invisible characters, no spaces at the ends."""
    return clean_text(text, nfkc=False)


class ExplanationError(ValueError):
    """An explanation that cannot be kept; ``str()`` says why in one line of Chinese."""


def checked(text: str) -> str:
    """What the clerk typed, cleaned; refused when too long ('' removes the explanation)."""
    s = clean(text)
    if len(s) > MAX_CHARS:
        raise ExplanationError(f"出错说明过长（{len(s)} 个字，最多 {MAX_CHARS} 个字）")
    return s


def text_key(key: Key) -> str:
    return NOTE_PREFIX + json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


def parse_text_key(name: str) -> Key | None:
    """The finding key of a submission's text name, None when it is not an explanation's;
    raises `ExplanationError` for one that says it is but is malformed (a forged file)."""
    if not name.startswith(NOTE_PREFIX):
        return None
    try:
        parts = json.loads(name[len(NOTE_PREFIX):])
    except ValueError:
        raise ExplanationError("出错说明的位置无法识别") from None
    if not (isinstance(parts, list) and len(parts) == 4 and all(isinstance(p, str) for p in parts)):
        raise ExplanationError("出错说明的位置无法识别")
    if any(len(p) > MAX_KEY_PART for p in parts):
        raise ExplanationError("出错说明的位置过长")
    return (parts[0], parts[1], parts[2], parts[3])


def to_texts(notes: Mapping[Key, str], findings: Iterable[_Named]) -> dict[str, str]:
    """The explanations of the findings present, as a submission's texts (dormant ones stay home)."""
    present = {key_of(f) for f in findings}
    return {text_key(k): t for k, t in sorted(notes.items()) if k in present and t}


def from_texts(texts: dict[str, str]) -> dict[Key, str]:
    """Take the explanations out of a submission's texts (``texts`` keeps the others), cleaned as
    untrusted text; raises `ExplanationError` for a malformed or over-long one."""
    notes: dict[Key, str] = {}
    for name in [n for n in texts if n.startswith(NOTE_PREFIX)]:
        key = parse_text_key(name)
        text = clean(texts.pop(name))
        if len(text) > MAX_CHARS:
            raise ExplanationError(f"出错说明过长（{len(text)} 个字，最多 {MAX_CHARS} 个字）")
        if key is not None and text:
            notes[key] = text
    return notes


def dormant(notes: Mapping[Key, str], findings: Iterable[_Named]) -> dict[Key, str]:
    """Explanations whose finding is not there now (corrected, or moved): kept, not shown on a finding."""
    present = {key_of(f) for f in findings}
    return {k: t for k, t in notes.items() if k not in present}
