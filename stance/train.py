"""Training: a small seeded grid on the dev split, then a model file with metadata.

A user's own labels (``add``) join every fit with a weight per pair; :func:`choose_add_weight`
picks that weight by cross-validation on the user's labels (grouped by article).
"""

from __future__ import annotations

import itertools
import random
import time
from pathlib import Path
from typing import Callable

from .actors import Inventory
from .datasets import Dataset
from .model import StanceModel

__all__ = ["ADD_WEIGHTS", "DEFAULT_GRID", "choose_add_weight", "take", "train_model"]

DEFAULT_GRID: dict[str, list] = {"C": [1.0, 3.0, 10.0], "window": [3, 5]}
SENTIMENT_GRID: list[float] = [1.0, 4.0, 16.0]
ADD_WEIGHTS: tuple[float, ...] = (1.0, 3.0, 10.0)  # candidate weights of a user's pairs


def take(data: Dataset, index: list[int]) -> Dataset:
    """The pairs of ``data`` at ``index`` (their sentences' sentiment lines are kept, once each)."""
    out = Dataset(digest=data.digest)
    for name in ("pairs", "stances", "sentiments", "found", "articles", "sentence_ids", "kinds"):
        values = getattr(data, name)
        setattr(out, name, [values[i] for i in index])
    out.lines = list({p.text: (p.text, s) for p, s in zip(out.pairs, out.sentiments)}.values())
    out.line_kinds = [out.kinds[0] if out.kinds else "user"] * len(out.lines)
    return out


def _join(parts: list[tuple[Dataset, float]]) -> tuple[Dataset, list[float]]:
    full, weights = Dataset(), []
    for data, weight in parts:
        full.extend(data)
        weights += [weight] * len(data)
    return full, weights


def _fit(params: dict, parts: list[tuple[Dataset, float]], sentiment: bool = True) -> StanceModel:
    data, weights = _join(parts)
    weighted = any(w != 1.0 for w in weights)
    return StanceModel(**params).fit(data.pairs, data.stances, data.sentiments, data.lines if sentiment else [],
                                     sample_weight=weights if weighted else None)


def _note(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)


def train_model(
    train: Dataset,
    dev: Dataset | None = None,
    *,
    grid: dict[str, list] | None = None,
    params: dict | None = None,
    inventory: Inventory | None = None,
    progress: Callable[[str], None] | None = None,
    add: Dataset | None = None,
    add_weight: float = 1.0,
) -> tuple[StanceModel, dict]:
    """Fit a :class:`StanceModel`, choosing hyper-parameters on ``dev`` when given.

    ``add`` (a user's labels) joins every fit, each pair weighing ``add_weight``. Returns the model
    (refitted on train + dev + add with the chosen parameters) and the metadata to store with it.
    """
    from .evaluate import evaluate_model

    if not len(train):
        raise ValueError("no training pairs: check the data path and the error messages above")
    started = time.perf_counter()
    base = dict(params or {})
    if inventory is not None and inventory.source != "<default>":
        base.setdefault("actors_path", inventory.source)
    chosen = dict(base)
    dev_metrics = None
    search: list[dict] = []
    if dev is not None and len(dev):
        grid = grid if grid is not None else DEFAULT_GRID
        keys = sorted(grid)
        for values in itertools.product(*(grid[k] for k in keys)):
            candidate = base | dict(zip(keys, values))
            model = _fit(candidate, [(train, 1.0), (add or Dataset(), add_weight)])
            report = evaluate_model(model, dev)
            score = report["stance"]["macro_f1"]
            search.append({"params": dict(zip(keys, values)), "dev_macro_f1": score})
            _note(progress, f"  {dict(zip(keys, values))}: dev macro-F1 {score:.3f}")
            if dev_metrics is None or score > dev_metrics["stance"]["macro_f1"]:
                dev_metrics, chosen, best_model = report, candidate, model
        if "sentiment_C" not in base and any(v for _, v in dev.lines):
            best_sentiment = None
            for c in SENTIMENT_GRID:  # the sentiment head alone, on the chosen features
                report = evaluate_model(best_model.fit_sentiment(train.lines + (add.lines if add else []), C=c), dev)
                score = report.get("sentiment", {}).get("macro_f1", 0.0)
                search.append({"params": {"sentiment_C": c}, "dev_sentiment_macro_f1": score})
                _note(progress, f"  sentiment_C={c}: dev sentiment macro-F1 {score:.3f}")
                if best_sentiment is None or score > best_sentiment[0]:
                    best_sentiment = (score, c, report)
            chosen = chosen | {"sentiment_C": best_sentiment[1]}
            dev_metrics["sentiment"] = best_sentiment[2].get("sentiment")
        temperature = best_model.calibrate(dev.pairs, dev.stances).temperature_
        _note(progress, f"chosen {chosen} (dev macro-F1 {dev_metrics['stance']['macro_f1']:.3f}), "
                        f"temperature {temperature:.2f}; refitting on train+dev")
        parts = [(train, 1.0), (dev, 1.0)]
    else:
        parts = [(train, 1.0)]
    model = _fit(chosen, parts + [(add or Dataset(), add_weight)])
    if dev is not None and len(dev):
        model.temperature_ = temperature
        dev_metrics["stance"]["ece_calibrated"] = evaluate_model(best_model, dev)["stance"]["ece"]
    metadata = {
        "data_hash": train.digest + (dev.digest if dev is not None else "") + (add.digest if add else ""),
        "n_train_pairs": len(train),
        "n_add_pairs": len(add) if add else 0,
        "add_weight": add_weight if add else None,
        "n_dev_pairs": len(dev) if dev is not None else 0,
        "label_counts": {s: train.stances.count(s) for s in sorted(set(train.stances))},
        "feature_settings": {k: v for k, v in model.get_params().items()},
        "grid_search": search,
        "dev_metrics": _summary(dev_metrics),
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    return model, metadata


def choose_add_weight(
    base: list[Dataset],
    add: Dataset,
    params: dict,
    weights: tuple[float, ...] = ADD_WEIGHTS,
    folds: int = 3,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> tuple[float, dict[float, float]]:
    """The weight of the user's pairs that predicts held-out user labels best.

    ``folds``-fold cross-validation on ``add``, grouped by article (seeded): each fold's user pairs are
    predicted by a model trained on ``base`` plus the other folds at each weight (weight 0 is ``base``
    alone, reported for reference). Returns the best positive weight (ties: the smaller) and the mean
    stance macro-F1 per weight. With fewer than ``folds`` articles the smallest weight is returned.
    """
    from .evaluate import evaluate_model

    articles = sorted(set(add.articles))
    if len(articles) < max(2, folds):
        return weights[0], {}
    random.Random(seed).shuffle(articles)
    fold_of = {a: i % folds for i, a in enumerate(articles)}
    scores: dict[float, list[float]] = {w: [] for w in (0.0, *weights)}
    base_parts = [(d, 1.0) for d in base]
    for k in range(folds):
        held = take(add, [i for i, a in enumerate(add.articles) if fold_of[a] == k])
        rest = take(add, [i for i, a in enumerate(add.articles) if fold_of[a] != k])
        for w in scores:
            model = _fit(params, base_parts + ([(rest, w)] if w else []), sentiment=False)
            scores[w].append(evaluate_model(model, held)["stance"]["macro_f1"])
            _note(progress, f"  fold {k + 1}/{folds} weight {w:g}: held-out user macro-F1 {scores[w][-1]:.3f}")
    table = {w: round(sum(v) / len(v), 4) for w, v in scores.items()}
    best = max(weights, key=lambda w: (table[w], -w))
    return best, table


def _summary(report: dict | None) -> dict | None:
    if report is None:
        return None
    out = {
        "stance_macro_f1": report["stance"]["macro_f1"],
        "stance_f_avg": report["stance"]["f_avg"],
        "stance_accuracy": report["stance"]["accuracy"],
        "stance_ece": report["stance"]["ece"],
        "stance_ece_after_temperature": report["stance"].get("ece_calibrated"),
    }
    if "sentiment" in report:
        out["sentiment_macro_f1"] = report["sentiment"]["macro_f1"]
    return out


def default_paths(root: Path) -> tuple[Path, Path]:
    """Train and dev directories of a labels tree."""
    return root / "train", root / "dev"
