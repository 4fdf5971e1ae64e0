"""Which registered department a submission belongs to (上报部门的认定), on the district's tables.

`services.identity.match` decides from the departments registered so far and the roster; this
applies it inside the consolidation's transaction: a department registered without a code that
now sends one is re-keyed to its code (its submissions stay its own), and a submission that
cannot be told apart from two departments is refused with the reason.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Select, Table, and_, bindparam, inspect, or_, select, update

from services.exchange import ledger
from services.exchange.content import Manifest, Refused
from services.identity import Ambiguous, department_name, match, name_key, normal_code


def _known() -> Select:
    D = cast(Table, ledger.D)
    return select(D.c.key, D.c.code, D.c.name).where(
        or_(D.c.key == bindparam("name_key"), and_(D.c.code != "", D.c.name == bindparam("n"))))


def _listed() -> Select:
    from services.exchange import roster

    R = cast(Table, roster.ROSTER)
    return select(R.c.code, R.c.name).where(or_(R.c.name == bindparam("n"), and_(R.c.code != "", R.c.code == bindparam("c"))))


#: made once (see `ledger.BY_KEY`): a first consolidation registers every department
_KNOWN, _LISTED = _known(), _listed()


def department_of(c: Connection, m: Manifest) -> tuple[int, str]:
    """(the department's id, registering it if new; a note for the bureau, or "")."""
    from services.exchange import roster

    key = m.department_key
    found = c.execute(ledger.BY_KEY, {"k": key}).first()
    code, name = normal_code(m.department_code), department_name(m.department)
    if found is not None:
        return ledger.department_id(c, key, code, name, found), ""
    # Only the departments that could match: registered under this name without a code, or with
    # a code under this name (a query each, not a scan per submission in Python).
    known = [tuple(r) for r in c.execute(_KNOWN, {"name_key": f"名称:{name_key(name)}", "n": name})]
    listed = ([tuple(r) for r in c.execute(_LISTED, {"n": name, "c": code})]
              if _has_roster(c, cast(Table, roster.ROSTER)) else [])
    try:
        hit = match(m.department_code, m.department, known, listed)  # type: ignore[arg-type]
    except Ambiguous as e:
        raise Refused(str(e)) from None
    if hit.rekey is not None:
        D = cast(Table, ledger.D)
        c.execute(update(D).where(D.c.key == hit.rekey).values(key=hit.key, code=code))
    return ledger.department_id(c, hit.key, code, name), hit.note


def _has_roster(c: Connection, roster_table: Table) -> bool:
    """Whether the district has a roster table, asked once per connection (the inspector's
    query would cost a consolidation of a thousand files a second)."""
    if "has_roster" not in c.info:
        c.info["has_roster"] = inspect(c).has_table(roster_table.name)
    return bool(c.info["has_roster"])
