"""The two real seed departments (株洲 with its four errors, 武汉) as department files, each sealed
once: what the district tests consolidate."""

from __future__ import annotations

from pathlib import Path

from services.exchange.submission import submit
from services.store import DepartmentFile
from services.xlsx_import import import_xlsx
from tests.paths import FIXTURES


def sealed_seeds(root: Path) -> dict[str, Path]:
    """``zz``/``wh``: the department files; ``zz.sub``/``wh.sub``: their 2020 seals (zz forced)."""
    out: dict[str, Path] = {}
    for key, name in (("zz", "zhuzhou_2020.xlsx"), ("wh", "wuhan_2020.xlsx")):
        wb = import_xlsx(FIXTURES / name).workbook
        dept = root / f"{key}.sqlite"
        with DepartmentFile.create(dept, wb.department, wb.department_code) as f:
            f.save(wb)
        out[key] = dept
    submit(out["zz"], 2020, root / "zz.sub", allow_errors=True)
    submit(out["wh"], 2020, root / "wh.sub")
    out["zz.sub"], out["wh.sub"] = root / "zz.sub", root / "wh.sub"
    return out
