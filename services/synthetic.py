"""Synthetic departments (模拟部门数据) for benchmarks, rule tests and the district's load tests.

`generate` builds a department-year whose nine tables reconcile exactly under the template's
rules, with as many coded rows as asked. Amounts are built from whole cents (integers) and
only then turned into `Decimal`, so every total is exact by construction.
"""

from __future__ import annotations

import random
from decimal import Decimal

from services.templates import Template
from services.workbook import Cell, Workbook

FUNCTION_CLASSES = ["201", "204", "205", "206", "207", "208", "210", "211", "212", "213", "214", "221"]
ECONOMIC = {
    "301": ["30101", "30102", "30103", "30107", "30108", "30109", "30110", "30113", "30199"],
    "303": ["30302", "30305", "30309", "30399"],
    "302": ["30201", "30202", "30205", "30206", "30207", "30211", "30212", "30213", "30215", "30216", "30217", "30228", "30229", "30231", "30239", "30299"],
    "310": ["31002", "31007", "31013"],
}


def _d(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _split(total: int, n: int, rng: random.Random) -> list[int]:
    """``total`` cents into ``n`` non-negative whole-cent parts."""
    if n <= 0:
        return []
    cuts = sorted(rng.randint(0, total) for _ in range(n - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def _function_codes(rows: int, rng: random.Random | None = None) -> list[str]:
    """About ``rows`` 项 codes spread over the classes, 5 项 per 款. With ``rng`` the department
    picks its own: ``rows / 5`` 款 out of 20 per class, and 5 of the 9 项 under each, so
    departments differ in what they spend on, and cluster their 项 under a few 款 as real ones do."""
    if rng is not None:
        kuan = rng.sample([f"{cls}{k:02d}" for cls in FUNCTION_CLASSES for k in range(1, 21)], max(1, rows // 5))
        return sorted(f"{k}{x:02d}" for k in kuan for x in rng.sample(range(1, 10), 5))
    codes = []
    per_class = max(1, rows // (len(FUNCTION_CLASSES) * 5))
    for cls in FUNCTION_CLASSES:
        for k in range(1, per_class + 1):
            for x in range(1, 6):
                codes.append(f"{cls}{k:02d}{x:02d}")
    return codes[:rows] if rows >= 5 else codes[:5]


class _Filler:
    def __init__(self, wb: Workbook, rng: random.Random):
        self.wb, self.rng = wb, rng

    def put(self, table: str, row: str, col: int, cents: int) -> None:
        self.wb.set(Cell(table, row, col), _d(cents))

    def coded(self, table: str, leaves: dict[str, list[int]]) -> list[int]:
        """Write leaf rows (项 or 款) and roll them up to 款/类/合计; returns the 合计 per column."""
        ncols = len(leaves[next(iter(leaves))]) if leaves else len(self.wb.table(table).columns)
        sums: dict[str, list[int]] = {}
        for code, vals in leaves.items():
            for c in self.wb.add_code(table, code):
                self.wb.coded[table][c] = f"科目{c}"
            for level in {code, code[:5], code[:3], "合计"}:
                acc = sums.setdefault(level, [0] * ncols)
                for i, v in enumerate(vals):
                    acc[i] += v
        for row, vals in sums.items():
            if row in self.wb.coded.get(table, {}) or row == "合计":
                for i, v in enumerate(vals):
                    self.put(table, row, i + 1, v)
        return sums.get("合计", [0] * ncols)


def supports(template: Template) -> bool:
    """Whether `generate` can fill this template: the nine-table disclosure (全国 and its
    variants such as 上海), whatever the order of 07–09 — not the fourteen tables of 四川, whose
    extra 明细表 it does not know."""
    t = template.tables
    return (
        len(t) == 9
        and t.get("05") is not None and t["05"].title == "一般公共预算财政拨款支出决算表"
        and t.get("06") is not None and "基本支出" in t["06"].title
        and sum("三公" in s.title for s in t.values()) == 1
    )


def generate(template: Template, year: int = 2020, rows: int = 600, seed: int = 1, department: str = "模拟局",
             *, vary_codes: bool = False) -> Workbook:
    """A consistent department-year with about ``rows`` coded rows in each functional table.
    ``vary_codes``: the 项 codes are the seed's own random choice, not the same for every seed."""
    rng = random.Random(seed)
    wb = Workbook.new(template, year, department, f"SIM{seed:04d}", default_rows=False)
    f = _Filler(wb, rng)
    n = template.tables
    no = {t.title: t.no for t in n.values()}
    t_gf = next(k for k, t in n.items() if t.title.startswith("政府性基金"))
    t_gz = next(k for k, t in n.items() if t.title.startswith("国有资本经营"))
    t_sg = next(k for k, t in n.items() if "三公" in t.title)
    del no

    codes = _function_codes(rows, random.Random(seed) if vary_codes else None)
    # 06: economic detail of basic expenditure (基本支出明细)
    econ_leaves = {k: [rng.randint(0, 5_000_00)] for ks in ECONOMIC.values() for k in ks}
    econ_leaves["30217"] = [rng.randint(0, 2_00_00)]
    econ_leaves["30212"] = [0]
    econ_leaves["31013"] = [0]
    econ_leaves["30231"] = [rng.randint(0, 3_00_00)]
    for code in econ_leaves:
        for c in wb.add_code("06", code):
            wb.coded["06"][c] = f"科目{c}"
    econ_sum: dict[str, int] = {}
    for code, vals in econ_leaves.items():
        econ_sum[code[:3]] = econ_sum.get(code[:3], 0) + vals[0]
        f.put("06", code, 1, vals[0])
    for cls, v in econ_sum.items():
        f.put("06", cls, 1, v)
    people = econ_sum["301"] + econ_sum["303"]
    public = sum(v for k, v in econ_sum.items() if k not in ("301", "303"))
    f.put("06", "人员经费合计", 1, people)
    f.put("06", "公用经费合计", 1, public)
    basic_total = people + public

    # 05: 一般公共预算 by function code; its 基本支出 adds up to 06
    basic = _split(basic_total, len(codes), rng)
    gpb = {c: [b + p, b, p] for c, b, p in ((c, basic[i], rng.randint(0, 50_00_00)) for i, c in enumerate(codes))}
    t05 = f.coded("05", gpb)
    # 08 (政府性基金) and 09 (国有资本经营) on a few codes
    few = codes[: max(5, len(codes) // 10)]
    gf = {}
    for c in few:
        b4, b5 = rng.randint(0, 10_00_00), rng.randint(0, 10_00_00)
        b1, b2 = rng.randint(0, 5_00_00), b4 + b5 + rng.randint(0, 5_00_00)
        gf[c] = [b1, b2, b4 + b5, b4, b5, b1 + b2 - b4 - b5]
    t08 = f.coded(t_gf, gf)
    gz: dict[str, list[int]] = {}
    for c in few:
        b, p = rng.randint(0, 8_00_00), rng.randint(0, 8_00_00)
        if len(n[t_gz].columns) == 6:  # printed as a 收入支出 table like 政府性基金 (上海)
            b1, b2 = rng.randint(0, 5_00_00), b + p + rng.randint(0, 5_00_00)
            gz[c] = [b1, b2, b + p, b, p, b1 + b2 - b - p]
        else:
            gz[c] = [b + p, b, p]
    t09 = f.coded(t_gz, gz)
    gz_spend = 2 if len(n[t_gz].columns) == 6 else 0  # where its 本年支出 total is
    gz = {c: v[gz_spend:gz_spend + 3] for c, v in gz.items()}
    gz_col = gz_spend + 1

    # 03: all expenditure by function code = 财政拨款 (05+08+09) + other sources
    spend: dict[str, list[int]] = {}
    for c in codes:
        g, fb, zb = gpb[c], gf.get(c, [0] * 6), gz.get(c, [0] * 3)
        other_basic, other_proj = rng.randint(0, 3_00_00), rng.randint(0, 3_00_00)
        b = g[1] + fb[3] + zb[1] + other_basic
        p = g[2] + fb[4] + zb[2] + other_proj
        c4, c5, c6 = (rng.randint(0, 1_00_00) for _ in range(3))
        spend[c] = [b + p + c4 + c5 + c6, b, p, c4, c5, c6]
    t03 = f.coded("03", spend)

    # 04: fiscal appropriations by fund; each fund balances 年初 + 收入 − 支出 = 年末
    fund_spend = [t05[0], t08[2], t09[gz_spend]]
    opening = [rng.randint(0, 20_00_00) for _ in range(3)]
    income = [s + rng.randint(0, 10_00_00) for s in fund_spend]
    closing = [o + i - s for o, i, s in zip(opening, income, fund_spend)]
    ids_in = ["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]
    for k, rid in enumerate(ids_in):
        f.put("04", rid, 1, income[k])
        f.put("04", f"年初-{rid}", 1, opening[k])
    f.put("04", "本年收入合计", 1, sum(income))
    f.put("04", "年初财政拨款结转和结余", 1, sum(opening))
    f.put("04", "收入总计", 1, sum(income) + sum(opening))
    for cls in sorted({c[:3] for c in codes}):
        spent = [wb.get(Cell(t, cls, col)) for t, col in (("05", 1), (t_gf, 3), (t_gz, gz_col))]
        cents = [int((v or Decimal(0)) * 100) for v in spent]
        f.put("04", cls, 2, sum(cents))
        for k, v in enumerate(cents):
            f.put("04", cls, 3 + k, v)
    for k in range(3):
        f.put("04", "本年支出合计", 3 + k, fund_spend[k])
        f.put("04", "年末财政拨款结转和结余", 3 + k, closing[k])
        f.put("04", "支出总计", 3 + k, fund_spend[k] + closing[k])
    f.put("04", "本年支出合计", 2, sum(fund_spend))
    f.put("04", "年末财政拨款结转和结余", 2, sum(closing))
    f.put("04", "支出总计", 2, sum(fund_spend) + sum(closing))

    # 02: income by function code; 01's income kinds equal 02's 合计 columns
    other_spend = t03[0] - sum(fund_spend)
    other = _split(other_spend + rng.randint(0, 20_00_00), 5, rng)
    fiscal = sum(income)
    inc_cols = [_split(fiscal, len(codes), rng)] + [_split(o, len(codes), rng) for o in other]
    leaves = {c: [sum(col[i] for col in inc_cols)] + [col[i] for col in inc_cols] for i, c in enumerate(codes)}
    t02 = f.coded("02", leaves)

    # 01: the whole department
    f.put("01", "一般公共预算财政拨款收入", 1, income[0])
    f.put("01", "政府性基金预算财政拨款收入", 1, income[1])
    f.put("01", "国有资本经营预算财政拨款收入", 1, income[2])
    for rid, v in zip(["上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"], other):
        f.put("01", rid, 1, v)
    f.put("01", "本年收入合计", 1, t02[0])
    opening_all = sum(opening) + rng.randint(0, 5_00_00)
    f.put("01", "使用非财政拨款结余", 1, 0)
    f.put("01", "年初结转和结余", 1, opening_all)
    total_in = t02[0] + opening_all
    f.put("01", "收入总计", 1, total_in)
    for cls in sorted({c[:3] for c in codes}):
        f.put("01", cls, 2, int(wb.get(Cell("03", cls, 1)) * 100))  # type: ignore[operator]
    f.put("01", "本年支出合计", 2, t03[0])
    f.put("01", "结余分配", 2, 0)
    f.put("01", "年末结转和结余", 2, total_in - t03[0])
    f.put("01", "支出总计", 2, total_in)

    # 三公: budget ≥ actual, actual ≥ the 06 items it includes
    row = n[t_sg].rows[0].key or ""
    abroad, buy = 0, 0
    run = econ_leaves["30231"][0] + rng.randint(0, 1_00_00)
    host = econ_leaves["30217"][0] + rng.randint(0, 1_00_00)
    actual = [abroad + buy + run + host, abroad, buy + run, buy, run, host]
    b_abroad, b_buy, b_run, b_host = abroad + 1_00, buy, run + 2_00, host + 3_00
    budget = [b_abroad + b_buy + b_run + b_host, b_abroad, b_buy + b_run, b_buy, b_run, b_host]
    items = ["合计", "因公出国(境)费", "小计", "公务用车购置费", "公务用车运行费", "公务接待费"]
    for col in n[t_sg].columns:
        # 预算数 | 决算数 is the group (全国: 预算数/…) or the label (上海: 合计/预算数); the item the other
        parts = [p for p in col.group.split("/") if p] + [col.label]
        figures = budget if "预算数" in parts else actual
        item = next(p for p in reversed(parts) if p not in ("预算数", "决算数")).replace("运行维护费", "运行费")
        f.put(t_sg, row, col.no, figures[items.index(item)])
    return wb
