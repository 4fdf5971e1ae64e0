"""Templates (报表模板): the tables, rows, columns and rules of one year and region, as data.

A template is a TOML file in ``resources/templates/`` that a finance person can read. This
module only reads it into plain objects (`Template`, `TableSpec`, `ColumnSpec`, `RowSpec`,
`RuleSpec`) and validates it; the rules' notation is parsed by `services.rules`.
A new year is a new file: nothing here names a table, a row or a year.

A template may ``extends`` another and say only what differs (模板继承); `extend` applies such a
file to its parent's data before it is read, so the rest of the product sees whole templates:

    [template]   extends = "national-2023", order = ["01", …]        tables in print order
                 drop_rules = ["id", …]                              rules removed anywhere
    [[table]]    no = "07", drop = true                               table removed
    [[table]]    no = "05", title = …, columns = […], rows = […]      a key given replaces the parent's
                 rows_change = [{ id = "…", label = "…" }]            rows edited (by id, code or line)
                 rows_drop = ["231", 55]                              rows removed (id, code or line)
                 columns_change = [{ no = 1, label = "合计" }]         columns edited (by 栏次)
                 rules_add = […]                                      rules added (same id: replaced)
                 rules_drop = ["id", …]
    [[table]]    no = "10", …                                         a table the parent lacks: in full
    [[table]]    no = "07", replace = true, …                         a table written anew: in full
    [[cross]]    table = "04", rules = […]                            cross rules added (same id: replaced)
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "resources" / "templates"

ERROR = "error"
WARNING = "warning"
_LEVELS = {"强制": ERROR, "提示": WARNING, "error": ERROR, "warning": WARNING}


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class ColumnSpec:
    """A column (栏): its 栏次 number, printed label and header group (``预算数/小计``)."""

    no: int
    label: str
    side: str = ""
    group: str = ""
    computed: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowSpec:
    """A printed row (行) of a fixed table; ``key`` is ``None`` for an empty filler row."""

    line: int | None
    key: str | None
    label: str
    side: str = ""
    code: str = ""
    computed: bool = False
    indent: int = 0
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSpec:
    """An audit rule (审核公式) as written in the template."""

    id: str
    table: str
    level: str  # ERROR (强制) or WARNING (提示)
    text: str
    rule: str


@dataclass
class TableSpec:
    """One 公开 table: number, title, columns, rows (fixed) or coded sections (coded)."""

    no: str
    title: str
    kind: str  # "fixed" | "coded"
    columns: list[ColumnSpec]
    rows: list[RowSpec] = field(default_factory=list)
    total_rows: list[RowSpec] = field(default_factory=list)
    classification: str = ""  # 功能 | 经济, for coded tables
    default_codes: list[str] = field(default_factory=list)
    layout: str = ""
    groups: list[list[str]] = field(default_factory=list)
    group_titles: list[str] = field(default_factory=list)
    note: str = ""
    empty_note: str = ""
    aliases: list[str] = field(default_factory=list)
    rules: list[RuleSpec] = field(default_factory=list)
    #: the total rows are printed under the coded rows, not above them (上海 05)
    totals_last: bool = False
    #: which figures are compared with last year's (与上年数据核对, `services.prior_check`)
    prior_compare: list[dict] = field(default_factory=list)

    @property
    def coded(self) -> bool:
        return self.kind == "coded"

    @property
    def column_nos(self) -> list[int]:
        return [c.no for c in self.columns]

    def column(self, no: int) -> ColumnSpec:
        for c in self.columns:
            if c.no == no:
                return c
        raise KeyError(no)

    def columns_for_side(self, side: str) -> list[int]:
        """Columns of a row on this side; a row with no side has them all."""
        cols = self._side_columns.get(side)
        if cols is None:
            cols = self._side_columns[side] = [c.no for c in self.columns if not side or not c.side or c.side == side]
        return cols

    @cached_property
    def layout_key(self) -> tuple:
        """What reading a printed table against this one depends on: equal for the same table in
        two templates of a family, so that an import reads each block once for both."""
        return (self.no, self.kind, self.layout, tuple(self.columns), tuple(self.rows), tuple(self.total_rows),
                tuple(map(tuple, self.groups)))

    # Lookups are on the checking path (thousands per full check): index the rows once.
    @cached_property
    def _side_columns(self) -> dict[str, list[int]]:
        return {}

    @cached_property
    def _by_key(self) -> dict[str, RowSpec]:
        return {r.key: r for r in self.total_rows + self.rows if r.key}

    @cached_property
    def _by_line(self) -> dict[int, RowSpec]:
        return {r.line: r for r in self.rows if r.line is not None}

    @cached_property
    def _by_code(self) -> dict[str, RowSpec]:
        return {r.code: r for r in self.rows if r.code}

    def fixed_row(self, key: str) -> RowSpec | None:
        return self._by_key.get(key)

    def row_by_line(self, line: int) -> RowSpec | None:
        return self._by_line.get(line)

    def row_by_code(self, code: str) -> RowSpec | None:
        return self._by_code.get(code)


@dataclass
class Template:
    """A template (模板) for a year range and region: the nine tables and cross-table rules."""

    id: str
    name: str
    region: str
    years: list[int]
    tables: dict[str, TableSpec]
    cross_rules: list[RuleSpec]
    path: Path | None = None
    #: the template this one extends (its id), '' for a complete one
    extends: str = ""
    #: whether the printed tables carry a 栏次 line and their 公开0N表 number (上海: neither)
    print_lanci: bool = True
    print_numbers: bool = True
    #: 与上年数据核对: a change of this many per cent or more needs a reason (`services.prior_check`)
    prior_threshold: int = 10
    #: 公开完整性: what the disclosure must contain (`services.completeness`), as the template says
    contents: list[dict] = field(default_factory=list)
    #: what is derived from this template alone, made once per template object: rule expansions
    #: (`services.compile`), where figures may stand (`services.exchange.content`)
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def table(self, no: str) -> TableSpec:
        return self.tables[no]

    def __reduce_ex__(self, protocol):  # noqa: ANN001, ANN204
        # A bundled template travels between processes (the district's gate workers) by its id,
        # not as 30 KB of tables and rules with every department.
        if all_templates().get(self.id) is self:
            return (get_template, (self.id,))
        return object.__reduce_ex__(self, protocol)

    def all_rules(self) -> list[RuleSpec]:
        out = [r for t in self.tables.values() for r in t.rules]
        return out + self.cross_rules


def _col(d: dict) -> ColumnSpec:
    return ColumnSpec(
        no=int(d["no"]),
        label=str(d["label"]),
        side=str(d.get("side", "")),
        group=str(d.get("group", "")),
        computed=bool(d.get("computed", False)),
        aliases=tuple(d.get("aliases", ())),
    )


def _row(d: dict) -> RowSpec:
    code = str(d.get("code", ""))
    key = d.get("id") or code or None
    return RowSpec(
        line=int(d["line"]) if "line" in d else None,
        key=key,
        label=str(d.get("label", "")),
        side=str(d.get("side", "")),
        code=code,
        computed=bool(d.get("computed", False)),
        indent=int(d.get("indent", 0)),
        aliases=tuple(d.get("aliases", ())),
    )


def _rules(items: list[dict], table: str, where: str) -> list[RuleSpec]:
    out = []
    for i, d in enumerate(items):
        try:
            level = _LEVELS[d["level"]]
            out.append(RuleSpec(id=d["id"], table=table, level=level, text=d["text"], rule=d["rule"]))
        except KeyError as e:
            raise TemplateError(f"{where} 第{i + 1}条审核公式缺少或写错了 {e}") from None
    return out


def parse_template(data: dict, path: Path | None = None) -> Template:
    where = path.name if path else "模板"
    try:
        head = data["template"]
        tables: dict[str, TableSpec] = {}
        for t in data["table"]:
            no = str(t["no"])
            spec = TableSpec(
                no=no,
                title=t["title"],
                kind=t["kind"],
                columns=[_col(c) for c in t["columns"]],
                rows=[_row(r) for r in t.get("rows", [])],
                total_rows=[_row(r) for r in t.get("total_rows", [])],
                classification=t.get("classification", ""),
                default_codes=[str(c) for c in t.get("default_codes", [])],
                layout=t.get("layout", ""),
                groups=[[str(c) for c in g] for g in t.get("groups", [])],
                group_titles=list(t.get("group_titles", [])),
                note=t.get("note", ""),
                empty_note=t.get("empty_note", ""),
                aliases=list(t.get("aliases", [])),
                totals_last=bool(t.get("totals_last", False)),
                prior_compare=[dict(x) for x in t.get("prior_compare", [])],
            )
            spec.rules = _rules(t.get("rules", []), no, f"{where} 公开{no}表")
            if no in tables:
                raise TemplateError(f"{where}：公开{no}表出现了两次")
            tables[no] = spec
        cross: list[RuleSpec] = []
        for block in data.get("cross", []):
            cross += _rules(block["rules"], str(block["table"]), f"{where} 表间审核")
        return Template(
            id=head["id"],
            name=head["name"],
            region=head.get("region", ""),
            years=[int(y) for y in head["years"]],
            tables=tables,
            cross_rules=cross,
            path=path,
            extends=str(head.get("extends", "")),
            print_lanci=bool(head.get("print_lanci", True)),
            print_numbers=bool(head.get("print_numbers", True)),
            prior_threshold=int(head.get("prior_threshold", 10)),
            contents=[dict(x) for x in data.get("contents", [])],
        )
    except (KeyError, TypeError, ValueError) as e:
        if isinstance(e, TemplateError):
            raise
        raise TemplateError(f"{where} 格式不对：{e!r}") from None


def _read_toml(path: Path, *, bundled: bool = False) -> dict:
    from services import cache

    try:
        return cache.bundled_toml(path) if bundled else tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise TemplateError(f"{path.name} 不是有效的模板文件：{e}") from None


def load_template_file(path: Path, parents: dict[str, dict] | None = None) -> Template:
    """One template file; one that ``extends`` another is completed from ``parents`` (raw data by
    id, the bundled templates' when not given)."""
    data = _read_toml(path)
    raw = parents if parents is not None else {tid: d for tid, (_, d) in _raw_bundled().items()}
    return parse_template(resolve(data, raw, path.name), path)


# ── extension (模板继承) ────────────────────────────────────────────────────
_PATCH_KEYS = {"rows_change", "rows_drop", "columns_change", "rules_add", "rules_drop", "drop", "replace"}


def resolve(data: dict, raw: dict[str, dict], where: str = "模板", _seen: tuple[str, ...] = ()) -> dict:
    """``data`` with its ``extends`` chain applied: a complete template's raw data."""
    head = data.get("template", {})
    parent_id = head.get("extends")
    if not parent_id:
        return data
    if parent_id in _seen or parent_id == head.get("id"):
        raise TemplateError(f"{where}：模板继承出现循环（{' → '.join((*_seen, str(parent_id)))}）")
    if parent_id not in raw:
        raise TemplateError(f"{where}：继承的模板“{parent_id}”不存在")
    parent = resolve(raw[parent_id], raw, where, (*_seen, str(head.get("id", ""))))
    return extend(parent, data, where)


def extend(parent: dict, child: dict, where: str = "模板") -> dict:
    """The parent's raw template data changed as ``child`` says (see the module docstring)."""
    out = copy.deepcopy(parent)
    head = dict(child["template"])
    order = head.pop("order", None)
    drop_rules = set(head.pop("drop_rules", ()))
    out["template"] = {**{k: v for k, v in out["template"].items() if k != "extends"}, **head}
    tables: list[dict] = out.get("table", [])
    cross: list[dict] = out.get("cross", [])
    # dropped first, so that a rule of the same id may be added back below
    if drop_rules:
        known = {r["id"] for t in tables for r in t.get("rules", [])} | {r["id"] for b in cross for r in b["rules"]}
        if drop_rules - known:
            raise TemplateError(f"{where}：drop_rules 中的审核公式不存在：{'、'.join(sorted(drop_rules - known))}")
        for holder in [*tables, *cross]:
            holder["rules"] = [r for r in holder.get("rules", []) if r["id"] not in drop_rules]
    by_no = {str(t["no"]): t for t in tables}
    for patch in child.get("table", []):
        no = str(patch["no"])
        here = f"{where} 公开{no}表"
        if patch.get("drop"):
            if no not in by_no:
                raise TemplateError(f"{here}：要删除的表在上级模板中没有")
            tables.remove(by_no.pop(no))
            continue
        if no not in by_no or patch.get("replace"):
            new = {k: copy.deepcopy(v) for k, v in patch.items() if k not in _PATCH_KEYS}
            if no in by_no:
                tables[tables.index(by_no[no])] = new
            else:
                tables.append(new)
            by_no[no] = new
            continue
        _patch_table(by_no[no], patch, here)
    if order is not None:
        order = [str(n) for n in order]
        if sorted(order) != sorted(by_no):
            raise TemplateError(f"{where}：order 列出的表（{'、'.join(order)}）与模板中的表（{'、'.join(sorted(by_no))}）不一致")
        tables.sort(key=lambda t: order.index(str(t["no"])))
    for block in child.get("cross", []):
        for rule in block.get("rules", []):
            if not _replace_rule(cross, rule):
                target = next((b for b in cross if str(b["table"]) == str(block["table"])), None)
                if target is None:
                    target = {"table": str(block["table"]), "rules": []}
                    cross.append(target)
                target["rules"].append(rule)
    out["table"], out["cross"] = tables, cross
    if "contents" in child:  # the list of what the disclosure must contain is given whole
        out["contents"] = copy.deepcopy(child["contents"])
    return out


def _replace_rule(blocks: list[dict], rule: dict) -> bool:
    for b in blocks:
        for i, r in enumerate(b.get("rules", [])):
            if r["id"] == rule["id"]:
                b["rules"][i] = rule
                return True
    return False


def _row_matches(row: dict, sel: object) -> bool:
    if isinstance(sel, int):
        return row.get("line") == sel
    return sel in (row.get("id"), str(row.get("code", "")))


def _patch_table(table: dict, patch: dict, where: str) -> None:
    for k, v in patch.items():
        if k not in _PATCH_KEYS and k != "no":
            table[k] = copy.deepcopy(v)
    rows: list[dict] = table.get("rows", [])
    for change in patch.get("rows_change", []):
        sel = change.get("id") or change.get("code") or change.get("line")
        hit = [r for r in rows + table.get("total_rows", []) if _row_matches(r, sel)]
        if len(hit) != 1:
            raise TemplateError(f"{where}：rows_change 找不到唯一的行“{sel}”")
        hit[0].update(change)
    for sel in patch.get("rows_drop", []):
        if not any(_row_matches(r, sel) for r in rows):
            raise TemplateError(f"{where}：rows_drop 找不到行“{sel}”")
        table["rows"] = rows = [r for r in rows if not _row_matches(r, sel)]
    cols = {int(c["no"]): c for c in table.get("columns", [])}
    for change in patch.get("columns_change", []):
        if int(change["no"]) not in cols:
            raise TemplateError(f"{where}：columns_change 找不到第{change['no']}栏")
        cols[int(change["no"])].update(change)
    rules = table.setdefault("rules", [])
    for rule in patch.get("rules_add", []):
        if not _replace_rule([table], rule):
            rules.append(rule)
    gone = set(patch.get("rules_drop", ()))
    if gone - {r["id"] for r in rules}:
        raise TemplateError(f"{where}：rules_drop 中的审核公式不存在：{'、'.join(sorted(gone - {r['id'] for r in rules}))}")
    table["rules"] = [r for r in table["rules"] if r["id"] not in gone]


@cache
def _raw_bundled() -> dict[str, tuple[Path, dict]]:
    """Each bundled file's data as written, by template id."""
    out: dict[str, tuple[Path, dict]] = {}
    for p in sorted(TEMPLATE_DIR.glob("*.toml")):
        data = _read_toml(p, bundled=True)
        tid = data.get("template", {}).get("id")
        if not tid:
            raise TemplateError(f"{p.name}：缺少模板编号 [template] id")
        if tid in out:
            raise TemplateError(f"{p.name}：模板编号 {tid} 与另一个文件重复")
        out[tid] = (p, data)
    return out


@cache
def all_templates() -> dict[str, Template]:
    """Every bundled template, by id (those that extend another completed from it)."""
    bundled = _raw_bundled()
    raw = {tid: d for tid, (_, d) in bundled.items()}
    return {tid: parse_template(resolve(d, raw, p.name), p) for tid, (p, d) in bundled.items()}


def get_template(template_id: str) -> Template:
    try:
        return all_templates()[template_id]
    except KeyError:
        raise TemplateError(f"没有编号为 {template_id} 的报表模板") from None


NATIONAL = "全国"


def template_for_year(year: int, region: str = "") -> Template:
    """The bundled template for ``year`` and ``region`` (a province or city, e.g. 上海): the
    region's own if it has one for that year, else the national one; outside every template's
    years, the latest one that starts before ``year`` (the earliest one otherwise)."""
    temps = sorted(all_templates().values(), key=lambda t: (min(t.years), t.id))
    for wanted in ([region] if region and region != NATIONAL else []) + [NATIONAL]:
        mine = [t for t in temps if t.region == wanted]
        hit = [t for t in mine if year in t.years]
        if hit:
            return hit[-1]
        if wanted == NATIONAL and mine:
            earlier = [t for t in mine if min(t.years) <= year]
            return earlier[-1] if earlier else mine[0]
    return temps[0]


def region_of(department: str) -> str:
    """The region whose templates fit a department, from its name (上海市普陀区财政局 → 上海);
    '' when no bundled template's region is named in it."""
    regions = {t.region for t in all_templates().values() if t.region and t.region != NATIONAL}
    hits = [r for r in regions if r in department]
    return max(hits, key=len) if hits else ""
