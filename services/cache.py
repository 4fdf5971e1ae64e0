"""The program's cache (缓存): what is slow to derive from a bundled file, kept between runs.

Parsing the 21 MB TTC's metrics or the templates' TOML costs more on every export than reading
the result back. Each entry is keyed by its source file's name, size and modification time (and
the Python and library versions that made it), so an updated file is derived again; an entry
carries a BLAKE2b checksum of its bytes, so a damaged one is derived again rather than trusted.
Anything that goes wrong with the cache (no home folder, a full or read-only disk) only means
deriving each time: the cache can always be deleted.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from hashlib import blake2b
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: bumped when what an entry holds changes shape
FORMAT = 2
_SUM = 16


def folder(kind: str) -> Path:
    """Where entries of ``kind`` (``fonts``, ``toml``) are kept: the user's cache folder, or
    ``$DISCLOSURE_DESK_CACHE`` (tests, a portable install)."""
    override = os.environ.get("DISCLOSURE_DESK_CACHE")
    if override:
        return Path(override) / kind
    from platformdirs import user_cache_path

    return user_cache_path("DisclosureDesk", appauthor=False) / kind


def remembered(kind: str, source: Path, make: Callable[[], T], salt: str = "") -> T:
    """``make()``, derived from ``source``, from the cache when ``source`` has not changed since."""
    try:
        st = source.stat()
    except OSError:
        return make()
    stem = f"{source.name}-"
    name = f"{stem}{st.st_size}-{st.st_mtime_ns}-{salt}-py{sys.version_info[0]}{sys.version_info[1]}-{FORMAT}.cache"
    entry = folder(kind) / name
    try:
        raw = entry.read_bytes()
        if blake2b(raw[_SUM:], digest_size=_SUM).digest() == raw[:_SUM]:
            return pickle.loads(raw[_SUM:])  # noqa: S301 (our own folder, checked against its checksum)
    except Exception:  # noqa: BLE001 (no entry yet, or an unreadable one: derive it)
        pass
    value = make()
    try:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(parents=True, exist_ok=True)
        part = entry.with_name(f"{name}.{os.getpid()}.part")
        part.write_bytes(blake2b(body, digest_size=_SUM).digest() + body)
        part.replace(entry)
        for stale in entry.parent.glob(f"{stem}*"):  # the same file's older versions (and formats)
            if stale.name != name and not stale.name.endswith(".part"):
                stale.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 (a read-only home, a full disk: derived each time)
        pass
    return value


def bundled_toml(path: Path) -> dict:
    """A TOML file the program ships (templates, texts), parsed once per version of the file.
    Raises `tomllib.TOMLDecodeError` as `tomllib.loads` does (nothing is cached then)."""

    def parse() -> dict:
        import tomllib

        return tomllib.loads(path.read_text(encoding="utf-8"))

    return remembered("toml", path, parse)
