"""Training: a small seeded grid on the dev split, then a model file with metadata."""

from __future__ import annotations

import itertools
import time
from typing import Callable

from .actors import Inventory
from .datasets import Dataset
from .model import StanceModel

__all__ = ["DEFAULT_GRID", "train_model"]

DEFAULT_GRID: dict[str, list] = {"C": [1.0, 3.0, 10.0], "window": [3, 5]}
SENTIMENT_GRID: list[float] = [1.0, 4.0, 16.0]


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
) -> tuple[StanceModel, dict]:
    """Fit a :class:`StanceModel`, choosing hyper-parameters on ``dev`` when given.

    Returns the model (refitted on train + dev with the chosen parameters) and
    the metadata to store with it.
    """
    from .evaluate import evaluate_model

    if not len(train):
        raise ValueError("no training pairs: check the data path and the error messages above")
    started = time.perf_counter()
    base = dict(params or {})
    if inventory is not None:
        base.setdefault("actors", inventory)  # the model embeds it: prediction finds the same actors
    chosen = dict(base)
    dev_metrics = None
    search: list[dict] = []
    if dev is not None and len(dev):
        grid = grid if grid is not None else DEFAULT_GRID
        keys = sorted(grid)
        for values in itertools.product(*(grid[k] for k in keys)):
            candidate = base | dict(zip(keys, values))
            model = StanceModel(**candidate).fit(train.pairs, train.stances, train.sentiments, train.lines)
            report = evaluate_model(model, dev)
            score = report["stance"]["macro_f1"]
            search.append({"params": dict(zip(keys, values)), "dev_macro_f1": score})
            _note(progress, f"  {dict(zip(keys, values))}: dev macro-F1 {score:.3f}")
            if dev_metrics is None or score > dev_metrics["stance"]["macro_f1"]:
                dev_metrics, chosen, best_model = report, candidate, model
        if "sentiment_C" not in base and any(v for _, v in dev.lines):
            best_sentiment = None
            for c in SENTIMENT_GRID:  # the sentiment head alone, on the chosen features
                report = evaluate_model(best_model.fit_sentiment(train.lines, C=c), dev)
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
        full = Dataset()
        full.extend(train)
        full.extend(dev)
    else:
        full = train
    model = StanceModel(**chosen).fit(full.pairs, full.stances, full.sentiments, full.lines,
                                      progress=lambda m: _note(progress, f"  {m}"))
    if dev is not None and len(dev):
        model.temperature_ = temperature
        dev_metrics["stance"]["ece_calibrated"] = evaluate_model(best_model, dev)["stance"]["ece"]
    metadata = {
        "data_hash": train.digest + (dev.digest if dev is not None else ""),
        "n_train_pairs": len(train),
        "n_dev_pairs": len(dev) if dev is not None else 0,
        "label_counts": {s: train.stances.count(s) for s in sorted(set(train.stances))},
        "feature_settings": model.settings(),
        "grid_search": search,
        "dev_metrics": _summary(dev_metrics),
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    return model, metadata


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
