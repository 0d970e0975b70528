"""Fast ``transform_target`` of fitted target views: vocabulary columns built per sentence, not token lists per pair.

:meth:`stance.features.TargetFeatures.transform_target` builds, for every (sentence, target) pair,
the token lists of the ``masked``, ``window``, ``cross`` and ``struct`` views and looks every token
up in the view's vocabulary. With masked 1-grams and no ``struct`` view (the default settings) most
of that work is the same for all the pairs of a sentence or needs no string at all:

* ``masked``: a pair's tokens are its sentence's tokens plus one ``TGT`` or ``OTH`` per mention,
  so the sentence's columns are looked up once;
* ``cross``: the columns of ``target|word`` come from a per-target dictionary of words (made once
  from the vocabulary), without a string per pair and word;
* ``struct``: the constant ``S_OFF``; with ``structure=True``, the clause ids and cue spans of a
  sentence are found once for all its targets (:class:`_StructColumns`).

The ``window`` view is built as in :mod:`stance.features`. Columns within a row are summed and
sorted by the tf-idf weighting, so their order does not matter: the matrix equals the generic one
(tested).
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING

import scipy.sparse as sp

from .actors import match_actors
from .tfidf import tfidf_weight

if TYPE_CHECKING:  # pragma: no cover
    from .features import Pair, TargetFeatures

__all__ = ["TargetColumns"]


class _StructColumns:
    """The ``struct`` view's columns of pairs, with each sentence's clauses and cues found once."""

    def __init__(self, f: "TargetFeatures", vocabulary: dict[str, int]) -> None:
        from .cues import load_cues
        from .features import _placeholders_inert

        self.cues = load_cues(f.cues_path)
        self.window = f.window
        self.vocabulary = vocabulary
        self.shared = _placeholders_inert(self.cues)  # else every target's clauses and cues are its own
        self.sentences: dict[tuple, tuple] = {}

    def __call__(self, key: tuple, base: list[str], positions: list[int]) -> list[int]:
        """Columns of one pair: ``base`` is its sentence's masked tokens with ``OTH`` in every mention's
        slot, ``positions`` the target's slots."""
        from .features import _TGT, _sentence_structure, _structure

        masked = base
        if positions:
            masked = list(base)
            for p in positions:
                masked[p] = _TGT
        sentence = None
        if self.shared:
            sentence = self.sentences.get(key)
            if sentence is None:
                sentence = self.sentences[key] = _sentence_structure(base, self.cues)
        tokens = _structure(masked, positions, self.window, self.cues, sentence)
        return [c for c in map(self.vocabulary.get, tokens) if c is not None]


class TargetColumns:
    """The target views of a fitted :class:`~stance.features.TargetFeatures` (masked 1-grams)."""

    def __init__(self, features: "TargetFeatures") -> None:
        views = features.vectorizers_
        self.source = views  # the fitted views these columns were made from
        self.views = [views[v] for v in ("masked", "window", "cross", "struct")]
        self.cross_words: dict[str, dict[str, int]] = {}  # target id -> word -> column of "target|word"
        for term, column in views["cross"].vocabulary_.items():
            tid, bar, word = term.rpartition("|")  # words (\w+, two letters or more) hold no "|"
            if bar:
                self.cross_words.setdefault(tid, {})[word] = column

    def transform(self, f: "TargetFeatures", X: "list[Pair]") -> sp.csr_matrix:
        """The target-aware columns of ``X`` for ``f`` (fitted with :attr:`source`): its
        ``transform_target`` matrix."""
        from .features import _OTH, _TGT, _content_words, _segments, _target_id
        from .normalize import normalize

        inventory = f._inventory()
        masked_vocab, window_vocab, cross_vocab, struct_vocab = (v.vocabulary_ for v in self.views)
        masked_column, window_column = masked_vocab.get, window_vocab.get
        tgt, oth = masked_vocab.get(_TGT), masked_vocab.get(_OTH)
        s_off = struct_vocab.get("S_OFF")
        structure = _StructColumns(f, struct_vocab) if f.structure else None
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
                segments, actors = _segments(pair.text, list(mentions))
                slots, base = [], list(segments[0])  # the masked tokens with OTH in every mention's slot
                for segment in segments[1:]:
                    slots.append(len(base))
                    base.append(_OTH)
                    base += segment
                own = [c for c in map(masked_column, chain.from_iterable(segments)) if c is not None]
                sentence = sentences[key] = (actors, slots, base, own)
            actors, slots, base, own = sentence
            if pair.text not in words:
                words[pair.text] = set(_content_words(normalize(pair.text)))
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
                window: list[str] = []
                for p in positions:
                    left = masked[max(0, p - width):p]
                    right = masked[p + 1:p + 1 + width]
                    window += ["L_" + t for t in left] + ["R_" + t for t in right]
                    window += [f"L_{a}_{b}" for a, b in zip(left, left[1:])]
                    window += [f"R_{a}_{b}" for a, b in zip(right, right[1:])]
            else:
                window = ["NO_MENTION"]
            columns[1] += [c for c in map(window_column, window) if c is not None]
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
