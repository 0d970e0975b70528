"""Learning curve: how dev stance macro-F1 moves with the amount of one kind of training text.

    python training/learning_curve.py authored   # keep a fraction of the authored training articles
    python training/learning_curve.py real       # keep a fraction of the real-news training documents
    python training/learning_curve.py real --fractions 0.25 0.5 1 --seeds 0 1 2

Whole articles (documents) are kept or dropped, chosen by a seeded shuffle; the other kind's training
text is always all there. Each line fits the default model (C=3, window 3, sentiment C=4) on the
subset of labels/train and scores labels/dev, real and authored records apart (never test). The
subset keeps the labeled sentences that hold an actor (``Dataset.take``): the curve is about stance.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.actors import load_actors  # noqa: E402
from stance.datasets import Dataset, load_dataset  # noqa: E402
from stance.evaluate import evaluate_model  # noqa: E402
from stance.model import StanceModel  # noqa: E402


def subset(train: Dataset, kind: str, fraction: float, seed: int) -> Dataset:
    """``train`` with only a seeded ``fraction`` of the articles of ``kind`` (all of the other kinds)."""
    articles = sorted({a for a, k in zip(train.articles, train.kinds) if k == kind})
    random.Random(seed).shuffle(articles)
    keep = set(articles[: round(len(articles) * fraction)])
    return train.take([i for i, (a, k) in enumerate(zip(train.articles, train.kinds)) if k != kind or a in keep])


def main() -> None:
    """Fit on each subset, print dev macro-F1 per kind."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=("authored", "real"))
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.5, 0.75, 1.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    inventory = load_actors()
    train = load_dataset(ROOT / "labels" / "train", inventory)
    dev = load_dataset(ROOT / "labels" / "dev", inventory)
    print(f"{'kind':<9}{'fraction':>9}{'seed':>5}{'pairs':>7}{'of kind':>8}{'dev real':>9}{'dev auth':>9}{'fit s':>7}")
    for fraction in args.fractions:
        for seed in args.seeds if fraction < 1 else args.seeds[:1]:  # all articles: the seed changes nothing
            sub = subset(train, args.kind, fraction, seed)
            t0 = time.perf_counter()
            model = StanceModel(C=3.0, window=3, sentiment_C=4.0).fit(sub.pairs, sub.stances, sub.sentiments,
                                                                      sub.lines)
            fit = time.perf_counter() - t0
            by_kind = evaluate_model(model, dev)["by_kind"]
            print(f"{args.kind:<9}{fraction:>9.2f}{seed:>5}{len(sub):>7}{sub.kinds.count(args.kind):>8}"
                  f"{by_kind['real']['stance']['macro_f1']:>9.3f}{by_kind['authored']['stance']['macro_f1']:>9.3f}"
                  f"{fit:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
