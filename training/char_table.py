"""Write stance/data/normalize_chars.json: camel-tools' normalization of the common characters.

    python training/char_table.py

Run it after upgrading camel-tools or changing the rules in stance/normalize.py; the test
tests/test_normalize.py::test_shipped_char_table_equals_camel_tools fails until it is rerun.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.normalize import char_table  # noqa: E402


def main() -> None:
    """Compute the table and write it (sorted, one JSON object)."""
    table = char_table()
    out = ROOT / "stance" / "data" / "normalize_chars.json"
    out.write_text(json.dumps(table, ensure_ascii=True, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(table)} characters)")


if __name__ == "__main__":
    main()
