"""合并重复登记: one department registered twice by an earlier version is made one again.

Before departments had one identity (`services.identity`), a district told them apart by the code
exactly as typed, or the name when there was none: `１０１００１`, `101001 ` and a first submission
without a code became three departments, each with a current submission, and the 汇总 counted
the one department three times. The first consolidation by this version into such a district
finds them (the code in its one spelling; a department without a code joins the one coded
department of its name), keeps one registration under the one key, and of each year's current
submissions keeps the newest seal (`consolidate.seal_order`): the others go to the history, and
the run takes them out of the 汇总. The bureau is told of each merge.

A district marks in its ``meta`` (`MARK`) that its departments have one identity, so this runs
once per district, not on every consolidation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select, update

from models.schema import Meta
from services.exchange import ledger
from services.identity import department_key, name_key, normal_code, printable

#: ``meta`` key: the district's departments are keyed by `identity.department_key`
MARK = "district_identity"


@dataclass
class Merge:
    """One department found under several registrations."""

    #: the registration kept, and its key and code from now on
    survivor: int
    key: str
    code: str
    name: str
    #: the registrations merged into it
    absorbed: list[int] = field(default_factory=list)
    #: (submission id, year, id of the one kept): current submissions that go to the history
    retire: list[tuple[int, int, int]] = field(default_factory=list)
    #: the keys it was registered under
    keys: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """What the bureau is told."""
        spelled = "、".join(f"“{printable(k)}”" for k in self.keys)
        retired = f"，{len(self.retire)} 份重复的上报转入历次上报，汇总数已扣除" if self.retire else ""
        return printable(f"“{self.name}”此前登记为 {len(self.keys)} 个部门（{spelled}），已合并为一个"
                         f"（{'代码 ' + self.code if self.code else '按名称'}）{retired}")


def done(c: Connection) -> bool:
    return c.execute(select(Meta.value).where(Meta.key == MARK)).scalar() is not None


def plan(c: Connection, newer: Callable[[Any], tuple[Any, ...]]) -> list[Merge]:
    """The merges the district needs (none for one written by this version). ``newer`` orders
    submission rows (``sealed_at``, ``digest``) by seal."""
    D, Sub = cast(Table, ledger.D), cast(Table, ledger.Sub)
    departments = list(c.execute(select(D.c.id, D.c.key, D.c.code, D.c.name).order_by(D.c.id)))
    groups: dict[str, list[Any]] = {}
    plain: list[Any] = []
    for d in departments:
        code = normal_code(d.code) or ("" if d.key.startswith("名称:") else normal_code(d.key))
        if code:
            groups.setdefault(code, []).append(d)
        else:
            plain.append(d)
    by_name: dict[str, set[str]] = {}
    for code, members in groups.items():
        for d in members:
            by_name.setdefault(name_key(d.name), set()).add(code)
    for d in plain:
        codes = by_name.get(name_key(d.name), set())
        # the one coded department of that name; with two it cannot be told which: left as it is
        key = next(iter(codes)) if len(codes) == 1 else department_key("", d.name)
        groups.setdefault(key, []).append(d)
    merges = []
    for key, members in groups.items():
        if len(members) == 1 and members[0].key == key:
            continue
        kept = next((d for d in members if d.key == key), members[0])
        m = Merge(kept.id, key, "" if key.startswith("名称:") else key, kept.name,
                  [d.id for d in members if d.id != kept.id], keys=[d.key for d in members])
        current = c.execute(select(Sub.c.id, Sub.c.year, Sub.c.sealed_at, Sub.c.digest)
                            .where(Sub.c.department_id.in_([d.id for d in members]), Sub.c.replaced_at.is_(None))
                            .order_by(Sub.c.year, Sub.c.id)).all()
        for year in sorted({s.year for s in current}):
            of_year = [s for s in current if s.year == year]
            winner = max(of_year, key=newer)
            m.retire += [(s.id, year, winner.id) for s in of_year if s.id != winner.id]
        merges.append(m)
    return merges


def apply(c: Connection, merges: list[Merge], now: str) -> None:
    """Write the merges (the caller has already taken the retired submissions out of the 汇总)."""
    D, Sub = cast(Table, ledger.D), cast(Table, ledger.Sub)
    for m in merges:
        for sid, _year, winner in m.retire:  # first: one current per department-year holds throughout
            c.execute(update(Sub).where(Sub.c.id == sid).values(replaced_at=now, replaced_by=winner))
        if m.absorbed:
            c.execute(update(Sub).where(Sub.c.department_id.in_(m.absorbed)).values(department_id=m.survivor))
            c.execute(delete(D).where(D.c.id.in_(m.absorbed)))
        c.execute(update(D).where(D.c.id == m.survivor).values(key=m.key, code=m.code))
    mark(c)


def mark(c: Connection) -> None:
    if not done(c):
        c.execute(insert(Meta).values(key=MARK, value="1"))
