"""第三部分 情况说明, section by section (names match ``id`` in ``narrative.toml``).

Each writer returns the blocks of one section: the fixed phrasing of the TOML file filled with
the table figures, the shares and changes computed by `DraftBase`, the clerk's reasons, and the
charts (收支总计 bars, 收入/支出结构 pies). `WRITERS` names the writer of each section ``id``; a test
checks it against the TOML file, so a section cannot be written without its writer, or the other way.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from services.disclosure.blocks import PENDING, Block, Chart
from services.disclosure.drafting import DraftBase
from services.disclosure.texts import field as text_field
from services.disclosure.texts import find_table
from services.money import ZERO, normalise, round_cent
from services.templates import TableSpec


class Sections(DraftBase):
    """The 情况说明 sections; `narrative.Drafter` adds the parts around them."""

    def _totals(self, sec: dict, t: TableSpec) -> list[Block]:
        inc, exp = self.value(t, "收入总计"), self.value(t, "支出总计")
        p_inc, p_exp = self.prior(t, "收入总计"), self.prior(t, "支出总计")
        if inc == exp:
            ch, state = self.change(inc, p_inc if p_inc is not None else p_exp)
            changed = state == "changed"
            text = sec["text"]
            vals = {"总计": self.amt(inc), "变化": ch}
        else:
            ch_i, s_i = self.change(inc, p_inc)
            ch_e, s_e = self.change(exp, p_exp)
            changed = "changed" in (s_i, s_e)
            text = sec["text_unequal"]
            vals = {"收入总计": self.amt(inc), "支出总计": self.amt(exp), "收入变化": ch_i, "支出变化": ch_e}
        reason = self.reason_sentence(sec["reason"], changed)
        blocks = [Block("p", self.fill(text, 原因句=reason, **vals))]
        cats, inc_s, exp_s = [], [], []
        if p_inc is not None or p_exp is not None:
            cats.append(f"{self.wb.year - 1}年")
            inc_s.append(p_inc or ZERO)
            exp_s.append(p_exp or ZERO)
        cats.append(f"{self.wb.year}年")
        inc_s.append(inc)
        exp_s.append(exp)
        if len(cats) < 2:  # a change with one year shows nothing: the sentence says it
            return blocks
        chart = Chart("bar", sec["chart"], categories=cats, series=[("收入总计", inc_s), ("支出总计", exp_s)])
        return blocks + [Block("chart", chart=chart)]


    def _composition(self, sec: dict, t: TableSpec) -> list[Block]:
        total = self.value(t, "合计", t.columns[0].no)
        items = [(c.label, self.value(t, "合计", c.no)) for c in t.columns[1:]]
        shown = items if self.settings["list_zero_items"] else [(k, v) for k, v in items if v != 0]
        shown = shown or items
        parts = [self.fill(self.phrases["构成项"], 名称=k, 金额=self.amt(v), 占比句=self.share(v, total)) for k, v in shown]
        text = self.fill(sec["text"], 合计=self.amt(total), 构成=self.phrases["构成分隔"].join(parts))
        chart = Chart("pie", sec["chart"], items=[(k, v) for k, v in items if v > 0])
        # a pie of one slice is a full disc that says no more than the sentence: none then
        return [Block("p", text)] + ([Block("chart", chart=chart)] if len(chart.items) > 1 else [])


    def _general_budget(self, sec: dict, t: TableSpec) -> list[Block]:
        total_all = self.value(find_table(self.wb.template, "收支总表"), "本年支出合计")
        spend = self.value(t, "合计", 1)
        ch, state = self.change(spend, self.prior(t, "合计", 1))
        reason = self.reason_sentence(sec["reason"], state == "changed")
        out = [
            Block("h2", sec["overall_heading"]),
            Block("p", self.fill(sec["overall"], 支出=self.amt(spend), 占比=self.pct0(spend, total_all), 变化=ch, 原因句=reason)),
            Block("h2", sec["structure_heading"]),
        ]
        items = []
        for code in self.wb.codes(t.no):
            v = self.value(t, code, 1)
            if len(code) == 3 and v != 0:
                name = self.wb.row_label(t.no, code) or code
                name = name[:-2] if name.endswith("支出") else name
                items.append(self.fill(sec["structure_item"], 类名=name, 金额=self.amt(v), 占比句=self.share(v, spend)))
        out.append(Block("p", self.fill(sec["structure"], 支出=self.amt(spend), 构成=self.phrases["构成分隔"].join(items) or "无")))
        out.append(Block("h2", sec["detail_heading"]))
        leaves = self.detail_codes(t)
        budgets = {c: self.figure("数据.年初预算.{科目}", 科目=c) for c in leaves}
        total_budget = self.figure("数据.年初预算")
        if total_budget is None and leaves and all(b is not None for b in budgets.values()):
            total_budget = sum((b for b in budgets.values() if b is not None), ZERO)
        rate = self.pct(spend, round_cent(total_budget)) if total_budget is not None else None
        out.append(Block("p", self.fill(
            sec["detail"],
            预算=self.amt(round_cent(total_budget)) if total_budget is not None else self.figure_text("数据.年初预算"),
            决算=self.amt(spend),
            完成率=rate or PENDING,
        )))
        for i, code in enumerate(leaves, 1):
            path = self.code_path(t, code, sec["path_item"])
            actual, budget = self.value(t, code, 1), budgets[code]
            name = f"{self.wb.row_label(t.no, code)}（{code}）"
            diff = ""
            if budget is not None and round_cent(budget) != actual:
                key = "大于预算" if actual > round_cent(budget) else "小于预算"
                f = text_field("原因.预算执行.{科目}", 科目=code, 科目名称=name)
                diff = "，" + self.fill(self.phrases[key], 原因=self.reason_text(f.key, f.what, True) or "")
            budget_text = self.amt(round_cent(budget)) if budget is not None else self.figure_text("数据.年初预算.{科目}", 科目=code, 科目名称=name)
            b_rate = self.pct(actual, round_cent(budget)) if budget is not None else None
            out.append(Block("lead", self.fill(sec["detail_item_heading"], 序号=str(i), 科目路径=path)))
            out.append(Block("p", self.fill(sec["detail_item"], 预算=budget_text, 决算=self.amt(actual), 完成率=b_rate or PENDING, 差异句=diff)))
        return out

    def _basic(self, sec: dict, t: TableSpec) -> list[Block]:
        people = self.value(t, sec["total_people"])
        public = self.value(t, sec["total_public"])
        basic = people + public
        p_names, q_names = [], []
        for code in self.wb.codes(t.no):
            if len(code) != 5 or self.value(t, code, 1) == 0:
                continue
            (p_names if code[:3] in sec["people"] else q_names).append(self.wb.row_label(t.no, code) or code)
        text = self.fill(
            sec["text"], 基本支出=self.amt(basic), 人员经费=self.amt(people), 人员占比=self.pct0(people, basic),
            人员科目="、".join(p_names) or "无", 公用经费=self.amt(public), 公用占比=self.pct0(public, basic),
            公用科目="、".join(q_names) or "无",
        )
        return [Block("p", text)]

    def _three_public(self, sec: dict, t: TableSpec) -> list[Block]:
        row = next(r.key for r in t.rows if r.key)

        def pair(b: int, a: int, name: str, key: str) -> str:
            budget, actual = self.value(t, row, b), self.value(t, row, a)
            done = self.fill(sec["completion"], 完成率=self.pct(actual, budget)) if budget != 0 else ""
            b_reason = ""
            if actual != budget:
                pattern = "原因.三公.预算" if key == "" else "原因.三公.{项目}.预算"
                f = text_field(pattern, 项目=key)
                r = self.reason_text(f.key, f.what, True)
                b_reason = self.fill(sec["budget_reason"], 大小="大于" if actual > budget else "小于", 原因=r or "")
            ch, state = self.change(actual, self.prior(t, row, a))
            f = text_field("原因.三公.上年" if key == "" else "原因.三公.{项目}.上年", 项目=key)
            r = self.reason_text(f.key, f.what, state == "changed")
            p_reason = self.fill(sec["prior_reason"], 原因=r) if r else ""
            template = sec["overall"] if key == "" else sec["item"]
            return self.fill(template, 名称=name, 预算=self.amt(budget), 决算=self.amt(actual), 完成句=done,
                             预算原因句=b_reason, 变化=ch, 上年原因句=p_reason)

        out = [Block("h2", sec["overall_heading"]), Block("p", pair(sec["total"]["budget"], sec["total"]["actual"], "", ""))]
        items = {it["key"]: it for it in sec["items"]}
        for it in sec["items"]:
            out.append(Block("p", pair(it["budget"], it["actual"], it["name"], it["key"])))
        total = self.value(t, row, sec["total"]["actual"])
        abroad = self.value(t, row, items["因公出国（境）费"]["actual"])
        cars = self.value(t, row, sec["vehicles"]["actual"])
        host = self.value(t, row, items["公务接待费"]["actual"])
        buy = self.value(t, row, items["公务用车购置费"]["actual"])
        run = self.value(t, row, items["公务用车运行维护费"]["actual"])

        def share(v: Decimal) -> str:
            p = self.pct(v, total)
            return self.fill(sec["share"], 占比=p) if p is not None else ""

        def count(key: str, item: str) -> str:
            zero = self.value(t, row, items[item]["actual"]) == 0
            return self.figure_text(key, default=ZERO if zero else None)

        out.append(Block("h2", sec["detail_heading"]))
        out.append(Block("p", self.fill(sec["detail"], 出国=self.amt(abroad), 出国占比=share(abroad), 车辆=self.amt(cars),
                                        车辆占比=share(cars), 接待=self.amt(host), 接待占比=share(host))))
        out.append(Block("p", self.fill(sec["abroad"], 出国=self.amt(abroad), 团组=count("数据.三公.出国团组", "因公出国（境）费"),
                                        人次=count("数据.三公.出国人次", "因公出国（境）费"))))
        out.append(Block("p", self.fill(sec["cars"], 车辆=self.amt(cars), 购置=self.amt(buy), 运行=self.amt(run),
                                        购置辆=count("数据.三公.购置车辆", "公务用车购置费"),
                                        保有量=self.figure_text("数据.三公.车辆保有量"))))
        note = self.clerk("说明.三公.公务接待")
        if note:
            note = "，" + self.clean_reason(note)
        elif host != 0:
            note = "，" + self.placeholder(text_field("说明.三公.公务接待").what)
        out.append(Block("p", self.fill(sec["hosting"], 接待=self.amt(host), 团组=count("数据.三公.接待团组", "公务接待费"),
                                        人次=count("数据.三公.接待人次", "公务接待费"), 说明=note or "")))
        return out

    def _fund(self, sec: dict, t: TableSpec) -> list[Block]:
        if self.wb.is_empty(t.no):
            return [Block("p", self.fill(sec["empty"]))]
        vals = {k: self.amt(self.value(t, "合计", col)) for k, col in sec["columns"].items()}
        f = text_field(sec["note"])
        note = self.clerk(f.key)
        note = (self.clean_reason(note) + "。") if note else self.placeholder(f.what)
        return [Block("p", self.fill(sec["text"], 说明=note, **vals))]


    def _operating(self, sec: dict, t: TableSpec) -> list[Block]:
        amount = self.value(t, sec["row"])
        ch, state = self.change(amount, self.prior(t, sec["row"]))
        budget = self.figure("数据.机关运行经费.预算")
        vs_budget = ""
        if budget is not None:
            b_ch, _ = self.change(amount, round_cent(budget))
            vs_budget = self.fill(sec["budget"], 预算变化=b_ch)
        reason = self.reason_sentence(sec["reason"], state == "changed")
        return [Block("p", self.fill(sec["text"], 金额=self.amt(amount), 比预算=vs_budget, 变化=ch, 原因句=reason))]

    def _general_spending(self, sec: dict, t: None) -> list[Block]:
        def note(key: str) -> str:
            text = self.clerk(key)
            return "，" + self.clean_reason(text) if text else ""

        festival = ""
        if self.figure("数据.节庆论坛") is not None:
            festival = self.fill(sec["festival"], 节庆=self.figure_text("数据.节庆论坛"))
        text = self.fill(sec["text"], 会议费=self.figure_text("数据.会议费"), 会议说明=note("说明.会议费"),
                         培训费=self.figure_text("数据.培训费"), 培训说明=note("说明.培训费"), 节庆句=festival)
        return [Block("p", text)]

    def _procurement(self, sec: dict, t: None) -> list[Block]:
        kinds = ["货物", "工程", "服务"]
        vals = {k: self.figure(f"数据.政府采购.{k}") for k in kinds}
        total = sum((round_cent(v) for v in vals.values() if v is not None), ZERO) if all(v is not None for v in vals.values()) else None
        sme, small = self.figure("数据.政府采购.中小企业"), self.figure("数据.政府采购.小微企业")
        pending = PENDING
        text = self.fill(
            sec["text"],
            总额=self.amt(total) if total is not None else pending,
            **{k: self.figure_text(f"数据.政府采购.{k}") for k in kinds},
            中小企业=self.figure_text("数据.政府采购.中小企业"),
            小微企业=self.figure_text("数据.政府采购.小微企业"),
            中小占比=self.pct0(round_cent(sme), total) if sme is not None and total is not None else pending,
            小微占比=self.pct0(round_cent(small), round_cent(sme)) if small is not None and sme is not None else pending,
        )
        return [Block("p", text)]

    def _assets(self, sec: dict, t: None) -> list[Block]:
        given = {}
        for kind in sec["vehicle_types"]:
            v = self.figure("数据.车辆.{类型}", 类型=kind)
            if v is not None:
                given[kind] = v
        total = self.figure("数据.车辆.总数")
        if total is None and given:
            total = sum(given.values(), ZERO)
        parts = [self.fill(sec["vehicle_item"], 类型=k, 数量=format(normalise(v), "f")) for k, v in given.items() if v != 0]
        detail = ("，其中：" + "、".join(parts)) if parts else ""
        cars = format(normalise(total), "f") if total is not None else self.placeholder(text_field("数据.车辆.总数").what)
        text = self.fill(sec["text"], 车辆=cars, 车辆构成=detail, 通用=self.figure_text("数据.设备.通用50万"),
                         专用=self.figure_text("数据.设备.专用100万"))
        return [Block("p", text)]

    def _note_section(self, sec: dict, t: None) -> list[Block]:
        f = text_field(sec["note"])
        return self.paragraphs(f.key, f.what)


#: the writer of each 情况说明 section, by its ``id`` in ``narrative.toml``
WRITERS: dict[str, Callable[..., list[Block]]] = {
    "收入支出总体": Sections._totals,
    "收入": Sections._composition,
    "支出": Sections._composition,
    "财政拨款收支总体": Sections._totals,
    "一般公共预算财政拨款支出": Sections._general_budget,
    "基本支出": Sections._basic,
    "三公": Sections._three_public,
    "政府性基金": Sections._fund,
    "国有资本经营": Sections._fund,
    "机关运行经费": Sections._operating,
    "一般性支出": Sections._general_spending,
    "政府采购": Sections._procurement,
    "国有资产": Sections._assets,
    "预算绩效": Sections._note_section,
    "其他": Sections._note_section,
}
