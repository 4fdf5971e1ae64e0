"""Where the tests find the seeds and fixtures (real published disclosures)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("JUESUAN_SHARED", ROOT / "tests" / "data" / "shared"))
FIXTURES = SHARED / "fixtures"
SEEDS = SHARED / "seeds"
