"""Start-up cost: `stance predict` on the seed article (warm cache) against importing numpy + scipy.sparse.

In one run, alternating the two so that machine load hits both alike:
- baseline: ``python -c "import numpy, scipy.sparse"`` (what any numeric Python tool pays),
- ``stance predict --format jsonl seeds/000_87b51e7b310dad56.txt`` with the default model already cached
  (one untimed run first builds or loads it),
- ``stance --help`` and ``stance actors`` (no model, no scikit-learn),
and prints the median wall time of N runs (default 5) of each and the ratios to the baseline.

    python benchmarks/startup.py [--runs 5] [--model PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"


def stance_command() -> list[str]:
    """The installed ``stance`` script next to this interpreter (else ``python -m stance.cli``)."""
    script = Path(sys.executable).parent / "stance"
    if script.exists():
        return [str(script)]
    found = shutil.which("stance")
    return [found] if found else [sys.executable, "-m", "stance.cli"]


def wall(cmd: list[str]) -> float:
    """Seconds one run of ``cmd`` takes (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    """Time the commands and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", default=None, help="model file (default: the cached default model)")
    args = parser.parse_args()
    stance = stance_command()
    model = ["--model", args.model] if args.model else []
    commands = {
        "python -c 'import numpy, scipy.sparse'": [sys.executable, "-c", "import numpy, scipy.sparse"],
        "stance predict (seed, warm cache)": stance + ["predict", *model, "--format", "jsonl", str(SEED)],
        "stance --help": stance + ["--help"],
        "stance actors": stance + ["actors"],
    }
    first = wall(commands["stance predict (seed, warm cache)"])  # builds or loads the default model
    print(f"untimed first predict: {first:.2f} s (STANCE_HOME={os.environ.get('STANCE_HOME', '<default cache>')})")
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(wall(cmd))
    base = statistics.median(times["python -c 'import numpy, scipy.sparse'"])
    print(f"median of {args.runs} runs each, on {os.cpu_count()} CPUs:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<40} {median:6.3f} s   {median / base:5.2f}x baseline")


if __name__ == "__main__":
    main()
