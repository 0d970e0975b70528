"""Sentence splitting for Arabic news text, with offsets into the original.

Boundaries: line breaks (headlines and bullets have no final period), and the
terminators ``. ! ? ؟ ؛ ;`` (with any closing quotes or brackets that follow
them) when followed by whitespace or the end of the text. Not boundaries: a
period inside a number (3.5), after a one-letter abbreviation or initial
(د. ، م. ، أ.), after a listed abbreviation, and ellipses (... …), which in news
mark an elision inside a quote far more often than an end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .util import gc_paused

__all__ = ["Sentence", "split_sentences"]

_TERMINATORS = ".!?\u061f\u061b;\u06d4"
_CLOSERS = "\"'\u201d\u2019\u00bb)]\u300b"
_BOUNDARY_RE = re.compile(
    rf"[{re.escape(_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*(?=\s|$)"
)
_LINE_RE = re.compile(r"[^\n\r\u2028\u2029\u0085]+")
_BULLET_RE = re.compile(r"(?:[-*\u2022\u25cf\u25aa\u2013\u2014>]+|\(?\d{1,3}[.)-](?=\s))\s*")
_ABBREVIATIONS = frozenset({"د", "م", "أ", "ج", "ص", "ق", "ه", "هـ", "ت", "ش", "ك", "ح", "إلخ", "الخ", "ق.م", "مثلا"})
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))
MAX_CHARS = 1500  # longer runs without a boundary (scraped walls of text) are cut at a comma or space


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and ``[start, end)`` span in the original string."""

    index: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"index": self.index, "start": self.start, "end": self.end, "text": self.text}


def _is_abbreviation(line: str, dot: int, first_char: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation or an initial.

    Looks back from ``dot`` only (the word before it), so the cost per period does not grow with
    the line; ``first_char`` is the index of the line's first non-space character.
    """
    start = dot
    while start > 0 and _is_word_char(line[start - 1]):
        start -= 1
        if dot - start > _LONGEST_ABBREVIATION and not line[start].isdigit():
            return False  # longer than any abbreviation, and not a number
    if start == dot:
        return False
    token = line[start:dot]
    if token.isdigit():
        return start <= first_char  # "1." numbering a list item
    return len(token) == 1 or token in _ABBREVIATIONS


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what the regex class \w matches in str patterns


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past surrounding whitespace and a leading bullet."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    bullet = _BULLET_RE.match(text, start, end)
    if bullet and bullet.end() < end:
        start = bullet.end()
    return start, end


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a span longer than ``MAX_CHARS`` at the last comma or space before the limit."""
    pieces = []
    while end - start > MAX_CHARS:
        window = text[start:start + MAX_CHARS]
        cut = max(window.rfind("\u060c"), window.rfind(","))
        if cut < MAX_CHARS // 2:
            cut = window.rfind(" ")
        cut = start + (cut + 1 if cut > 0 else MAX_CHARS)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def split_sentences(text: str) -> list[Sentence]:
    """Split news text into sentences.

    Parameters
    ----------
    text : str
        The original article text.

    Returns
    -------
    list of Sentence
        In order, each with ``text[s.start:s.end] == s.text``; spans without a
        letter or digit (rules, bullets alone) are dropped.

    Examples
    --------
    >>> [s.text for s in split_sentences("بغداد تندد\\nقال د. علي إن النمو بلغ 3.5%. وانتهى.")]
    ['بغداد تندد', 'قال د. علي إن النمو بلغ 3.5%.', 'وانتهى.']
    """
    with gc_paused():
        return _split(text)


def _split(text: str) -> list[Sentence]:
    spans: list[tuple[int, int]] = []
    for line in _LINE_RE.finditer(text):
        line_start, line_text = line.start(), line.group()
        piece_start = 0
        first_char = len(line_text) - len(line_text.lstrip())
        for match in _BOUNDARY_RE.finditer(line_text):
            first = match.start()
            marks = match.group().rstrip(_CLOSERS)
            if marks.startswith(".."):
                continue  # ellipsis
            if marks == "." and _is_abbreviation(line_text, first, first_char):
                continue
            spans.append((line_start + piece_start, line_start + match.end()))
            piece_start = match.end()
        spans.append((line_start + piece_start, line.end()))
    sentences: list[Sentence] = []
    spans = [piece for span in spans for piece in _cut_long(text, *span)]
    for raw_start, raw_end in spans:
        start, end = _trim(text, raw_start, raw_end)
        chunk = text[start:end]
        if any(c.isalnum() for c in chunk):
            sentences.append(Sentence(len(sentences), start, end, chunk))
    return sentences
