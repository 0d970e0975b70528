"""Actor inventory (a data file) and the clitic-aware, longest-match mention finder.

The inventory is TOML: one ``[[actors]]`` table per actor with ``id``, ``name_en``,
``name_ar``, ``kind``, ``aliases``, optional ``nisba`` (masculine singular
adjectives, inflected here) and ``holders`` (office holders with ``since`` /
``until`` dates). The default file ships in ``stance/data/actors.toml``.

Matching works on normalized tokens (see :mod:`stance.normalize`): the first
token of an alias may carry the clitics و ف + ب ل ك + ال (so وبالحشد, للحشد,
كالحشد all find الحشد); the following tokens must match exactly; the longest
alias wins (كتائب حزب الله is KH, not HEZBOLLAH). Mentions never start or end
inside a word. ``exclude`` phrases (عين الأسد, an airbase; واشنطن بوست, a
newspaper) take part in longest-match and then yield no mention; ``credits`` are
phrases that, standing alone in brackets, are a news credit and no mention
(«(الفرنسية)» is an AFP photo credit, «الفرنسية» elsewhere is French). The dual
feminine of a nisba (الأميركيتين) is not generated: in news it nearly always
means "the Americas". A holder is a dated alias (an office
holder, or a phrase whose referent depends on the period, such as قوات التحالف);
with no article date every holder matches, and of two equally long aliases the
one whose term has ended yields (see ``_yields``).

Context aliases (``context_aliases``) are generic organs that name an actor only in
an article about a given country or topic (الحكومة, القوات الأمنية, رئيس الوزراء in an
article about Iraq are IRQ_GOV; in one about Syria, SYR_GOV). ``[[contexts]]`` tables
say which mentions establish a context (actors, places, adjectives). They are never
matched by :func:`match_actors` (one sentence, no article); :func:`match_article`
resolves them per sentence from the unambiguous mentions of the sentence, else of
the whole article, and leaves them unmatched when no context dominates (see
``_dominant``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

from .normalize import Normalized, normalize, normalize_with_offsets
from .util import BoundedDict

__all__ = [
    "Actor",
    "ActorInventoryError",
    "Inventory",
    "Context",
    "ContextAlias",
    "Mention",
    "inventory_from_records",
    "load_actors",
    "mention_kind",
    "match_actors",
    "match_article",
]

KINDS = ("state", "government", "armed_group", "organisation", "people")
_ID_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_TOKEN_RE = re.compile(r"[^\W_]+")  # "_" separates words: hashtags such as #حزب_الله name actors
# Names broken up with dots and tatweel to dodge filters in social posts (حمـ.ـاس، حـ..ـمـ..ـا.س): a run of
# word pieces joined by dots or Arabic commas is one word when the original span holds a tatweel.
_OBFUSCATED_RE = re.compile(r"[^\W_]+(?:[.،,]+[^\W_]+)+")
_TATWEEL = "\u0640"
_NISBA_SUFFIXES = ("", "ه", "ين", "ون", "ان", "ات", "ا")
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
_MEMO_SIZE = 20000
_CANDIDATE_CACHE_SIZE = 500000


class ActorInventoryError(ValueError):
    """The inventory file is malformed; the message names the file, entry and fix."""


@dataclass(frozen=True)
class Holder:
    """An office holder alias valid between two dates (inclusive start)."""

    alias: str
    since: dt.date | None = None
    until: dt.date | None = None

    def active(self, date: dt.date | None) -> bool:
        """True when ``date`` is unknown or inside the term."""
        if date is None:
            return True
        if self.since is not None and date < self.since:
            return False
        return self.until is None or date < self.until


@dataclass(frozen=True)
class ContextAlias:
    """An alias that names its actor only in an article of context ``context`` (and in its term)."""

    alias: str
    context: str
    since: dt.date | None = None
    until: dt.date | None = None

    def active(self, date: dt.date | None) -> bool:
        """True when ``date`` is unknown or inside the term."""
        return Holder(self.alias, self.since, self.until).active(date)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "alias": self.alias,
            "context": self.context,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True)
class Context:
    """A country or topic an article can be about, and the mentions that establish it.

    ``actors``: mentions of these actors count for the context; ``places``: phrases
    (matched like aliases, clitic-aware); ``nisba``: adjectives, inflected like an
    actor's nisba.
    """

    id: str
    name_en: str
    actors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    nisba: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"id": self.id, "name_en": self.name_en, "actors": list(self.actors),
                "places": list(self.places), "nisba": list(self.nisba)}


@dataclass(frozen=True)
class Actor:
    """One actor of the inventory."""

    id: str
    name_en: str
    name_ar: str
    kind: str
    aliases: tuple[str, ...] = ()
    nisba: tuple[str, ...] = ()
    holders: tuple[Holder, ...] = ()
    exclude: tuple[str, ...] = ()
    context_aliases: tuple[ContextAlias, ...] = ()
    credits: tuple[str, ...] = ()  # phrases that, alone in brackets, are a news credit: «(الفرنسية)»

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``credits`` only when there are some, so older inventories keep their form)."""
        out: dict[str, object] = {
            "id": self.id,
            "name_en": self.name_en,
            "name_ar": self.name_ar,
            "kind": self.kind,
            "aliases": list(self.aliases),
            "nisba": list(self.nisba),
            "exclude": list(self.exclude),
            "holders": [
                {
                    "alias": h.alias,
                    "since": h.since.isoformat() if h.since else None,
                    "until": h.until.isoformat() if h.until else None,
                }
                for h in self.holders
            ],
            "context_aliases": [c.to_dict() for c in self.context_aliases],
        }
        if self.credits:
            out["credits"] = list(self.credits)
        return out


@dataclass(frozen=True)
class Mention:
    """An actor mention: ``text[start:end] == surface`` in the ORIGINAL text.

    ``surface`` includes clitics attached to the first word (وللحشد الشعبي).
    ``context`` is the context id (``IRQ``) that resolved a context alias, else None.
    """

    actor: str
    alias: str
    start: int
    end: int
    surface: str
    context: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``context`` only for context-resolved mentions)."""
        out: dict[str, object] = {
            "actor": self.actor,
            "alias": self.alias,
            "start": self.start,
            "end": self.end,
            "surface": self.surface,
        }
        if self.context is not None:
            out["context"] = self.context
        return out


@dataclass(frozen=True)
class _Pattern:
    tokens: tuple[str, ...]
    actor: str
    alias: str
    holder: Holder | None


@dataclass
class Inventory:
    """A loaded inventory with its compiled alias index."""

    actors: dict[str, Actor]
    source: str = "<default>"
    contexts: dict[str, Context] = field(default_factory=dict)
    _index: dict[str, list[_Pattern]] = field(default_factory=dict, repr=False)
    _context_index: dict[str, list["_ContextPattern"]] = field(default_factory=dict, repr=False)
    _actor_contexts: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _memo: BoundedDict = field(default_factory=lambda: BoundedDict(_MEMO_SIZE), repr=False)
    _candidates: BoundedDict = field(default_factory=lambda: BoundedDict(_CANDIDATE_CACHE_SIZE), repr=False)
    # (text, norm, words, values, candidates) of the last _match
    _last_words: tuple | None = field(default=None, repr=False)
    _credits: dict[str, frozenset] = field(default_factory=dict, repr=False)  # actor -> normalized credits
    _alias_kinds: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)  # see mention_kind

    def __post_init__(self) -> None:
        self._index = _build_index(self.actors.values())
        self._credits = {a.id: frozenset(" ".join(_tokens(c)) for c in a.credits)
                         for a in self.actors.values() if a.credits}
        self._context_index = _build_context_index(self.actors.values(), self.contexts.values())
        self._alias_kinds = {(a.id, alias): kind for a in self.actors.values()
                             for kind, aliases in (("person", [h.alias for h in a.holders]), ("nisba", a.nisba))
                             for alias in aliases}
        signals: dict[str, list[str]] = {}
        for ctx in self.contexts.values():
            for actor_id in ctx.actors:
                signals.setdefault(actor_id, []).append(ctx.id)
        self._actor_contexts = {a: tuple(c) for a, c in signals.items()}

    @property
    def ids(self) -> list[str]:
        """Actor ids in inventory order."""
        return list(self.actors)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self.actors

    def __getitem__(self, actor_id: str) -> Actor:
        return self.actors[actor_id]

    def restrict(self, ids: Iterable[str]) -> "Inventory":
        """A new inventory with only ``ids`` (unknown ids raise ``KeyError``)."""
        wanted = list(ids)
        missing = [i for i in wanted if i not in self.actors]
        if missing:
            raise KeyError(
                f"unknown actor id(s) {', '.join(missing)}; known: {', '.join(self.actors)}"
            )
        return Inventory({i: self.actors[i] for i in wanted}, self.source, dict(self.contexts))

    def find(self, text: str, date: dt.date | str | None = None) -> list[Mention]:
        """Find every actor mention in ``text``; offsets point into ``text``."""
        return match_actors(text, self, date)

    @property
    def has_context_aliases(self) -> bool:
        """True when some actor has context aliases and a context is defined."""
        return bool(self._context_index) and bool(self.contexts)

    def to_records(self) -> list[dict[str, object]]:
        """The actors as JSON-ready dicts, in inventory order, then ``{"context": ...}`` per context
        (what a model file embeds)."""
        return [a.to_dict() for a in self.actors.values()] + [
            {"context": c.to_dict()} for c in self.contexts.values()
        ]

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of the actors and contexts: equal inventories, equal fingerprints."""
        import hashlib
        import json

        text = json.dumps(self.to_records(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def clear_memo(self) -> None:
        """Forget the sentences matched so far (the memo only serves one batch)."""
        self._memo.clear()

    def extended(self, other: "Inventory") -> "Inventory":
        """This inventory plus ``other``'s actors and contexts (same id: ``other`` wins)."""
        return Inventory({**self.actors, **other.actors}, other.source, {**self.contexts, **other.contexts})

    def __repr__(self) -> str:
        return f"Inventory({len(self.actors)} actors from {self.source})"


def _nisba_forms(base: str) -> list[str]:
    stem = normalize(base)
    return [stem + suffix for suffix in _NISBA_SUFFIXES]


def _tokens(alias: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(normalize(alias)))


def _build_index(actors: Iterable[Actor]) -> dict[str, list[_Pattern]]:
    index: dict[str, list[_Pattern]] = {}
    seen: set[tuple[tuple[str, ...], str, Holder | None]] = set()

    def add(tokens: tuple[str, ...], actor: str, alias: str, holder: Holder | None) -> None:
        if not tokens or (tokens, actor, holder) in seen:
            return
        seen.add((tokens, actor, holder))
        index.setdefault(tokens[0], []).append(_Pattern(tokens, actor, alias, holder))

    for actor in actors:
        for alias in actor.aliases:
            add(_tokens(alias), actor.id, alias, None)
        for base in actor.nisba:
            for form in _nisba_forms(base):
                add((form,), actor.id, base, None)
                add(("ال" + form,), actor.id, base, None)
        for holder in actor.holders:
            add(_tokens(holder.alias), actor.id, holder.alias, holder)
        for phrase in actor.exclude:
            add(_tokens(phrase), "", phrase, None)  # wins by length, then yields no mention
    for patterns in index.values():
        patterns.sort(key=lambda p: (-len(p.tokens), -sum(map(len, p.tokens))))
    return index


def _stems(token: str) -> list[tuple[str, int]]:
    """Candidate stems of ``token`` with the number of prefix letters removed."""
    out: list[tuple[str, int]] = []
    for conj in _CONJUNCTIONS:
        if not token.startswith(conj):
            continue
        rest = token[len(conj):]
        for prep in _PREPOSITIONS:
            if not rest.startswith(prep):
                continue
            stem = rest[len(prep):]
            if len(stem) >= 2:
                out.append((stem, len(conj) + len(prep)))
            if prep == "ل" and stem.startswith("ل") and len(stem) >= 3:
                out.append(("ا" + stem, len(conj) + len(prep)))  # لل = ل + ال
    return out


def mention_kind(mention: Mention, inventory: Inventory) -> str:
    """How a mention names its actor: ``nisba`` (an adjective: الأميركية), ``person`` (an office holder:
    بايدن), ``context`` (a context alias: الحكومة) or ``name`` (a name, capital or institution)."""
    if mention.context is not None:
        return "context"
    return inventory._alias_kinds.get((mention.actor, mention.alias), "name")


def _parse_date(date: dt.date | str | None) -> dt.date | None:
    if date is None or isinstance(date, dt.date):
        return date
    text = str(date).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:7] + "-01")
        except ValueError:
            return None


def match_actors(
    text: str, inventory: Inventory | None = None, date: dt.date | str | None = None
) -> list[Mention]:
    """Find actor mentions in ``text``.

    Parameters
    ----------
    text : str
        Original text (a sentence or a whole article).
    inventory : Inventory, optional
        Defaults to the bundled inventory.
    date : date or ISO string, optional
        Article date; office holders only match inside their term when given.

    Returns
    -------
    list of Mention
        Non-overlapping, in text order; ``text[m.start:m.end] == m.surface``.

    Examples
    --------
    >>> [m.actor for m in match_actors("استهدفت كتائب حزب الله القوات الأميركية")]
    ['KH', 'US']
    """
    inventory = inventory if inventory is not None else load_actors()
    day = _parse_date(date)
    key = (text, day)
    memo = inventory._memo
    if key in memo:
        return list(memo[key])
    mentions = _match(text, inventory, day)
    memo.put(key, mentions)  # a sentence is looked up by the profile and the features, then rarely again
    return list(mentions)


def _candidates(token: str, inventory: Inventory) -> tuple[tuple[tuple["_Pattern", ...], ...],
                                                          tuple[tuple["_ContextPattern", ...], ...]]:
    """Alias patterns and context-index patterns that may start at ``token``, each grouped by stem in
    :func:`_stems` order (most tokens have none); cached per word."""
    cache = inventory._candidates
    found = cache.get(token)
    if found is None:
        index, context_index = inventory._index, inventory._context_index
        stems = [stem for stem, _ in _stems(token)]
        found = (tuple(tuple(index[stem]) for stem in stems if stem in index),
                 tuple(tuple(context_index[stem]) for stem in stems if stem in context_index))
        if found == _NO_CANDIDATES:
            found = _NO_CANDIDATES
        cache.put(token, found)
    return found


_NO_CANDIDATES: tuple = ((), ())  # what most words get (shared)


def _word_candidates(values: list[str], inventory: Inventory) -> list[tuple]:
    """:func:`_candidates` of every word."""
    cached = inventory._candidates.get
    return [cached(v) or _candidates(v, inventory) for v in values]


def _yields(pattern: _Pattern, day: dt.date | None) -> bool:
    """True when ``pattern`` gives way to an equally long alias without an end date.

    Without an article date every dated alias is active, so a phrase dated for two
    actors in different periods (قوات التحالف: the US-led force 2003–2011, the
    anti-ISIS coalition from 2014-09) would go to whichever comes first in the
    file. Undated text is taken to be current: an alias whose term has ended
    yields to an equally long alias (or exclude) whose term has not.
    """
    return day is None and pattern.holder is not None and pattern.holder.until is not None


def _words(norm: "Normalized", text: str) -> list[tuple[str, int, int]]:
    """(value, start, end) of the words of the normalized text, obfuscated names rejoined."""
    words = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(norm.text)]
    if _TATWEEL not in text:
        return words
    joined = []
    for m in _OBFUSCATED_RE.finditer(norm.text):
        start, end = norm.to_original(m.start(), m.end())
        if _TATWEEL in text[start:end]:
            joined.append((re.sub(r"[.،,]", "", m.group()), m.start(), m.end()))
    if not joined:
        return words
    out: list[tuple[str, int, int]] = []
    k = 0
    for word in words:
        while k < len(joined) and joined[k][2] <= word[1]:
            k += 1
        if k < len(joined) and joined[k][1] <= word[1] < joined[k][2]:
            if not out or out[-1] is not joined[k]:
                out.append(joined[k])
            continue
        out.append(word)
    return out


def _match(text: str, inventory: Inventory, day: dt.date | None) -> list[Mention]:
    """The matching itself (see :func:`match_actors`)."""
    norm = normalize_with_offsets(text)
    words = _words(norm, text)
    values = [w[0] for w in words]
    candidates = _word_candidates(values, inventory)
    if inventory._context_index:  # match_article scans the same words right after
        inventory._last_words = (text, norm, words, values, candidates)
    mentions: list[Mention] = []
    i = 0
    for k, found in enumerate(candidates):
        if k < i or not found[0]:
            continue  # inside the last mention, or no alias starts at this word
        i = k
        best: _Pattern | None = None
        for group in found[0]:
            for pattern in group:
                n = len(pattern.tokens)
                if best is not None and (
                    n < len(best.tokens) or (n == len(best.tokens) and not _yields(best, day))
                ):
                    break
                if tuple(values[i + 1 : i + n]) != pattern.tokens[1:]:
                    continue
                if pattern.holder is not None and not pattern.holder.active(day):
                    continue
                if best is not None and n == len(best.tokens) and _yields(pattern, day):
                    continue  # an equally long ended-term alias never displaces the first match
                best = pattern
                if not _yields(best, day):
                    break
        if best is None:
            continue
        last = i + len(best.tokens) - 1
        if best.actor:
            start, end = norm.to_original(words[i][1], words[last][2])
            credits = inventory._credits.get(best.actor)
            if not (credits and " ".join(values[i:last + 1]) in credits and _bracketed(text, start, end)):
                mentions.append(Mention(best.actor, best.alias, start, end, text[start:end]))
        i = last + 1
    return mentions


_CREDIT_OPEN = re.compile(r"[(\[]\s*$")
_CREDIT_CLOSE = re.compile(r"^\s*(?:[)\]]|[-–—/]\s*\w+\s*[)\]])")


def _bracketed(text: str, start: int, end: int) -> bool:
    """The span stands alone in brackets, as a credit does: «(الفرنسية)», «(الفرنسية - ارشيف)»."""
    before, after = text[max(0, start - 3):start], text[end:end + 16]
    return bool(_CREDIT_OPEN.search(before)) and bool(_CREDIT_CLOSE.match(after))


@dataclass
class _ContextPattern:
    """A phrase of the context index: a context alias (per context, its actors) and/or a context signal."""

    tokens: tuple[str, ...]
    aliases: dict[str, list[tuple[str, ContextAlias]]] = field(default_factory=dict)
    signals: set[str] = field(default_factory=set)


def _build_context_index(actors: Iterable[Actor], contexts: Iterable[Context]) -> dict[str, list[_ContextPattern]]:
    by_tokens: dict[tuple[str, ...], _ContextPattern] = {}

    def get(tokens: tuple[str, ...]) -> _ContextPattern:
        if tokens not in by_tokens:
            by_tokens[tokens] = _ContextPattern(tokens)
        return by_tokens[tokens]

    for actor in actors:
        for ca in actor.context_aliases:
            tokens = _tokens(ca.alias)
            if tokens:
                get(tokens).aliases.setdefault(ca.context, []).append((actor.id, ca))
    for ctx in contexts:
        for place in ctx.places:
            tokens = _tokens(place)
            if tokens:
                get(tokens).signals.add(ctx.id)
        for base in ctx.nisba:
            for form in _nisba_forms(base):
                get((form,)).signals.add(ctx.id)
                get(("ال" + form,)).signals.add(ctx.id)
    index: dict[str, list[_ContextPattern]] = {}
    for pattern in by_tokens.values():
        index.setdefault(pattern.tokens[0], []).append(pattern)
    for patterns in index.values():
        patterns.sort(key=lambda p: (-len(p.tokens), -sum(map(len, p.tokens))))
    return index


# A definite word ending like a nisba (الحكومة اللبنانية, رئيس الوزراء البريطاني) qualifies the generic
# organ before it with some country: the context alias then names that country's organ, not the context's.
_QUALIFIER_ENDINGS = ("ي", "يه", "يين", "يون", "يان", "يات")


def _qualified(word: str) -> bool:
    """True when ``word`` reads as a definite nisba: ال, a base of three letters or more, a nisba ending
    (so «وألوية», brigades, normalized «والويه», is not one)."""
    for stem, _ in _stems(word):
        if stem.startswith("ال") and any(stem.endswith(e) and len(stem) - 2 - len(e) >= 3 for e in _QUALIFIER_ENDINGS):
            return True
    return False


def _dominant(counts: dict[str, int], among: Iterable[str] | None = None) -> str | None:
    """The context with at least twice the evidence of every other one (None when there is none or a tie)."""
    items = sorted(((n, c) for c, n in counts.items() if n > 0 and (among is None or c in among)), reverse=True)
    if not items:
        return None
    if len(items) > 1 and items[0][0] < 2 * items[1][0]:
        return None
    return items[0][1]


@dataclass
class _Scan:
    """Context-index hits ``(first word, last word, pattern)`` of a sentence, with its words."""

    hits: list[tuple[int, int, _ContextPattern]]
    norm: Normalized
    words: list[tuple[str, int, int]]
    values: list[str]

    def spans(self) -> list[tuple[int, int]]:
        """The words' spans in the original sentence."""
        return [self.norm.to_original(w[1], w[2]) for w in self.words]


def _context_scan(text: str, inventory: Inventory) -> _Scan:
    """The context-index hits of ``text`` (the words of the last :func:`_match` when it was this text)."""
    cached = inventory._last_words
    if cached is not None and cached[0] == text:
        _, norm, words, values, candidates = cached
    else:
        norm = normalize_with_offsets(text)
        words = _words(norm, text)
        values = [w[0] for w in words]
        candidates = _word_candidates(values, inventory)
    hits: list[tuple[int, int, _ContextPattern]] = []
    i = 0
    for k, found in enumerate(candidates):
        if k < i or not found[1]:
            continue  # inside the last hit, or no context phrase starts at this word
        i = k
        best: _ContextPattern | None = None
        for group in found[1]:
            for pattern in group:
                n = len(pattern.tokens)
                if best is not None and n <= len(best.tokens):
                    break
                if tuple(values[i + 1 : i + n]) == pattern.tokens[1:]:
                    best = pattern
                    break
        if best is None:
            continue
        hits.append((i, i + len(best.tokens) - 1, best))
        i += len(best.tokens)
    return _Scan(hits, norm, words, values)


def match_article(
    sentences: Sequence[str], inventory: Inventory | None = None, date: dt.date | str | None = None
) -> list[list[Mention]]:
    """Mentions of each sentence of one article, context aliases resolved from the article.

    Every sentence gets its :func:`match_actors` mentions; a context alias (الحكومة) is
    added when its context (``IRQ``) is the sentence's: the one context with evidence
    (mentions of the context's actors, places and adjectives) in the sentence, or, when
    several compete, the one with at least twice the evidence of each other; when the
    sentence has no evidence, the same rule over the whole article. With no dominant
    context, or none the alias names an actor in, the alias stays unmatched. A
    resolved alias replaces the plain mentions inside its span (قوات الاحتلال: US in
    Iraq 2003-2011, where the plain ISR alias الاحتلال would match), is dropped when it
    overlaps a longer plain mention (الحكومة inside الحكومة العراقية), when the next
    word qualifies it with a country (الحكومة اللبنانية) or starts another actor's mention,
    and when it is placed in another actor's country (الشرطة في فرنسا; الجيش في بغداد stays).

    Parameters
    ----------
    sentences : sequence of str
        The article's sentences, in order.
    inventory : Inventory, optional
        Defaults to the bundled inventory.
    date : date or ISO string, optional
        Article date (office holders and dated context aliases).

    Returns
    -------
    list of list of Mention
        One list per sentence, offsets into that sentence, in text order.
    """
    inventory = inventory if inventory is not None else load_actors()
    if not inventory.has_context_aliases:
        return [match_actors(text, inventory, date) for text in sentences]
    day = _parse_date(date)
    plain, scans = [], []
    for text in sentences:  # scan right after matching: the words are still at hand
        plain.append(match_actors(text, inventory, date))
        scans.append(_context_scan(text, inventory))
    local: list[dict[str, int]] = []
    total: dict[str, int] = {}
    for mentions, scan in zip(plain, scans):
        counts: dict[str, int] = {}
        for m in mentions:
            for c in inventory._actor_contexts.get(m.actor, ()):
                counts[c] = counts.get(c, 0) + 1
        for _, _, pattern in scan.hits:
            for c in pattern.signals:
                counts[c] = counts.get(c, 0) + 1
        local.append(counts)
        for c, n in counts.items():
            total[c] = total.get(c, 0) + n
    article_context = _dominant(total)
    out: list[list[Mention]] = []
    for text, mentions, counts, scan in zip(sentences, plain, local, scans):
        aliases = [h for h in scan.hits if h[2].aliases]
        if not aliases:
            out.append(mentions)
            continue
        if counts:
            context = _dominant(counts)
            if context is None and article_context is not None:
                top = max(counts.values())
                if counts.get(article_context, 0) == top:
                    context = article_context  # a tie in the sentence, broken by the article
        else:
            context = article_context
        if context is None:
            out.append(mentions)
            continue
        resolved = list(mentions)
        spans, values = scan.spans(), scan.values
        for first, last, pattern in aliases:
            actors = {a for a, ca in pattern.aliases.get(context, ()) if ca.active(day)}
            if len(actors) != 1:
                continue
            start, end = spans[first][0], spans[last][1]
            inside = [m for m in resolved if m.start < end and start < m.end]
            if any(m.start < start or m.end > end for m in inside):
                continue  # part of a longer plain mention
            actor = actors.pop()
            if last + 1 < len(values):
                nxt_start = spans[last + 1][0]
                if _qualified(values[last + 1]) or any(m.start == nxt_start for m in resolved):
                    continue
                if values[last + 1] == "في" and last + 2 < len(values):  # «الشرطة في فرنسا»: another actor's organ
                    after = spans[last + 2][0]
                    if any(m.start == after and m.actor != actor for m in resolved):
                        continue
            alias = next(ca.alias for a, ca in pattern.aliases[context] if a == actor)
            resolved = [m for m in resolved if m not in inside]
            resolved.append(Mention(actor, alias, start, end, text[start:end], context))
        resolved.sort(key=lambda m: m.start)
        out.append(resolved)
    return out


def _check_str(path: str, where: str, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ActorInventoryError(f"{path}: {where}: {key!r} must be a non-empty string")
    return value.strip()


def _check_date(path: str, where: str, key: str, value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ActorInventoryError(
            f"{path}: {where}: {key} {value!r} is not a date; write it as YYYY-MM-DD"
        ) from None


def _tables(path: str, where: str, entry: dict, key: str, what: str, example: str) -> list[dict]:
    """The list of tables under ``key`` of an inventory entry (errors name the file, entry and form)."""
    tables = entry.get(key, [])
    if not isinstance(tables, list):
        raise ActorInventoryError(f"{path}: {where}: {key!r} must be a list of tables")
    for t in tables:
        if not isinstance(t, dict):
            raise ActorInventoryError(f"{path}: {where}: each {what} must be a table {example}")
    return tables


def _term(path: str, where: str, table: dict) -> tuple[dt.date | None, dt.date | None]:
    """The ``since`` and ``until`` dates of a dated alias."""
    return (_check_date(path, where, "since", table.get("since")),
            _check_date(path, where, "until", table.get("until")))


def _parse_actor(path: str, n: int, entry: object) -> Actor:
    where = f"actor #{n}"
    if not isinstance(entry, dict):
        raise ActorInventoryError(f"{path}: {where}: expected a table [[actors]]")
    actor_id = _check_str(path, where, "id", entry.get("id"))
    where = f"actor {actor_id!r}"
    if not _ID_RE.match(actor_id):
        raise ActorInventoryError(
            f"{path}: {where}: id must be UPPER_SNAKE_CASE letters, digits and _ (e.g. 'IRQ_GOV')"
        )
    kind = _check_str(path, where, "kind", entry.get("kind"))
    if kind not in KINDS:
        raise ActorInventoryError(
            f"{path}: {where}: kind {kind!r} is unknown; use one of {', '.join(KINDS)}"
        )
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("aliases", "nisba", "exclude", "credits"):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ActorInventoryError(
                f"{path}: {where}: {key!r} must be a list of non-empty strings"
            )
        lists[key] = tuple(v.strip() for v in value)
    holders = []
    for h in _tables(path, where, entry, "holders", "holder", "{alias = ..., since = ...}"):
        alias = _check_str(path, where, "holders.alias", h.get("alias"))
        holders.append(Holder(alias, *_term(path, f"{where} holder {alias!r}", h)))
    context_aliases = []
    for c in _tables(path, where, entry, "context_aliases", "context alias", '{alias = ..., context = "IRQ"}'):
        alias = _check_str(path, where, "context_aliases.alias", c.get("alias"))
        ctx = _check_str(path, f"{where} context alias {alias!r}", "context", c.get("context"))
        extra = set(c) - {"alias", "context", "since", "until"}
        if extra:
            raise ActorInventoryError(
                f"{path}: {where} context alias {alias!r}: unknown key(s) {', '.join(sorted(extra))}; "
                "allowed: alias, context, since, until"
            )
        context_aliases.append(ContextAlias(alias, ctx, *_term(path, f"{where} context alias {alias!r}", c)))
    if not lists["aliases"] and not lists["nisba"] and not holders and not context_aliases:
        raise ActorInventoryError(
            f"{path}: {where}: alias list is empty; add at least one alias or delete the entry"
        )
    unknown = set(entry) - {"id", "name_en", "name_ar", "kind", "aliases", "nisba", "holders", "exclude",
                            "context_aliases", "credits"}
    if unknown:
        raise ActorInventoryError(
            f"{path}: {where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
            "id, name_en, name_ar, kind, aliases, nisba, holders, exclude, context_aliases, credits"
        )
    return Actor(
        id=actor_id,
        name_en=_check_str(path, where, "name_en", entry.get("name_en")),
        name_ar=_check_str(path, where, "name_ar", entry.get("name_ar")),
        kind=kind,
        aliases=lists["aliases"],
        nisba=lists["nisba"],
        holders=tuple(holders),
        exclude=lists["exclude"],
        context_aliases=tuple(context_aliases),
        credits=lists["credits"],
    )


def _parse_context(path: str, n: int, entry: object) -> Context:
    where = f"context #{n}"
    if not isinstance(entry, dict):
        raise ActorInventoryError(f"{path}: {where}: expected a table [[contexts]]")
    ctx_id = _check_str(path, where, "id", entry.get("id"))
    where = f"context {ctx_id!r}"
    if not _ID_RE.match(ctx_id):
        raise ActorInventoryError(f"{path}: {where}: id must be UPPER_SNAKE_CASE letters, digits and _ (e.g. 'IRQ')")
    unknown = set(entry) - {"id", "name_en", "actors", "places", "nisba"}
    if unknown:
        raise ActorInventoryError(
            f"{path}: {where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: id, name_en, actors, places, nisba"
        )
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("actors", "places", "nisba"):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ActorInventoryError(f"{path}: {where}: {key!r} must be a list of non-empty strings")
        lists[key] = tuple(v.strip() for v in value)
    if not any(lists.values()):
        raise ActorInventoryError(
            f"{path}: {where}: no evidence; list the actors, places or nisba that establish the context"
        )
    name = entry.get("name_en", ctx_id)
    return Context(ctx_id, str(name), lists["actors"], lists["places"], lists["nisba"])


def parse_inventory_file(text: str, source: str) -> tuple[dict[str, Actor], dict[str, Context]]:
    """Parse inventory TOML text into actors and contexts; errors name ``source`` and the entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ActorInventoryError(f"{source}: not valid TOML ({exc}); fix the syntax") from None
    entries = data.get("actors")
    if not isinstance(entries, list) or not entries:
        raise ActorInventoryError(
            f"{source}: no [[actors]] tables found; each actor is a [[actors]] table"
        )
    actors: dict[str, Actor] = {}
    for n, entry in enumerate(entries, 1):
        actor = _parse_actor(source, n, entry)
        if actor.id in actors:
            raise ActorInventoryError(
                f"{source}: actor {actor.id!r} is defined twice; merge the two entries"
            )
        actors[actor.id] = actor
    raw_contexts = data.get("contexts", [])
    if not isinstance(raw_contexts, list):
        raise ActorInventoryError(f"{source}: 'contexts' must be [[contexts]] tables")
    contexts: dict[str, Context] = {}
    for n, entry in enumerate(raw_contexts, 1):
        ctx = _parse_context(source, n, entry)
        if ctx.id in contexts:
            raise ActorInventoryError(f"{source}: context {ctx.id!r} is defined twice; merge the two entries")
        contexts[ctx.id] = ctx
    return actors, contexts


def _check_context_refs(source: str, actors: dict[str, Actor], contexts: dict[str, Context]) -> None:
    for actor in actors.values():
        for ca in actor.context_aliases:
            if ca.context not in contexts:
                raise ActorInventoryError(
                    f"{source}: actor {actor.id!r} context alias {ca.alias!r}: context {ca.context!r} is not "
                    f"defined; add a [[contexts]] table with id = {ca.context!r} (known: {', '.join(contexts) or 'none'})"
                )


def parse_inventory(text: str, source: str) -> dict[str, Actor]:
    """Parse inventory TOML text; errors name ``source`` and the entry."""
    actors, contexts = parse_inventory_file(text, source)
    _check_context_refs(source, actors, contexts)
    return actors


def inventory_from_records(records: list, source: str) -> Inventory:
    """Rebuild an inventory from :meth:`Inventory.to_records` output (validated like a TOML file)."""
    if not isinstance(records, list) or not records:
        raise ActorInventoryError(f"{source}: the embedded inventory has no actors")
    actors: dict[str, Actor] = {}
    contexts: dict[str, Context] = {}
    for n, entry in enumerate(records, 1):
        if isinstance(entry, dict) and set(entry) == {"context"}:
            ctx = _parse_context(source, len(contexts) + 1, entry["context"])
            contexts[ctx.id] = ctx
            continue
        actor = _parse_actor(source, n, entry)
        if actor.id in actors:
            raise ActorInventoryError(f"{source}: actor {actor.id!r} is defined twice")
        actors[actor.id] = actor
    if not actors:
        raise ActorInventoryError(f"{source}: the embedded inventory has no actors")
    _check_context_refs(source, actors, contexts)
    return Inventory(actors, source, contexts)


@lru_cache(maxsize=1)
def _default_inventory() -> Inventory:
    ref = resources.files("stance").joinpath("data/actors.toml")
    source = "<default actors.toml>"
    actors, contexts = parse_inventory_file(ref.read_text(encoding="utf-8"), source)
    _check_context_refs(source, actors, contexts)
    return Inventory(actors, "<default>", contexts)


@lru_cache(maxsize=16)
def _file_inventory(path: str, mtime: float, extend: bool) -> Inventory:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ActorInventoryError(f"{path}: cannot read the inventory ({exc})") from None
    actors, contexts = parse_inventory_file(text, path)
    if extend:
        merged = dict(_default_inventory().actors)
        merged.update(actors)
        actors = merged
        merged_contexts = dict(_default_inventory().contexts)
        merged_contexts.update(contexts)
        contexts = merged_contexts
    else:  # a replacing file may still use the default contexts (context = "IRQ") without copying them
        default = _default_inventory().contexts
        for actor in actors.values():
            for ca in actor.context_aliases:
                if ca.context not in contexts and ca.context in default:
                    contexts[ca.context] = default[ca.context]
    _check_context_refs(path, actors, contexts)
    return Inventory(actors, path, contexts)


def load_actors(path: str | Path | None = None, *, extend: bool = False) -> Inventory:
    """Load an actor inventory.

    Parameters
    ----------
    path : str or Path, optional
        A TOML inventory; the bundled default when omitted.
    extend : bool, default=False
        Add the file's actors to the default ones (same id: the file wins)
        instead of replacing them.

    Raises
    ------
    ActorInventoryError
        Malformed file; the message names the file, the entry and the fix.
    """
    if path is None:
        return _default_inventory()
    p = Path(path)
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise ActorInventoryError(f"{path}: cannot read the inventory ({exc.strerror})") from None
    return _file_inventory(str(p), mtime, extend)
