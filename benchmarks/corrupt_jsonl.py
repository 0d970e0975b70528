"""Score a 100,000-line JSONL with 1% corrupted lines; check nothing good is lost.

Builds the file from the labeled sentences (one short article per line), corrupts
every 100th line in one of four ways (truncated JSON, garbage, invalid UTF-8,
missing text field), runs `stance predict --format jsonl`, and checks that every
good line appears in the output in order, every bad line is named on stderr,
and the exit status is 1.

    python benchmarks/corrupt_jsonl.py [--lines 100000] [--model PATH] [--corpus labels/]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from stance.labels import read_labels  # noqa: E402


def main() -> None:
    """Build, run, check, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100000)
    parser.add_argument("--model", default=None)
    parser.add_argument("--corpus", type=Path, default=ROOT / "labels", help="labels tree or file")
    args = parser.parse_args()
    texts = [r.text for r in read_labels(args.corpus)]  # train/dev/test only, as stance reads labels
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "corpus.jsonl"
    bad = set()
    with open(path, "wb") as f:
        for i in range(args.lines):
            line = json.dumps({"id": f"r{i}", "text": texts[i % len(texts)]}, ensure_ascii=False).encode()
            if i % 100 == 50:
                bad.add(i + 1)
                line = [line[: len(line) // 2], b"<<garbage>>", b'{"id": "x", "text": "\xff"}',
                        b'{"id": "x", "body": "y"}'][(i // 100) % 4]
            f.write(line + b"\n")
    cmd = [sys.executable, "-m", "stance.cli", "predict", "--quiet", "--format", "jsonl", "--jobs", "2", str(path)]
    if args.model:
        cmd[4:4] = ["--model", args.model]
    t0 = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True)
    seconds = time.perf_counter() - t0
    out_ids = [json.loads(x)["id"] for x in result.stdout.decode().splitlines()]
    expected = [f"r{i}" for i in range(args.lines) if (i + 1) not in bad]
    named = {int(m) for m in re.findall(rf"{re.escape(str(path))}:(\d+):", result.stderr.decode())}
    print(f"lines {args.lines}, corrupted {len(bad)}, output records {len(out_ids)}, "
          f"bad lines named on stderr {len(named & bad)}, exit status {result.returncode}, {seconds:.0f} s")
    ok = out_ids == expected and named == bad and result.returncode == 1
    print("PASS: every good line scored in order, every bad line named, exit status 1" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
