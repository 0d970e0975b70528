"""Smoke test of benchmarks/mawqif.py on a tiny Mawqif-like file (the real data never enters the project)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mawqif_benchmark_runs_both_systems_in_one_run():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "mawqif.py"), str(ROOT / "tests" / "data" / "mawqif_like.csv"),
         "--folds", "2", "--inner", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "| stance learner |" in result.stdout and "| per-target TF-IDF + LR |" in result.stdout
    assert "difference (learner - baseline), pooled F_avg:" in result.stdout
