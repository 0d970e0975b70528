"""Edges of the actor network: who holds which stance toward whom, per article and per group.

An article's edge ``holder → target`` gathers its polar sentence scores (``favor`` / ``against``)
whose predicted holder is ``holder``: the edge's score is their mean, weighted by stance confidence ×
holder probability, its stance the sign of that score, its count the number of sentences, and its
evidence those sentences with offsets into the original text. :class:`EdgeAggregator` sums edges
over a corpus per group (an outlet, a month) with counts and mean scores.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

__all__ = ["Edge", "EdgeAggregator", "EdgeEvidence", "article_edges", "NO_HOLDER_NOTE"]

NO_HOLDER_NOTE = ("the model has no holder head (it was trained without source labels): holders and edges are "
                  "not predicted; retrain with labels whose targets name their source")


def _r(x: float) -> float:
    return round(float(x), 4)


@dataclass(frozen=True)
class EdgeEvidence:
    """One sentence behind an edge (offsets into the original text)."""

    sentence: int
    start: int
    end: int
    text: str
    label: str
    score: float
    holder_probability: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"sentence": self.sentence, "start": self.start, "end": self.end, "text": self.text,
                "label": self.label, "score": self.score, "holder_probability": self.holder_probability}


@dataclass(frozen=True)
class Edge:
    """``holder`` holds ``stance`` toward ``target`` in ``count`` sentences of an article."""

    holder: str
    target: str
    stance: str
    score: float
    count: int
    counts: dict[str, int]
    evidence: tuple[EdgeEvidence, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"holder": self.holder, "target": self.target, "stance": self.stance, "score": self.score,
                "count": self.count, "counts": dict(self.counts),
                "evidence": [e.to_dict() for e in self.evidence]}


def article_edges(scores: Iterable) -> tuple[Edge, ...]:
    """The edges of one article from its :class:`~stance.profile.SentenceScore` list (polar, with a holder).

    Sorted by count, then by strength; evidence in text order.
    """
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for s in scores:
        if s.label in ("favor", "against") and s.holder is not None:
            groups[(s.holder, s.actor)].append(s)
    edges = []
    for (holder, target), group in groups.items():
        weights = [s.confidence * (s.holder_probability or 0.0) for s in group]
        total = sum(weights)
        score = sum(w * s.score for w, s in zip(weights, group)) / total if total else \
            sum(s.score for s in group) / len(group)
        evidence = tuple(EdgeEvidence(s.sentence, s.start, s.end, s.text, s.label, s.score, s.holder_probability)
                         for s in sorted(group, key=lambda s: s.sentence))
        edges.append(Edge(holder, target, "against" if score < 0 else "favor", _r(score), len(group),
                          {c: sum(s.label == c for s in group) for c in ("favor", "against")}, evidence))
    edges.sort(key=lambda e: (-e.count, -abs(e.score), e.holder, e.target))
    return tuple(edges)


class EdgeAggregator:
    """Running per-group edge statistics over a corpus (memory ∝ groups × edges).

    ``key`` maps an article profile to its group (see :class:`stance.output.GroupAggregator`).
    """

    def __init__(self, key) -> None:
        self.key = key
        self.stats: dict[str, dict[tuple[str, str], list[float]]] = defaultdict(dict)

    def add(self, profile) -> None:
        """Account for one article's edges (articles without a holder head add nothing)."""
        group = self.stats[self.key(profile)]
        for e in profile.edges or ():
            s = group.setdefault((e.holder, e.target), [0, 0, 0.0, 0.0, 0, 0])
            s[0] += 1
            s[1] += e.count
            s[2] += e.score
            s[3] += e.score * e.score
            s[4] += e.counts["against"]
            s[5] += e.counts["favor"]

    def result(self) -> dict[str, list[dict]]:
        """Per group: edges with articles, sentences, mean article score (95% CI), against / favor sentences."""
        out: dict[str, list[dict]] = {}
        for group in sorted(self.stats):
            rows = []
            for (holder, target), (n, sentences, total, squares, against, favor) in self.stats[group].items():
                mean = total / n
                var = max(0.0, (squares - n * mean * mean) / (n - 1)) if n > 1 else 0.0
                half = 1.96 * math.sqrt(var / n) if n > 1 else 0.0
                rows.append({"holder": holder, "target": target, "stance": "against" if mean < 0 else "favor",
                             "articles": n, "sentences": sentences, "mean_score": _r(mean),
                             "ci": [_r(max(-1.0, mean - half)), _r(min(1.0, mean + half))],
                             "against": against, "favor": favor})
            rows.sort(key=lambda r: (-r["sentences"], r["holder"], r["target"]))
            out[group] = rows
        return out


def edge_matrix(edges: Sequence[dict]) -> tuple[list[str], list[str], dict[tuple[str, str], dict]]:
    """Holders, targets and cells ``(holder, target) → edge`` of edge dicts, most connected first."""
    weight: dict[str, int] = defaultdict(int)
    cells = {}
    for e in edges:
        cells[(e["holder"], e["target"])] = e
        weight[e["holder"]] += e.get("sentences", e.get("count", 0))
        weight[e["target"]] += e.get("sentences", e.get("count", 0))
    holders = sorted({h for h, _ in cells}, key=lambda a: (a != "author", -weight[a], a))
    targets = sorted({t for _, t in cells}, key=lambda a: (-weight[a], a))
    return holders, targets, cells
