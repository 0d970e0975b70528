"""Stance holders: who holds the stance of a (sentence, target) pair.

For each pair, :class:`HolderModel` chooses the holder among *candidates*: the author, every other
actor mentioned in the sentence, and actors mentioned in the previous ``context`` sentences of the
article (for reported speech that continues, ``وأضاف ...``). Each candidate gets sparse binary
features of the (candidate, target) configuration — position relative to the target and to speech,
attack and support cues (:mod:`stance.cues`), whether it is the subject of a reporting verb (قال،
أعلن، أكد، اتهم، أدان: the cue right before or after it), quotes, clause boundaries, the words around it,
its kind in the inventory — and a linear score; the probabilities are the softmax of the scores over
the pair's candidates (a conditional logit, fitted with L2 by L-BFGS on numpy/scipy).

A fitted model is a JSON vocabulary of feature names plus one coefficient vector, stored in the
model file like the other heads (:meth:`HolderModel.export_state`); nothing in it is code.
The rule baselines the evaluation compares with are :func:`baseline_author` and
:func:`baseline_nearest_preceding`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from typing import Callable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from .cues import clause_ids_at, is_clause_boundary, light_stem, load_cues
from .normalize import normalize
from .util import BoundedDict

__all__ = ["AUTHOR", "HolderExample", "HolderModel", "Sentence", "baseline_author", "baseline_nearest_preceding",
           "candidates", "dataset_examples", "fit_holder_head", "sentence_of"]

AUTHOR = "author"
_NISBA_RE = re.compile(r"(ي|يه|يين|يون|يان|يات)$")
_THAT = frozenset(("ان", "بان", "وان", "انه", "انها", "انهم", "بانه", "بانها"))
DEFAULT_C = 0.3  # chosen by 5-fold cross-validation on train + dev (grouped by article)
CONTEXT = 3  # previous sentences whose actors are candidates
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_OPEN_QUOTES = frozenset("«“„‹")
_CLOSE_QUOTES = frozenset("»”‟›")
_TOGGLE_QUOTES = frozenset('"')
_QUOTES = _OPEN_QUOTES | _CLOSE_QUOTES | _TOGGLE_QUOTES
_ACTOR = "ACT"
_CUE_CLASSES = ("report", "condemn", "attack", "threat", "sanction", "support", "praise", "ally", "victim",
                "talks", "pejorative", "negation")


@dataclass(frozen=True)
class Sentence:
    """A sentence and its actor mentions ``(actor, start, end)`` (offsets into ``text``)."""

    text: str
    mentions: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class HolderExample:
    """One (sentence, target) pair and the previous sentences of its article (nearest first, with distance)."""

    sentence: Sentence
    target: str
    context: tuple[tuple[int, Sentence], ...] = ()
    stance: str | None = None  # "against" / "favor" (the sign of the pair's score), crossed with the features


@dataclass(frozen=True)
class _Analysis:
    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    clause: tuple[int, ...]
    quote: tuple[bool, ...]
    cues: tuple[tuple[int, int, str], ...]
    first: dict  # actor -> token indices of its mentions (first token of each)
    nisba: frozenset  # token indices of mentions that are a single adjective (nisba) word
    order: tuple[tuple[int, str], ...]  # (token index, actor) of every mention, in order
    words: tuple[str, ...]  # the author's word features (``A_w=`` light stems longer than two letters), sorted


@lru_cache(maxsize=200000)
def _norm(token: str) -> str:
    return normalize(token)


_TOKEN_INFO = BoundedDict(200_000)  # raw token -> its _token_info


def _token_info(raw: str) -> tuple[str, str, bool, str | None, tuple | None]:
    """What the analysis needs of one raw token, computed once per token: the normalized token, its
    light stem, whether it is a clause boundary (:func:`stance.cues.clause_ids`), the author's word
    feature of the stem (``A_w=stem`` for stems longer than two letters, else None) and, when a cue may
    start at it, its :meth:`~stance.cues.CueInventory.starts`."""
    found = _TOKEN_INFO.get(raw)
    if found is None:
        token = _norm(raw)
        found = _TOKEN_INFO.put(raw, _info(token))
    return found


def _info(token: str) -> tuple[str, str, bool, str | None, tuple | None]:
    stem = light_stem(token)
    return (token, stem, is_clause_boundary(token), f"A_w={stem}" if len(stem) > 2 and stem != _ACTOR else None,
            load_cues().starts(token))


_ACTOR_STEM = light_stem(_ACTOR)
_TOKEN, _STEM, _BOUNDARY, _WORD, _CUE = (itemgetter(k) for k in range(5))


@lru_cache(maxsize=1)
def _actor_info() -> tuple[str, str, bool, None, tuple | None]:
    """The token info of a mention's tokens in the masked analysis (the author's words leave them out)."""
    return (_ACTOR, _ACTOR_STEM, False, None, load_cues().starts(_ACTOR))


@lru_cache(maxsize=20000)
def _analyze(sentence: Sentence) -> _Analysis:
    matches = list(_TOKEN_RE.finditer(sentence.text))
    cached = _TOKEN_INFO.get
    infos = [cached(raw) or _token_info(raw) for raw in map(re.Match.group, matches)]
    n = len(infos)
    tokens = list(map(_TOKEN, infos))
    owner: dict[int, str] = {}
    positions: dict[str, list[int]] = {}
    order = []
    nisba = set()
    for actor, start, end in sorted(sentence.mentions, key=lambda m: m[1]):
        # the tokens the mention overlaps (tokens do not overlap: their starts and ends increase)
        idx = range(bisect_right(matches, start, key=re.Match.end), bisect_left(matches, end, key=re.Match.start))
        if not idx:
            continue
        if len(idx) == 1 and _NISBA_RE.search(tokens[idx[0]]):
            nisba.add(idx[0])
        for i in idx:
            owner[i] = actor
        positions.setdefault(actor, []).append(idx[0])
        order.append((idx[0], actor))
    masked_infos = infos
    if owner:
        masked_infos = list(infos)
        actor = _actor_info()
        for i in owner:
            masked_infos[i] = actor
    masked = list(map(_TOKEN, masked_infos))
    if _QUOTES.isdisjoint(tokens):
        quote = (False,) * n
    else:
        quote, depth = [], 0
        for t in tokens:
            if t in _CLOSE_QUOTES:
                depth = max(0, depth - 1)
            quote.append(depth > 0)
            if t in _OPEN_QUOTES:
                depth += 1
            elif t in _TOGGLE_QUOTES:
                depth = 0 if depth else 1
    words = set(map(_WORD, masked_infos))  # of the tokens outside mentions
    words.discard(None)
    starts = [(k, *masked_infos[k][4]) for k in compress(range(n), map(_CUE, masked_infos))]
    return _Analysis(
        tokens=tuple(masked), stems=tuple(map(_STEM, masked_infos)),
        clause=tuple(clause_ids_at(list(compress(range(n), map(_BOUNDARY, infos))), n)),  # of the tokens
        quote=tuple(quote), cues=tuple(load_cues().spans(masked, starts)) if starts else (), first=positions,
        order=tuple(order), nisba=frozenset(nisba), words=tuple(sorted(words)),
    )


def _bucket(d: int) -> str:
    return "1" if d <= 1 else "2" if d == 2 else "3-5" if d <= 5 else "6-10" if d <= 10 else "11+"


def candidates(example: HolderExample) -> list[tuple[str, int]]:
    """The candidate holders ``(id, distance)``: the author (-1), actors in the sentence (0), then context (k)."""
    out: list[tuple[str, int]] = [(AUTHOR, -1)]
    seen = {AUTHOR, example.target}
    for actor, _, _ in sorted(example.sentence.mentions, key=lambda m: m[1]):
        if actor not in seen:
            seen.add(actor)
            out.append((actor, 0))
    for k, sentence in example.context:
        if 0 < k <= CONTEXT:
            for actor, _, _ in sorted(sentence.mentions, key=lambda m: m[1]):
                if actor not in seen:
                    seen.add(actor)
                    out.append((actor, k))
    return out


def _anchor(a: _Analysis, target: str) -> int:
    return a.first[target][0] if target in a.first else len(a.tokens)


def _subject_features(a: _Analysis, pos: int, prefix: str) -> list[str]:
    """Cues right before / after a mention at token ``pos``: the verb whose subject it may be."""
    out = []
    end = pos + 1
    while end < len(a.tokens) and a.tokens[end] == _ACTOR:
        end += 1
    for s, e, cls in a.cues:
        if e <= pos and pos - e < 3 and a.clause[s] == a.clause[pos]:
            out.append(f"{prefix}pre_{cls}_{pos - e}")
            out.append(f"{prefix}pre_{cls}")
            if cls in ("report", "condemn"):
                out.append(f"{prefix}prev={a.stems[s]}")
        elif s >= end and s - end < 3 and a.clause[s] == a.clause[min(end, len(a.tokens) - 1)]:
            out.append(f"{prefix}post_{cls}_{s - end}")
            out.append(f"{prefix}post_{cls}")
    if pos > 0:
        out.append(f"{prefix}w-1={a.stems[pos - 1]}")
    if pos > 1:
        out.append(f"{prefix}w-2={a.stems[pos - 2]}")
    if end < len(a.tokens):
        out.append(f"{prefix}w+1={a.stems[end]}")
    if pos <= 2:
        out.append(f"{prefix}initial")
    if a.order and a.order[0][0] == pos:
        out.append(f"{prefix}first_actor")
    if a.quote[pos]:
        out.append(f"{prefix}in_quote")
    return out


def _initial_report(a: _Analysis) -> bool:
    """The sentence opens with a reporting cue and no actor before it (``وأضاف``, ``وشدد على``)."""
    for s, _, cls in a.cues:
        if s > 3:
            break
        if cls in ("report", "condemn", "threat") and not any(p < s for p, _ in a.order):
            return True
    return False


_CROSSED = ("A", "X", "C", "C_side=", "C_nearest_before", "C_first_before", "C_gov", "A_gov", "X_init", "A_init",
            "CB_pre_", "CF_pre_", "CB_post_", "CF_post_", "A_near_", "C_between_")


def _features(example: HolderExample, candidate: str, distance: int, kinds: Mapping[str, str],
              pair: "_PairContext | None" = None) -> list[str]:
    f = _base_features(example, candidate, distance, kinds, pair)
    if example.stance in ("against", "favor"):
        f += [f"{example.stance}|{x}" for x in f if x.startswith(_CROSSED)]
    return f


def _governing(a: _Analysis, t: int) -> tuple[int, int, str] | None:
    """The nearest cue before the target in its clause (the predicate that governs it, roughly)."""
    best = None
    for s, e, cls in a.cues:
        if e <= t and t < len(a.tokens) and a.clause[s] == a.clause[t] and cls not in ("negation",):
            best = (s, e, cls)
    return best


def _speech(a: _Analysis, t: int) -> tuple[int, int, str] | None:
    """The last speech cue (report / condemn) before the target."""
    best = None
    for s, e, cls in a.cues:
        if e <= t and cls in ("report", "condemn"):
            best = (s, e, cls)
    return best


@dataclass(frozen=True)
class _PairContext:
    """What every candidate's features of one example share: the sentence analysis and the target's place."""

    a: _Analysis
    t: int  # the target's anchor token
    tkind: str
    n_in: int  # other actors in the sentence
    before: list[tuple[int, str]]  # other actors' mentions before the target
    init_report: bool
    gov: tuple[int, int, str] | None
    rep: tuple[int, int, str] | None
    analyze: Callable[[Sentence], _Analysis] = _analyze  # how the context sentences are analyzed


def _pair_context(example: HolderExample, kinds: Mapping[str, str],
                  analyze: Callable[[Sentence], _Analysis] = _analyze) -> _PairContext:
    a = analyze(example.sentence)
    target = example.target
    t = _anchor(a, target)
    return _PairContext(
        a=a, t=t, tkind=kinds.get(target, "other"), n_in=len({x for x in a.first if x != target}),
        before=[(p, x) for p, x in a.order if p < t and x != target], init_report=_initial_report(a),
        gov=_governing(a, t), rep=_speech(a, t), analyze=analyze,
    )


def _base_features(example: HolderExample, candidate: str, distance: int, kinds: Mapping[str, str],
                   pair: _PairContext | None = None, words: bool = True) -> list[str]:
    """The candidate's features; ``words=False`` leaves out the author's word features (``a.words``)."""
    pair = pair if pair is not None else _pair_context(example, kinds)
    a, t, tkind, n_in, before, init_report, gov = (pair.a, pair.t, pair.tkind, pair.n_in, pair.before,
                                                   pair.init_report, pair.gov)
    target = example.target
    if candidate == AUTHOR:
        f = ["A", f"A_tkind={tkind}", f"A_nin={min(n_in, 3)}", f"A_nbefore={min(len({x for _, x in before}), 2)}"]
        rep = pair.rep
        if rep is not None:
            r = rep[1]
            nxt = [a.stems[q] for q in range(r, min(r + 2, len(a.tokens)))]
            f += [f"A_rep_next={w}" for w in nxt]
            near = any(r <= q < r + 4 for q, x in a.order if x != target)
            f.append("A_rep_actor_near" if near else "A_rep_no_actor_near")
        if gov is not None:
            f += [f"A_gov_{gov[2]}", f"A_gov={a.stems[gov[0]]}"]
            if not any(p < gov[0] for p, x in a.order if x != target):
                f.append(f"A_gov_{gov[2]}_no_actor_before")
        if init_report:
            f.append("A_init_report")
        if t < len(a.tokens):
            if a.quote[t]:
                f.append("A_target_in_quote")
            if t > 0:
                f.append(f"A_tw-1={a.stems[t - 1]}")
            if t + 1 < len(a.tokens):
                f.append(f"A_tw+1={a.stems[t + 1]}")
        for s, e, cls in a.cues:
            side = "L" if e <= t else "R"
            f.append(f"A_cue_{cls}")
            if abs((t - e) if side == "L" else (s - t)) <= 3:
                f.append(f"A_near_{side}_{cls}")
        if example.context:
            f.append("A_has_context")
        if words:
            f += a.words
        return f
    ckind = kinds.get(candidate, "other")
    if distance > 0:  # an actor of a previous sentence
        ctx = next(s for k, s in example.context if k == distance)
        ca = pair.analyze(ctx)
        p = (ca.first.get(candidate) or [0])[0]
        f = ["X", f"X_k={distance}", f"X_ckind={ckind}", f"X_pair={ckind}>{tkind}", f"X_c={candidate}"]
        if init_report:
            f += ["X_init_report", f"X_init_report_k={distance}"]
        if not before:
            f.append("X_none_before")
            if init_report:
                f.append("X_none_before_init_report")
        f += ["X" + x for x in _subject_features(ca, p, "s_") if not x.startswith("s_w")]
        return f
    ps = a.first.get(candidate) or [0]
    prior = [p for p in ps if p < t]
    p = prior[-1] if prior else ps[0]
    side = "B" if p < t else "F"
    gap = abs(t - p)
    f = ["C", f"C_side={side}", f"C_dist={side}{_bucket(gap)}", f"C_ckind={ckind}", f"C_pair={ckind}>{tkind}",
         f"C_c={candidate}", f"C_nin={min(n_in, 3)}"]
    f.append(f"C_ids={candidate}>{target}")
    f.append(f"C_mentions={min(len(ps), 3)}")
    if any(candidate in {m[0] for m in c.mentions} for _, c in example.context):
        f.append("C_in_context")
    if p in a.nisba:
        f.append(f"C_nisba_{side}")
        if p > 0 and a.tokens[p - 1] != _ACTOR:
            f.append(f"C_nisba_after={a.stems[p - 1]}")
    if before and before[-1][1] == candidate:
        f.append("C_nearest_before")
    if before and before[0][1] == candidate:
        f.append("C_first_before")
    rank = [x for _, x in reversed(before)]
    if candidate in rank:
        f.append(f"C_rank_before={min(rank.index(candidate), 2)}")
    if t < len(a.tokens):
        f.append("C_same_clause" if a.clause[p] == a.clause[t] else "C_other_clause")
        if a.quote[t] and not a.quote[p]:
            f.append(f"C_quote_opens_{side}")
        lo, hi = (p, t) if p < t else (t, p)
        between = {cls for s, e, cls in a.cues if s > lo and e <= hi}
        f += [f"C_between_{side}_{cls}" for cls in sorted(between)]
        if any(lo < q < hi for q, x in a.order if x not in (candidate, target)):
            f.append(f"C_actor_between_{side}")
        if any(a.tokens[q] in _THAT for q in range(lo + 1, hi)):
            f.append(f"C_that_between_{side}")
    if init_report:
        f.append(f"C_init_report_{side}")
    rep = pair.rep
    if rep is not None:
        if rep[1] <= p < rep[1] + 4:
            f.append(f"C_speaker_{p - rep[1]}")
        elif p < rep[0]:
            f.append("C_before_speech")
    if gov is not None:
        where = "before" if p < gov[0] else "after"
        f.append(f"C_gov_{gov[2]}_{where}")
        if where == "before" and a.clause[p] == a.clause[gov[0]]:
            f.append(f"C_gov_{gov[2]}_subject_clause")
    f += ["C" + x for x in _subject_features(a, p, f"{side}_")]
    return f


class HolderModel:
    """Conditional-logit choice of a pair's holder among the author and the actors around the target.

    Parameters
    ----------
    C : float, default=0.3
        Inverse L2 regularization.
    min_count : int, default=2
        Keep features seen in at least this many candidate rows.
    """

    def __init__(self, C: float = DEFAULT_C, min_count: int = 2) -> None:
        self.C = C
        self.min_count = min_count

    # -- features ------------------------------------------------------------

    def _rows(self, examples: Sequence[HolderExample], kinds: Mapping[str, str]):
        cands, feats, groups = [], [], [0]
        for ex in examples:
            cs = candidates(ex)
            cands.append([c for c, _ in cs])
            pair = _pair_context(ex, kinds)
            for c, d in cs:
                feats.append(_features(ex, c, d, kinds, pair))
            groups.append(len(feats))
        return cands, feats, np.asarray(groups)

    def _crossed_columns(self) -> dict[str, dict[str, int]]:
        """Per stance, the column of ``stance|x`` for every crossed feature ``x`` in the vocabulary."""
        crossed = self.__dict__.get("_crossed")
        if crossed is None:
            crossed = {"against": {}, "favor": {}}
            for name, column in self.index_.items():
                stance, bar, x = name.partition("|")
                if bar and stance in crossed and x.startswith(_CROSSED):
                    crossed[stance][x] = column
            self._crossed = crossed
        return crossed

    def _predict_rows(self, examples: Sequence[HolderExample], kinds: Mapping[str, str]):
        """Candidates, the matrix of :meth:`_rows`' features and the groups, without building the
        crossed feature names (their columns are looked up from the base features)."""
        index, crossed = self.index_, self._crossed_columns()
        cands, groups = [], [0]
        indptr, indices = [0], []
        # the author's word features are the sentence's: their columns once per sentence and stance
        word_columns: dict[tuple[int, str | None], tuple[_Analysis, list[int]]] = {}
        # the sentences' analyses, once per sentence object and only for this call (not kept in
        # _analyze's cache: they end with the batch, before the garbage collector would visit them)
        analyses: dict[int, tuple[Sentence, _Analysis]] = {}

        def analyze(sentence: Sentence) -> _Analysis:
            found = analyses.get(id(sentence))
            if found is None:
                found = analyses[id(sentence)] = (sentence, _analyze.__wrapped__(sentence))  # the key object kept alive
            return found[1]

        for ex in examples:
            cs = candidates(ex)
            cands.append([c for c, _ in cs])
            pair = _pair_context(ex, kinds, analyze)
            cross = crossed.get(ex.stance) if ex.stance in ("against", "favor") else None
            for c, d in cs:
                author = c == AUTHOR
                f = _base_features(ex, c, d, kinds, pair, words=not author)
                cols = set(map(index.get, f))
                if cross is not None:
                    cols.update(map(cross.get, f))
                if author:
                    key = (id(pair.a), ex.stance if cross is not None else None)
                    found = word_columns.get(key)
                    if found is None:
                        words = list(map(index.get, pair.a.words))
                        if cross is not None:
                            words += map(cross.get, pair.a.words)
                        found = word_columns[key] = (pair.a, words)  # the analysis kept alive: its id stays unique
                    cols.update(found[1])
                cols.discard(None)
                indices += sorted(cols)
                indptr.append(len(indices))
            groups.append(len(indptr) - 1)
        data = np.ones(len(indices))
        matrix = sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
                               shape=(len(indptr) - 1, len(self.vocabulary_)))
        return cands, matrix, np.asarray(groups)

    def _matrix(self, feats: list[list[str]]) -> sp.csr_matrix:
        index = self.index_
        indptr, indices = [0], []
        for f in feats:
            cols = sorted({index[x] for x in f if x in index})
            indices += cols
            indptr.append(len(indices))
        data = np.ones(len(indices))
        return sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
                             shape=(len(feats), len(self.vocabulary_)))

    # -- fitting ---------------------------------------------------------------

    def fit(self, examples: Sequence[HolderExample], holders: Sequence[str],
            kinds: Mapping[str, str]) -> "HolderModel":
        """Learn from pairs whose gold holder is a candidate (other pairs cannot teach a choice; skipped)."""
        from scipy.optimize import minimize

        keep = [i for i, (ex, h) in enumerate(zip(examples, holders)) if h in {c for c, _ in candidates(ex)}]
        examples = [examples[i] for i in keep]
        holders = [holders[i] for i in keep]
        if not examples:
            raise ValueError("no pair names a holder among its candidates: cannot fit the holder head")
        self.kinds_ = dict(kinds)
        cands, feats, groups = self._rows(examples, kinds)
        counts: dict[str, int] = {}
        for f in feats:
            for x in set(f):
                counts[x] = counts.get(x, 0) + 1
        self.vocabulary_ = sorted(x for x, n in counts.items() if n >= self.min_count)
        self.index_ = {x: i for i, x in enumerate(self.vocabulary_)}
        X = self._matrix(feats)
        gold = np.zeros(X.shape[0])
        for g, (cs, h) in enumerate(zip(cands, holders)):
            gold[groups[g] + cs.index(h)] = 1.0
        starts = groups[:-1]
        sizes = np.diff(groups)
        group_of = np.repeat(np.arange(len(starts)), sizes)
        lam = 1.0 / (2.0 * self.C)

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = X @ w
            zmax = np.maximum.reduceat(z, starts)
            e = np.exp(z - zmax[group_of])
            total = np.add.reduceat(e, starts)
            p = e / total[group_of]
            nll = -(gold * (z - zmax[group_of])).sum() + np.log(total).sum()
            grad = X.T @ (p - gold) + 2 * lam * w
            return nll + lam * float(w @ w), grad

        try:  # one BLAS thread: L-BFGS-B's small vector operations are many times slower threaded
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - installed with scikit-learn
            from contextlib import nullcontext as threadpool_limits
        with threadpool_limits(1):
            result = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
        self.coef_ = result.x
        self.n_train_ = len(examples)
        return self

    # -- prediction -------------------------------------------------------------

    def predict_proba(self, examples: Sequence[HolderExample],
                      kinds: Mapping[str, str] | None = None) -> list[dict[str, float]]:
        """Per pair, the probability of each candidate holder (they sum to 1)."""
        if not examples:
            return []
        cands, matrix, groups = self._predict_rows(examples, kinds if kinds is not None else self.kinds_)
        z = matrix @ self.coef_
        # the softmax of every pair's candidates (one or more: the author), exponentials at once; each sum as
        # numpy's own e.sum() of the pair gives it (in order below eight values, pairwise from eight on)
        starts, sizes = groups[:-1], np.diff(groups)
        e = np.exp(z - np.repeat(np.maximum.reduceat(z, starts), sizes))
        values = e.tolist()
        out = []
        for g, cs in enumerate(cands):
            a, b = groups[g], groups[g + 1]
            row = values[a:b]
            total = sum(row) if b - a < 8 else float(e[a:b].sum())
            out.append(dict(zip(cs, [v / total for v in row])))
        return out

    def predict(self, examples: Sequence[HolderExample],
                kinds: Mapping[str, str] | None = None) -> list[tuple[str, float]]:
        """Per pair, the most probable holder and its probability."""
        return [max(p.items(), key=lambda kv: kv[1]) for p in self.predict_proba(examples, kinds)]

    # -- persistence --------------------------------------------------------------

    def export_state(self) -> tuple[dict, dict[str, np.ndarray], dict[str, list]]:
        """JSON settings, numeric arrays and term lists for a model file."""
        settings = {"C": self.C, "min_count": self.min_count, "kinds": self.kinds_, "n_train": self.n_train_,
                    "context": CONTEXT}
        return settings, {"holder/coef": np.asarray(self.coef_, dtype=np.float64)}, \
            {"holder/vocabulary": list(self.vocabulary_)}

    @classmethod
    def restore_state(cls, settings: dict, arrays: dict[str, np.ndarray], texts: dict[str, list]) -> "HolderModel":
        """The head :meth:`export_state` described (data only)."""
        model = cls(C=float(settings["C"]), min_count=int(settings["min_count"]))
        model.kinds_ = {str(k): str(v) for k, v in settings["kinds"].items()}
        model.n_train_ = int(settings.get("n_train", 0))
        model.vocabulary_ = [str(x) for x in texts["holder/vocabulary"]]
        model.index_ = {x: i for i, x in enumerate(model.vocabulary_)}
        model.coef_ = np.asarray(arrays["holder/coef"], dtype=np.float64)
        if model.coef_.shape != (len(model.vocabulary_),):
            raise ValueError(f"holder head: {model.coef_.shape} coefficients for {len(model.vocabulary_)} features")
        return model


def baseline_author(example: HolderExample) -> str:
    """Rule baseline: the author always holds the stance."""
    return AUTHOR


def baseline_nearest_preceding(example: HolderExample) -> str:
    """Rule baseline: the nearest other actor mentioned before the target in the sentence, else the author."""
    a = _analyze(example.sentence)
    t = _anchor(a, example.target)
    before = [x for p, x in a.order if p < t and x != example.target]
    return before[-1] if before else AUTHOR


def sentence_of(text: str, inventory, date: str | None = None) -> Sentence:
    """A :class:`Sentence` with the mentions ``inventory`` finds in ``text``."""
    from .actors import match_actors

    return Sentence(text, tuple((m.actor, m.start, m.end) for m in match_actors(text, inventory, date)))


def dataset_examples(data, inventory, polar_only: bool = True,
                     signs: Sequence[str] | None = None) -> tuple[list[int], list[HolderExample], list[str]]:
    """Holder examples of the pairs of a :class:`~stance.datasets.Dataset` that name a source.

    Returns the pair indices, the examples (with the article's previous labeled lines as context) and
    the gold holders. ``polar_only`` keeps favor/against pairs (the ones whose holder matters).
    ``signs`` (per pair: ``against`` / ``favor``, e.g. the sign of a model's score) replaces the gold
    stance the examples carry, as at prediction time.
    """
    if len(data.sources) != len(data.pairs) or len(data.line_numbers) != len(data.pairs):
        return [], [], []  # a dataset assembled without per-pair sources: no holder examples
    by_line: dict[tuple[str, int], tuple[str, str | None]] = {}
    for pair, article, line in zip(data.pairs, data.articles, data.line_numbers):
        if line is not None:
            by_line[(article, line)] = (pair.text, pair.date)
    memo: dict[tuple[str, str | None], Sentence] = {}

    def sent(text: str, date: str | None) -> Sentence:
        if (text, date) not in memo:
            memo[(text, date)] = sentence_of(text, inventory, date)
        return memo[(text, date)]

    index, examples, gold = [], [], []
    for i, (pair, stance, source) in enumerate(zip(data.pairs, data.stances, data.sources)):
        if source is None or (polar_only and stance == "none"):
            continue
        context = []
        article, line = data.articles[i], data.line_numbers[i]
        if line is not None:
            for k in range(1, CONTEXT + 1):
                previous = by_line.get((article, line - k))
                if previous is not None:
                    context.append((k, sent(*previous)))
        index.append(i)
        sign = signs[i] if signs is not None else stance if stance != "none" else None
        examples.append(HolderExample(sent(pair.text, pair.date), pair.target, tuple(context), sign))
        gold.append(source)
    return index, examples, gold


def fit_holder_head(data, inventory, C: float = DEFAULT_C) -> HolderModel | None:
    """A fitted :class:`HolderModel` from a dataset's polar pairs with a source, or None when none has one."""
    _, examples, gold = dataset_examples(data, inventory)
    if not examples or not any(h in {c for c, _ in candidates(e)} for e, h in zip(examples, gold)):
        return None
    kinds = {a.id: a.kind for a in inventory.actors.values()}
    return HolderModel(C=C).fit(examples, gold, kinds)
