"""Write docs/architecture.md's context map from the rules in tests/architecture.py."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.architecture import ROOT, render_map
from tests.test_architecture import MAP_END, MAP_START


def main() -> None:
    path = ROOT / "docs" / "architecture.md"
    text = path.read_text("utf-8")
    pattern = re.escape(MAP_START) + r".*?" + re.escape(MAP_END)
    block = MAP_START + render_map() + MAP_END
    path.write_text(re.sub(pattern, lambda _: block, text, flags=re.S), "utf-8")


if __name__ == "__main__":
    main()
