"""Check one annotation batch against the schema and the actor matcher.

Usage: python training/check_batch.py labels/raw/b1.jsonl
(The full corpus validator is `stance labels check labels/`.)
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stance.labels import check_corpus  # noqa: E402


def main() -> int:
    """Print the problems and statistics of the given label files."""
    status = 0
    for arg in sys.argv[1:]:
        report = check_corpus(arg)
        for problem in report.problems:
            print(problem)
        print(json.dumps(report.stats, ensure_ascii=False, indent=1))
        print(f"{arg}: {len(report.problems)} problem(s)")
        status |= bool(report.problems)
    return status


if __name__ == "__main__":
    sys.exit(main())
