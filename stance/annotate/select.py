"""Pick the sentences of an archive worth labeling (active learning by uncertainty sampling).

Every (sentence, actor) pair is scored with the current model; a sentence's uncertainty is that of
its least certain pair on the stance head (``margin``: 1 − (p₁ − p₂), or normalized ``entropy``).
The ``uncertainty`` strategy then picks greedily by uncertainty, discounted as the sentence's actor
and outlet fill their proportional share of the batch, with at most ``per_article`` sentences per
article (relaxed only if the archive runs short); ``random`` is a seeded uniform sample, the baseline
to compare with. Both skip exact and near-duplicate sentences (character 5-gram Jaccard ≥ 0.7 with a
sentence already picked, or with one in the ``exclude`` files).
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from ..actors import Inventory, match_actors
from ..features import Pair
from ..io import Article
from ..labels import shingles
from ..normalize import normalize
from ..sentences import split_sentences

__all__ = ["Candidate", "candidates_from_articles", "candidates_from_sentences", "select", "to_record",
           "uncertainty", "MEASURES", "STRATEGIES"]

MEASURES = ("margin", "entropy")
STRATEGIES = ("uncertainty", "random")
NEAR_DUPLICATE = 0.7
# fields of an input record that are not carried into a label record (the labels format owns them)
_RESERVED = {"id", "article", "line", "text", "kind", "targets", "sentiment", "provenance", "not_mentions",
             "suggested", "selection"}


@dataclass
class Candidate:
    """One sentence of the archive with its actors and the model's probabilities."""

    article: str
    line: int
    text: str
    actors: tuple[str, ...]
    proba: tuple[dict[str, float], ...]  # stance probabilities, one dict per actor
    sentiment: dict[str, float] = field(default_factory=dict)
    date: str | None = None
    fields: dict = field(default_factory=dict)

    @property
    def outlet(self) -> str | None:
        """The carried ``outlet`` field, if any."""
        value = self.fields.get("outlet")
        return str(value) if value is not None else None


def uncertainty(proba: dict[str, float], measure: str = "margin") -> float:
    """How unsure one stance distribution is, in [0, 1] (1 = most unsure)."""
    p = sorted(proba.values(), reverse=True)
    if measure == "margin":
        return 1.0 - (p[0] - (p[1] if len(p) > 1 else 0.0))
    if measure == "entropy":
        h = -sum(x * math.log(x) for x in p if x > 0)
        return h / math.log(len(p)) if len(p) > 1 else 0.0
    raise ValueError(f"unknown measure {measure!r}; allowed: {', '.join(MEASURES)}")


def _focus(c: Candidate, measure: str) -> tuple[float, str]:
    """The sentence's uncertainty (its least certain pair) and that pair's actor."""
    return max((uncertainty(p, measure), a) for a, p in zip(c.actors, c.proba))


def candidates_from_sentences(
    items: Iterable[tuple[str, int, str, str | None, dict]],
    model,
    inventory: Inventory,
    batch: int = 2048,
) -> list[Candidate]:
    """Score ``(article, line, text, date, fields)`` sentences; those mentioning no actor are dropped."""
    out: list[Candidate] = []
    pending: list[tuple] = []

    def flush() -> None:
        if pending:
            out.extend(_score(pending, model))
            pending.clear()

    n_pairs = 0
    for article, line, text, date, fields in items:
        actors = tuple(dict.fromkeys(m.actor for m in match_actors(text, inventory, date)))
        if not actors:
            continue
        pending.append((article, line, text, date, fields, actors))
        n_pairs += len(actors)
        if n_pairs >= batch:
            flush()
            n_pairs = 0
    flush()
    return out


def _score(rows: list[tuple], model) -> list[Candidate]:
    pairs = [Pair(text, actor, date) for _, _, text, date, _, actors in rows for actor in actors]
    matrix = model.transform(pairs)
    proba = model.proba_from_matrix(matrix)
    classes = [str(c) for c in model.classes_]
    firsts = np.cumsum([0] + [len(r[5]) for r in rows])[:-1]
    sentiments: list[dict[str, float]] = [{} for _ in rows]
    if getattr(model, "sentiment_", None) is not None:
        sp = model.predict_sentiment_proba([pairs[i] for i in firsts], matrix[firsts])
        sclasses = [str(c) for c in model.sentiment_classes_]
        sentiments = [{c: round(float(v), 4) for c, v in zip(sclasses, row)} for row in sp]
    out = []
    for r, (article, line, text, date, fields, actors) in enumerate(rows):
        k = int(firsts[r])
        probs = tuple({c: round(float(v), 4) for c, v in zip(classes, proba[k + j])} for j in range(len(actors)))
        out.append(Candidate(article, line, text, actors, probs, sentiments[r], date, fields))
    return out


def candidates_from_articles(articles: Iterable[Article], model, inventory: Inventory) -> list[Candidate]:
    """Split articles (as read by ``stance predict``'s readers) into sentences and score them."""

    def items():
        for art in articles:
            carried = {k: v for k, v in art.fields.items() if k not in _RESERVED}
            for s in split_sentences(art.text or ""):
                yield art.id, s.index, art.text[s.start:s.end], art.date, carried

    return candidates_from_sentences(items(), model, inventory)


class _NearDuplicates:
    """Incremental near-duplicate index over the sentences kept so far."""

    def __init__(self, threshold: float = NEAR_DUPLICATE) -> None:
        self.threshold = threshold
        self.sets: list[frozenset[str]] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.exact: set[str] = set()

    def _key(self, text: str) -> str:
        return " ".join(normalize(text).split())

    def is_duplicate(self, text: str) -> bool:
        """True when ``text`` equals or nearly equals a kept sentence."""
        if self._key(text) in self.exact:
            return True
        sh = shingles(text)
        counts: Counter[int] = Counter(j for s in sh for j in self.postings.get(s, ()))
        for j, inter in counts.items():
            other = self.sets[j]
            if inter / (len(sh) + len(other) - inter) >= self.threshold:
                return True
        return False

    def add(self, text: str) -> None:
        """Keep ``text``."""
        self.exact.add(self._key(text))
        sh = shingles(text)
        for s in sh:
            self.postings[s].append(len(self.sets))
        self.sets.append(sh)


def select(
    candidates: Sequence[Candidate],
    n: int,
    strategy: str = "uncertainty",
    *,
    seed: int = 0,
    measure: str = "margin",
    per_article: int = 2,
    exclude: Iterable[str] = (),
) -> list[Candidate]:
    """Pick up to ``n`` sentences to label, in picking order; deterministic for a ``seed``.

    ``exclude`` holds texts already labeled (they and their near-duplicates are never picked).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; allowed: {', '.join(STRATEGIES)}")
    seen = _NearDuplicates()
    for text in exclude:
        seen.add(text)
    rng = random.Random(seed)
    ties = [rng.random() for _ in candidates]
    if strategy == "random":
        picked = []
        for i in sorted(range(len(candidates)), key=lambda i: ties[i]):
            if len(picked) >= n:
                break
            if not seen.is_duplicate(candidates[i].text):
                seen.add(candidates[i].text)
                picked.append(candidates[i])
        return picked
    return _greedy(candidates, n, ties, measure, per_article, seen)


def _greedy(candidates: Sequence[Candidate], n: int, ties: list[float], measure: str, per_article: int,
            seen: _NearDuplicates) -> list[Candidate]:
    """Lazy greedy: uncertainty discounted by how full the sentence's actor and outlet already are."""
    focus = [_focus(c, measure) for c in candidates]
    actor_share = Counter(a for _, a in focus)
    outlet_share = Counter(c.outlet for c in candidates)
    total = max(1, len(candidates))
    quota_actor = {a: max(1.0, n * k / total) for a, k in actor_share.items()}
    quota_outlet = {o: max(1.0, n * k / total) for o, k in outlet_share.items()}
    n_actor: Counter[str] = Counter()
    n_outlet: Counter[str | None] = Counter()
    n_article: Counter[str] = Counter()
    picked: list[Candidate] = []
    taken: set[int] = set()

    def gain(i: int) -> float:
        u, actor = focus[i]
        outlet = candidates[i].outlet
        return u / (1 + n_actor[actor] / quota_actor[actor]) / (1 + n_outlet[outlet] / quota_outlet[outlet])

    caps = (per_article, None) if per_article > 0 else (None,)
    for cap in caps:  # a second pass without the per-article cap only when the archive ran short
        heap = [(-gain(i), -ties[i], i) for i in range(len(candidates)) if i not in taken]
        heapq.heapify(heap)
        while heap and len(picked) < n:
            _, tie, i = heapq.heappop(heap)
            c = candidates[i]
            if cap is not None and n_article[c.article] >= cap:
                continue
            if seen.is_duplicate(c.text):
                taken.add(i)
                continue
            g = gain(i)
            if heap and -g > heap[0][0] + 1e-12:  # stale bound: gains only shrink, so re-queue
                heapq.heappush(heap, (-g, tie, i))
                continue
            picked.append(c)
            taken.add(i)
            seen.add(c.text)
            n_actor[focus[i][1]] += 1
            n_outlet[c.outlet] += 1
            n_article[c.article] += 1
        if len(picked) >= n:
            break
    return picked


def to_record(c: Candidate, rank: int, strategy: str, measure: str = "margin", seed: int = 0) -> dict:
    """The labels-format record of a picked sentence: kind ``user``, undecided, with the model's suggestions."""
    record: dict = {"article": c.article, "line": c.line, "text": c.text, "kind": "user"}
    record.update({k: v for k, v in c.fields.items() if k not in _RESERVED})
    if c.date is not None:
        record["date"] = c.date
    record["sentiment"] = None
    if c.sentiment:
        label = max(c.sentiment, key=c.sentiment.get)
        record["suggested"] = {"sentiment": label, "p": c.sentiment[label], "proba": dict(c.sentiment)}
    targets = []
    for actor, proba in zip(c.actors, c.proba):
        label = max(proba, key=proba.get)
        targets.append({"actor": actor, "stance": None,
                        "suggested": {"stance": label, "p": proba[label], "proba": dict(proba),
                                      "uncertainty": round(uncertainty(proba, measure), 4)}})
    record["targets"] = targets
    u, actor = _focus(c, measure)
    record["selection"] = {"strategy": strategy, "rank": rank, "measure": measure, "uncertainty": round(u, 4),
                           "focus": actor, "seed": seed}
    return record
