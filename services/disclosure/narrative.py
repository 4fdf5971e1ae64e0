"""Drafting the text parts (起草说明文字): 概况, 情况说明, 名词解释 and 附件 from the numbers.

Every figure comes from the workbook's tables (or from a figure the clerk entered, for what the
tables do not hold: 年初预算, 会议费, 政府采购, vehicles); shares (占 x%) and changes on last year
(增加/减少 X 万元, 增长/下降 y%) are computed from the printed two-decimal figures, exactly, with
`Decimal`. The phrasing is `resources/texts/narrative.toml`; the clerk's reasons are inserted
where they wrote one and a visible placeholder (【请填写：…】) where they did not.

The result is a list of `Block`s (headings, paragraphs, charts), not ReportLab objects, so the
window can preview the text and tests can read it. Placeholder spans are marked with
`PH_OPEN`/`PH_CLOSE`; `plain` removes the marks.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from services.disclosure.blocks import EM_CLOSE, EM_OPEN, PENDING, PH_CLOSE, PH_OPEN, Block, Chart, Draft, plain
from services.disclosure.sections import WRITERS, Sections
from services.disclosure.texts import field as text_field
from services.disclosure.texts import find_table, glossary_spec, heading_name
from services.templates import TableSpec
from services.workbook import Cell, Workbook, parent_code

__all__ = ["EM_CLOSE", "EM_OPEN", "PENDING", "PH_CLOSE", "PH_OPEN", "Block", "Chart", "Draft", "Drafter", "budget_codes", "draft", "plain"]


class Drafter(Sections):
    """Drafts one workbook's text parts; collects the placeholders it had to print."""

    # ── the parts ──────────────────────────────────────────────────────────
    def draft(self) -> Draft:
        cover_spec = self.spec["cover"]
        date = self.clerk(cover_spec["date"]) or self.placeholder(text_field(cover_spec["date"]).what)
        cover = {
            "year": self.fill(cover_spec["year"]),
            "department": self.fill(cover_spec["department"]),
            "title": cover_spec["title"],
            "date": date,
        }
        return Draft(cover, self.overview(), self.narrative(), self.glossary(), self.attachments(), self.placeholders)

    def _part(self, spec: dict) -> list[Block]:
        return [
            Block("part", spec["part"], toc=(0, plain(self.fill(spec["toc"])))),
            Block("title", self.fill(spec["title"])),
        ]

    def overview(self) -> list[Block]:
        spec = self.spec["overview"]
        blocks = self._part(spec)
        n = 0
        for sec in spec["section"]:
            body: list[Block] = []
            if "text" in sec:
                f = text_field(sec["text"])
                body = self.paragraphs(f.key, f.what, bool(sec.get("optional")))
            else:
                for part in sec["parts"]:
                    f = text_field(part["text"])
                    paras = self.paragraphs(f.key, f.what, bool(part.get("optional")))
                    if paras:
                        paras[0] = Block("p", EM_OPEN + part["heading"] + EM_CLOSE + paras[0].text)
                    body += paras
            if not body:
                continue
            heading = f"{self.numeral(n)}、{sec['heading']}"
            blocks.append(Block("h1", heading, toc=(1, plain(heading))))
            blocks += body
            n += 1
        return blocks

    def narrative(self) -> list[Block]:
        spec = self.spec["narrative"]
        blocks = self._part(spec)
        n = 0
        for sec in spec["section"]:
            table = find_table(self.wb.template, sec["table"]) if "table" in sec else None
            if "table" in sec and table is None:
                continue  # this template has no such table
            body = WRITERS[sec["id"]](self, sec, table)
            name = heading_name(table.title) if table else ""
            heading = f"{self.numeral(n)}、{self.fill(sec['heading'], 表名=name)}"
            blocks.append(Block("h1", heading, toc=(1, plain(heading))))
            blocks += body
            n += 1
        return blocks

    # ── 名词解释 and 附件 ───────────────────────────────────────────────────
    def glossary(self) -> list[Block]:
        g = glossary_spec()
        blocks = self._part(g)
        entries: list[tuple[str, str | None]] = [(t["name"], t["text"]) for t in g["term"]]
        lines = self._code_lines(g)
        at = int(g.get("codes_after", 0)) or len(entries)
        if lines:
            entries.insert(min(at, len(entries)), (g["codes_heading"], None))
        numbering = g["numbering"]
        for i, (name, text) in enumerate(entries):
            no = numbering[i] if i < len(numbering) else f"（{i + 1}）"
            if text is None:
                blocks.append(Block("p", EM_OPEN + no + name + EM_CLOSE))
                blocks += [Block("p", line) for line in lines]
            else:
                blocks.append(Block("p", EM_OPEN + no + name + "：" + EM_CLOSE + text))
        return blocks

    def _code_lines(self, g: dict) -> list[str]:
        descriptions = g.get("codes", {})
        used: dict[str, TableSpec] = {}
        for t in self.wb.template.tables.values():
            if t.coded and t.classification == "功能":
                for code in self.leaves_any(t):
                    used.setdefault(code, t)
        by_name = g.get("names", {})
        lines = []
        for i, code in enumerate(sorted(used), 1):
            name = self.wb.row_label(used[code].no, code) or code
            desc = self.clerk(f"名词.{code}") or descriptions.get(code) or by_name.get(name)
            if not desc:  # never an entry that ends at "（项）": the clerk is asked for it, listed with the rest
                desc = self.placeholder(text_field("名词.{科目}", 科目=code, 科目名称=f"{name}（{code}）").what)
            path = self.code_path(used[code], code, g["code_path_item"])
            lines.append(g["code_line"].format(序号=i, 科目路径=path, 说明="：" + desc))
        return lines

    def leaves_any(self, t: TableSpec) -> list[str]:
        """Leaf codes of a coded table with a non-zero figure in any column."""
        codes = self.wb.codes(t.no)
        parents = {parent_code(c) for c in codes}
        return [c for c in codes if c not in parents and any(self.value(t, c, col) != 0 for col in t.column_nos)]

    def attachments(self) -> list[Block]:
        spec = self.spec["attachments"]
        blocks = self._part(spec)
        for h in spec["headings"]:
            text = self.fill(h)
            blocks.append(Block("h1", text, toc=(1, plain(text))))
        return blocks


def draft(wb: Workbook) -> Draft:
    """The text parts of a workbook's disclosure document."""
    return Drafter(wb).draft()


def budget_codes(wb: Workbook) -> list[str]:
    """The codes whose 年初预算 五（三） asks for (the level of the narrative template or the clerk's
    choice): what the window lists for the clerk to fill in."""
    t = find_table(wb.template, "一般公共预算支出表")
    return Drafter(wb).detail_codes(t) if t is not None else []


class _Asked(dict):
    """Last year's figures that note each cell the drafter asks for."""

    def __init__(self, prior: dict[Cell, Decimal]) -> None:
        super().__init__(prior)
        self.asked: dict[Cell, None] = {}

    def get(self, cell, default=None):  # noqa: ANN001, ANN201
        self.asked[cell] = None
        return super().get(cell, default)


def prior_cells(wb: Workbook) -> list[Cell]:
    """The 上年数 the 情况说明 compares this year with, in the order it uses them: what the
    clerk must give when the file has no previous year (the window asks for exactly these)."""
    probe = copy.copy(wb)
    probe.prior = _Asked(wb.prior)
    draft(probe)
    return list(probe.prior.asked)
