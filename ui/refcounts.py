"""Python's singletons made immortal before Qt is used (防崩溃), on CPython older than 3.12.

The pinned PySide6 6.12.0 wheel hands ``None``, ``True`` and ``False`` back to Python without a
reference of their own (as code compiled for CPython 3.12, where these objects are immortal,
may): every call of a Qt method returning nothing, every `Signal.emit`, costs one reference, and
after some thousands of edits CPython 3.11 aborts ("none_dealloc: deallocating None"). CPython
3.12 (PEP 683) made such objects immortal by giving them a huge reference count; `immortalize`
does the same here, once. It is never undone and costs nothing; on 3.12 and later it does nothing.
"""

from __future__ import annotations

import ctypes
import sys

#: Far more references than a program can drop (2**40 calls), far below the counter's limit.
IMMORTAL = 1 << 40
SINGLETONS = (None, True, False, Ellipsis, NotImplemented, (), "", b"")


def immortalize() -> None:
    if sys.version_info >= (3, 12):
        return
    for obj in SINGLETONS:
        refcount = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt: the first field of every object
        if refcount.value < IMMORTAL:
            refcount.value += IMMORTAL
