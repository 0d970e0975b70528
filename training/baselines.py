"""Reproduce the README's accuracy table on the frozen test split.

Trains on labels/train (+ dev for the final fit, parameters chosen on dev, as
`stance train` does) and reports, on labels/test, for each kind of text (authored, real)
and on its contrast subset (sentences whose actors get different gold stances):

- majority class,
- a target-blind sentence TF-IDF (word 1-2 + char 2-5) + logistic regression,
- the stance model,
- the stance model trained on the authored text alone (when the corpus holds real text);

plus the models' sentiment macro-F1 per kind and the seed article's per-line predictions.

    python training/baselines.py [--labels labels/] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.actors import load_actors  # noqa: E402
from stance.datasets import Dataset, load_dataset  # noqa: E402
from stance.evaluate import contrast_indices, class_metrics, evaluate_model  # noqa: E402
from stance.labels import STANCES  # noqa: E402
from stance.normalize import normalize  # noqa: E402
from stance.train import train_model  # noqa: E402


def subset(data: Dataset, idx: list[int]) -> tuple[list[str], list[int]]:
    """Gold labels of a subset."""
    return [data.stances[i] for i in idx], idx


def figures(gold: list[str], pred: list[str]) -> dict:
    """macro-F1, F_avg and accuracy."""
    r = class_metrics(gold, pred, STANCES)
    f_avg = (r["per_class"]["favor"]["f1"] + r["per_class"]["against"]["f1"]) / 2
    return {"macro_f1": r["macro_f1"], "f_avg": round(f_avg, 4), "accuracy": r["accuracy"], "n": len(gold)}


def _blind_baseline(full: Dataset):
    """Target-blind sentence TF-IDF (word 1-2 + char 2-5) + logistic regression, fitted on ``full``."""
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    texts = [normalize(p.text) for p in full.pairs]
    X = sp.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    blind = LogisticRegression(C=3.0, max_iter=3000, class_weight="balanced").fit(X, full.stances)

    def predict(pairs) -> list[str]:
        tt = [normalize(p.text) for p in pairs]
        return list(blind.predict(sp.hstack([word.transform(tt), char.transform(tt)]).tocsr()))

    return predict


def _row(test: Dataset, pred: list[str]) -> dict:
    contrast = contrast_indices(test)
    return {"test": figures(test.stances, pred),
            "contrast": figures([test.stances[i] for i in contrast], [pred[i] for i in contrast])}


def main() -> None:
    """Train, evaluate and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=Path, default=ROOT / "labels")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    inventory = load_actors()
    train = load_dataset(args.labels / "train", inventory)
    dev = load_dataset(args.labels / "dev", inventory)
    test = load_dataset(args.labels / "test", inventory)
    full = Dataset()
    full.extend(train)
    full.extend(dev)
    kinds = sorted(set(test.kinds))
    parts = {k: test.subset(k) for k in kinds}

    models: dict[str, object] = {}
    majority = Counter(full.stances).most_common(1)[0][0]
    models["majority class"] = lambda pairs: [majority] * len(pairs)
    models["target-blind TF-IDF + LR"] = _blind_baseline(full)
    t0 = time.perf_counter()
    model, meta = train_model(train, dev, inventory=inventory)
    train_seconds = time.perf_counter() - t0
    trained = {"stance model": model}
    if "real" in train.kinds:
        authored_model, _ = train_model(train.subset("authored"), dev.subset("authored"), inventory=inventory)
        trained["stance model, authored text only"] = authored_model
    for name, m in trained.items():
        models[name] = m.predict

    table: dict[str, dict] = {}
    for name, predict in models.items():
        table[name] = {k: _row(part, list(predict(part.pairs))) for k, part in parts.items()}
        table[name]["all"] = _row(test, list(predict(test.pairs)))
    sentiment = {name: {k: evaluate_model(m, part).get("sentiment", {}).get("macro_f1") for k, part in parts.items()}
                 for name, m in trained.items()}
    report = evaluate_model(model, test)
    out = {
        "n_train_pairs": len(train), "n_dev_pairs": len(dev), "n_test_pairs": len(test),
        "n_test_pairs_by_kind": {k: len(p) for k, p in parts.items()},
        "chosen_params": {k: meta["feature_settings"][k] for k in ("C", "window")},
        "training_seconds_with_grid": round(train_seconds, 1),
        "table": table,
        "sentiment_macro_f1": sentiment,
        "ece": report["stance"]["ece"],
    }
    seed = [i for i, a in enumerate(test.articles) if a == "000_87b51e7b310dad56"]
    if seed:
        pred = model.predict([test.pairs[i] for i in seed])
        proba = model.predict_proba([test.pairs[i] for i in seed])
        out["seed"] = [
            {"line": int(test.sentence_ids[i].split(":")[1]), "actor": test.pairs[i].target,
             "gold": test.stances[i], "pred": str(p), "score": round(float(pr[1] - pr[0]), 2)}
            for i, p, pr in zip(seed, pred, proba)
        ]
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    print(f"train {len(train)} / dev {len(dev)} / test {len(test)} pairs "
          f"({', '.join(f'{k} {n}' for k, n in out['n_test_pairs_by_kind'].items())}); "
          f"chosen {out['chosen_params']}; training with grid {train_seconds:.1f} s")
    head = " | ".join(f"{k} macro-F1 | {k} F_avg | {k} contrast acc." for k in kinds)
    print(f"| model | {head} |")
    print("|---|" + "---|" * (3 * len(kinds)))
    for name, r in table.items():
        cells = " | ".join(f"{r[k]['test']['macro_f1']:.3f} | {r[k]['test']['f_avg']:.3f} | "
                           f"{r[k]['contrast']['accuracy']:.3f}" for k in kinds)
        print(f"| {name} | {cells} |")
    for name, values in sentiment.items():
        print(f"sentiment macro-F1, {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in values.items() if v is not None))
    print(f"stance ECE (all test pairs): {out['ece']}")
    if "seed" in out:
        print("\nseed article, per line:")
        for r in out["seed"]:
            mark = "" if r["gold"] == r["pred"] else "   <-- differs"
            print(f"  line {r['line']:>2} {r['actor']:<10} gold {r['gold']:<8} pred {r['pred']:<8} score {r['score']:+.2f}{mark}")


if __name__ == "__main__":
    main()
