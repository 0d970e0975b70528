"""Active learning, simulated: does labeling the sentences `stance annotate select` picks pay off?

A user's archive is simulated with the project's labeled real news (``kind: real``) of the dev AND test
splits: 1,100 verbatim lines from other outlets' text, split by article (seeded) into a *pool* (the
archive the user labels) and a *test half* (held out). This is a simulation outside model selection,
so using the frozen test split here is deliberate: nothing is tuned on it, and no figure in the
"Measured accuracy" table comes from this script.

* The reference model ("default") is trained like the default model but without the archive:
  ``labels/train`` plus the authored part of ``labels/dev``, with the default model's stored parameters
  (``stance/data/default_params.json``; no search, no calibration: ``folds=0``) and no sentiment head
  (only stance is scored here).
* For each size (50, 100, 200, 400 sentences) the pool is picked from by ``select`` (uncertainty on the
  reference model's stance head, spread over actors/outlets/articles, no near-duplicates) and by
  ``select --strategy random`` (``--random-seeds`` seeds). The simulated user answers with the gold
  labels of the picked sentences; the model is retrained as ``stance train --add`` does (same
  ``train_model(add=..., add_weight=W)``), and scored on the test half (stance macro-F1 over pairs).
* ``W`` is ``--add-weight``, or ``--add-weight cv``: chosen, as ``stance train --add`` does, by 3-fold
  cross-validation on the 200 uncertainty-picked pool labels (never on the test half); pass ``cv`` to
  rerun it (12 more trainings). The default is what that CV chose with ``--split-seed 0``.

    python benchmarks/active_learning.py [--sizes 50,100,200,400] [--random-seeds 2] [--jobs 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from joblib import Parallel, delayed

from stance.actors import load_actors
from stance.cache import default_params
from stance.annotate.select import candidates_from_sentences, select
from stance.datasets import Dataset, load_dataset
from stance.evaluate import evaluate_model
from stance.labels import read_labels
from stance.train import choose_add_weight, train_model

ROOT = Path(__file__).resolve().parents[1]


def _write(lines, path: Path, kind: str | None = None) -> Path:
    """Write labeled lines back as labels-format JSONL (optionally relabeled as ``kind``)."""
    rows = []
    for ln in lines:
        rows.append({"article": ln.article, "line": ln.line, "text": ln.text, "kind": kind or ln.kind,
                     "outlet": ln.outlet, "date": ln.date, "sentiment": ln.sentiment,
                     "not_mentions": list(ln.not_mentions),
                     **({"provenance": ln.provenance} if (kind or ln.kind) == "real" else {}),
                     "targets": [{"actor": t.actor, "stance": t.stance,
                                  **({"source": t.source} if t.source else {}),
                                  **({"mention": t.mention} if t.mention else {})} for t in ln.targets]})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _stance_only(data: Dataset) -> Dataset:
    data.lines = []  # no sentiment head: only stance is measured
    data.line_kinds = []
    return data


def split_archive(labels: Path, seed: int, outlet: str | None = None):
    """The archive split by article into (pool, test half).

    Without ``outlet``: the real records of dev + test. With it: every real record of that outlet, in
    any split (the base model then never sees the outlet: see :func:`base_lines`).
    """
    if outlet is None:
        lines = [ln for split in ("dev", "test") for ln in read_labels(labels / split) if ln.kind == "real"]
    else:
        lines = [ln for split in ("train", "dev", "test") for ln in read_labels(labels / split)
                 if ln.kind == "real" and ln.outlet == outlet]
        if not lines:
            known = sorted({ln.outlet for split in ("train", "dev", "test") for ln in read_labels(labels / split)
                            if ln.kind == "real"})
            raise SystemExit(f"--outlet {outlet!r}: no real records of that outlet; outlets: {', '.join(known)}")
    articles = sorted({ln.article for ln in lines})
    random.Random(seed).shuffle(articles)
    pool_articles = set(articles[: len(articles) // 2])
    pool = [ln for ln in lines if ln.article in pool_articles]
    test = [ln for ln in lines if ln.article not in pool_articles]
    return pool, test


def base_lines(labels: Path, outlet: str | None = None) -> list:
    """What the reference model learns from.

    Without ``outlet``: ``labels/train`` plus the authored part of dev (the real dev records are in the
    archive). With it: train + dev without any record of that outlet, so the archive is an outlet the
    model never saw, as a user's own archive usually is.
    """
    if outlet is None:
        return [*read_labels(labels / "train"), *(ln for ln in read_labels(labels / "dev") if ln.kind != "real")]
    return [ln for split in ("train", "dev") for ln in read_labels(labels / split)
            if not (ln.kind == "real" and ln.outlet == outlet)]


def _run(base: Dataset, params: dict, user: Dataset | None, weight: float, test: Dataset) -> float:
    model, _ = train_model(base, None, params=params, add=user, add_weight=weight, folds=0)
    return evaluate_model(model, test)["stance"]["macro_f1"]


def main() -> None:
    """Run the simulation and print both curves."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=ROOT / "labels")
    parser.add_argument("--sizes", default="50,100,200,400")
    parser.add_argument("--random-seeds", type=int, default=2)
    parser.add_argument("--split-seed", type=int, default=0)
    parser.add_argument("--add-weight", default="3", help="weight of the user's pairs, or 'cv'")
    parser.add_argument("--outlet", default=None,
                        help="simulate an archive from an outlet the model never saw: all real records of this "
                             "outlet (e.g. 'NewsFANE newswire') form the archive and leave the base model")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    started = time.perf_counter()
    sizes = [int(x) for x in args.sizes.split(",")]
    inventory = load_actors()
    params = {k: v for k, v in default_params()["params"].items() if k != "sentiment_C"}
    tmp = Path(tempfile.mkdtemp(prefix="stance-al-"))

    pool, test_lines = split_archive(args.labels, args.split_seed, args.outlet)
    test = _stance_only(load_dataset(_write(test_lines, tmp / "test_half.jsonl"), inventory))
    base = _stance_only(load_dataset(_write(base_lines(args.labels, args.outlet), tmp / "base.jsonl"), inventory))
    gold = {(ln.article, ln.line): ln for ln in pool}
    pool_sentences = [ln for ln in pool if ln.targets]
    where = f"of {args.outlet!r} (all splits; the base never sees it)" if args.outlet else "of dev+test"
    print(f"archive: {len(pool) + len(test_lines)} real records {where}; pool {len({ln.article for ln in pool})} "
          f"articles ({len(pool_sentences)} sentences with a target), test half "
          f"{len({ln.article for ln in test_lines})} articles ({len(test)} pairs)", flush=True)
    what = f"labels/train + dev without {args.outlet!r}" if args.outlet else "labels/train + authored dev"
    print(f"base: {what} = {len(base)} pairs; params {params}; stance head only", flush=True)

    reference, _ = train_model(base, None, params=params, folds=0)
    default_f1 = evaluate_model(reference, test)["stance"]["macro_f1"]
    print(f"default (no archive labels): stance macro-F1 {default_f1:.4f} on the test half", flush=True)
    candidates = candidates_from_sentences(
        ((ln.article, ln.line, ln.text, ln.date, {"outlet": ln.outlet}) for ln in pool), reference, inventory)
    print(f"candidates (sentences where the matcher finds an actor): {len(candidates)}", flush=True)

    def user_data(picked, name: str) -> Dataset:
        lines = [gold[(c.article, c.line)] for c in picked]
        return _stance_only(load_dataset(_write(lines, tmp / f"{name}.jsonl", kind="user"), inventory))

    runs: dict[tuple[str, int, int], Dataset] = {}
    for n in sizes:
        runs[("uncertainty", n, 0)] = user_data(select(candidates, n, "uncertainty", seed=0), f"u{n}")
        for s in range(args.random_seeds):
            runs[("random", n, s)] = user_data(select(candidates, n, "random", seed=s), f"r{n}_{s}")

    cv_table = None
    if args.add_weight == "cv":
        probe = runs[("uncertainty", 200 if 200 in sizes else sizes[-1], 0)]
        weight, cv_table = choose_add_weight([base], probe, params, progress=lambda m: print(m, flush=True))
        print(f"weight by 3-fold CV on the pool labels: {cv_table} -> {weight:g}", flush=True)
    else:
        weight = float(args.add_weight)

    keys = list(runs)
    scores = Parallel(n_jobs=args.jobs)(delayed(_run)(base, params, runs[k], weight, test) for k in keys)
    result: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for k, f1 in zip(keys, scores):
        result[k[0]][k[1]].append(f1)

    print(f"\nstance macro-F1 on the test half ({len(test)} pairs); user pairs weigh {weight:g}")
    print(f"default model (no archive labels): {default_f1:.4f}")
    print(f"{'sentences':>9}  {'pairs':>5}  {'uncertainty':>17}  {'random (mean of ' + str(args.random_seeds) + ')':>24}  each random")
    for n in sizes:
        u = result["uncertainty"][n][0]
        r = sum(result["random"][n]) / len(result["random"][n])
        pairs = len(runs[("uncertainty", n, 0)])
        print(f"{n:>9}  {pairs:>5}  {u:.4f} ({u - default_f1:+.4f})  {r:.4f} ({r - default_f1:+.4f})        "
              + " ".join(f"{x:.4f}" for x in result["random"][n]))
    elapsed = time.perf_counter() - started
    print(f"\n{len(keys) + 1} trainings in {elapsed:.0f} s (jobs={args.jobs})")
    if args.json:
        args.json.write_text(json.dumps({
            "default": default_f1, "weight": weight, "cv": cv_table, "sizes": sizes, "test_pairs": len(test),
            "uncertainty": {n: result["uncertainty"][n] for n in sizes},
            "random": {n: result["random"][n] for n in sizes},
            "user_pairs": {n: len(runs[("uncertainty", n, 0)]) for n in sizes},
            "params": params, "split_seed": args.split_seed, "outlet": args.outlet, "seconds": round(elapsed),
            "command": "python " + " ".join(sys.argv),
        }, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
