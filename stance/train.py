"""Training: honest hyper-parameter selection, calibration on held-out predictions, a refit on all data.

Selection happens on the dev split when there is one, else by k-fold cross-validation on the
training data (folds grouped by article so that no article is split, stratified by target and
label, seeded). The selection score is stance macro-F1; when the held-out data mixes kinds of text
(real news and authored articles), it is the mean of the kinds' macro-F1, so the smaller real-news
part counts as much as the authored one. The calibration temperature is fitted on the chosen
parameters' held-out predictions (dev, or the out-of-fold predictions), never on data the scored
model was fitted on, and applied to the final model refitted on all data (train + dev): the
``ensemble=False`` scheme of scikit-learn's ``CalibratedClassifierCV``, with a single temperature
(which keeps every prediction's label) instead of per-class sigmoids.

A user's own labels (``add``, from ``stance train --add``) join the training pairs with a weight each;
:func:`choose_add_weight` picks that weight by cross-validation on the user's labels (grouped by article).
"""

from __future__ import annotations

import itertools
import random
import time
from collections import defaultdict
from typing import Callable, Sequence

import numpy as np

from .actors import Inventory
from .datasets import Dataset
from .labels import STANCES
from .linear import LinearHead
from .features import TargetFeatures
from .model import StanceModel, fit_temperature

__all__ = ["ADD_WEIGHTS", "DEFAULT_GRID", "SENTIMENT_GRID", "choose_add_weight", "selection_score", "train_model"]

# window 3 vs 5 moved dev macro-F1 by less than C did (training/experiments.py); one feature setting
# keeps `stance train` on the bundled labels near a minute of CPU.
DEFAULT_GRID: dict[str, list] = {"C": [1.0, 3.0], "window": [3]}
SENTIMENT_GRID: list[float] = [1.0, 4.0]
ADD_WEIGHTS: tuple[float, ...] = (1.0, 3.0, 10.0)  # candidate weights of a user's pairs
HEAD_PARAMS = frozenset({"C", "class_weight", "sentiment_C"})  # changing these does not change features


def _note(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)


def selection_score(gold: Sequence[str], pred: Sequence[str], kinds: Sequence[str] | None = None) -> float:
    """Stance macro-F1 (over the classes that occur); with several kinds of text, the mean of the kinds' figures."""
    from .evaluate import class_metrics

    gold, pred = list(gold), list(pred)
    kinds = list(kinds) if kinds is not None else ["all"] * len(gold)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(kinds):
        groups[k].append(i)
    scores = []
    for idx in groups.values():
        g, p = [gold[i] for i in idx], [pred[i] for i in idx]
        present = [c for c in STANCES if c in g or c in p]  # a class absent from a small part is not a zero
        scores.append(class_metrics(g, p, present)["macro_f1"])
    return float(np.mean(scores)) if scores else 0.0


def _folds(data: Dataset, k: int, seed: int) -> list[tuple[list[int], list[int]]]:
    """k train/held-out index splits, grouped by article, stratified by target and label."""
    from sklearn.model_selection import StratifiedGroupKFold

    n_groups = len(set(data.articles))
    k = max(2, min(k, n_groups))
    strata = [f"{p.target}|{s}" for p, s in zip(data.pairs, data.stances)]
    counts = defaultdict(int)
    for s in strata:
        counts[s] += 1
    strata = [s if counts[s] >= k else s.split("|")[1] for s in strata]  # rare strata fall back to the label
    smallest = min(sum(1 for t in strata if t == s) for s in set(strata))
    if smallest >= 2:
        splitter = StratifiedGroupKFold(n_splits=min(k, smallest), shuffle=True, random_state=seed)
    else:  # a label with a single example cannot be stratified
        from sklearn.model_selection import GroupKFold

        splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(list(a), list(b)) for a, b in splitter.split(np.zeros(len(strata)), strata, data.articles)]


def _feature_key(candidate: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in candidate.items() if k not in HEAD_PARAMS))


_ABSENT = -30.0  # logit of a class the fitted part never saw (a fold can miss a rare class)


def _full_logits(head, scores: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """A head's decision scores as one column per class of ``classes`` (binary heads: ``[-z/2, z/2]``)."""
    if scores.ndim == 1:
        scores = np.column_stack([-scores / 2, scores / 2])
    out = np.full((scores.shape[0], len(classes)), _ABSENT)
    for j, c in enumerate(head.classes_):
        out[:, list(classes).index(c)] = scores[:, j]
    return out


def _held_out_logits(
    fit_part: Dataset, eval_part: Dataset, candidates: list[dict], weights: Sequence[float] | None,
    classes: np.ndarray,
) -> tuple[list[np.ndarray], dict[tuple, TargetFeatures], list[StanceModel]]:
    """Stance logits (one column per class of ``classes``) on ``eval_part`` of each candidate fitted on
    ``fit_part``; the features are fitted once per feature setting and shared by the head settings,
    and returned by setting (:func:`_feature_key`), with each candidate's fitted model (features and
    stance head) in candidate order."""
    out: list[np.ndarray | None] = [None] * len(candidates)
    models: list = [None] * len(candidates)
    fitted: dict[tuple, TargetFeatures] = {}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, c in enumerate(candidates):
        groups[_feature_key(c)].append(i)
    for members in groups.values():
        features = StanceModel(**candidates[members[0]])._features()
        design = features.fit_design(fit_part.pairs, keep_views=True)  # the refit on train + dev reuses them
        held_out = features.transform(eval_part.pairs)
        fitted[_feature_key(candidates[members[0]])] = features
        # every C from scratch: started from the previous C's head, L-BFGS-B's gradient test (tol 1e-4 on
        # scikit-learn's per-sample objective) can pass at the start and return that head unchanged
        for i in members:
            model = StanceModel(**candidates[i])
            model.features_ = features
            model.fit_stance(design, fit_part.stances, weights)
            models[i] = model
            out[i] = _full_logits(model.stance_, model.stance_.decision_function(held_out), classes)
    return out, fitted, models  # type: ignore[return-value]


def _predict(logits: np.ndarray, classes: np.ndarray) -> list[str]:
    return [str(classes[i]) for i in logits.argmax(axis=1)]


def train_model(
    train: Dataset,
    dev: Dataset | None = None,
    *,
    grid: dict[str, list] | None = None,
    params: dict | None = None,
    inventory: Inventory | None = None,
    progress: Callable[[str], None] | None = None,
    folds: int = 5,
    seed: int = 0,
    sample_weight: Sequence[float] | None = None,
    add: Dataset | None = None,
    add_weight: float = 1.0,
) -> tuple[StanceModel, dict]:
    """Fit a :class:`StanceModel`: choose parameters on ``dev`` (or by cross-validation), calibrate, refit.

    ``grid`` maps parameter names to candidate values (default :data:`DEFAULT_GRID`; parameters fixed in
    ``params`` are not searched); ``folds`` and ``seed`` set the cross-validation used when there is no
    dev data (``folds=0`` skips selection and calibration: ``params`` or the defaults are used as they
    are). ``sample_weight`` weighs the training pairs. ``add`` (a user's labels) joins the training
    pairs, each weighing ``add_weight``. Returns the model refitted on train + dev (+ add) and the
    metadata to store with it.
    """
    n_own = len(train)
    if add is not None and len(add):
        joined = Dataset(digest=train.digest + add.digest)
        joined.extend(train)
        joined.extend(add)
        sample_weight = list(sample_weight if sample_weight is not None else [1.0] * len(train))
        sample_weight += [float(add_weight)] * len(add)
        train = joined
    if not len(train):
        raise ValueError("no training pairs: check the data path and the error messages above")
    if len(set(train.stances)) < 2:
        raise ValueError(f"need at least two stance classes to train, got {sorted(set(train.stances))}")
    started = time.perf_counter()
    base = dict(params or {})
    if inventory is not None:
        base.setdefault("actors", inventory)  # the model embeds it: prediction finds the same actors
    grid = dict(DEFAULT_GRID if grid is None else grid)
    for key in base:
        grid.pop(key, None)
    keys = sorted(grid)
    candidates = [base | dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]
    weights = list(sample_weight) if sample_weight is not None else None
    classes = np.asarray(sorted(set(train.stances) | (set(dev.stances) if dev is not None else set())), dtype=object)
    search: list[dict] = []
    held_out: Dataset | None = None
    logits: list[np.ndarray] = []
    fitted: dict[tuple, TargetFeatures] = {}  # features fitted on train during a dev selection
    models: list[StanceModel] = []  # each candidate's model from the selection: the refit's warm start
    method = "none"
    if dev is not None and len(dev):
        method = "dev"
        held_out = dev
        _note(progress, f"selecting among {len(candidates)} setting(s) on dev ({len(dev)} pairs)")
        logits, fitted, models = _held_out_logits(train, dev, candidates, weights, classes)
    elif folds and folds > 1 and len(set(train.articles)) >= 2:
        splits = _folds(train, folds, seed)
        method = f"{len(splits)}-fold cross-validation (grouped by article, stratified, seed {seed})"
        _note(progress, f"selecting among {len(candidates)} setting(s) by {method}")
        order = [i for _, idx in splits for i in idx]
        held_out = train.take(order)
        parts: list[list[np.ndarray]] = []
        for n, (fit_idx, eval_idx) in enumerate(splits, 1):
            fold_weights = [weights[i] for i in fit_idx] if weights is not None else None
            # the last fold's models are kept: the refit's warm start
            fold_logits, _, models = _held_out_logits(train.take(fit_idx), train.take(eval_idx), candidates,
                                                      fold_weights, classes)
            parts.append(fold_logits)
            _note(progress, f"  fold {n}/{len(splits)} done")
        logits = [np.concatenate([p[c] for p in parts]) for c in range(len(candidates))]
    chosen = candidates[0] if candidates else dict(base)
    start: StanceModel | None = None
    temperature = 1.0
    dev_metrics = None
    if held_out is not None:
        best_score = -1.0
        for n, (candidate, z) in enumerate(zip(candidates, logits)):
            pred = _predict(z, classes)
            score = selection_score(held_out.stances, pred, held_out.kinds or None)
            shown = {k: candidate[k] for k in keys}
            search.append({"params": shown, "score": round(score, 4)})
            _note(progress, f"  {shown}: held-out macro-F1 {score:.3f}")
            if score > best_score:
                best_score, chosen, best_logits = score, candidate, z
                start = models[n]
        index = np.array([list(classes).index(s) for s in held_out.stances])
        keep = best_logits[np.arange(len(index)), index] > _ABSENT  # a gold class its fold never saw
        temperature = fit_temperature(best_logits[keep], index[keep])
        dev_metrics = {"selection": method, "score": round(best_score, 4), "temperature": round(temperature, 4)}
        if "sentiment_C" not in base and any(v for _, v in held_out.lines):
            sentiment_c, sentiment_head = _choose_sentiment_c(train, held_out, chosen, method, search, progress,
                                                              fitted)
            chosen = chosen | {"sentiment_C": sentiment_c}
            if start is not None:
                start.sentiment_ = sentiment_head  # fitted on the same features (dev) or None
    full = train
    if dev is not None and len(dev):
        full = Dataset()
        full.extend(train)
        full.extend(dev)
        if weights is not None:
            weights = weights + [1.0] * len(dev)
    _note(progress, f"chosen {({k: chosen[k] for k in keys} | ({'sentiment_C': chosen['sentiment_C']} if 'sentiment_C' in chosen else {}))}, "
                    f"temperature {temperature:.2f}; fitting on {len(full)} pairs")
    model = StanceModel(**chosen).fit(full.pairs, full.stances, full.sentiments, full.lines,
                                      sample_weight=weights, progress=lambda m: _note(progress, f"  {m}"),
                                      warm_start=start)
    model.temperature_ = temperature
    model.fit_holder(full, progress=lambda m: _note(progress, f"  {m}"))
    metadata = {
        "data_hash": train.digest + (dev.digest if dev is not None else ""),
        "n_train_pairs": n_own,
        "n_add_pairs": len(train) - n_own,
        "add_weight": float(add_weight) if len(train) > n_own else None,
        "n_dev_pairs": len(dev) if dev is not None else 0,
        "label_counts": {s: full.stances.count(s) for s in sorted(set(full.stances))},
        "feature_settings": model.settings(),
        "selection": method,
        "grid_search": search,
        "dev_metrics": dev_metrics,
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    return model, metadata


def _choose_sentiment_c(
    train: Dataset, held_out: Dataset, chosen: dict, method: str, search: list, progress,
    fitted: dict[tuple, TargetFeatures],
) -> tuple[float, LinearHead | None]:
    """The sentiment head's C with the best held-out sentiment macro-F1 (plain views only), and with a
    dev split that C's head (fitted on the selection's train features; else None).

    ``fitted`` holds the features the dev selection already fitted on train, reused here."""
    from .evaluate import class_metrics
    from .labels import SENTIMENTS

    features = fitted.get(_feature_key(chosen)) if method == "dev" else None
    if features is None:
        features = StanceModel(**chosen)._features().fit(train.pairs)
    if method == "dev":  # the features fitted on train during the selection
        fit_lines = [(t, v) for t, v in train.lines if v]
        eval_lines = [(t, v) for t, v in held_out.lines if v]
        split = [(fit_lines, eval_lines)]
    else:  # cross-validation: three seeded folds of the labeled sentences
        lines = [(t, v) for t, v in train.lines if v]
        rng = np.random.default_rng(0)
        fold = rng.integers(0, 3, len(lines))
        split = [([ln for ln, f in zip(lines, fold) if f != k], [ln for ln, f in zip(lines, fold) if f == k])
                 for k in range(3)]
    best = (-1.0, float(chosen.get("sentiment_C", 2.0)))
    best_head = None
    split = [(fit, ev) for fit, ev in split if len({v for _, v in fit}) >= 2 and ev]
    # each split's plain features once for every C; every C fitted from scratch (see _held_out_logits)
    plains = [(features.transform_plain([t for t, _ in fit]), features.transform_plain([t for t, _ in ev]))
              for fit, ev in split]
    heads: list = [None] * len(split)  # each split's head of the current C
    for c in SENTIMENT_GRID:
        gold, pred = [], []
        for k, ((fit_lines, eval_lines), (plain_fit, plain_eval)) in enumerate(zip(split, plains)):
            model = StanceModel(**(chosen | {"sentiment_C": c}))
            model.features_ = features
            model.fit_sentiment(fit_lines, plain=plain_fit)
            heads[k] = model.sentiment_
            proba = model.sentiment_.predict_proba(plain_eval)
            pred += [str(model.sentiment_.classes_[i]) for i in proba.argmax(axis=1)]
            gold += [v for _, v in eval_lines]
        if not gold:
            continue
        score = class_metrics(gold, pred, SENTIMENTS)["macro_f1"]
        search.append({"params": {"sentiment_C": c}, "sentiment_score": round(score, 4)})
        _note(progress, f"  sentiment_C={c}: held-out sentiment macro-F1 {score:.3f}")
        if score > best[0]:
            best = (score, c)
            best_head = heads[0] if method == "dev" and len(split) == 1 else None
    return best[1], best_head


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
    for k in range(folds):
        held = add.take([i for i, a in enumerate(add.articles) if fold_of[a] == k])
        rest = add.take([i for i, a in enumerate(add.articles) if fold_of[a] != k])
        for w in scores:
            data, sample_weight = Dataset(), []
            for part, weight in [(d, 1.0) for d in base] + ([(rest, w)] if w else []):
                data.extend(part)
                sample_weight += [weight] * len(part)
            model = StanceModel(**params).fit(data.pairs, data.stances, None, [],
                                              sample_weight=sample_weight if w not in (0.0, 1.0) else None)
            scores[w].append(evaluate_model(model, held)["stance"]["macro_f1"])
            _note(progress, f"  fold {k + 1}/{folds} weight {w:g}: held-out user macro-F1 {scores[w][-1]:.3f}")
    table = {w: round(sum(v) / len(v), 4) for w, v in scores.items()}
    best = max(weights, key=lambda w: (table[w], -w))
    return best, table
