"""Which registered department a submission belongs to (上报部门的认定), on the district's tables.

`services.identity.match` decides from the departments registered so far and the roster; this
applies it inside the consolidation's transaction: a department registered without a code that
now sends one is re-keyed to its code (its submissions stay its own), and a submission that
cannot be told apart from two departments is refused with the reason.

A run reads the district's departments and roster once (`Registry`) and keeps them current as it
registers, renames and re-keys: asking the database for each of ten thousand submissions cost
three round trips each, which on a PostgreSQL server is most of the consolidating process's wait.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table, inspect, select, update

from services.exchange import ledger
from services.exchange.content import Manifest, Refused
from services.identity import Ambiguous, department_name, match, name_key, normal_code


class Registry:
    """The district's departments (key → id, code, name) and its roster, for one run."""

    def __init__(self, c: Connection) -> None:
        from services.exchange import roster

        self.c = c
        D, R = cast(Table, ledger.D), cast(Table, roster.ROSTER)
        self._rows: dict[str, tuple[int, str, str]] = {
            key: (i, code, name) for i, key, code, name in c.execute(select(D.c.id, D.c.key, D.c.code, D.c.name))}
        self._coded_by_name: dict[str, set[str]] = {}
        for key, (_i, code, name) in self._rows.items():
            if code:
                self._coded_by_name.setdefault(name, set()).add(key)
        listed = list(c.execute(select(R.c.code, R.c.name))) if inspect(c).has_table(R.name) else []
        self._roster_by_name: dict[str, list[tuple[str, str]]] = {}
        self._roster_by_code: dict[str, list[tuple[str, str]]] = {}
        for code, name in listed:
            self._roster_by_name.setdefault(name, []).append((code, name))
            if code:
                self._roster_by_code.setdefault(code, []).append((code, name))
        #: departments this run registered: none of their submissions is in the district yet
        self.new: set[int] = set()

    def department_of(self, m: Manifest) -> tuple[int, str]:
        """(the department's id, registering it if new; a note for the bureau, or "")."""
        key = m.department_key
        code, name = normal_code(m.department_code), department_name(m.department)
        if key in self._rows:
            return self._id(key, code, name), ""
        # Only the departments that could match: registered under this name without a code, or
        # with a code under this name (and the roster's lines of this name or code).
        plain = f"名称:{name_key(name)}"
        known = ([(plain, *self._rows[plain][1:])] if plain in self._rows else []) + \
            [(k, *self._rows[k][1:]) for k in sorted(self._coded_by_name.get(name, ())) if k != plain]
        listed = self._roster_by_name.get(name, []) + [r for r in self._roster_by_code.get(code, []) if r[1] != name]
        try:
            hit = match(m.department_code, m.department, known, listed)
        except Ambiguous as e:
            raise Refused(str(e)) from None
        if hit.rekey is not None:
            D = cast(Table, ledger.D)
            self.c.execute(update(D).where(D.c.key == hit.rekey).values(key=hit.key, code=code))
            i, _old_code, old_name = self._rows.pop(hit.rekey)
            self._remember(hit.key, i, code, old_name)
        return self._id(hit.key, code, name), hit.note

    def _id(self, key: str, code: str, name: str) -> int:
        """The registered department's id (its name follows the latest), registering it if new."""
        found = self._rows.get(key)
        if found is None:
            i = ledger.register(self.c, key, code, name)
            self.new.add(i)
            self._remember(key, i, code, name)
            return i
        i, have_code, have_name = found
        if have_name != name:
            ledger.rename(self.c, i, name)
            self._coded_by_name.get(have_name, set()).discard(key)
            self._remember(key, i, have_code, name)
        return i

    def _remember(self, key: str, i: int, code: str, name: str) -> None:
        self._rows[key] = (i, code, name)
        if code:
            self._coded_by_name.setdefault(name, set()).add(key)
