"""Long single-line inputs: time per size for splitting and for scoring, and progress on stderr.

Builds one line of S megabytes (UTF-8) for each size by repeating the seed article with its line
breaks turned into spaces (periods, quotes and abbreviations as in news), then times in one run:

- ``split_sentences`` alone, fastest of 3 (the splitter was quadratic in the line length before issue 16),
- ``score_article`` (normalize, split, match, features, both heads, profile) with the model,

and prints each time with its ratio to the smallest size (linear: the ratio of the sizes; the target
for 16 MB against 1 MB is at most 20). Then ``stance predict`` runs on the largest size as a
subprocess and the progress lines it printed on stderr are counted (``--no-predict`` skips it).

    python benchmarks/long_lines.py [--sizes 1,4,16] [--model PATH] [--no-predict]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.sentences import split_sentences  # noqa: E402

SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"


def one_line(megabytes: float) -> str:
    """A single line of about ``megabytes`` MB of news text."""
    unit = SEED.read_text(encoding="utf-8").replace("\n", " ") + " "
    size = len(unit.encode("utf-8"))
    return unit * max(1, round(megabytes * 1e6 / size))


def timed(fn, rounds: int = 1) -> float:
    """Wall seconds of the fastest of ``rounds`` calls (shared machines are noisy)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Time both stages per size, print ratios, run stance predict on the largest size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,16", help="sizes in MB, comma-separated")
    parser.add_argument("--model", default=None, help="model file (default: the default model)")
    parser.add_argument("--no-predict", action="store_true", help="skip the stance predict run")
    args = parser.parse_args()
    sizes = [float(x) for x in args.sizes.split(",")]

    from stance.cache import load_model
    from stance.profile import score_article

    model = load_model(args.model)
    score_article("قصفت واشنطن مواقع الحشد الشعبي.", model)  # warm up outside the timings
    rows = []
    for mb in sizes:
        text = one_line(mb)
        n = len(split_sentences(text))
        t_split = timed(lambda: split_sentences(text), rounds=3)
        t_score = timed(lambda: score_article(text, model))
        rows.append((mb, n, t_split, t_score))
    first = rows[0]
    print(f"one line of news text per size (the seed article repeated, no line break), {sys.platform}:")
    for mb, n, t_split, t_score in rows:
        print(f"  {mb:6.2f} MB {n:7d} sentences   split {t_split:7.3f} s ({t_split / first[2]:5.1f}x)   "
              f"score {t_score:7.2f} s ({t_score / first[3]:5.1f}x)   size {mb / first[0]:5.1f}x")
    last = rows[-1]
    print(f"time({last[0]:g} MB) / time({first[0]:g} MB): split {last[2] / first[2]:.1f}, "
          f"score {last[3] / first[3]:.1f} (size ratio {last[0] / first[0]:g})")
    if args.no_predict:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.txt"
        path.write_text(one_line(sizes[-1]), encoding="utf-8")
        cmd = [sys.executable, "-m", "stance.cli", "predict", "--format", "jsonl", "-o", str(Path(tmp) / "o.jsonl"),
               str(path)]
        if args.model:
            cmd[4:4] = ["--model", args.model]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    progress = [line for line in done.stderr.splitlines() if line.startswith("article ")]
    print(f"stance predict on {sizes[-1]:g} MB: exit {done.returncode}, {seconds:.1f} s, "
          f"{len(progress)} progress line(s) on stderr" + (f", last: {progress[-1]}" if progress else ""))
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
