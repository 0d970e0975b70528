"""Stance cues and clauses: the structure features' building blocks.

A *cue inventory* (``stance/data/cues.toml``, user-extensible) lists word classes that signal conflict
(attack, condemn, threat, sanction), cooperation (support, praise, ally), framing (victim, pejorative),
speech (report), meetings (talks) and negation. :func:`light_stem` strips clitics and common affixes by
a documented rule set, so a cue word matches its inflected and cliticized forms. :func:`clause_ids`
cuts a token sequence into clauses at punctuation and clause openers; :func:`split_clauses` applies the
same rule to a text and returns spans into the original string.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from pathlib import Path

from .normalize import normalize
from .util import BoundedDict

__all__ = ["CueError", "CueInventory", "clause_ids", "clause_ids_at", "cues_from_records", "is_clause_boundary",
           "light_stem", "load_cues", "split_clauses"]

_DEFAULT = Path(__file__).resolve().parent / "data" / "cues.toml"
_CLASS_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# Light stemming (after normalization: أ/إ/آ → ا, ة → ه, ى → ي). Prefixes: conjunctions و ف, then
# prepositions ب ل ك or the future marker س, then the article ال (ل+ال = لل). Suffixes: pronoun and
# plural/dual/feminine endings, longest first. A stem keeps at least three letters.
_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك", "س")
_SUFFIXES = ("هما", "كما", "تما", "ات", "ون", "ين", "ان", "ها", "هم", "هن", "كم", "نا", "وا", "يه",
             "ه", "ت", "ي", "ا")

# Clause boundaries: punctuation tokens and words that open a new clause.
_BOUNDARY_PUNCT = frozenset("،,؛;:.!?؟\"«»“”()[]-–—|")
_OPENERS = frozenset(normalize(w) for w in (
    "بينما", "فيما", "حين", "الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي", "حيث", "لكن",
    "لكنه", "لكنها", "بعدما", "عندما", "كما", "إلا", "بيد", "اذ", "إذ", "وسط",
))


class CueError(ValueError):
    """The cue file is malformed; the message names the file, entry and fix."""


@lru_cache(maxsize=200000)
def light_stem(token: str) -> str:
    """Strip one clitic prefix chain and one suffix from a normalized token, keeping >= 3 letters.

    >>> light_stem("والقصف"), light_stem("قصفت"), light_stem("بالعقوبات")
    ('قصف', 'قصف', 'عقوب')
    """
    word = token
    if word.startswith(_PREFIXES):  # one C-level test first: most tokens then need no loop
        for p in _PREFIXES:
            if word.startswith(p) and len(word) - len(p) >= 3:
                word = word[len(p):]
                break
    if word.endswith(_SUFFIXES):
        for s in _SUFFIXES:
            if word.endswith(s) and len(word) - len(s) >= 3:
                word = word[: -len(s)]
                break
    return word


@dataclass(frozen=True)
class CueInventory:
    """Cue classes: exact normalized forms, light stems and phrases, each mapped to a class."""

    forms: dict[str, str]
    stems: dict[str, str]
    phrases: dict[tuple[str, ...], str]
    source: str = "<default>"
    # the classes as written (class -> {"words": [...], "phrases": [...]}): what a model file stores
    spec: dict = field(default_factory=dict, repr=False, compare=False)
    # first words of the phrases, the longest phrase, the class of every token seen (caches)
    _firsts: frozenset = field(init=False, repr=False, compare=False)
    _longest: int = field(init=False, repr=False, compare=False)
    _classes: BoundedDict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_firsts", frozenset(p[0] for p in self.phrases))
        object.__setattr__(self, "_longest", max((len(p) for p in self.phrases), default=0))
        object.__setattr__(self, "_classes", BoundedDict(200_000))

    @property
    def classes(self) -> list[str]:
        """The cue class names, sorted."""
        return sorted(set(self.forms.values()) | set(self.phrases.values()))

    def classify(self, token: str) -> str | None:
        """The cue class of one normalized token, or None."""
        cls = self.forms.get(token)
        if cls is None and len(token) >= 3:
            cls = self.stems.get(light_stem(token))
        return cls

    def _classify(self, token: str) -> tuple[str | None, bool]:
        """:meth:`classify` of a token and whether a phrase may start with it (cached per token)."""
        found = self._classes.get(token)
        if found is None:
            first = token in self._firsts or light_stem(token) in self._firsts
            found = self._classes.put(token, (self.classify(token), first))
        return found

    def find(self, tokens: list[str]) -> list[tuple[int, int, str]]:
        """``(start, end, class)`` cue spans in a normalized token list, phrases first, no overlaps."""
        cached = self._classes.get
        return self.spans(tokens, [(k, single, may_start) for k, (single, may_start)
                                   in enumerate([cached(t) or self._classify(t) for t in tokens])
                                   if single is not None or may_start])

    def starts(self, token: str) -> tuple[str | None, bool] | None:
        """:meth:`_classify` of a token when a cue may start at it (a cue word, or a phrase's first word), else None."""
        found = self._classes.get(token) or self._classify(token)
        return found if found[0] is not None or found[1] else None

    def spans(self, tokens: list[str], starts) -> list[tuple[int, int, str]]:
        """:meth:`find` from the tokens where a cue may start: ``(index, class, phrase may start)`` in
        token order (the tokens that are no cue word and start no phrase left out)."""
        out: list[tuple[int, int, str]] = []
        i = 0
        longest = self._longest
        for k, single, may_start in starts:
            if k < i:
                continue  # inside the last cue
            i = k
            hit = None
            # a phrase starts with the token or its light stem: skip the phrase lookups for other tokens
            for n in range(min(longest, len(tokens) - i) if may_start else 0, 1, -1):
                key = tuple(tokens[i:i + n])
                first = light_stem(key[0]) if key not in self.phrases else None
                cls = self.phrases.get(key) or (self.phrases.get((first,) + key[1:]) if first else None)
                if cls:
                    hit = (i, i + n, cls)
                    break
            if hit is None and single is not None:
                hit = (i, i + 1, single)
            if hit is not None:
                out.append(hit)
                i = hit[1]
        return out


def _parse(text: str, source: str) -> dict[str, dict[str, list[str]]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CueError(f"{source}: not valid TOML ({exc}); fix the syntax") from None
    entries = data.get("cues")
    if not isinstance(entries, list) or not entries:
        raise CueError(f"{source}: no [[cues]] tables; each needs class = \"...\" and words = [...]")
    return _entries(entries, source)


def _entries(entries: list, source: str) -> dict[str, dict[str, list[str]]]:
    """The checked classes of cue entries (``[[cues]]`` tables): class -> words and phrases."""
    out: dict[str, dict[str, list[str]]] = {}
    for n, entry in enumerate(entries, 1):
        where = f"{source}: cue entry {n}"
        if not isinstance(entry, dict):
            raise CueError(f"{where}: expected a table")
        cls = entry.get("class")
        if not isinstance(cls, str) or not _CLASS_RE.match(cls):
            raise CueError(f"{where}: class must be a lower_snake name such as \"attack\", got {cls!r}")
        words = entry.get("words", [])
        phrases = entry.get("phrases", [])
        for key, values in (("words", words), ("phrases", phrases)):
            if not isinstance(values, list) or not all(isinstance(w, str) and w.strip() for w in values):
                raise CueError(f"{where} ({cls}): {key} must be a list of non-empty strings")
        if not words and not phrases:
            raise CueError(f"{where} ({cls}): give words = [...] or phrases = [...]")
        slot = out.setdefault(cls, {"words": [], "phrases": []})
        slot["words"] += words
        slot["phrases"] += phrases
    return out


def _build(classes: dict[str, dict[str, list[str]]], source: str) -> CueInventory:
    forms: dict[str, str] = {}
    stems: dict[str, str] = {}
    phrases: dict[tuple[str, ...], str] = {}
    for cls, entry in classes.items():
        for w in entry["words"]:
            form = normalize(w.strip())
            forms.setdefault(form, cls)
            if len(form) >= 3:
                stems.setdefault(light_stem(form), cls)
        for p in entry["phrases"]:
            phrases.setdefault(tuple(normalize(p).split()), cls)
    return CueInventory(forms, stems, phrases, source, {c: {"words": list(e["words"]), "phrases": list(e["phrases"])}
                                                        for c, e in classes.items()})


def cues_from_records(spec: object, source: str) -> CueInventory:
    """The cue inventory a model file stores (:attr:`CueInventory.spec`), checked like a cue file."""
    if not isinstance(spec, dict) or not spec:
        raise CueError(f"{source}: the stored cue classes are missing or empty")
    entries = [{"class": cls, **entry} if isinstance(entry, dict) else entry for cls, entry in spec.items()]
    return _build(_entries(entries, source), source)


@lru_cache(maxsize=8)
def load_cues(path: str | None = None) -> CueInventory:
    """The cue inventory: the bundled one, plus the classes of a user file ``path`` (which extend it)."""
    classes = _parse(_DEFAULT.read_text(encoding="utf-8"), str(_DEFAULT))
    source = "<default>"
    if path is not None:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise CueError(f"{path}: cannot read the cue file ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise CueError(f"{path}: not UTF-8; re-save the cue file as UTF-8") from None
        for cls, entry in _parse(text, str(path)).items():
            slot = classes.setdefault(cls, {"words": [], "phrases": []})
            slot["words"] += entry["words"]
            slot["phrases"] += entry["phrases"]
        source = str(path)
    return _build(classes, source)


@lru_cache(maxsize=200000)
def is_clause_boundary(token: str) -> bool:
    """Whether a normalized token closes a clause: punctuation or a clause opener (:func:`clause_ids`)."""
    if token and all(c in _BOUNDARY_PUNCT for c in token):
        return True
    bare = token[1:] if token[:1] in ("و", "ف") and len(token) > 3 else token
    return token in _OPENERS or bare in _OPENERS


def clause_ids(tokens: list[str]) -> list[int]:
    """Clause number of each token of a normalized token list (boundary tokens open the next clause)."""
    return clause_ids_at(list(compress(range(len(tokens)), map(is_clause_boundary, tokens))), len(tokens))


def clause_ids_at(boundaries: list[int], n: int) -> list[int]:
    """:func:`clause_ids` of ``n`` tokens from the (increasing) indices of its boundary tokens: a boundary
    opens the next clause, unless the token before it is one too (``، بينما`` opens one clause)."""
    ids: list[int] = []
    current = last = 0
    previous = -2
    for b in boundaries:
        if b > 0 and b - 1 != previous:
            ids += [current] * (b - last)
            last = b
            current += 1
        previous = b
    ids += [current] * (n - last)
    return ids


_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


def split_clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans ``(start, end)`` into the original ``text`` (same rule as :func:`clause_ids`).

    >>> t = "قصفت إسرائيل غزة، بينما أدانت تركيا الهجوم"
    >>> [t[s:e] for s, e in split_clauses(t)]
    ['قصفت إسرائيل غزة', '، بينما أدانت تركيا الهجوم']
    """
    matches = list(_TOKEN_RE.finditer(text))
    if not matches:
        return []
    ids = clause_ids([normalize(m.group()) for m in matches])
    spans: list[tuple[int, int]] = []
    start = matches[0].start()
    for k in range(1, len(matches)):
        if ids[k] != ids[k - 1]:
            spans.append((start, matches[k - 1].end()))
            start = matches[k].start()
    spans.append((start, matches[-1].end()))
    return spans
