"""Arabic text normalization that remembers where every character came from.

The character-level rules come from camel-tools' utilities
(:func:`camel_tools.utils.normalize.normalize_unicode`, the alef, alef-maksura and
teh-marbuta normalizers, :func:`camel_tools.utils.dediac.dediac_ar`), applied one
original character at a time and cached, plus tatweel, Quranic marks, invisible
format characters, Persian letters and Arabic-Indic digits. Because some rules
delete characters (diacritics) and others expand them (the ligature ﻷ becomes
two letters), :func:`normalize_with_offsets` returns, with the normalized string,
the index in the ORIGINAL string of every normalized character.

Importing camel-tools' character utilities takes ~0.7 s (its ``charsets`` module
walks all 1.1 million code points), more than scoring an article. The results of
:func:`normalize_char` for the scripts and symbols news text uses (Latin, Greek,
Cyrillic, Hebrew, Arabic and its supplements and presentation forms, punctuation,
symbols, emoji: :data:`TABLE_RANGES`) therefore ship
precomputed in ``data/normalize_chars.json`` (written by
``python training/char_table.py``; a test checks it still equals camel-tools'
output); any other character is normalized by camel-tools, imported on first need.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

from .util import BoundedDict

__all__ = ["Normalized", "TABLE_RANGES", "char_table", "clean_markup", "normalize", "normalize_spans",
           "normalize_with_offsets", "normalize_char"]

# Code point ranges (inclusive) whose normalized forms ship in data/normalize_chars.json: Latin (with
# its extensions and combining marks), Greek, Cyrillic, Hebrew, Arabic and its supplements and
# presentation forms, punctuation, symbols, arrows, shapes and dingbats, variation selectors,
# full-width forms, mathematical letters, emoji and their tags (every character of the bundled labels
# is among them, a test checks).
TABLE_RANGES = ((0x0000, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0x2000, 0x2BFF), (0x3000, 0x303F),
                (0xFB00, 0xFDFF), (0xFE00, 0xFFFF), (0x1D400, 0x1D7FF), (0x1F000, 0x1FAFF), (0xE0000, 0xE007F))

_TATWEEL = "\u0640"
# Quranic annotation signs and small high letters: not part of news orthography.
_EXTRA_MARKS = {chr(c) for c in range(0x0610, 0x061B)} | {
    chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06DD, 0x06DE, 0x06E9)
} | {"\u0653", "\u0654", "\u0655", "\u065F"} | {chr(c) for c in range(0x0656, 0x065F)}
# Zero-width, bidi controls, BOM, soft hyphen: invisible, dropped.
_INVISIBLE = {
    "\u00ad", "\u061c", "\u180e", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2060", "\u2061", "\u2062",
    "\u2063", "\u2064", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff",
}
_LETTER_VARIANTS = {
    "\u06cc": "\u064a",  # Farsi yeh -> yeh
    "\u06a9": "\u0643",  # keheh -> kaf
    "\u06c0": "\u0647",  # heh with yeh above -> heh
    "\u06d5": "\u0647",  # ae -> heh
}
_PUNCT_VARIANTS = {
    "\u060c": ",",  # Arabic comma
    "\u061b": ";",  # Arabic semicolon
    "\u061f": "?",  # Arabic question mark
    "\u066b": ".",  # Arabic decimal separator
    "\u066c": ",",  # Arabic thousands separator
    "\u066a": "%",  # Arabic percent
    "\u06d4": ".",  # Arabic full stop
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'",
    "\u2013": "-", "\u2014": "-",
}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}


@lru_cache(maxsize=1)
def _camel() -> tuple:
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    return normalize_unicode, dediac_ar, normalize_alef_ar, normalize_alef_maksura_ar, normalize_teh_marbuta_ar


def _rules(s: str) -> str:
    """Apply every rule once to a short string."""
    normalize_unicode, dediac_ar, normalize_alef_ar, normalize_alef_maksura_ar, normalize_teh_marbuta_ar = _camel()
    s = normalize_unicode(s)
    s = dediac_ar(s)
    s = normalize_alef_ar(s)
    s = normalize_alef_maksura_ar(s)
    s = normalize_teh_marbuta_ar(s)
    out = []
    for c in s:
        if c == _TATWEEL or c in _EXTRA_MARKS or c in _INVISIBLE:
            continue
        c = _LETTER_VARIANTS.get(c, c)
        c = _PUNCT_VARIANTS.get(c, c)
        c = _DIGITS.get(c, c)
        if unicodedata.category(c) == "Cc" and c not in "\n\t":
            c = " "  # NUL and other control characters become spaces
        out.append(c.lower() if c.isascii() else c)
    return "".join(out)


@lru_cache(maxsize=None)
def normalize_char(c: str) -> str:
    """Return the normalized form of one original character (possibly empty).

    The rules are applied until nothing changes, so normalization is idempotent.

    >>> normalize_char("أ")
    'ا'
    """
    out = _rules(c)
    for _ in range(4):
        again = "".join(_rules(x) for x in out)
        if again == out:
            break
        out = again
    return out


def char_table() -> dict[str, str]:
    """:func:`normalize_char` of every character in :data:`TABLE_RANGES` (what the shipped table holds)."""
    return {chr(c): normalize_char(chr(c)) for lo, hi in TABLE_RANGES for c in range(lo, hi + 1)}


@lru_cache(maxsize=1)
def _shipped() -> dict[str, str]:
    try:
        text = resources.files("stance").joinpath("data/normalize_chars.json").read_text(encoding="utf-8")
    except (OSError, FileNotFoundError):
        return {}  # no table: every character goes through camel-tools
    return json.loads(text)


class _Table(dict):
    """``str.translate`` table filled on demand; records non 1:1 characters."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = _shipped().get(char)
        if value is None:
            value = normalize_char(char)
        self[code] = value
        if len(value) != 1:
            _IRREGULAR.add(char)
        return value


_IRREGULAR: set[str] = set()
_TABLE = _Table()
# The last sentences normalized with offsets (the matcher's): scoring normalizes each sentence again for
# its features, and finds it here.
_RECENT = BoundedDict(8192)


@dataclass(frozen=True)
class Normalized:
    """A normalized string and the original index of each of its characters.

    Attributes
    ----------
    text : str
        The normalized text.
    original : str
        The text it was made from.
    index : tuple of int or None
        ``index[i]`` is the original position of ``text[i]``; ``None`` when the
        two strings are aligned one to one (the common case, kept cheap).
    """

    text: str
    original: str
    index: tuple[int, ...] | None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalized text to the original."""
        if self.index is None:
            return start, end
        if start >= end:
            pos = self.index[start] if start < len(self.index) else len(self.original)
            return pos, pos
        return self.index[start], self.index[end - 1] + 1


def normalize_with_offsets(text: str) -> Normalized:
    """Normalize ``text`` and keep the map back to original positions.

    Parameters
    ----------
    text : str
        Any string.

    Returns
    -------
    Normalized
        ``result.to_original(s, e)`` maps normalized spans to original spans.

    Examples
    --------
    >>> n = normalize_with_offsets("الأَميركية")
    >>> n.text
    'الاميركيه'
    >>> n.to_original(0, len(n.text))
    (0, 10)
    """
    normalized = _RECENT.put(text, text.translate(_TABLE))
    if _regular(text):
        return Normalized(normalized, text, None)
    index: list[int] = []
    done = 0
    for m in _irregular_re().finditer(text):  # 1:1 runs between the characters that are not
        at = m.start()
        index += range(done, at)
        index += [at] * len(_TABLE[ord(text[at])])
        done = at + 1
    index += range(done, len(text))
    return Normalized(normalized, text, tuple(index))


_IRREGULAR_RE: list = [0, None]  # (size of _IRREGULAR it was built for, pattern)


def _irregular_re() -> re.Pattern:
    """A pattern matching any character of ``_IRREGULAR`` (rebuilt when the set grew)."""
    if _IRREGULAR_RE[0] != len(_IRREGULAR):
        _IRREGULAR_RE[:] = [len(_IRREGULAR), re.compile("[" + "".join(map(re.escape, sorted(_IRREGULAR))) + "]")]
    return _IRREGULAR_RE[1]


def _regular(text: str) -> bool:
    """True when no character of ``text`` is in ``_IRREGULAR`` (every one was translated already): one
    regular-expression scan, not a string object per character as ``_IRREGULAR.isdisjoint(text)`` makes."""
    return not _IRREGULAR or _irregular_re().search(text) is None


def normalize(text: str) -> str:
    """Normalize ``text`` (no offset map).

    >>> normalize("أمريكا")
    'امريكا'
    """
    found = _RECENT.get(text)
    return found if found is not None else text.translate(_TABLE)


def normalize_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """``normalize(text[start:end])`` for every span: slices of the whole normalized text when every
    character of ``text`` normalizes to one character (the common case).

    >>> normalize_spans("قالت أمريكا", [(0, 4), (5, 11)])
    ['قالت', 'امريكا']
    """
    whole = normalize(text)  # also puts every character of text in the table (and _IRREGULAR)
    if _regular(text):
        return [whole[start:end] for start, end in spans]
    return [text[start:end].translate(_TABLE) for start, end in spans]


_TAG_RE = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,1000}?/?>", re.S)
_BLOCK_TAGS = frozenset("p br div li ul ol h1 h2 h3 h4 h5 h6 tr td th table blockquote section article header "
                        "footer title".split())
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def _blank_tag(match: re.Match) -> str:
    name = (match.group(2) or "").lower()
    fill = "\n" if name in _BLOCK_TAGS else " "
    return fill + " " * (len(match.group()) - 1)


def _unescape_entity(match: re.Match) -> str:
    raw = match.group()
    char = html.unescape(raw)
    if char == raw or len(char) > len(raw):
        return raw
    return char + " " * (len(raw) - len(char))


def clean_markup(text: str) -> str:
    """Blank out HTML tags and decode entities WITHOUT changing the length.

    Tags become spaces (block tags such as ``<p>``/``<br>`` a line break plus
    spaces) and entities their character plus spaces, so every offset into the
    cleaned text is also an offset into the original.

    >>> clean_markup("<p>قال&nbsp;الوزير</p>") == "\n  قال\xa0     الوزير\n   "
    True
    """
    if "<" not in text and "&" not in text:
        return text
    return _ENTITY_RE.sub(_unescape_entity, _TAG_RE.sub(_blank_tag, text))
