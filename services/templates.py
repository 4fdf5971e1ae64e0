"""Templates (报表模板): the tables, rows, columns and rules of one year and region, as data.

A template is a TOML file in ``resources/templates/`` that a finance person can read. This
module only reads it into plain objects (`Template`, `TableSpec`, `ColumnSpec`, `RowSpec`,
`RuleSpec`) and validates it; the rules' notation is parsed by `services.rules`.
A new year is a new file: nothing here names a table, a row or a year.
"""

from __future__ import annotations

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
        )
    except (KeyError, TypeError, ValueError) as e:
        if isinstance(e, TemplateError):
            raise
        raise TemplateError(f"{where} 格式不对：{e!r}") from None


def load_template_file(path: Path) -> Template:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise TemplateError(f"{path.name} 不是有效的模板文件：{e}") from None
    return parse_template(data, path)


@cache
def all_templates() -> dict[str, Template]:
    """Every bundled template, by id."""
    out = {}
    for p in sorted(TEMPLATE_DIR.glob("*.toml")):
        t = load_template_file(p)
        out[t.id] = t
    return out


def get_template(template_id: str) -> Template:
    try:
        return all_templates()[template_id]
    except KeyError:
        raise TemplateError(f"没有编号为 {template_id} 的报表模板") from None


def template_for_year(year: int) -> Template:
    """The bundled template whose years include ``year`` (the latest one before it otherwise)."""
    temps = sorted(all_templates().values(), key=lambda t: min(t.years))
    for t in temps:
        if year in t.years:
            return t
    earlier = [t for t in temps if min(t.years) <= year]
    return earlier[-1] if earlier else temps[0]
