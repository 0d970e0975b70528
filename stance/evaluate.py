"""Evaluation figures for stance (per pair) and sentiment (per sentence)."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np

from .datasets import Dataset
from .labels import SENTIMENTS, STANCES
from .model import StanceModel

__all__ = ["class_metrics", "contrast_indices", "expected_calibration_error", "evaluate_model", "format_report"]


def class_metrics(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    """Per-class precision/recall/F1/support, macro F1, accuracy and confusion matrix.

    ``confusion[g][p]`` counts items of gold class ``g`` predicted as ``p``.
    A class with no predictions has precision 0; with no gold items, recall 0.
    """
    gold, pred = list(gold), list(pred)
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred):
        if g in confusion and p in confusion[g]:
            confusion[g][p] += 1
    per_class = {}
    for c in labels:
        tp = confusion[c][c]
        predicted = sum(confusion[g][c] for g in labels)
        support = sum(confusion[c].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = {"precision": round(precision, 4), "recall": round(recall, 4),
                        "f1": round(f1, 4), "support": support}
    n = len(gold)
    return {
        "macro_f1": round(float(np.mean([per_class[c]["f1"] for c in labels])), 4),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred)) / n, 4) if n else 0.0,
        "per_class": per_class,
        "confusion": confusion,
    }


def expected_calibration_error(proba: np.ndarray, gold_index: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-class probability over equal-width confidence bins."""
    if len(proba) == 0:
        return 0.0
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == gold_index
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return round(float(ece), 4)


def evaluate_model(model: StanceModel, data: Dataset) -> dict:
    """Every figure of ``stance evaluate`` for ``model`` on ``data``.

    When ``data`` mixes kinds of text (authored, real, user), ``by_kind`` holds the same
    figures for each kind alone.
    """
    if not len(data):
        raise ValueError("no labeled pairs to evaluate")
    result = _evaluate(model, data)
    kinds = sorted(set(data.kinds))
    if len(kinds) > 1:
        result["by_kind"] = {k: _evaluate(model, data.subset(k)) for k in kinds}
    return result


def _evaluate(model: StanceModel, data: Dataset) -> dict:
    matrix = model.transform(data.pairs)
    proba = model.proba_from_matrix(matrix)
    classes = [str(c) for c in model.classes_]
    pred = [classes[i] for i in proba.argmax(axis=1)]
    gold = data.stances
    stance = class_metrics(gold, pred, STANCES)
    stance["f_avg"] = round((stance["per_class"]["favor"]["f1"] + stance["per_class"]["against"]["f1"]) / 2, 4)
    gold_index = np.array([classes.index(g) if g in classes else -1 for g in gold])
    stance["ece"] = expected_calibration_error(proba, gold_index)
    by_actor: dict[str, list[int]] = defaultdict(list)
    for i, pair in enumerate(data.pairs):
        by_actor[pair.target].append(i)
    stance["per_actor"] = {}
    for actor, idx in sorted(by_actor.items()):
        g, p = [gold[i] for i in idx], [pred[i] for i in idx]
        present = [c for c in STANCES if c in g or c in p]  # macro over the classes that occur
        rep = class_metrics(g, p, present)
        stance["per_actor"][actor] = {"n": len(idx), "accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"],
                                      "gold": {c: g.count(c) for c in STANCES}}
    contrast = contrast_indices(data)
    if contrast:
        stance["contrast"] = {
            "n": len(contrast),
            "accuracy": round(sum(gold[i] == pred[i] for i in contrast) / len(contrast), 4),
        }
    result = {
        "n_pairs": len(data),
        "n_targets_not_found": int(sum(not f for f in data.found)),
        "stance": stance,
    }
    holder = _evaluate_holders(model, data, proba, classes)
    if holder is not None:
        result["holder"] = holder
    if model.sentiment_ is not None:
        lines = [(t, v) for t, v in (data.lines or zip((p.text for p in data.pairs), data.sentiments)) if v]
        lines = list({t: (t, v) for t, v in lines}.values())
        if lines:
            sproba = model.sentiment_.predict_proba(model.features_.transform_plain([t for t, _ in lines]))
            sclasses = [str(c) for c in model.sentiment_classes_]
            spred = [sclasses[i] for i in sproba.argmax(axis=1)]
            sentiment = class_metrics([v for _, v in lines], spred, SENTIMENTS)
            sentiment["n_sentences"] = len(lines)
            result["sentiment"] = sentiment
    return result


def _accuracy(pred: Sequence[str], gold: Sequence[str]) -> float | None:
    return round(sum(p == g for p, g in zip(pred, gold)) / len(gold), 4) if gold else None


def _evaluate_holders(model: StanceModel, data: Dataset, proba: np.ndarray, classes: list[str]) -> dict | None:
    """Holder accuracy on the polar pairs with a gold source, per holder kind, with the rule baselines.

    The holder head sees the sign of the model's own score (as at prediction), never the gold stance.
    """
    from .holder import AUTHOR, baseline_author, baseline_nearest_preceding, dataset_examples

    if not any(data.sources):
        return None
    score = proba[:, classes.index("favor")] - proba[:, classes.index("against")]
    signs = ["against" if v < 0 else "favor" for v in score]
    _, examples, gold = dataset_examples(data, model.inventory_, signs=signs)
    if not gold:
        return None
    head = getattr(model, "holder_", None)
    kinds = {a.id: a.kind for a in model.inventory_.actors.values()}
    pred = [h for h, _ in head.predict(examples, kinds)] if head is not None else None
    per_kind = {}
    for kind in ("author", "actor"):
        keep = [i for i, g in enumerate(gold) if (g == AUTHOR) == (kind == "author")]
        per_kind[kind] = {"n": len(keep),
                          "accuracy": _accuracy([pred[i] for i in keep], [gold[i] for i in keep]) if pred else None}
    out = {
        "n_pairs": len(gold),
        "accuracy": _accuracy(pred, gold) if pred else None,
        "per_kind": per_kind,
        "baselines": {"author_always": _accuracy([baseline_author(e) for e in examples], gold),
                      "nearest_preceding": _accuracy([baseline_nearest_preceding(e) for e in examples], gold)},
    }
    if head is None:
        out["note"] = "the model has no holder head (it was trained without source labels)"
    return out


def contrast_indices(data: Dataset) -> list[int]:
    """Pairs in sentences whose actors get different gold stances."""
    by_sentence: dict[str, list[int]] = defaultdict(list)
    for i, sid in enumerate(data.sentence_ids):
        by_sentence[sid].append(i)
    out = []
    for idx in by_sentence.values():
        if len({data.stances[i] for i in idx}) > 1:
            out.extend(idx)
    return sorted(out)


def _format_holder(h: dict) -> str:
    def acc(v: float | None) -> str:
        return "   n/a" if v is None else f"{v:.3f}"

    lines = [f"\nholder (polar pairs with a gold source): n={h['n_pairs']} accuracy {acc(h['accuracy'])}"]
    for kind, v in h["per_kind"].items():
        lines.append(f"  gold holder {kind:<7} n={v['n']:<5} accuracy {acc(v['accuracy'])}")
    b = h["baselines"]
    lines.append(f"  baselines: author always {acc(b['author_always'])}, "
                 f"nearest actor before the target {acc(b['nearest_preceding'])}")
    if "note" in h:
        lines.append(f"  note: {h['note']}")
    return "\n".join(lines)


def format_report(report: dict) -> str:
    """Readable text form of :func:`evaluate_model`'s result."""
    lines = [_format_one(report)]
    for kind, sub in report.get("by_kind", {}).items():
        lines.append(f"\n=== {kind} text only ===")
        lines.append(_format_one(sub))
    return "\n".join(lines)


def _format_one(report: dict) -> str:
    lines = [f"pairs: {report['n_pairs']} (targets not found by the matcher: {report['n_targets_not_found']})"]
    for head in ("stance", "sentiment"):
        if head not in report:
            continue
        r = report[head]
        labels = list(r["per_class"])
        extra = f"  f_avg {r['f_avg']:.3f}  ece {r['ece']:.3f}" if head == "stance" else ""
        lines.append(f"\n{head}: macro_f1 {r['macro_f1']:.3f}  accuracy {r['accuracy']:.3f}{extra}")
        lines.append(f"  {'class':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
        for c in labels:
            pc = r["per_class"][c]
            lines.append(f"  {c:<10}{pc['precision']:>10.3f}{pc['recall']:>8.3f}{pc['f1']:>8.3f}{pc['support']:>9}")
        lines.append("  confusion (rows gold, columns predicted): " + " ".join(f"{c:>8}" for c in labels))
        for g in labels:
            lines.append(f"  {g:<10}" + " ".join(f"{r['confusion'][g][p]:>8}" for p in labels))
        if head == "stance":
            if "contrast" in r:
                lines.append(f"  contrast subset: n={r['contrast']['n']} accuracy {r['contrast']['accuracy']:.3f}")
            lines.append(f"  {'actor':<12}{'n':>6}{'accuracy':>10}{'macro_f1':>10}")
            for actor, a in r["per_actor"].items():
                lines.append(f"  {actor:<12}{a['n']:>6}{a['accuracy']:>10.3f}{a['macro_f1']:>10.3f}")
    if "holder" in report:
        lines.append(_format_holder(report["holder"]))
    return "\n".join(lines)
