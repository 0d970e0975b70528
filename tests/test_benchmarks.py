"""Every benchmark script runs, on tiny sizes, in seconds (so none can break unseen).

Each runs as a subprocess exactly as documented, with a small model and the seed's gold labels as the
corpus; the figures are not checked here, only that the script runs to its last line.
"""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "seeds" / "000_87b51e7b310dad56.gold.jsonl"


def bench(script: str, *args: str, timeout: int = 300) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_throughput(model_path):
    out = bench("throughput.py", "--repeat", "1", "--corpus", GOLD, "--articles", "10", "--memory-articles", "20",
                "--model", model_path)
    assert "ratio (ours / baseline)" in out and "stance predict --jobs 2" in out and "peak RSS" in out


def test_benchmark_corpus_is_read_with_the_label_reader():
    """The default corpus is labels/: only train/dev/test are read (agreement/ and raw/ files, with other
    schemas, once crashed the benchmarks with KeyError: 'text')."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from predict_throughput import labeled_articles
        from throughput import load_articles
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from stance.labels import iter_label_files

    files = iter_label_files(ROOT / "labels")
    assert files and {f.parent.name for f in files} <= {"train", "dev", "test"}
    articles, sentences, labels = labeled_articles()
    assert articles and len(sentences) == len(labels) > 0
    assert len(load_articles(ROOT / "labels")) == len(articles) + 1  # + the seed article


def test_predict_throughput(model_path):
    out = bench("predict_throughput.py", "--articles", "10", "--memory-articles", "0", "--model", model_path,
                "--corpus", GOLD, "--repeat", "2")
    assert "bare sklearn vectorize+predict" in out and "speed-up over 1 job" in out
    assert out.count("start-up included") == 2 and "median ratio to bare over 2 interleaved runs" in out


def test_corrupt_jsonl_default_corpus(model_path):
    out = bench("corrupt_jsonl.py", "--lines", "300", "--model", model_path)
    assert "PASS" in out


def test_startup(model_path):
    out = bench("startup.py", "--runs", "1", "--model", model_path)
    assert "stance predict (seed, warm cache)" in out


def test_long_lines(model_path):
    out = bench("long_lines.py", "--sizes", "0.02,0.08", "--model", model_path)
    assert "time(0.08 MB) / time(0.02 MB)" in out and "stance predict on 0.08 MB: exit 0" in out


def test_dask_scaling(model_path):
    pytest.importorskip("distributed")
    out = bench("dask_scaling.py", "--articles", "12", "--shards", "2", "--model", model_path, "--corpus", GOLD)
    assert "same rows as the CLI: True" in out


def _tiny_labels(tmp_path: Path) -> Path:
    """A tiny labels tree cut from the bundled one."""
    labels = ROOT / "labels"
    for split, files in {"train": [("b1", 150), ("real_r01", 80)], "dev": [("b1", 30), ("real_r01", 60)],
                         "test": [("real_r02", 60)]}.items():
        (tmp_path / split).mkdir()
        for name, n in files:
            lines = (labels / split / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[:n]
            (tmp_path / split / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_active_learning(tmp_path):
    """The real dev/test records of a tiny labels tree are the simulated archive."""
    labels = _tiny_labels(tmp_path)
    out = bench("active_learning.py", "--labels", labels, "--sizes", "10", "--random-seeds", "1", "--jobs", "1")
    assert "default model (no archive labels)" in out and "trainings in" in out


def test_active_learning_unseen_outlet(tmp_path):
    """--outlet: every real record of one outlet is the archive and none of them is in the base."""
    labels = _tiny_labels(tmp_path)
    outlets = Counter(json.loads(line)["outlet"] for path in labels.glob("*/real_*.jsonl")
                      for line in path.read_text(encoding="utf-8").splitlines())
    outlet, n = outlets.most_common(1)[0]
    out = bench("active_learning.py", "--labels", labels, "--sizes", "10", "--random-seeds", "1", "--jobs", "1",
                "--outlet", outlet)
    assert f"real records of {outlet!r} (all splits; the base never sees it)" in out
    assert f"archive: {n} real records" in out
    assert f"base: labels/train + dev without {outlet!r}" in out and "trainings in" in out
