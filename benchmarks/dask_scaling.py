"""Dask scaling: articles/s for 1 and 2 Dask workers vs the single-process CLI, same articles.

Builds N articles (default 20,000) by cycling the labeled corpus' articles, in 8 JSONL shards, then
times in one run:
- `stance predict --format csv` (one process, --jobs 1) over the shards,
- `stance predict --engine dask --jobs 1` (a LocalCluster of one worker process),
- `stance predict --engine dask --jobs 2`,
each as a subprocess (wall time, including start-up), and checks the Dask output has the same rows.

    python benchmarks/dask_scaling.py [--articles 20000] [--shards 8] [--model PATH] [--corpus labels/]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from predict_throughput import labeled_articles  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, bytes]:
    """Wall seconds and stdout of a command."""
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - t0, out.stdout


def main() -> None:
    """Build shards, run the three configurations, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--model", default=None)
    parser.add_argument("--corpus", type=Path, default=None, help="labels tree or file (default: labels/)")
    args = parser.parse_args()
    articles, _, _ = labeled_articles(args.corpus)
    tmp = Path(tempfile.mkdtemp())
    shard_dir = tmp / "shards"
    shard_dir.mkdir()
    handles = [open(shard_dir / f"part{k:02d}.jsonl", "w", encoding="utf-8") for k in range(args.shards)]
    for i in range(args.articles):
        a = dict(articles[i % len(articles)], id=f"{articles[i % len(articles)]['id']}#{i}")
        handles[i % args.shards].write(json.dumps(a, ensure_ascii=False) + "\n")
    for h in handles:
        h.close()
    base = [sys.executable, "-m", "stance.cli", "predict", "--quiet"]
    if args.model:
        base += ["--model", args.model]
    else:
        subprocess.run([*base, "-o", os.devnull, str(ROOT / "seeds" / "000_87b51e7b310dad56.txt")], check=True)
    t_cli, csv_out = timed([*base, "--format", "csv", str(shard_dir)])
    t_d1, _ = timed([*base, "--engine", "dask", "--jobs", "1", str(shard_dir), "-o", str(tmp / "d1")])
    t_d2, _ = timed([*base, "--engine", "dask", "--jobs", "2", str(shard_dir), "-o", str(tmp / "d2")])
    local = pd.read_csv(io.BytesIO(csv_out), dtype=str, keep_default_na=False)
    dask_rows = pd.read_parquet(tmp / "d2")
    same = len(local) == len(dask_rows) and sorted(local["id"] + local["actor"]) == sorted(
        dask_rows["id"].astype(str) + dask_rows["actor"].astype(str))
    n = args.articles
    print(f"{n} articles in {args.shards} shards ({len(articles)} distinct labeled articles cycled)")
    print(f"single-process CLI:   {n / t_cli:8.1f} articles/s  ({t_cli:.1f} s)")
    print(f"dask, 1 worker:       {n / t_d1:8.1f} articles/s  ({t_d1:.1f} s)  overhead vs CLI {t_d1 / t_cli - 1:+.0%}")
    print(f"dask, 2 workers:      {n / t_d2:8.1f} articles/s  ({t_d2:.1f} s)  speed-up over 1 worker {t_d1 / t_d2:.2f}x")
    print(f"same rows as the CLI: {same}")


if __name__ == "__main__":
    main()
