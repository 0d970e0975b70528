"""Reproduce the README's accuracy table on the frozen test split.

Trains on labels/train (+ dev for the final fit, parameters chosen on dev, as
`stance train` does) and reports, on labels/test and on its contrast subset
(sentences whose actors get different gold stances):

- majority class,
- a target-blind sentence TF-IDF (word 1-2 + char 2-5) + logistic regression,
- the stance model;

plus the model's sentiment macro-F1 and the seed article's per-line predictions.

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
from stance.evaluate import _contrast_indices, classification_report, evaluate_model  # noqa: E402
from stance.labels import STANCES  # noqa: E402
from stance.normalize import normalize  # noqa: E402
from stance.train import train_model  # noqa: E402


def subset(data: Dataset, idx: list[int]) -> tuple[list[str], list[int]]:
    """Gold labels of a subset."""
    return [data.stances[i] for i in idx], idx


def figures(gold: list[str], pred: list[str]) -> dict:
    """macro-F1, F_avg and accuracy."""
    r = classification_report(gold, pred, STANCES)
    f_avg = (r["per_class"]["favor"]["f1"] + r["per_class"]["against"]["f1"]) / 2
    return {"macro_f1": r["macro_f1"], "f_avg": round(f_avg, 4), "accuracy": r["accuracy"], "n": len(gold)}


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
    contrast = _contrast_indices(test)

    rows = {}
    majority = Counter(full.stances).most_common(1)[0][0]
    rows["majority class"] = ([majority] * len(test), majority)

    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    texts = [normalize(p.text) for p in full.pairs]
    X = sp.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    blind = LogisticRegression(C=3.0, max_iter=3000, class_weight="balanced").fit(X, full.stances)
    tt = [normalize(p.text) for p in test.pairs]
    rows["target-blind TF-IDF + LR"] = (list(blind.predict(sp.hstack([word.transform(tt), char.transform(tt)]).tocsr())), None)

    t0 = time.perf_counter()
    model, meta = train_model(train, dev, inventory=inventory)
    train_seconds = time.perf_counter() - t0
    rows["stance model"] = (list(model.predict(test.pairs)), None)

    table = {}
    for name, (pred, _) in rows.items():
        table[name] = {
            "test": figures(test.stances, pred),
            "contrast": figures([test.stances[i] for i in contrast], [pred[i] for i in contrast]),
        }
    report = evaluate_model(model, test)
    out = {
        "n_train_pairs": len(train), "n_dev_pairs": len(dev), "n_test_pairs": len(test),
        "chosen_params": {k: meta["feature_settings"][k] for k in ("C", "window")},
        "training_seconds_with_grid": round(train_seconds, 1),
        "table": table,
        "sentiment_macro_f1": report.get("sentiment", {}).get("macro_f1"),
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
    print(f"train {len(train)} / dev {len(dev)} / test {len(test)} pairs; contrast subset {len(contrast)} pairs; "
          f"chosen {out['chosen_params']}; training with grid {train_seconds:.1f} s")
    print("| model | test macro-F1 | test F_avg | test accuracy | contrast macro-F1 | contrast accuracy |")
    print("|---|---|---|---|---|---|")
    for name, r in table.items():
        t, c = r["test"], r["contrast"]
        print(f"| {name} | {t['macro_f1']:.3f} | {t['f_avg']:.3f} | {t['accuracy']:.3f} | {c['macro_f1']:.3f} | {c['accuracy']:.3f} |")
    print(f"sentiment macro-F1 (test sentences): {out['sentiment_macro_f1']}; stance ECE: {out['ece']}")
    if "seed" in out:
        print("\nseed article, per line:")
        for r in out["seed"]:
            mark = "" if r["gold"] == r["pred"] else "   <-- differs"
            print(f"  line {r['line']:>2} {r['actor']:<10} gold {r['gold']:<8} pred {r['pred']:<8} score {r['score']:+.2f}{mark}")


if __name__ == "__main__":
    main()
