"""Which registered department a submission belongs to (上报部门的认定), on the district's tables.

`services.identity.match` decides from the departments registered so far and the roster; this
applies it inside the consolidation's transaction: a department registered without a code that
now sends one is re-keyed to its code (its submissions stay its own), and a submission that
cannot be told apart from two departments is refused with the reason.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table, and_, inspect, or_, select, update

from services.exchange import ledger
from services.exchange.content import Manifest, Refused
from services.identity import Ambiguous, department_name, match, name_key, normal_code


def department_of(c: Connection, m: Manifest) -> tuple[int, str]:
    """(the department's id, registering it if new; a note for the bureau, or "")."""
    from services.exchange import roster

    D = cast(Table, ledger.D)
    key = m.department_key
    if c.execute(select(D.c.id).where(D.c.key == key)).first() is None:
        # Only the departments that could match: registered under this name without a code, or
        # with a code under this name (a query each, not a scan per submission in Python).
        code, name = normal_code(m.department_code), department_name(m.department)
        known = [tuple(r) for r in c.execute(select(D.c.key, D.c.code, D.c.name).where(
            or_(D.c.key == f"名称:{name_key(name)}", and_(D.c.code != "", D.c.name == name))))]
        R = cast(Table, roster.ROSTER)
        listed = ([tuple(r) for r in c.execute(select(R.c.code, R.c.name).where(
                  or_(R.c.name == name, and_(R.c.code != "", R.c.code == code))))]
                  if _has_roster(c, R) else [])
        try:
            found = match(m.department_code, m.department, known, listed)  # type: ignore[arg-type]
        except Ambiguous as e:
            raise Refused(str(e)) from None
        if found.rekey is not None:
            c.execute(update(D).where(D.c.key == found.rekey).values(key=found.key, code=normal_code(m.department_code)))
        key, note = found.key, found.note
    else:
        note = ""
    return ledger.department_id(c, key, normal_code(m.department_code), department_name(m.department)), note


def _has_roster(c: Connection, roster_table: Table) -> bool:
    """Whether the district has a roster table, asked once per connection (the inspector's
    query would cost a consolidation of a thousand files a second)."""
    if "has_roster" not in c.info:
        c.info["has_roster"] = inspect(c).has_table(roster_table.name)
    return bool(c.info["has_roster"])
