"""Compare model variants on the dev split (never on test).

    python training/experiments.py [VARIANT ...]     # e.g. shipped "no structure"

Each variant is a set of StanceModel parameters; prints, for the dev split as a
whole and for its real-news and authored records separately, stance macro-F1,
F_avg, accuracy, ECE, contrast accuracy and sentiment macro-F1, and fit time.
Same seed and data for every variant: each line is an ablation against "default" (StanceModel's
own defaults); "shipped" is the stored parameters of the default model.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.actors import load_actors  # noqa: E402
from stance.datasets import load_dataset  # noqa: E402
from stance.evaluate import evaluate_model  # noqa: E402
from stance.model import StanceModel  # noqa: E402

SHIPPED = json.loads((ROOT / "stance" / "data" / "default_params.json").read_text(encoding="utf-8"))["params"]

VARIANTS = {
    "shipped": dict(SHIPPED),  # the default model's stored parameters (training/default_params.py)
    "default": {},
    "no marks": dict(SHIPPED, marks=False),
    "no structure": {"structure": False},
    "real x2": {"_real_weight": 2.0},
    "real x3": {"_real_weight": 3.0},
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
    # the bundled cues plus their verbs' present tense (user cue files; training/ABLATIONS.md, session 12)
    "present-tense cues": dict(SHIPPED, cues_path=str(ROOT / "training" / "cues_present_tense.toml")),
    "present-tense stance cues": dict(SHIPPED, cues_path=str(ROOT / "training" / "cues_present_tense_stance.toml")),
}


def main() -> None:
    """Fit every variant on train, evaluate on dev (all, real, authored)."""
    inventory = load_actors()
    train = load_dataset(ROOT / "labels" / "train", inventory)
    dev = load_dataset(ROOT / "labels" / "dev", inventory)
    names = sys.argv[1:] or list(VARIANTS)
    print(f"train {len(train)} pairs, dev {len(dev)} pairs "
          f"({', '.join(f'{k} {dev.kinds.count(k)}' for k in sorted(set(dev.kinds)))})")
    width = max(18, *(len(n) + 2 for n in names))
    print(f"{'variant':<{width}}{'part':<10}{'macroF1':>8}{'F_avg':>7}{'acc':>7}{'ECE':>7}{'contr':>7}{'sentF1':>8}{'fit s':>7}")
    for name in names:
        t0 = time.perf_counter()
        params = dict(VARIANTS[name])
        real_weight = params.pop("_real_weight", 1.0)  # a training option, not a model parameter
        weights = [real_weight if k == "real" else 1.0 for k in train.kinds]
        model = StanceModel(**params).fit(train.pairs, train.stances, train.sentiments, train.lines,
                                          sample_weight=weights)
        fit = time.perf_counter() - t0
        report = evaluate_model(model, dev)
        parts = {"all": report} | report.get("by_kind", {})
        for part, r in parts.items():
            s = r["stance"]
            print(f"{name:<{width}}{part:<10}{s['macro_f1']:>8.3f}{s['f_avg']:>7.3f}{s['accuracy']:>7.3f}{s['ece']:>7.3f}"
                  f"{s.get('contrast', {}).get('accuracy', 0):>7.3f}{r.get('sentiment', {}).get('macro_f1', 0):>8.3f}"
                  f"{fit:>7.1f}")


if __name__ == "__main__":
    main()
