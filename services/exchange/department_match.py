"""Which registered department a submission belongs to (上报部门的认定), on the district's tables.

`services.identity.match` decides from the departments registered so far and the roster; this
applies it inside the consolidation's transaction: a department registered without a code that
now sends one is re-keyed to its code (its submissions stay its own), and a submission that
cannot be told apart from two departments is refused with the reason.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table, inspect, select, update

from services.exchange import ledger
from services.exchange.content import Manifest, Refused
from services.identity import Ambiguous, department_name, match, normal_code


def department_of(c: Connection, m: Manifest) -> tuple[int, str]:
    """(the department's id, registering it if new; a note for the bureau, or "")."""
    from services.exchange import roster

    D = cast(Table, ledger.D)
    key = m.department_key
    if c.execute(select(D.c.id).where(D.c.key == key)).first() is None:
        known = [tuple(r) for r in c.execute(select(D.c.key, D.c.code, D.c.name))]
        listed = ([(e.code, e.name) for e in roster.entries(c)]
                  if inspect(c).has_table(cast(Table, roster.ROSTER).name) else [])
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
