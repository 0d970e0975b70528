"""Grouped cross-validation on the real-news train + dev documents (never test).

    python training/real_cv.py                       # all training data
    python training/real_cv.py --without-new         # without batches r08-r13 and the actors added then
    python training/real_cv.py --root /tmp/old       # another checkout (e.g. a worktree of an older commit)
    python training/real_cv.py --params '{"structure": true}'   # model parameters over the defaults below
    python training/real_cv.py --all-pairs           # score every real pair of train + dev, new actors too

The real documents of labels/train and labels/dev are cut into 5 folds by the hash of the document id
(the same folds in every checkout); each fold is scored by a model trained on the authored train
articles and the real documents of the other folds (default parameters: C=3, window 3, sentiment C=4).
Scored are only the pairs of the records that batches r01-r07 hold and of the actors they had (so that
checkouts with and without the later batches are scored on the same pairs); the pooled stance macro-F1
over the folds is printed. Four times as many real pairs as the dev split: the figure to compare
inventories and training sets on real text when dev alone is too small to tell.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

DEFAULT_ROOT = Path(__file__).resolve().parents[1]
NEW_ACTORS = {"EGY", "FRA", "GBR", "CHN", "QAT", "ARE", "JOR", "EU", "KWT", "DEU", "LBN_GOV"}  # December 2026
NEW_BATCHES = ("r08", "r09", "r10", "r11", "r12", "r13")  # the pool lines they made labelable


def fold_of(document: str, k: int = 5) -> int:
    """The fold of a document: a stable hash of its id."""
    return int(hashlib.md5(document.encode()).hexdigest(), 16) % k


def load_folds(root: Path, without_new: bool = False, all_pairs: bool = False) -> tuple:
    """The train + dev data of ``root``'s labels and, per fold, (training indices, scored indices).

    Training: the authored train articles and the real documents of the other folds (``without_new``:
    without batches r08-r13 and the December actors). Scored: the fold's real pairs of batches r01-r07
    and of the actors they had (every real pair of the fold with ``all_pairs``)."""
    from stance.actors import load_actors
    from stance.datasets import load_dataset

    labels = root / "labels"
    later = {json.loads(line)["text"] for split in ("train", "dev", "test") for batch in NEW_BATCHES
             for f in (labels / split).glob(f"real_{batch}.jsonl")
             for line in f.read_text(encoding="utf-8").splitlines()}
    inventory = load_actors()
    data = load_dataset(labels / "train", inventory)
    n_train = len(data)
    data.extend(load_dataset(labels / "dev", inventory))

    def old(i: int) -> bool:
        return data.pairs[i].target not in NEW_ACTORS and data.pairs[i].text not in later

    folds = []
    for k in range(5):
        fit = [i for i in range(len(data)) if (data.kinds[i] == "authored" and i < n_train)
               or (data.kinds[i] == "real" and fold_of(data.articles[i]) != k)]
        if without_new:
            fit = [i for i in fit if old(i)]
        held = [i for i in range(len(data)) if data.kinds[i] == "real" and fold_of(data.articles[i]) == k
                and (all_pairs or old(i))]
        folds.append((fit, held))
    return data, folds


def main() -> None:
    """Run the folds and print per-fold and pooled macro-F1."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="project checkout (labels and code)")
    ap.add_argument("--without-new", action="store_true",
                    help="train without r08-r13 and the actors added in December 2026")
    ap.add_argument("--params", default="{}", help="JSON of StanceModel parameters over C=3, window 3, sentiment C=4")
    ap.add_argument("--all-pairs", action="store_true",
                    help="score every real pair of the folds (also r08-r13 and the December actors)")
    args = ap.parse_args()
    params = {"C": 3.0, "window": 3, "sentiment_C": 4.0} | json.loads(args.params)
    sys.path.insert(0, str(args.root))
    from stance.evaluate import class_metrics
    from stance.model import StanceModel

    data, folds = load_folds(args.root, args.without_new, args.all_pairs)
    gold: list[str] = []
    pred: list[str] = []
    for k, (fit, held) in enumerate(folds):
        sub = data.take(fit)
        model = StanceModel(**params).fit(sub.pairs, sub.stances, sub.sentiments, sub.lines)
        p = list(model.predict([data.pairs[i] for i in held]))
        g = [data.stances[i] for i in held]
        print(f"fold {k}: {len(fit)} training pairs, {len(held)} scored, macro-F1 "
              f"{class_metrics(g, p, ['against', 'favor', 'none'])['macro_f1']:.3f}", flush=True)
        gold += g
        pred += p
    pooled = class_metrics(gold, pred, ['against', 'favor', 'none'])
    print("pooled per class: " + ", ".join(f"{c} P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} "
                                           f"(support {m['support']})" for c, m in pooled["per_class"].items()))
    print(f"{args.root}{' (without the new batches and actors)' if args.without_new else ''} {params}: pooled real "
          f"macro-F1 {pooled['macro_f1']:.4f} on {len(gold)} pairs")


if __name__ == "__main__":
    main()
