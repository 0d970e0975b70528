"""Scoring sentences and rolling them up into article profiles.

``score_sentences`` gives one :class:`SentenceScore` per (sentence, mentioned
actor); ``score_article`` splits an article, scores every pair and builds an
:class:`ArticleProfile` with, per actor, the fields SPEC.md lists. Results are
frozen dataclasses whose ``to_dict()`` is exactly what the CLI writes as JSON.

Roll-up: each sentence score is ``P(favor) − P(against)``; the actor's score is
their mean weighted by confidence (the top probability of each sentence). The
actor's label follows one rule (:func:`article_label`), so it never contradicts
the sentence counts: ``against`` when the score is ≤ −0.1 and at least one
sentence is labeled ``against``, ``favor`` when the score is ≥ 0.1 and at least
one sentence is ``favor``, else ``none``. Evidence sentences are the ones that pull the score most
(|score| × confidence), with offsets into the original article text.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Sequence

import numpy as np

from .actors import Inventory, match_actors, match_article
from .edges import NO_HOLDER_NOTE, Edge, article_edges
from .features import Pair
from .labels import STANCES
from .model import StanceModel
from .normalize import clean_markup
from .sentences import split_sentences
from .util import BoundedDict, gc_paused

__all__ = [
    "ActorProfile",
    "ArticleProfile",
    "EmptyTextWarning",
    "SentenceScore",
    "article_label",
    "score_article",
    "score_articles",
    "score_sentences",
    "scoring_inventory",
]

LABEL_THRESHOLD = 0.1
N_EVIDENCE = 3
N_NGRAMS = 5
BLOCK_SENTENCES = 4096


def article_label(score: float, counts: dict[str, int]) -> str:
    """The article-level label of an actor from its score and sentence counts.

    ``against`` (``favor``) needs both a score at or beyond ∓:data:`LABEL_THRESHOLD` and at least one
    sentence labeled ``against`` (``favor``); otherwise ``none``: no polar sentence, or a score within
    ±:data:`LABEL_THRESHOLD` (weak or cancelling polar sentences). So a polar label always has sentences
    behind it and the score's sign.
    """
    if score <= -LABEL_THRESHOLD and counts.get("against", 0):
        return "against"
    if score >= LABEL_THRESHOLD and counts.get("favor", 0):
        return "favor"
    return "none"


class EmptyTextWarning(UserWarning):
    """The text is empty or has no Arabic: the profile is empty."""


def _r(x: float) -> float:
    return round(float(x), 4)


def _ngram_dicts(evidence: tuple[tuple[str, float], ...], sentence: str) -> list[dict[str, object]]:
    """Evidence features as JSON: the feature name, its weight and what it reads in words."""
    from .explain import describe

    return [{"feature": f, "weight": w, "reads": describe(f, sentence)} for f, w in evidence]


@dataclass(frozen=True)
class SentenceScore:
    """Stance toward one actor in one sentence.

    Attributes
    ----------
    sentence : int
        Index of the sentence in its article (or in the input list).
    start, end : int
        Sentence span in the original text.
    text : str
        The sentence.
    actor : str
        Actor id.
    mentions : list of (start, end, surface)
        The actor's mentions, offsets into the original text.
    label : str
        ``against``, ``favor`` or ``none``.
    proba : dict
        Probability per stance label.
    score : float
        ``P(favor) − P(against)`` in [−1, 1].
    sentiment, sentiment_proba
        The sentence's sentiment label and probabilities.
    evidence : list of (feature, weight)
        The features that pushed the decision most (coefficient × value).
    holder, holder_probability
        Who holds a polar stance (``author`` or an actor id) and how probable that is; None for
        ``none`` pairs and when the model has no holder head.
    """

    sentence: int
    start: int
    end: int
    text: str
    actor: str
    mentions: tuple[tuple[int, int, str], ...]
    label: str
    proba: dict[str, float]
    score: float
    sentiment: str | None
    sentiment_proba: dict[str, float]
    evidence: tuple[tuple[str, float], ...] = ()
    holder: str | None = None
    holder_probability: float | None = None

    @property
    def confidence(self) -> float:
        """Top stance probability."""
        return max(self.proba.values())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        out: dict[str, object] = {
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "actor": self.actor,
            "mentions": [{"start": s, "end": e, "surface": t} for s, e, t in self.mentions],
            "label": self.label,
            "score": self.score,
            "proba": dict(self.proba),
            "sentiment": self.sentiment,
            "sentiment_proba": dict(self.sentiment_proba),
            "holder": self.holder,
            "holder_probability": self.holder_probability,
        }
        if self.evidence:
            out["evidence"] = _ngram_dicts(self.evidence, self.text)
        return out


@dataclass(frozen=True)
class ActorProfile:
    """How one article treats one actor."""

    actor: str
    name_en: str
    name_ar: str
    mentions: int
    sentences: int
    salience: float
    first_position: float
    first_sentence: int
    label: str
    score: float
    counts: dict[str, int]
    sentiment: float
    evidence: tuple[SentenceScore, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "actor": self.actor,
            "name_en": self.name_en,
            "name_ar": self.name_ar,
            "mentions": self.mentions,
            "sentences": self.sentences,
            "salience": self.salience,
            "first_position": self.first_position,
            "first_sentence": self.first_sentence,
            "label": self.label,
            "score": self.score,
            "counts": dict(self.counts),
            "sentiment": self.sentiment,
            "evidence": [
                {"sentence": s.sentence, "start": s.start, "end": s.end, "text": s.text,
                 "label": s.label, "score": s.score}
                | ({"ngrams": _ngram_dicts(s.evidence, s.text)} if s.evidence else {})
                for s in self.evidence
            ],
        }


@dataclass(frozen=True)
class ArticleProfile:
    """The profile of one article: per actor, plus overall sentiment."""

    id: str | None
    date: str | None
    n_sentences: int
    sentiment: str | None
    sentiment_score: float
    actors: tuple[ActorProfile, ...]
    sentences: tuple[SentenceScore, ...] = ()
    fields: dict[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    edges: tuple[Edge, ...] | None = None  # None: the model has no holder head

    def edge(self, holder: str, target: str) -> Edge | None:
        """The edge ``holder → target``, or None."""
        return next((e for e in self.edges or () if e.holder == holder and e.target == target), None)

    def actor(self, actor_id: str) -> ActorProfile | None:
        """The profile of one actor, or None when the article does not mention it."""
        return next((a for a in self.actors if a.actor == actor_id), None)

    def to_dict(self, sentences: bool = False) -> dict[str, object]:
        """JSON-ready form; ``sentences=True`` adds every sentence score."""
        out: dict[str, object] = {"id": self.id}
        out.update(self.fields)
        out.update({
            "date": self.date,
            "n_sentences": self.n_sentences,
            "sentiment": self.sentiment,
            "sentiment_score": self.sentiment_score,
            "actors": [a.to_dict() for a in self.actors],
            "edges": [e.to_dict() for e in self.edges] if self.edges is not None else None,
        })
        if self.edges is None:
            out["edges_note"] = NO_HOLDER_NOTE
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if sentences:
            out["sentences"] = [s.to_dict() for s in self.sentences]
        return out


# ---------------------------------------------------------------------------


def _has_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in text)


class _Explainer:
    """Top-contributing features of a linear head (cached feature names)."""

    def __init__(self, model: StanceModel) -> None:
        self.names = model.feature_names()
        self.coef = model.stance_.coef_
        self.classes = [str(c) for c in model.classes_]

    def explain(self, row, label: str) -> tuple[tuple[str, float], ...]:
        k = self.classes.index(label)
        coef = self.coef[k] if self.coef.shape[0] > 1 else self.coef[0]
        row = row.tocsr()
        contrib = row.data * coef[row.indices]
        order = np.argsort(-contrib)[:N_NGRAMS]
        return tuple((str(self.names[row.indices[i]]), _r(contrib[i])) for i in order if contrib[i] > 0)


def _score_pairs(
    model: StanceModel,
    items: list[tuple],
    explain: bool,
    sentiments: list[dict[str, float]] | None = None,
    plain=None,
    plain_rows: list[int] | None = None,
) -> list[SentenceScore]:
    """Score ``(sentence index, start, end, text, actor, mentions, date[, resolved])`` items in one batch.

    ``resolved``: the sentence's mentions when they include context-resolved ones (else None: the
    features find the mentions themselves).

    ``sentiments`` (one probability dict per item) reuses sentence sentiment computed once per
    sentence; without it the sentiment head runs on the pairs' plain features.
    """
    if not items:
        return []
    pairs = [Pair(it[3], it[4], it[6], it[7] if len(it) > 7 else None) for it in items]
    if plain is not None and not explain and sentiments is not None:
        # fast path: no stacked matrix needed (no evidence, sentiment already known)
        matrix = None
        proba = model.proba_from_parts(model.features_.transform_target(pairs), plain, plain_rows)
    else:
        matrix = model.transform(pairs, plain, plain_rows)
        proba = model.proba_from_matrix(matrix)
    classes = [str(c) for c in model.classes_]
    if sentiments is None and model.sentiment_ is not None:
        sclasses = [str(c) for c in model.sentiment_classes_]
        raw = model.sentiment_.predict_proba(matrix[:, model.features_.plain_columns()])
        sentiments = [dict(zip(sclasses, map(float, row))) for row in raw]
    explainer = _Explainer(model) if explain else None
    out = []
    rows = proba.tolist()  # Python floats: the same values, read without a numpy scalar per item
    best = np.argmax(proba, axis=1).tolist()
    rounded: dict[int, dict[str, float]] = {}  # per sentence's sentiment dict: its rounded copy
    for i, (index, start, end, text, actor, mentions, *_) in enumerate(items):
        p = {c: _r(v) for c, v in zip(classes, rows[i])}
        label = classes[best[i]]
        if sentiments:
            key = id(sentiments[i])
            if key not in rounded:
                rounded[key] = {c: _r(v) for c, v in sentiments[i].items()}
            sp = dict(rounded[key])
        else:
            sp = {}
        sentiment = max(sentiments[i], key=sentiments[i].get) if sentiments else None
        evidence = explainer.explain(matrix[i], label) if explainer else ()
        out.append(SentenceScore(index, start, end, text, actor, mentions, label, p,
                                 _r(p.get("favor", 0.0) - p.get("against", 0.0)), sentiment, sp, evidence))
    return out


_SCORING = BoundedDict(1)  # the last (model, inventory file) pair, per process


def scoring_inventory(model: StanceModel, actors_path: str | None = None,
                      extend: bool = False) -> tuple[StanceModel, Inventory]:
    """The model and inventory to score with: the model's own inventory, or the ``actors_path`` file.

    With ``extend`` the file's actors are added to the model's inventory. With a file, the returned
    model finds mentions with the same inventory (see :meth:`StanceModel.with_inventory`); the
    pair is cached per process, so workers do not rebuild it for every batch.
    """
    if not actors_path:
        return model, model.inventory_
    from .actors import load_actors

    loaded = load_actors(actors_path)
    key = (id(model), id(loaded), extend)
    if key not in _SCORING:
        inventory = model.inventory_.extended(loaded) if extend else loaded
        _SCORING.put(key, (model.with_inventory(inventory), inventory, model, loaded))  # keep ids alive
    return _SCORING[key][0], _SCORING[key][1]


def _resolve(model: StanceModel | None, actors: Inventory | None) -> tuple[StanceModel, Inventory]:
    if model is None:
        from .cache import load_model

        model = load_model()
    if actors is None:
        actors = model.inventory_
    # The sentence memo only serves one batch (the profile and the features look each sentence up);
    # starting empty keeps repeated corpora from being scored from memory.
    actors.clear_memo()
    return model, actors


def score_sentences(
    texts: Sequence[str] | str,
    model: StanceModel | None = None,
    actors: Inventory | None = None,
    date: str | dt.date | None = None,
    explain: bool = True,
) -> list[SentenceScore]:
    """Score every (sentence, mentioned actor) pair.

    Parameters
    ----------
    texts : sequence of str, or str
        Sentences (a single string is one sentence).
    model : StanceModel, optional
        Default: the bundled default model.
    actors : Inventory, optional
        Which actors to score. Default: the inventory the model was trained with (embedded in
        its file). The features always find mentions with the model's inventory; use
        ``model.with_inventory(actors)`` to score with another one.
    date : str or date, optional
        Article date for office holders.
    explain : bool, default=True
        Fill ``evidence`` with the top n-gram contributions.

    Returns
    -------
    list of SentenceScore
        Offsets are into each sentence (``start`` = 0).

    Examples
    --------
    >>> [(s.actor, s.label) for s in score_sentences(["قصفت واشنطن مقار الحشد الشعبي."])]  # doctest: +SKIP
    [('US', 'none'), ('PMF', 'against')]
    """
    model, actors = _resolve(model, actors)
    if isinstance(texts, str):
        texts = [texts]
    day = str(date) if date else None
    items = []
    for index, text in enumerate(texts):
        for actor, mentions in _group_mentions(match_actors(text, actors, day), 0).items():
            items.append((index, 0, len(text), text, actor, mentions, day))
    scores = _score_pairs(model, items, explain)
    return _with_holders(model, actors, [(t, 0) for t in texts], scores, context=False)


def _with_holders(model: StanceModel, actors: Inventory, sentences: Sequence[tuple[str, int]],
                  scores: list[SentenceScore], context: bool = True) -> list[SentenceScore]:
    """``scores`` with the holder of every polar pair (``sentences``: text and start of each sentence).

    With ``context`` the actors of the previous sentences are candidates too (an article); without, each
    sentence stands alone (a list of sentences).
    """
    return _with_holders_many(model, actors, [(sentences, scores)], context)[0]


def _with_holders_many(model: StanceModel, actors: Inventory,
                       articles: Sequence[tuple[Sequence[tuple[str, int]], list[SentenceScore]]],
                       context: bool = True) -> list[list[SentenceScore]]:
    """:func:`_with_holders` of several articles ``(sentences, scores)``, with one call of the holder head."""
    head = getattr(model, "holder_", None)
    if head is None:
        return [scores for _, scores in articles]
    from .holder import CONTEXT, HolderExample, Sentence

    examples = []
    polar_of: list[list[int]] = []
    for sentences, scores in articles:
        grouped: dict[int, list[tuple[str, int, int]]] = {}
        for sc in scores:
            offset = sentences[sc.sentence][1]
            grouped.setdefault(sc.sentence, []).extend((sc.actor, a - offset, b - offset) for a, b, _ in sc.mentions)
        built = {i: Sentence(sentences[i][0], tuple(sorted(m, key=lambda x: x[1]))) for i, m in grouped.items()}
        polar = [k for k, sc in enumerate(scores) if sc.label in ("favor", "against")]
        for k in polar:
            sc = scores[k]
            ctx = tuple((d, built[sc.sentence - d]) for d in range(1, CONTEXT + 1)
                        if context and sc.sentence - d in built)
            examples.append(HolderExample(built[sc.sentence], sc.actor, ctx, "against" if sc.score < 0 else "favor"))
        polar_of.append(polar)
    if not examples:
        return [scores for _, scores in articles]
    kinds = {a.id: a.kind for a in actors.actors.values()}
    predicted = iter(head.predict(examples, kinds))
    out = []
    for (_, scores), polar in zip(articles, polar_of):
        scores = list(scores)
        for k in polar:
            holder, p = next(predicted)
            scores[k] = replace(scores[k], holder=holder, holder_probability=_r(p))
        out.append(scores)
    return out


def _group_mentions(mentions, offset: int) -> dict[str, tuple]:
    grouped: dict[str, list] = {}
    for m in mentions:
        grouped.setdefault(m.actor, []).append((offset + m.start, offset + m.end, m.surface))
    return {a: tuple(v) for a, v in grouped.items()}


def score_article(
    text: str,
    model: StanceModel | None = None,
    actors: Inventory | None = None,
    date: str | dt.date | None = None,
    id: str | None = None,
    explain: bool = False,
    fields: dict | None = None,
) -> ArticleProfile:
    """Profile how one article treats each actor it mentions.

    Empty or non-Arabic text gives an empty profile and an
    :class:`EmptyTextWarning`.
    """
    return score_articles([(text, date, id, fields)], model, actors, explain)[0]


def score_articles(
    records: Iterable[tuple[str, str | dt.date | None, str | None, dict | None]],
    model: StanceModel | None = None,
    actors: Inventory | None = None,
    explain: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[ArticleProfile]:
    """Score several ``(text, date, id, fields)`` articles in one vectorization batch.

    Sentences are vectorized and scored in blocks of :data:`BLOCK_SENTENCES`; ``progress`` is called
    after each block with the sentences done and the total (a long article shows its progress).
    """
    with gc_paused():
        return _score_articles(records, model, actors, explain, progress)


def _score_articles(records, model, actors, explain, progress) -> list[ArticleProfile]:
    model, actors = _resolve(model, actors)
    prepared = []
    items: list[tuple] = []
    owners: list[int] = []
    for n, (text, date, art_id, extra) in enumerate(records):
        day = str(date) if date else None
        notes: list[str] = []
        if not text or not text.strip():
            notes.append("empty text")
        elif not _has_arabic(text):
            notes.append("no Arabic text")
        clean = clean_markup(text) if not notes else text
        sentences = split_sentences(clean) if not notes else []
        # article-level matching: context aliases (الحكومة in an article about Iraq) resolve here
        found = match_article([s.text for s in sentences], actors, day) if sentences else []
        for s, sentence_mentions in zip(sentences, found):
            resolved = tuple(sentence_mentions) if any(m.context for m in sentence_mentions) else None
            for actor, mentions in _group_mentions(sentence_mentions, s.start).items():
                items.append((s.index, s.start, s.end, s.text, actor, mentions, day, resolved))
                owners.append(n)
        prepared.append((text, day, art_id, extra or {}, sentences, notes))
    for p in prepared:
        for message in p[5]:
            warnings.warn(f"{p[2] or 'article'}: {message}; the profile is empty", EmptyTextWarning, stacklevel=3)
    texts = [s.text for p in prepared for s in p[4]]
    first_row = [int(x) for x in np.cumsum([0] + [len(p[4]) for p in prepared])]
    rows = [first_row[owner] + it[0] for owner, it in zip(owners, items)]
    sentiments: list[dict[str, float]] = []  # per sentence, in ``texts`` order
    scores: list[SentenceScore] = []
    done = 0  # items scored
    for start in range(0, len(texts), BLOCK_SENTENCES):  # blocks: bounded memory, progress on long texts
        end = min(start + BLOCK_SENTENCES, len(texts))
        plain = model.features_.transform_plain(texts[start:end])
        sentiments += _sentiment_rows(model, plain)
        last = done
        while last < len(items) and rows[last] < end:
            last += 1
        block_rows = rows[done:last]
        item_sentiments = [sentiments[r] for r in block_rows] if model.sentiment_ is not None else None
        scores += _score_pairs(model, items[done:last], explain, item_sentiments, plain,
                               [r - start for r in block_rows])
        done = last
        if progress is not None:
            progress(end, len(texts))
    sentiment_of = [sentiments[first_row[n]:first_row[n + 1]] for n in range(len(prepared))]
    per_article: list[list[SentenceScore]] = [[] for _ in prepared]
    for owner, sc in zip(owners, scores):
        original = prepared[owner][0]
        if original[sc.start:sc.end] != sc.text:  # markup was blanked: report the original slices
            sc = replace(sc, text=original[sc.start:sc.end],
                         mentions=tuple((s, e, original[s:e]) for s, e, _ in sc.mentions))
        per_article[owner].append(sc)
    per_article = _with_holders_many(model, actors, [([(s.text, s.start) for s in p[4]], per_article[n])
                                                     for n, p in enumerate(prepared)])
    has_holders = getattr(model, "holder_", None) is not None
    profiles = [
        _profile(p, per_article[n], actors, sentiment_of[n], has_holders)
        for n, p in enumerate(prepared)
    ]
    actors.clear_memo()  # the batch's mentions end with it (while the garbage collector is paused)
    return profiles


def _sentiment_rows(model: StanceModel, plain) -> list[dict[str, float]]:
    """Sentiment probabilities of the sentences whose plain features are ``plain`` (none without a head)."""
    if model.sentiment_ is None or plain.shape[0] == 0:
        return []
    proba = model.sentiment_.predict_proba(plain).tolist()  # Python floats, as float() gives them
    classes = [str(c) for c in model.sentiment_classes_]
    return [dict(zip(classes, row)) for row in proba]


def _polarity(proba: dict[str, float]) -> float:
    return proba.get("positive", 0.0) - proba.get("negative", 0.0)


def _profile(prepared: tuple, scores: list[SentenceScore], actors: Inventory,
             sentence_sentiment: list[dict[str, float]], has_holders: bool = False) -> ArticleProfile:
    text, day, art_id, extra, sentences, notes = prepared
    n = len(sentences)
    by_actor: dict[str, list[SentenceScore]] = {}
    for sc in scores:
        by_actor.setdefault(sc.actor, []).append(sc)
    profiles = []
    for actor_id, group in by_actor.items():
        weights = [s.confidence for s in group]  # plain floats: numpy costs more than it saves on a few values
        score = sum(w * s.score for w, s in zip(weights, group)) / sum(weights)
        counts = {c: sum(s.label == c for s in group) for c in STANCES}
        label = article_label(score, counts)
        ranked = sorted(group, key=lambda s: -abs(s.score) * s.confidence)
        if label != "none":
            ranked = [s for s in ranked if (s.score < 0) == (label == "against")] or ranked
        first = min(s.sentence for s in group)
        actor = actors.actors.get(actor_id)
        profiles.append(ActorProfile(
            actor=actor_id,
            name_en=actor.name_en if actor else actor_id,
            name_ar=actor.name_ar if actor else actor_id,
            mentions=sum(len(s.mentions) for s in group),
            sentences=len(group),
            salience=_r(len(group) / n) if n else 0.0,
            first_position=_r(first / n) if n else 0.0,
            first_sentence=first,
            label=label,
            score=_r(score),
            counts=counts,
            sentiment=_r(sum(_polarity(s.sentiment_proba) for s in group) / len(group)),
            evidence=tuple(ranked[:N_EVIDENCE]),
        ))
    profiles.sort(key=lambda a: (-a.sentences, a.first_sentence))
    if sentence_sentiment:
        mean = {c: sum(p[c] for p in sentence_sentiment) / len(sentence_sentiment) for c in sentence_sentiment[0]}
        overall, polarity = max(mean, key=mean.get), _r(_polarity(mean))
    else:
        overall, polarity = None, 0.0
    return ArticleProfile(
        id=art_id, date=day, n_sentences=n, sentiment=overall, sentiment_score=polarity,
        actors=tuple(profiles), sentences=tuple(scores), fields=dict(extra), warnings=tuple(notes),
        edges=article_edges(scores) if has_holders else None,
    )
