"""Readable evidence: feature names turned into words, n-grams in the sentence's own spelling.

The model's features are named ``view:term`` over normalized text (``window:L_علي``,
``cross:us|الحشد``, ``cross:T=us``, ``struct:Q_attack|L|d2``). :func:`describe` says the same in words,
with the n-gram as it is spelled in the sentence: ``«عليّ» before the actor``, ``«الحشد» in the
sentence, for this actor``, ``the actor itself (its usual stance)``, ``an attack word before the actor
(2–3 words away)``.
"""

from __future__ import annotations

import re

from .normalize import normalize_with_offsets

__all__ = ["describe"]

_PLACEHOLDERS = {"TGT": "[the actor]", "OTH": "[another actor]"}
_WORD_RE = re.compile(r"\w+|[^\w\s]")


def _original(words: list[str], sentence: str) -> str:
    """The words as the sentence spells them (the first occurrence of the normalized sequence)."""
    norm = normalize_with_offsets(sentence)
    tokens = [(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(norm.text)]
    n = len(words)
    for i in range(len(tokens) - n + 1):
        if [t for t, _, _ in tokens[i:i + n]] == words:
            start, end = norm.to_original(tokens[i][1], tokens[i + n - 1][2])
            while end < len(sentence) and _dropped(sentence[end]):  # diacritics after the last letter
                end += 1
            return sentence[start:end]
    return " ".join(words)


def _dropped(c: str) -> bool:
    """A character normalization removes (diacritic, tatweel): it belongs to the word before it."""
    import unicodedata

    return c == "\u0640" or unicodedata.category(c) == "Mn"


def _phrase(tokens: list[str], sentence: str) -> str:
    """Tokens in the sentence's spelling; placeholders for actors said in words."""
    parts: list[str] = []
    run: list[str] = []
    for t in tokens + [None]:  # type: ignore[list-item]
        if t is None or t in _PLACEHOLDERS:
            if run:
                parts.append(f"«{_original(run, sentence)}»")
                run = []
            if t is not None:
                parts.append(_PLACEHOLDERS[t])
        else:
            run.append(t)
    return " ".join(parts)


def _char_ngram(term: str, sentence: str) -> str:
    norm = normalize_with_offsets(sentence)
    at = norm.text.find(term.strip())
    if at < 0:
        return f"«{term.strip()}»"
    start, end = norm.to_original(at, at + len(term.strip()))
    while end < len(sentence) and _dropped(sentence[end]):
        end += 1
    return f"«{sentence[start:end]}»"


def describe(feature: str, sentence: str) -> str:
    """One feature name in words, its n-gram in the spelling of ``sentence``."""
    view, _, term = feature.partition(":")
    if view == "window":
        if term == "NO_MENTION":
            return "the actor is not named in the sentence"
        if term.startswith("M_"):
            return _mark(term[2:], sentence)
        side, _, rest = term.partition("_")
        where = "before the actor" if side == "L" else "after the actor"
        return f"{_phrase(rest.split('_'), sentence)} {where}"
    if view == "cross":
        if term.startswith("T="):
            return "the actor itself (its usual stance)"
        word = term.partition("|")[2]
        return f"{_phrase([word], sentence)} in the sentence, for this actor"
    if view == "masked":
        if term in _PLACEHOLDERS:
            return f"{_PLACEHOLDERS[term]} in the sentence"
        return f"{_phrase(term.split(' '), sentence)} in the sentence"
    if view == "plain_word":
        return f"{_phrase(term.split(' '), sentence)} in the whole sentence"
    if view == "plain_char":
        return f"letters {_char_ngram(term, sentence)} in the whole sentence"
    if view == "struct":
        return _structure(term, sentence)
    return feature


_KINDS = {"name": "by its name", "nisba": "by an adjective (nisba)", "person": "by an office holder",
          "context": "by a word that names it in this article's context"}


def _mark(term: str, sentence: str) -> str:
    """A mention mark of the window view (:func:`stance.features._mark_terms`) in words."""
    if term == "q":
        return "the actor is named inside a quotation"
    kind, _, before = term.removeprefix("k=").partition("|")
    how = _KINDS.get(kind, f"as {kind}")
    if not _:
        return f"the actor is named {how}"
    where = "at the start of the sentence" if before == "^" else f"right after {_phrase([before], sentence)}"
    return f"the actor is named {how} {where}"


_CUES = {"report": "a reporting verb", "condemn": "a condemnation word", "attack": "an attack word",
         "threat": "a threat word", "sanction": "a sanctions word", "support": "a support word",
         "praise": "a praise word", "ally": "an alliance word", "victim": "a victim word",
         "talks": "a talks word", "pejorative": "a pejorative name", "negation": "a negation"}
_DISTANCES = {"d1": "next to it", "d2": "2–3 words away", "d3": "4–6 words away", "d4": "7–12 words away",
              "d5": "more than 12 words away"}
_DETAILS = {"same": "in the actor's clause", "other": "in another clause", "clear": "no other actor between",
            "oth": "another actor between", "neg": "negated"}
_SIZES = {"short": "a short sentence (under 15 words)", "mid": "a sentence of 15–39 words",
          "long": "a long sentence (40 words or more)"}


def _stem_word(stem: str, sentence: str) -> str:
    """The first word of ``sentence`` whose light stem is ``stem``, in its spelling; placeholders in words."""
    from .cues import light_stem

    if stem in _PLACEHOLDERS:
        return _PLACEHOLDERS[stem]
    norm = normalize_with_offsets(sentence)
    for token in _WORD_RE.findall(norm.text):
        if light_stem(token) == stem:
            return f"a word like «{_original([token], sentence)}»"
    return f"a word built on {stem}"


def _structure(term: str, sentence: str) -> str:
    """A ``struct`` term (:func:`stance.features._structure`) in words."""
    head, _, value = term.partition("=")
    if head == "S_actors":
        return f"{value}{'+' if value == '4' else ''} actors named in the sentence"
    if head == "S_rank":
        return f"the actor is named {['first', 'second', 'third', 'fourth or later'][int(value)]} in the sentence"
    if head == "S_len":
        return _SIZES.get(value, f"sentence length {value}")
    fixed = {"S_first": "the actor is the first named in the sentence",
             "S_notfirst": "another actor is named before the actor in the sentence",
             "S_last": "the actor is the last named in the sentence",
             "S_notlast": "another actor is named after the actor in the sentence",
             "S_NO_MENTION": "the actor is not named in the sentence", "S_OFF": "no sentence structure"}
    if term in fixed:
        return fixed[term]
    kind, _, rest = term.partition("_")
    if kind == "C":
        return f"{_phrase([rest], sentence)} in the sentence, in the actor's clause"
    if kind == "CS":
        return f"{_stem_word(rest, sentence)} in the sentence, in the actor's clause"
    if kind in ("SL", "SR"):
        return f"{_stem_word(rest, sentence)} {'before' if kind == 'SL' else 'after'} the actor"
    if kind == "Q":
        cls, *parts = rest.split("|")
        cue = _CUES.get(cls, f"a cue word of class {cls}")
        if parts == ["first_after"]:
            return f"the actor is the first named after {cue} in its clause"
        if parts == ["last_before"]:
            return f"the actor is the last named before {cue} in its clause"
        where = "before the actor" if parts[:1] == ["L"] else "after the actor"
        details = [_DISTANCES.get(x) or _DETAILS.get(x, x) for x in parts[1:]]
        return f"{cue} {where}" + (f" ({', '.join(details)})" if details else "")
    return f"sentence structure ({term})"
