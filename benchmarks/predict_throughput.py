"""End-to-end `stance predict` throughput and memory vs a bare scikit-learn pipeline.

In one run:
- builds a JSONL corpus of N articles by cycling the labeled articles (labels/{train,dev,test}, read
  with stance.labels.read_labels),
- bare baseline: TfidfVectorizer (word 1-2 + char 2-5) + LogisticRegression, fitted on the
  training sentences, timed vectorizing and predicting the corpus' sentences (already split:
  no splitting, matching or profiling),
- `stance predict --format jsonl` on the corpus with --jobs 1 and --jobs 2 (subprocesses, wall time),
- peak RSS of `stance predict` on 1,000 and on M articles (--memory-articles).

The package's bytecode is compiled first, as an installed package has it.

    python benchmarks/predict_throughput.py [--articles 2000] [--memory-articles 20000] [--model PATH] [--corpus labels/]
                                            [--repeat N]

With ``--repeat N`` both pipelines are timed N times, interleaved, and the median ratio is printed too
(on a shared machine one run's ratio moves by ±0.05 with the load).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]


def labeled_articles(corpus: Path | None = None) -> tuple[list[dict], list[str], list[str]]:
    """Articles (id, outlet, date, text) and the training sentences with their stance (first target).

    Read with stance's own label reader: a labels tree gives its train/dev/test files only (working
    folders such as agreement/ and raw/ are not the corpus); a single label file is also accepted.
    """
    from stance.labels import read_labels

    arts: dict[str, dict] = {}
    train: list[tuple[str, str]] = []
    labeled: list[tuple[str, str]] = []
    for r in read_labels(corpus or ROOT / "labels"):
        a = arts.setdefault(r.article, {"id": r.article, "outlet": r.outlet, "date": r.date, "lines": []})
        a["lines"].append(r.text)
        if r.targets:
            labeled.append((r.text, r.targets[0].stance))
            if Path(r.path).parent.name == "train":
                train.append(labeled[-1])
    train = train or labeled  # a single label file: fit the baseline on all of it
    sents, labels = [t for t, _ in train], [s for _, s in train]
    out = [{"id": a["id"], "outlet": a["outlet"], "date": a["date"], "text": "\n".join(a["lines"])}
           for a in arts.values()]
    return out, sents, labels


def write_corpus(articles: list[dict], n: int, path: Path) -> int:
    """Write n articles (cycling) as JSONL; return the number of sentences."""
    from stance.sentences import split_sentences

    per = [len(split_sentences(a["text"])) for a in articles]
    total = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            a = dict(articles[i % len(articles)])
            a["id"] = f"{a['id']}#{i}"
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
            total += per[i % len(articles)]
    return total


def run_predict(corpus: Path, jobs: int, model: str | None) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds (all processes) of one `stance predict` run."""
    cmd = [sys.executable, "-m", "stance.cli", "predict", "--quiet", "--format", "jsonl", "--jobs", str(jobs),
           "-o", os.devnull, str(corpus)]
    if model:
        cmd[4:4] = ["--model", model]
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:]); "
             "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(time.perf_counter() - t, u.ru_maxrss, r.returncode, u.ru_utime + u.ru_stime)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, check=True)
    seconds, rss, code, cpu = out.stdout.split()
    if code != "0":
        raise SystemExit(f"stance predict failed: {out.stderr}")
    return float(seconds), int(rss), float(cpu)


def main() -> None:
    """Run and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--memory-articles", type=int, default=20000)
    parser.add_argument("--model", default=None)
    parser.add_argument("--corpus", type=Path, default=None, help="labels tree or file (default: labels/)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time both pipelines this many times, interleaved, and print the median ratio")
    args = parser.parse_args()
    run(args.articles, args.memory_articles, args.model, args.corpus, max(1, args.repeat))


def run(n_articles: int, memory_articles: int, model: str | None, corpus: Path | None = None,
        repeat: int = 1) -> None:
    """Build the corpus, time both pipelines, print the figures."""
    sys.path.insert(0, str(ROOT))
    from stance.cache import load_model
    from stance.sentences import split_sentences

    load_model(model)  # build the default model once, outside the timings
    # An installed package has its bytecode compiled (pip does it at install); a source checkout run with
    # PYTHONDONTWRITEBYTECODE=1 (as on these machines) would compile the package again in every run.
    import compileall

    compileall.compile_dir(str(ROOT / "stance"), quiet=1)
    articles, train_sents, train_labels = labeled_articles(corpus)
    tmp = Path(tempfile.mkdtemp())
    corpus = tmp / "corpus.jsonl"
    n_sent = write_corpus(articles, n_articles, corpus)

    sentences = [s.text for line in corpus.read_text(encoding="utf-8").splitlines()
                 for s in split_sentences(json.loads(line)["text"])]
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(train_sents)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(train_sents)
    clf = LogisticRegression(max_iter=2000).fit(sp.hstack([word.transform(train_sents), char.transform(train_sents)]),
                                               train_labels)
    print(f"corpus: {n_articles} articles, {n_sent} sentences (cycled from {len(articles)} labeled articles)")
    walls, cpus = [], []
    for r in range(repeat):  # interleaved, so that a change in the machine's load hits both pipelines
        t0, c0 = time.perf_counter(), time.process_time()
        clf.predict_proba(sp.hstack([word.transform(sentences), char.transform(sentences)]).tocsr())
        bare = len(sentences) / (time.perf_counter() - t0)
        bare_cpu = len(sentences) / (time.process_time() - c0)
        t1, _, cpu1 = run_predict(corpus, 1, model)
        walls.append(n_sent / t1 / bare)
        cpus.append(n_sent / cpu1 / bare_cpu)
        label = f" (run {r + 1} of {repeat})" if repeat > 1 else ""
        print(f"bare sklearn vectorize+predict: {bare:10.0f} sentences/s  ({bare_cpu:.0f} per CPU-second){label}")
        print(f"stance predict --jobs 1:        {n_sent / t1:10.0f} sentences/s  {n_articles / t1:8.1f} articles/s"
              f"  ratio to bare {walls[-1]:.2f} (wall), {cpus[-1]:.2f} (CPU time, start-up included)")
    if repeat > 1:
        print(f"median ratio to bare over {repeat} interleaved runs: {statistics.median(walls):.2f} (wall), "
              f"{statistics.median(cpus):.2f} (CPU time)")
    t2, _, _ = run_predict(corpus, 2, model)
    print(f"stance predict --jobs 2:        {n_sent / t2:10.0f} sentences/s  {n_articles / t2:8.1f} articles/s"
          f"  speed-up over 1 job {t1 / t2:.2f}x")
    if memory_articles:
        small, big = tmp / "small.jsonl", tmp / "big.jsonl"
        write_corpus(articles, min(1000, memory_articles), small)
        write_corpus(articles, memory_articles, big)
        _, rss_small, _ = run_predict(small, 1, model)
        _, rss_big, _ = run_predict(big, 1, model)
        print(f"peak RSS: {min(1000, memory_articles)} articles {rss_small / 1024:.0f} MiB, {memory_articles} articles "
              f"{rss_big / 1024:.0f} MiB (difference {(rss_big - rss_small) / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
