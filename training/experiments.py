"""Compare model variants on the dev split (never on test).

    python training/experiments.py

Each variant is a set of StanceModel parameters; prints dev stance macro-F1,
F_avg, accuracy, ECE, contrast accuracy and sentiment macro-F1, and fit time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.actors import load_actors  # noqa: E402
from stance.datasets import load_dataset  # noqa: E402
from stance.evaluate import evaluate_model  # noqa: E402
from stance.model import StanceModel  # noqa: E402

VARIANTS = {
    "default": {},
    "C=1": {"C": 1.0},
    "C=5": {"C": 5.0},
    "C=10": {"C": 10.0},
    "window=3": {"window": 3},
    "window=6": {"window": 6},
    "no class weight": {"class_weight": None},
    "min_df=1": {"min_df": 1},
    "char 2-4": {"char_ngrams": (2, 4)},
    "masked 1-2": {"masked_ngrams": 2},
    "masked 1": {"masked_ngrams": 1},
    "masked 1 w5": {"masked_ngrams": 1, "window": 5},
    "no cross": {"cross": False},
    "w3 no cross": {"window": 3, "cross": False},
    "w3 masked 1-2": {"window": 3, "masked_ngrams": 2},
    "sentiment C=0.5": {"sentiment_C": 0.5},
    "sentiment C=8": {"sentiment_C": 8.0},
}


def main() -> None:
    """Fit every variant on train, evaluate on dev."""
    inventory = load_actors()
    train = load_dataset(ROOT / "labels" / "train", inventory)
    dev = load_dataset(ROOT / "labels" / "dev", inventory)
    names = sys.argv[1:] or list(VARIANTS)
    print(f"train {len(train)} pairs, dev {len(dev)} pairs")
    print(f"{'variant':<18}{'macroF1':>8}{'F_avg':>7}{'acc':>7}{'ECE':>7}{'contr':>7}{'sentF1':>8}{'fit s':>7}")
    for name in names:
        t0 = time.perf_counter()
        model = StanceModel(**VARIANTS[name]).fit(train.pairs, train.stances, train.sentiments, train.lines)
        fit = time.perf_counter() - t0
        r = evaluate_model(model, dev)
        s = r["stance"]
        print(f"{name:<18}{s['macro_f1']:>8.3f}{s['f_avg']:>7.3f}{s['accuracy']:>7.3f}{s['ece']:>7.3f}"
              f"{s.get('contrast', {}).get('accuracy', 0):>7.3f}{r.get('sentiment', {}).get('macro_f1', 0):>8.3f}{fit:>7.1f}")


if __name__ == "__main__":
    main()
