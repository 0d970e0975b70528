"""Target-aware features for (sentence, target) pairs.

Each sample is a :class:`Pair`: the sentence, the target (an actor id or any
topic string), and optionally the article date. The transformer builds four
views, each a bounded TF-IDF vocabulary, and stacks them:

``masked``
    the words of the sentence (1-grams by default, longer n-grams with
    ``masked_ngrams``) with the target's mentions replaced by ``TGT`` and other
    actors' mentions by ``OTH`` (so the same sentence reads differently for each
    target; word order around the target is the ``window`` view's job);
``window``
    words within ``window`` tokens left / right of the target mention, marked
    ``L_`` / ``R_`` (with their bigrams); with ``marks=True`` also how the
    mention names the target (name, nisba adjective, office holder, context
    alias) with the word before it, and whether it stands inside a quotation
    (``M_``);
``cross``
    the target crossed with the sentence's words outside actor mentions
    (``US|قصف``), so a target can learn its own vocabulary; this is also how a
    target that the text never names (a public-dataset topic) is seen;
``struct``
    sentence structure around the target (``structure=True``): stance cues
    (:mod:`stance.cues`: attack, condemn, support, report, …) by side of the
    target, distance, whether another actor stands between, whether cue and
    target share a clause, negation before the cue; the words of the target's
    clause (``C_``); light stems of the window and the clause (``S``); and the
    sentence's shape (number of actors, the target's rank among them, length);
``plain``
    target-blind word 1–2 and character 2–5 n-grams (the sentiment head uses
    only these).

scikit-learn fits the vocabularies; the fitted views are kept as
:class:`stance.tfidf.TfidfView` objects, which transform without scikit-learn
and are what a model file stores (terms and idf arrays, see
:mod:`stance.modelfile`). The inventory used to find mentions is part of the
fitted state (``inventory_``), so a saved model carries it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from .actors import Inventory, load_actors, match_actors, mention_kind
from .cues import CueInventory, clause_ids, cues_from_records, light_stem, load_cues
from .estimator import ParamsMixin
from .logistic import Design
from .normalize import normalize, normalize_spans
from .tfidf import TfidfView

__all__ = ["FEATURES_VERSION", "Pair", "TargetFeatures", "VIEWS"]

VIEWS = ("masked", "window", "cross", "struct", "plain_word", "plain_char")
# Bump when the meaning of a feature changes (tokenization, views, marks): model files record it
# and a file written with another value is refused.
FEATURES_VERSION = 2  # 2: the struct view
_KIND = {"masked": "tokens", "window": "tokens", "cross": "tokens", "struct": "tokens", "plain_word": "word",
         "plain_char": "char_wb"}
_WORD_RE = re.compile(r"\w+|[^\w\s]")
_TGT, _OTH = "TGT", "OTH"
_QUOTE = '"'  # normalize() makes every quotation mark (« » “ ”) this one


@dataclass(frozen=True)
class Pair:
    """One (sentence, target) sample; ``target`` is an actor id or a topic string."""

    text: str
    target: str
    date: str | None = None
    mentions: tuple | None = None  # the sentence's mentions when resolved with article context


def _split(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def _content_word_set(normalized: str) -> set[str]:
    """Distinct words of a normalized sentence, longer than one character."""
    return {t for t in _split(normalized) if len(t) > 1}


def _content_words(normalized: str) -> list[str]:
    """Distinct words of a normalized sentence, longer than one character, sorted."""
    return sorted(_content_word_set(normalized))


def _segments(text: str, mentions: list) -> tuple[list[list[str]], list[str]]:
    """Normalized tokens between actor mentions, and the mentions' actor ids, for one sentence.

    Joining them with a placeholder per mention gives the masked token sequence of any target.
    """
    spans = []
    last = 0
    for m in mentions:
        spans.append((last, m.start))
        last = max(last, m.end)
    spans.append((last, len(text)))
    segments = [_split(part) if part else [] for part in normalize_spans(text, spans)]
    return segments, [m.actor for m in mentions]


def _mark_terms(kind: str, before: str, quotes: list[int], p: int) -> list[str]:
    """The ``window`` view's terms of the target's mention at masked token ``p``: how it is named
    (:func:`~stance.actors.mention_kind`) with the token ``before`` it, the kind alone unless it is a
    plain name, and ``M_q`` when the mention stands inside a quotation (``quotes``: the token positions
    of the sentence's quotation marks). Only what sets a mention apart is a term: columns present in
    nearly every pair (``name``, outside a quote) would slow the solver down without telling it more."""
    out = [f"M_k={kind}|{before}"]
    if kind != "name":
        out.append(f"M_k={kind}")
    if bisect_left(quotes, p) % 2:
        out.append("M_q")
    return out


def _identity(tokens: list[str]) -> list[str]:
    return tokens


@lru_cache(maxsize=4096)
def _target_id(target: str) -> str:
    return re.sub(r"\s+", "_", normalize(target).strip()) or "_"


@dataclass
class _Views:
    """Token views of fitted pairs (:meth:`TargetFeatures._views`), kept for a refit on more pairs."""

    pairs: list
    views: dict[str, list]
    row_of: list[int]

    def covers(self, X: list) -> bool:
        """Whether ``X`` starts with these very pair objects."""
        return len(X) >= len(self.pairs) and all(a is b for a, b in zip(X, self.pairs))


class TargetFeatures(ParamsMixin):
    """Target-aware sparse features for :class:`Pair` samples.

    Parameters
    ----------
    window : int, default=4
        Tokens on each side of the target mention in the ``window`` view.
    max_features : int, default=60000
        Vocabulary bound per view.
    min_df : int, default=2
        Minimum document frequency of a feature.
    char_ngrams : tuple, default=(2, 5)
        Character n-gram range of the plain view.
    masked_ngrams : int, default=1
        Longest word n-gram of the masked view.
    cross : bool, default=True
        Include the target × sentence-word view (else only the target id).
    structure : bool, default=False
        Include the ``struct`` view (cues, clause, light stems, sentence shape).
    marks : bool, default=False
        Add the target mention's marks to the ``window`` view (:func:`_mark_terms`): how it is named
        (name, nisba adjective, office holder, context alias) with the word before it, and whether it
        stands inside a quotation.
    actors : Inventory, str or None, default=None
        Inventory used to find mentions: an :class:`~stance.actors.Inventory`, a TOML path, or
        None for the bundled one. ``fit`` keeps the loaded inventory as ``inventory_``.
    cues_path : str or None, default=None
        A cue file that extends the bundled cue inventory (``stance/data/cues.toml``).
    """

    _estimator_type = "transformer"

    def __init__(
        self,
        *,
        window: int = 4,
        max_features: int = 60000,
        min_df: int = 2,
        char_ngrams: tuple[int, int] = (2, 5),
        masked_ngrams: int = 1,
        cross: bool = True,
        structure: bool = False,
        marks: bool = False,
        actors: Inventory | str | None = None,
        cues_path: str | None = None,
    ) -> None:
        self.marks = marks
        self.masked_ngrams = masked_ngrams
        self.cross = cross
        self.structure = structure
        self.cues_path = cues_path
        self.window = window
        self.max_features = max_features
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.actors = actors

    # -- analysis -----------------------------------------------------------

    def _inventory(self) -> Inventory:
        fitted = self.__dict__.get("inventory_")
        if fitted is not None:
            return fitted
        return self.actors if isinstance(self.actors, Inventory) else load_actors(self.actors)

    def _cues(self) -> CueInventory:
        """The cue inventory of the struct view: the fitted one (a loaded model's is the one it was trained
        with), else the bundled cues extended by ``cues_path``."""
        fitted = self.__dict__.get("cues_")
        return fitted if fitted is not None else load_cues(self.cues_path)

    def analyze(
        self, pair: Pair, inventory: Inventory | None = None, mentions: list | None = None,
        words: list[str] | None = None,
    ) -> dict[str, list[str]]:
        """The token lists of the target views for one pair (``words``: the sentence's distinct words)."""
        inventory = inventory or self._inventory()
        if mentions is None:
            mentions = list(pair.mentions) if pair.mentions is not None else match_actors(pair.text, inventory, pair.date)
        if words is None:
            words = _content_words(normalize(pair.text))
        return self._analyze_parts(pair.target, self._segments(pair.text, mentions, inventory), words)

    def _segments(self, text: str, mentions: list, inventory: Inventory) -> tuple:
        """:func:`_segments` of a sentence and its mentions' kinds (:func:`~stance.actors.mention_kind`;
        None when the ``marks`` are off)."""
        segments, actors = _segments(text, mentions)
        return segments, actors, [mention_kind(m, inventory) for m in mentions] if self.marks else None

    def _analyze_parts(self, target: str, parts: tuple, words: list[str],
                       sentence: tuple | None = None) -> dict[str, list[str]]:
        """Target views from a sentence's :func:`_segments` (computed once per sentence) and, for the
        ``struct`` view, its :func:`_sentence_structure` (also once per sentence, when given)."""
        segments, actors, kinds = parts
        masked: list[str] = list(segments[0])
        positions: list[int] = []
        target_kinds: list[str] = []  # the kinds of the target's mentions, when the marks are on
        for k, (actor, segment) in enumerate(zip(actors, segments[1:])):
            if actor == target:
                positions.append(len(masked))
                masked.append(_TGT)
                if kinds is not None:
                    target_kinds.append(kinds[k])
            else:
                masked.append(_OTH)
            masked += segment
        window: list[str] = []
        if positions:
            for p in positions:
                left = masked[max(0, p - self.window):p]
                right = masked[p + 1:p + 1 + self.window]
                window += ["L_" + t for t in left] + ["R_" + t for t in right]
                window += [f"L_{a}_{b}" for a, b in zip(left, left[1:])]
                window += [f"R_{a}_{b}" for a, b in zip(right, right[1:])]
        else:
            window.append("NO_MENTION")
        if target_kinds:
            quotes = [i for i, t in enumerate(masked) if t == _QUOTE]
            for p, kind in zip(positions, target_kinds):
                window += _mark_terms(kind, masked[p - 1] if p > 0 else "^", quotes, p)
        tid = _target_id(target)
        prefix = tid + "|"
        cross = [prefix + t for t in words]
        cross.append(f"T={tid}")
        struct = (_structure(masked, positions, self.window, self._cues(), sentence) if self.structure
                  else ["S_OFF"])
        return {"masked": masked, "window": window, "cross": cross, "struct": struct}

    # -- estimator API ------------------------------------------------------

    def _vectorizers(self) -> dict:
        from .vocab import CharTfidfVectorizer, PrunedTfidfVectorizer as TfidfVectorizer

        common = dict(min_df=self.min_df, max_features=self.max_features, sublinear_tf=True, dtype=np.float32)
        return {
            "masked": TfidfVectorizer(analyzer=_identity, **common),
            "window": TfidfVectorizer(analyzer=_identity, **common),
            "cross": TfidfVectorizer(analyzer=_identity, **common),
            "struct": TfidfVectorizer(analyzer=_identity, **common),
            "plain_word": TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", **common
            ),
            "plain_char": CharTfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngrams), **common),
        }

    def _views(self, X: list[Pair], plain: bool = True,
               done: "_Views | None" = None) -> tuple[dict[str, list], list[int]]:
        """Per-pair token lists of the target views; plain views per distinct sentence.

        Returns the views and, for each pair, the row of its sentence in the plain views. ``done``:
        the views of a prefix of ``X`` (the same pair objects) computed before, taken as they are.
        """
        inventory = self._inventory()
        views: dict[str, list] = {v: [] for v in VIEWS}
        rows: dict[str, int] = {}
        row_of: list[int] = []
        if done is not None and done.covers(X):
            views = {v: list(done.views[v]) for v in VIEWS}
            rows = {pair.text: row for pair, row in zip(done.pairs, done.row_of)}
            row_of = list(done.row_of)
        found: dict[tuple[str, str | None], list] = {}  # one matcher run per sentence, not per pair
        cues = self._cues() if self.structure else None
        shared: dict[tuple, tuple] = {}  # the struct view's clauses and cues per sentence
        inert = cues is not None and _placeholders_inert(cues)
        normalized_text: dict[str, str] = {}
        words: dict[str, list[str]] = {}
        for pair in X[len(row_of):]:
            key = (pair.text, pair.date, pair.mentions)
            if key not in found:
                mentions = pair.mentions if pair.mentions is not None else match_actors(pair.text, inventory, pair.date)
                found[key] = self._segments(pair.text, list(mentions), inventory)
                if inert:
                    segments = found[key][0]
                    base = list(segments[0])
                    for segment in segments[1:]:
                        base.append(_OTH)
                        base += segment
                    shared[key] = _sentence_structure(base, cues)
            if pair.text not in normalized_text:
                normalized_text[pair.text] = normalize(pair.text)
                words[pair.text] = _content_words(normalized_text[pair.text])
            analysis = self._analyze_parts(pair.target, found[key], words[pair.text], shared.get(key))
            views["masked"].append(_ngrams(analysis["masked"], self.masked_ngrams))
            views["window"].append(analysis["window"])
            views["cross"].append(analysis["cross"] if self.cross else [f"T={_target_id(pair.target)}"])
            views["struct"].append(analysis["struct"])
            if plain and pair.text not in rows:
                rows[pair.text] = len(rows)
                views["plain_word"].append(normalized_text[pair.text])
                views["plain_char"].append(normalized_text[pair.text])
            row_of.append(rows.get(pair.text, -1))
        return views, row_of

    def fit(self, X: list[Pair], y: object = None) -> "TargetFeatures":
        """Learn the vocabularies of every view."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: list[Pair], y: object = None) -> sp.csr_matrix:
        """Fit the vocabularies and return the stacked feature matrix."""
        return self.fit_design(X).stacked()

    def fit_design(self, X: list[Pair], keep_views: bool = False, reuse: "TargetFeatures | None" = None) -> Design:
        """Fit the vocabularies; the feature rows as a :class:`~stance.logistic.Design` (plain views once
        per sentence).

        ``keep_views`` keeps the pairs' token views on this object (until it is copied or saved);
        ``reuse``: features of the same settings fitted with ``keep_views`` on a prefix of ``X`` (the same
        pair objects, e.g. train before train + dev), whose views are taken instead of computed again.
        """
        X = list(X)
        self.inventory_ = self._inventory()
        self.cues_ = load_cues(self.cues_path)  # what the model file stores: a model does not read the file again
        done = reuse.__dict__.get("_kept_views") if reuse is not None and reuse.get_params() == self.get_params() else None
        views, row_of = self._views(X, done=done)
        if keep_views:
            self._kept_views = _Views(X, views, row_of)
        vectorizers = self._vectorizers()
        blocks = []
        self.vectorizers_ = {}
        for v in VIEWS:
            blocks.append(vectorizers[v].fit_transform(views[v]))
            self.vectorizers_[v] = TfidfView.from_sklearn(vectorizers[v], _KIND[v])
        self._set_slices(blocks)
        n_target = VIEWS.index("plain_word")
        return Design(sp.hstack(blocks[:n_target], format="csr"), sp.hstack(blocks[n_target:], format="csr"),
                      np.asarray(row_of, dtype=np.int64))

    def transform(self, X: list[Pair], plain: sp.csr_matrix | None = None,
                  plain_rows: list[int] | None = None) -> sp.csr_matrix:
        """Stacked feature matrix for new pairs.

        ``plain`` (from :meth:`transform_plain`) and ``plain_rows`` (its row for each pair) reuse
        target-blind features already computed per sentence instead of computing them again.
        """
        X = list(X)
        if plain is None:
            texts = list(dict.fromkeys(p.text for p in X))
            plain = self.transform_plain(texts)
            row = {t: i for i, t in enumerate(texts)}
            plain_rows = [row[p.text] for p in X]
        return Design(self.transform_target(X), plain, np.asarray(plain_rows, dtype=np.int64)).stacked()

    def transform_target(self, X: list[Pair]) -> sp.csr_matrix:
        """Only the target-aware columns (every view before ``plain_word``), for pairs."""
        if self.masked_ngrams == 1:  # the default settings: the fast path
            fast = self.__dict__.get("_target_columns")
            if fast is None or fast.source is not self.vectorizers_:  # made for these fitted views
                from .targetvec import TargetColumns

                fast = self._target_columns = TargetColumns(self)
            return fast.transform(self, list(X))
        return self._transform_target_views(X)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_target_columns", None)  # a cache, rebuilt on first use
        state.pop("_kept_views", None)  # the training pairs' views (fit_design(keep_views=True))
        return state

    def _transform_target_views(self, X: list[Pair]) -> sp.csr_matrix:
        """:meth:`transform_target` from the views' token lists (any settings)."""
        views, _ = self._views(list(X), plain=False)
        blocks = [self.vectorizers_[v].transform(views[v]) for v in VIEWS if not v.startswith("plain")]
        return sp.hstack(blocks, format="csr")

    def n_target_columns(self) -> int:
        """Number of target-aware columns; the plain columns follow them."""
        return self.slices_["plain_word"][0]

    def transform_plain(self, texts: list[str]) -> sp.csr_matrix:
        """Only the target-blind columns (``plain_columns()`` order) for raw sentences."""
        normalized = [normalize(t) for t in texts]
        if not normalized:
            a, b = self.slices_["plain_word"], self.slices_["plain_char"]
            return sp.csr_matrix((0, (a[1] - a[0]) + (b[1] - b[0])), dtype=np.float32)
        return sp.hstack(
            [self.vectorizers_["plain_word"].transform(normalized), self.vectorizers_["plain_char"].transform(normalized)],
            format="csr",
        )

    def _set_slices(self, blocks: list[sp.spmatrix]) -> None:
        self.slices_ = {}
        start = 0
        for v, b in zip(VIEWS, blocks):
            self.slices_[v] = (start, start + b.shape[1])
            start += b.shape[1]
        self.n_features_out_ = start

    def plain_columns(self) -> np.ndarray:
        """Column indices of the target-blind views (the sentiment head's input)."""
        a = self.slices_["plain_word"]
        b = self.slices_["plain_char"]
        return np.r_[a[0]:a[1], b[0]:b[1]]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Feature names prefixed by their view (``masked:قصفت TGT``)."""
        names = []
        for v in VIEWS:
            names += [f"{v}:{n}" for n in self.vectorizers_[v].terms()]
        return np.asarray(names, dtype=object)

    # -- persistence (see stance.modelfile) ---------------------------------

    def export_state(self) -> tuple[dict, dict[str, np.ndarray], dict[str, list]]:
        """The fitted state as (JSON settings, numeric arrays, term lists); the inventory is saved apart.

        The settings hold the cue inventory the struct view was fitted with (bundled cues plus the
        ``cues_path`` file, as written), so that a model file needs neither the file nor the bundled cues
        of the version reading it."""
        cues = self._cues()
        settings = {"views": {v: {"kind": self.vectorizers_[v].kind,
                                  "ngram_range": list(self.vectorizers_[v].ngram_range)} for v in VIEWS},
                    "slices": {v: list(self.slices_[v]) for v in VIEWS},
                    "cues": {"source": cues.source, "classes": cues.spec}}
        arrays = {f"idf/{v}": self.vectorizers_[v].idf_ for v in VIEWS}
        texts = {f"terms/{v}": self.vectorizers_[v].terms() for v in VIEWS}
        return settings, arrays, texts

    def restore_state(self, settings: dict, arrays: dict[str, np.ndarray], texts: dict[str, list],
                      inventory: Inventory) -> "TargetFeatures":
        """Inverse of :meth:`export_state`: set the fitted attributes from stored data (a file written before
        the cue inventory was stored gets the bundled cues extended by ``cues_path``, as it did then)."""
        self.inventory_ = inventory
        stored = settings.get("cues")
        self.cues_ = (cues_from_records(stored.get("classes"), str(stored.get("source"))) if isinstance(stored, dict)
                      else load_cues(self.cues_path))
        self.vectorizers_ = {}
        for v in VIEWS:
            view = settings["views"][v]
            self.vectorizers_[v] = TfidfView(view["kind"], texts[f"terms/{v}"], arrays[f"idf/{v}"],
                                             tuple(view["ngram_range"]))
        self.slices_ = {v: (int(a), int(b)) for v, (a, b) in ((v, settings["slices"][v]) for v in VIEWS)}
        widths = [len(self.vectorizers_[v].vocabulary_) for v in VIEWS]
        if [b - a for a, b in self.slices_.values()] != widths:
            raise ValueError("feature slices do not match the vocabularies")
        self.n_features_out_ = sum(widths)
        return self


def _ngrams(tokens: list[str], n: int) -> list[str]:
    out = list(tokens)
    for k in range(2, n + 1):
        out += [" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)]
    return out


_BUCKETS = ((1, "d1"), (3, "d2"), (6, "d3"), (12, "d4"))


def _bucket(distance: int) -> str:
    for limit, name in _BUCKETS:
        if distance <= limit:
            return name
    return "d5"


def _sentence_structure(masked: list[str], cues: CueInventory) -> tuple[list[int], list[tuple[int, int, str]]]:
    """Clause ids and cue spans of a masked token list: the same for every target of the sentence.

    ``TGT`` and ``OTH`` are neither clause boundaries nor cue words, so which slot holds the target
    does not change them (:func:`_placeholders_inert` checks a cue inventory for that).
    """
    return clause_ids(masked), cues.find(masked)


def _placeholders_inert(cues: CueInventory) -> bool:
    """Whether ``TGT`` / ``OTH`` can never be (part of) a cue or a clause boundary under ``cues``."""
    return not any(cues.classify(t) or t in cues._firsts or light_stem(t) in cues._firsts
                   or any(t in p for p in cues.phrases) or clause_ids(["x", t]) != [0, 0] for t in (_TGT, _OTH))


def _structure(masked: list[str], positions: list[int], window: int, cues: CueInventory,
               sentence: tuple[list[int], list[tuple[int, int, str]]] | None = None) -> list[str]:
    """Tokens of the ``struct`` view for one target (see the module docstring).

    ``sentence``: :func:`_sentence_structure` of the sentence, computed once for all its targets.
    """
    if not positions:
        return ["S_NO_MENTION"]
    actors = [i for i, t in enumerate(masked) if t in (_TGT, _OTH)]
    n_words = sum(1 for t in masked if t.isalnum() or len(t) > 1)
    out = [f"S_actors={min(len(actors), 4)}", f"S_rank={min(actors.index(positions[0]), 3)}",
           f"S_len={'short' if n_words < 15 else 'mid' if n_words < 40 else 'long'}",
           "S_first" if positions[0] == actors[0] else "S_notfirst",
           "S_last" if positions[-1] == actors[-1] else "S_notlast"]
    ids, spans = sentence if sentence is not None else _sentence_structure(masked, cues)
    negations = [s for s, _, c in spans if c == "negation"]
    for p in positions:
        clause = ids[p]
        words = [t for i, t in enumerate(masked) if ids[i] == clause and i != p and len(t) > 1]
        out += ["C_" + t for t in words]
        out += ["CS_" + light_stem(t) for t in words if t not in (_TGT, _OTH)]
        out += ["SL_" + light_stem(t) for t in masked[max(0, p - window):p] if len(t) > 1]
        out += ["SR_" + light_stem(t) for t in masked[p + 1:p + 1 + window] if len(t) > 1]
        for start, _, cls in spans:
            if cls == "negation":
                continue
            side = "L" if start < p else "R"
            lo, hi = sorted((start, p))
            between = "oth" if any(masked[k] == _OTH for k in range(lo + 1, hi)) else "clear"
            scope = "same" if ids[start] == clause else "other"
            base = f"Q_{cls}|{side}"
            out += [base, f"{base}|{_bucket(hi - lo)}", f"{base}|{scope}", f"{base}|{between}",
                    f"{base}|{scope}|{between}|{_bucket(hi - lo)}"]
            if any(0 < start - k <= 2 for k in negations):
                out.append(f"{base}|neg")
            if between == "clear" and scope == "same":
                out.append(f"Q_{cls}|{'first_after' if side == 'R' else 'last_before'}")
    return out
