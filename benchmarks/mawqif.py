"""The learner on a public Arabic stance benchmark (Mawqif), against a plain baseline in the same run.

    python benchmarks/mawqif.py ../shared/benchmarks/mawqif/Mawqif_AllTargets_Train.csv [--folds 5] [--seed 0]

The data has no stated licence: it is read from where it lies and never copied into the project.
K-fold cross-validation on the train file (stratified by target and stance, seeded). In each fold:

- **stance learner**: exactly what `stance train --data FILE --text-col text --target-col target
  --label-col stance --sentiment-col sentiment --label-map "Favor=favor,Against=against,None=none"`
  does with no dev data: its grid chosen by grouped, stratified inner cross-validation, calibration on
  out-of-fold predictions, a refit on the fold's training part;
- **baseline**: one TF-IDF (word 1-2 + char 2-5) + logistic regression per target, C chosen by inner
  5-fold cross-validation (scikit-learn's GridSearchCV on macro-F1).

Prints F_avg (mean F1 of favor and against, the task's score, x100) pooled over all held-out tweets and
per target, macro-F1, and the difference learner - baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.datasets import ColumnSpec, Dataset, load_dataset, parse_label_map  # noqa: E402
from stance.evaluate import class_metrics  # noqa: E402
from stance.labels import STANCES  # noqa: E402
from stance.normalize import normalize  # noqa: E402
from stance.train import train_model  # noqa: E402

LABEL_MAP = "Favor=favor,Against=against,None=none,Positive=positive,Negative=negative,Neutral=neutral"


def f_avg(gold: list[str], pred: list[str]) -> float:
    """Mean F1 of favor and against, x100."""
    r = class_metrics(gold, pred, STANCES)
    return 100 * (r["per_class"]["favor"]["f1"] + r["per_class"]["against"]["f1"]) / 2


def baseline_predict(train: Dataset, test: Dataset, inner: int, seed: int) -> list[str]:
    """Per-target TF-IDF (word 1-2 + char 2-5) + logistic regression, C by inner CV."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline, make_union

    pred = [""] * len(test)
    by_target: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(test.pairs):
        by_target[p.target].append(i)
    for target, idx in by_target.items():
        rows = [i for i, p in enumerate(train.pairs) if p.target == target]
        texts = [normalize(train.pairs[i].text) for i in rows]
        labels = [train.stances[i] for i in rows]
        if len(set(labels)) < 2:
            for i in idx:
                pred[i] = labels[0] if labels else "none"
            continue
        pipe = make_pipeline(
            make_union(
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
            LogisticRegression(max_iter=3000, class_weight="balanced"),
        )
        smallest = min(labels.count(c) for c in set(labels))
        if smallest >= 2:
            cv = StratifiedKFold(n_splits=min(inner, smallest), shuffle=True, random_state=seed)
            pipe = GridSearchCV(pipe, {"logisticregression__C": [0.3, 1.0, 3.0, 10.0, 30.0]}, cv=cv,
                                scoring="f1_macro")
        pipe.fit(texts, labels)
        for i, label in zip(idx, pipe.predict([normalize(test.pairs[i].text) for i in idx])):
            pred[i] = str(label)
    return pred


def run(path: str, folds: int = 5, seed: int = 0, inner: int = 5) -> dict:
    """Cross-validate both systems; return the figures."""
    from sklearn.model_selection import StratifiedKFold

    spec = ColumnSpec("text", "target", "stance", "sentiment", parse_label_map(LABEL_MAP))
    data = load_dataset(path, None, spec)
    strata = [f"{p.target}|{s}" for p, s in zip(data.pairs, data.stances)]
    smallest = min(strata.count(s) for s in set(strata))
    splitter = StratifiedKFold(n_splits=max(2, min(folds, smallest)), shuffle=True, random_state=seed)
    gold = list(data.stances)
    learner = [""] * len(data)
    base = [""] * len(data)
    seconds = {"learner": 0.0, "baseline": 0.0}
    for n, (fit_idx, test_idx) in enumerate(splitter.split(np.zeros(len(strata)), strata), 1):
        fit, test = data.take(fit_idx), data.take(test_idx)
        t0 = time.perf_counter()
        model, _ = train_model(fit, None, folds=inner, seed=seed)
        for i, label in zip(test_idx, model.predict(test.pairs)):
            learner[i] = str(label)
        t1 = time.perf_counter()
        for i, label in zip(test_idx, baseline_predict(fit, test, inner, seed)):
            base[i] = label
        t2 = time.perf_counter()
        seconds["learner"] += t1 - t0
        seconds["baseline"] += t2 - t1
        print(f"fold {n}: learner F_avg {f_avg([gold[i] for i in test_idx], [learner[i] for i in test_idx]):.1f}, "
              f"baseline {f_avg([gold[i] for i in test_idx], [base[i] for i in test_idx]):.1f}", file=sys.stderr)
    out = {"n": len(data), "folds": splitter.get_n_splits(), "seed": seed, "systems": {}}
    targets = sorted({p.target for p in data.pairs})
    for name, pred in (("stance learner", learner), ("per-target TF-IDF + LR", base)):
        per_target = {t: f_avg([gold[i] for i, p in enumerate(data.pairs) if p.target == t],
                               [pred[i] for i, p in enumerate(data.pairs) if p.target == t]) for t in targets}
        out["systems"][name] = {
            "f_avg": f_avg(gold, pred),
            "f_avg_target_mean": float(np.mean(list(per_target.values()))),
            "macro_f1": 100 * class_metrics(gold, pred, STANCES)["macro_f1"],
            "per_target": per_target,
        }
    out["difference"] = out["systems"]["stance learner"]["f_avg"] - out["systems"]["per-target TF-IDF + LR"]["f_avg"]
    out["seconds"] = seconds
    return out


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("train_csv")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--inner", type=int, default=5, help="inner CV folds of both systems")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    out = run(args.train_csv, args.folds, args.seed, args.inner)
    targets = list(next(iter(out["systems"].values()))["per_target"])
    print(f"Mawqif train, {out['n']} tweets, {out['folds']}-fold CV (seed {out['seed']})")
    print("| system | F_avg pooled | F_avg target mean | macro-F1 | " + " | ".join(targets) + " |")
    print("|---|---|---|---|" + "---|" * len(targets))
    for name, r in out["systems"].items():
        cells = " | ".join(f"{r['per_target'][t]:.1f}" for t in targets)
        print(f"| {name} | {r['f_avg']:.1f} | {r['f_avg_target_mean']:.1f} | {r['macro_f1']:.1f} | {cells} |")
    print(f"difference (learner - baseline), pooled F_avg: {out['difference']:+.1f}")
    print(f"seconds: learner {out['seconds']['learner']:.0f}, baseline {out['seconds']['baseline']:.0f}")


if __name__ == "__main__":
    main()
