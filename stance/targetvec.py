"""Fast ``transform_target`` of fitted target views: vocabulary columns built per sentence, not token lists per pair.

:meth:`stance.features.TargetFeatures.transform_target` builds, for every (sentence, target) pair,
the token lists of the ``masked``, ``window``, ``cross`` and ``struct`` views and looks every token
up in the view's vocabulary. With masked 1-grams and no ``struct`` view (the default settings) most
of that work is the same for all the pairs of a sentence or needs no string at all:

* ``masked``: a pair's tokens are its sentence's tokens plus one ``TGT`` or ``OTH`` per mention,
  so the sentence's columns are looked up once;
* ``cross``: the columns of ``target|word`` come from a per-target dictionary of words (made once
  from the vocabulary), without a string per pair and word;
* ``window``: the columns of ``L_word`` / ``R_word`` and of the bigrams ``L_a_b`` / ``R_a_b`` come from
  per-side dictionaries of words (made once from the vocabulary), without a string per pair and token;
* ``struct``: the constant ``S_OFF``; with ``structure=True``, what is the same for all the targets of a
  sentence is found once per sentence (:class:`_StructSentence`: clauses, cues, placeholders, length, the
  columns of each clause's words), from a bounded per-token cache of the terms' columns, clause
  boundaries and cue starts (:meth:`_StructColumns.token`); only the target's slots are per pair.

Columns within a row are summed and sorted by the tf-idf weighting, so their order does not matter: the
matrix equals the generic one (tested).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import chain, compress
from operator import itemgetter
from typing import TYPE_CHECKING

import scipy.sparse as sp

from .actors import match_actors
from .cues import clause_ids_at
from .tfidf import tfidf_weight
from .util import BoundedDict

if TYPE_CHECKING:  # pragma: no cover
    from .features import Pair, TargetFeatures

__all__ = ["TargetColumns"]

_NONE: dict[str, int] = {}  # no second token
_TOKENS = 100_000  # tokens whose struct columns are kept (a bounded cache, emptied when full)
_FIRST, _FIFTH, _SIXTH, _PLACEHOLDER, _WORD = itemgetter(0), itemgetter(4), itemgetter(5), itemgetter(6), itemgetter(7)


class _StructColumns:
    """The ``struct`` view's columns of pairs (:func:`stance.features._structure`), with what is the same
    for every target of a sentence found once per sentence: its clauses and cues, its placeholders and
    length, the columns of each clause's words and of each cue's place."""

    def __init__(self, f: "TargetFeatures", vocabulary: dict[str, int], tokens: "BoundedDict | None" = None) -> None:
        from .cues import is_clause_boundary, light_stem
        from .features import _OTH, _TGT, _bucket, _placeholders_inert, _structure

        self._tgt, self._oth, self._bucket = _TGT, _OTH, _bucket
        self._structure, self._stem, self._boundary = _structure, light_stem, is_clause_boundary
        self.cues = f._cues()
        self.window = f.window
        self.vocabulary = vocabulary
        self.shared = _placeholders_inert(self.cues)  # else every target's clauses and cues are its own
        self.sentences: dict[tuple, object] = {}
        column = vocabulary.get
        self.no_mention = [c for c in (column("S_NO_MENTION"),) if c is not None]
        self.first = {True: column("S_first"), False: column("S_notfirst")}
        self.last = {True: column("S_last"), False: column("S_notlast")}
        self.rank = [column(f"S_rank={r}") for r in range(4)]
        self.tgt_words = (column("C_" + _TGT), column("SL_" + light_stem(_TGT)), column("SR_" + light_stem(_TGT)))
        self.cue_columns: dict[tuple, list[int]] = {}  # (class, side, distance, scope, between, negated) -> columns
        self.tokens = tokens if tokens is not None else BoundedDict(_TOKENS)

    def token(self, t: str) -> tuple:
        """What the struct view needs of one token: the columns of its clause-word terms ``C_`` and ``CS_``
        (none for a placeholder or a one-letter token), of ``SL_`` and ``SR_`` (None: a one-letter token or
        an unknown term), of ``C_`` for a placeholder, whether it is a clause boundary and, when a cue may
        start at it, its :meth:`~stance.cues.CueInventory.starts`; whether it is a placeholder and whether it
        counts as a word for the sentence's length."""
        column = self.vocabulary.get
        placeholder = t == self._tgt or t == self._oth
        if len(t) <= 1:
            words, left, right = (), None, None
        else:
            stem = self._stem(t)
            words = () if placeholder else tuple(c for c in (column("C_" + t), column("CS_" + stem)) if c is not None)
            left, right = column("SL_" + stem), column("SR_" + stem)
        found = (words, left, right, column("C_" + t) if placeholder else None, self._boundary(t), self.cues.starts(t),
                 placeholder, t.isalnum() or len(t) > 1)
        return self.tokens.put(t, found)

    def __call__(self, key: tuple, base: list[str], positions: list[int]) -> list[int]:
        """Columns of one pair: ``base`` is its sentence's masked tokens with ``OTH`` in every mention's
        slot, ``positions`` the target's slots."""
        if not positions:
            return self.no_mention
        if not self.shared:
            masked = list(base)
            for p in positions:
                masked[p] = self._tgt
            tokens = self._structure(masked, positions, self.window, self.cues)
            return [c for c in map(self.vocabulary.get, tokens) if c is not None]
        sentence = self.sentences.get(key)
        if sentence is None:
            sentence = self.sentences[key] = _StructSentence(self, base)
        return sentence.columns(self, positions)

    def cue(self, cls: str, side: str, distance: int, scope: str, between: str, negated: bool) -> list[int]:
        """The columns of one cue's terms for one target (``Q_cls|side...``)."""
        key = (cls, side, distance, scope, between, negated)
        found = self.cue_columns.get(key)
        if found is None:
            bucket = self._bucket(distance)
            base = f"Q_{cls}|{side}"
            terms = [base, f"{base}|{bucket}", f"{base}|{scope}", f"{base}|{between}",
                     f"{base}|{scope}|{between}|{bucket}"]
            if negated:
                terms.append(f"{base}|neg")
            if between == "clear" and scope == "same":
                terms.append(f"Q_{cls}|{'first_after' if side == 'R' else 'last_before'}")
            found = self.cue_columns[key] = [c for c in map(self.vocabulary.get, terms) if c is not None]
        return found


class _StructSentence:
    """What the ``struct`` columns of a sentence's targets share (see :func:`stance.features._structure`,
    whose terms these are): ``base`` is the sentence's masked tokens with ``OTH`` in every slot; a target
    puts ``TGT`` in its own slots. The clauses and cues are :func:`stance.features._sentence_structure`'s,
    found from each token's entry of :meth:`_StructColumns.token`."""

    __slots__ = ("base", "placeholders", "ids", "cues", "head", "sides", "clauses")

    def __init__(self, owner: _StructColumns, base: list[str]) -> None:
        column = owner.vocabulary.get
        self.base = base
        n = len(base)
        cached = owner.tokens.get
        self.sides = sides = [cached(t) or owner.token(t) for t in base]
        # the placeholders of every target's masked tokens (TGT and OTH both count, whichever the target is)
        self.placeholders = list(compress(range(n), map(_PLACEHOLDER, sides)))
        n_words = sum(map(_WORD, sides))
        length = "short" if n_words < 15 else "mid" if n_words < 40 else "long"
        self.head = [c for c in (column(f"S_actors={min(len(self.placeholders), 4)}"), column(f"S_len={length}"))
                     if c is not None]
        self.ids = clause_ids_at(list(compress(range(n), map(_FIFTH, sides))), n)
        starts = [(k, *sides[k][5]) for k in compress(range(n), map(_SIXTH, sides))]
        spans = owner.cues.spans(base, starts) if starts else []
        negations = [s for s, _, c in spans if c == "negation"]
        self.cues = [(start, cls, any(0 < start - k <= 2 for k in negations)) for start, _, cls in spans
                     if cls != "negation"]
        self.clauses: dict[int, tuple[list[int], list[tuple[int, int | None]]]] = {}

    def clause(self, clause: int) -> tuple[list[int], list[tuple[int, int | None]]]:
        """The ``C_`` / ``CS_`` columns of a clause's words that are no placeholder, and its placeholders
        with the column of ``C_`` + the placeholder (the clause's tokens are a run: its ids increase)."""
        found = self.clauses.get(clause)
        if found is None:
            ids = self.ids
            start, end = bisect_left(ids, clause), bisect_right(ids, clause)
            words = list(chain.from_iterable(map(_FIRST, self.sides[start:end])))
            found = self.clauses[clause] = (words, [(i, self.sides[i][3]) for i in self.placeholders if start <= i < end])
        return found

    def columns(self, owner: _StructColumns, positions: list[int]) -> list[int]:
        """The ``struct`` columns of the target whose slots are ``positions``."""
        placeholders, ids, base, sides, oth = self.placeholders, self.ids, self.base, self.sides, owner._oth
        out = list(self.head)
        rank = owner.rank[min(placeholders.index(positions[0]), 3)]
        out += [c for c in (rank, owner.first[positions[0] == placeholders[0]],
                            owner.last[positions[-1] == placeholders[-1]]) if c is not None]
        c_tgt, sl_tgt, sr_tgt = owner.tgt_words
        window = owner.window
        mine = set(positions)
        for p in positions:
            clause = ids[p]
            words, slots = self.clause(clause)
            out += words
            for i, c in slots:
                if i != p:
                    c = c_tgt if i in mine else c
                    if c is not None:
                        out.append(c)
            for i in range(max(0, p - window), p):
                c = sl_tgt if i in mine else sides[i][1]
                if c is not None:
                    out.append(c)
            for i in range(p + 1, min(len(base), p + 1 + window)):
                c = sr_tgt if i in mine else sides[i][2]
                if c is not None:
                    out.append(c)
            for start, cls, negated in self.cues:
                side = "L" if start < p else "R"
                lo, hi = (start, p) if start < p else (p, start)
                a, b = bisect_right(placeholders, lo), bisect_left(placeholders, hi)  # the placeholders between
                between = "oth" if a < b and any(base[k] == oth and k not in mine for k in placeholders[a:b]) \
                    else "clear"
                out += owner.cue(cls, side, hi - lo, "same" if ids[start] == clause else "other", between, negated)
        return out


class TargetColumns:
    """The target views of a fitted :class:`~stance.features.TargetFeatures` (masked 1-grams)."""

    def __init__(self, features: "TargetFeatures") -> None:
        views = features.vectorizers_
        self.source = views  # the fitted views these columns were made from
        self.views = [views[v] for v in ("masked", "window", "cross", "struct")]
        self.struct_tokens = BoundedDict(_TOKENS)  # token -> its struct columns (see _StructColumns.token)
        self.cross_words: dict[str, dict[str, int]] = {}  # target id -> word -> column of "target|word"
        for term, column in views["cross"].vocabulary_.items():
            tid, bar, word = term.rpartition("|")  # words (\w+, two letters or more) hold no "|"
            if bar:
                self.cross_words.setdefault(tid, {})[word] = column
        # window: per side, token -> column of "L_token" and first token -> second token -> column of
        # "L_a_b". A bigram term is entered under every split at an underscore (tokens may hold one):
        # each split spells the same string, so a lookup finds the column exactly when the string would.
        self.window_words: dict[str, tuple[dict[str, int], dict[str, dict[str, int]]]] = {"L": ({}, {}), "R": ({}, {})}
        for term, column in views["window"].vocabulary_.items():
            side, rest = term[:2], term[2:]
            if side not in ("L_", "R_"):
                continue
            words, pairs = self.window_words[side[0]]
            words[rest] = column
            at = rest.find("_")
            while at != -1:
                pairs.setdefault(rest[:at], {})[rest[at + 1:]] = column
                at = rest.find("_", at + 1)

    def transform(self, f: "TargetFeatures", X: "list[Pair]") -> sp.csr_matrix:
        """The target-aware columns of ``X`` for ``f`` (fitted with :attr:`source`): its
        ``transform_target`` matrix."""
        from .features import _OTH, _QUOTE, _TGT, _content_word_set, _mark_terms, _target_id
        from .normalize import normalize

        inventory = f._inventory()
        masked_vocab, window_vocab, cross_vocab, struct_vocab = (v.vocabulary_ for v in self.views)
        masked_column = masked_vocab.get
        (left_words, left_pairs), (right_words, right_pairs) = self.window_words["L"], self.window_words["R"]
        left_word, right_word, left_pair, right_pair = left_words.get, right_words.get, left_pairs.get, right_pairs.get
        no_mention, window_column = window_vocab.get("NO_MENTION"), window_vocab.get
        tgt, oth = masked_vocab.get(_TGT), masked_vocab.get(_OTH)
        s_off = struct_vocab.get("S_OFF")
        structure = _StructColumns(f, struct_vocab, self.struct_tokens) if f.structure else None
        width = f.window
        columns: list[list[int]] = [[], [], [], []]
        indptr: list[list[int]] = [[0], [0], [0], [0]]
        sentences: dict[tuple, tuple] = {}
        words: dict[str, set[str]] = {}
        for pair in X:
            key = (pair.text, pair.date, pair.mentions)
            sentence = sentences.get(key)
            if sentence is None:
                mentions = pair.mentions if pair.mentions is not None else match_actors(pair.text, inventory,
                                                                                        pair.date)
                segments, actors, kinds = f._segments(pair.text, list(mentions), inventory)
                slots, base = [], list(segments[0])  # the masked tokens with OTH in every mention's slot
                for segment in segments[1:]:
                    slots.append(len(base))
                    base.append(_OTH)
                    base += segment
                own = [c for c in map(masked_column, chain.from_iterable(segments)) if c is not None]
                # the marks: each mention's kind and the sentence's quotation marks (None: no marks)
                marks = (kinds, [i for i, t in enumerate(base) if t == _QUOTE]) if kinds is not None else None
                sentence = sentences[key] = (actors, slots, base, own, marks)
            actors, slots, base, own, marks = sentence
            if pair.text not in words:
                words[pair.text] = _content_word_set(normalize(pair.text))
            target = pair.target
            positions = [slot for slot, actor in zip(slots, actors) if actor == target]
            # masked
            columns[0] += own
            if tgt is not None:
                columns[0] += [tgt] * len(positions)
            if oth is not None:
                columns[0] += [oth] * (len(actors) - len(positions))
            indptr[0].append(len(columns[0]))
            # window
            if positions:
                masked = base
                if len(positions) > 1:
                    masked = list(base)
                    for p in positions:
                        masked[p] = _TGT
                cols = columns[1]
                for p in positions:
                    left = masked[max(0, p - width):p]
                    right = masked[p + 1:p + 1 + width]
                    cols += [c for c in map(left_word, left) if c is not None]
                    cols += [c for c in map(right_word, right) if c is not None]
                    cols += [c for a, b in zip(left, left[1:]) if (c := left_pair(a, _NONE).get(b)) is not None]
                    cols += [c for a, b in zip(right, right[1:]) if (c := right_pair(a, _NONE).get(b)) is not None]
                if marks is not None:
                    kinds, quotes = marks
                    mine = set(positions)
                    for p, kind in zip(positions, [k for actor, k in zip(actors, kinds) if actor == target]):
                        before = "^" if p == 0 else _TGT if p - 1 in mine else base[p - 1]
                        cols += [c for c in map(window_column, _mark_terms(kind, before, quotes, p)) if c is not None]
            elif no_mention is not None:
                columns[1].append(no_mention)
            indptr[1].append(len(columns[1]))
            # cross
            tid = _target_id(target)
            if f.cross:
                by_word = self.cross_words.get(tid)
                if by_word:
                    columns[2] += [c for c in map(by_word.get, words[pair.text]) if c is not None]
            whole = cross_vocab.get("T=" + tid)
            if whole is not None:
                columns[2].append(whole)
            indptr[2].append(len(columns[2]))
            # struct
            if structure is not None:
                columns[3] += structure(key, base, positions)
            elif s_off is not None:
                columns[3].append(s_off)
            indptr[3].append(len(columns[3]))
        blocks = [tfidf_weight(cols, ptr, len(view.vocabulary_), view.idf_, view.dtype)
                  for cols, ptr, view in zip(columns, indptr, self.views)]
        return sp.hstack(blocks, format="csr")
