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
* ``struct``: the constant ``S_OFF``; with ``structure=True``, the clause ids and cue spans of a
  sentence are found once for all its targets (:class:`_StructColumns`).

Columns within a row are summed and sorted by the tf-idf weighting, so their order does not matter: the
matrix equals the generic one (tested).
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

_NONE: dict[str, int] = {}  # no second token


class _StructColumns:
    """The ``struct`` view's columns of pairs, with each sentence's clauses and cues found once."""

    def __init__(self, f: "TargetFeatures", vocabulary: dict[str, int]) -> None:
        from .cues import load_cues
        from .features import _TGT, _placeholders_inert, _sentence_structure, _structure

        self._tgt, self._sentence_structure, self._structure = _TGT, _sentence_structure, _structure
        self.cues = load_cues(f.cues_path)
        self.window = f.window
        self.vocabulary = vocabulary
        self.shared = _placeholders_inert(self.cues)  # else every target's clauses and cues are its own
        self.sentences: dict[tuple, tuple] = {}

    def __call__(self, key: tuple, base: list[str], positions: list[int]) -> list[int]:
        """Columns of one pair: ``base`` is its sentence's masked tokens with ``OTH`` in every mention's
        slot, ``positions`` the target's slots."""
        masked = base
        if positions:
            masked = list(base)
            for p in positions:
                masked[p] = self._tgt
        sentence = None
        if self.shared:
            sentence = self.sentences.get(key)
            if sentence is None:
                sentence = self.sentences[key] = self._sentence_structure(base, self.cues)
        tokens = self._structure(masked, positions, self.window, self.cues, sentence)
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
        from .features import _OTH, _TGT, _content_word_set, _segments, _target_id
        from .normalize import normalize

        inventory = f._inventory()
        masked_vocab, window_vocab, cross_vocab, struct_vocab = (v.vocabulary_ for v in self.views)
        masked_column = masked_vocab.get
        (left_words, left_pairs), (right_words, right_pairs) = self.window_words["L"], self.window_words["R"]
        left_word, right_word, left_pair, right_pair = left_words.get, right_words.get, left_pairs.get, right_pairs.get
        no_mention = window_vocab.get("NO_MENTION")
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
