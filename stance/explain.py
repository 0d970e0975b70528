"""Readable evidence: feature names turned into words, n-grams in the sentence's own spelling.

The model's features are named ``view:term`` over normalized text (``window:L_علي``,
``cross:us|الحشد``, ``cross:T=us``). :func:`describe` says the same in words, with the
n-gram as it is spelled in the sentence: ``«عليّ» before the actor``, ``«الحشد» in the
sentence, for this actor``, ``the actor itself (its usual stance)``.
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
        return f"sentence structure ({term})"
    return feature
