"""The labeled corpus: reading label files, validating them, and statistics.

A label file is JSONL, one object per article line::

    {"article": "b1_001", "outlet": "Al Jazeera", "date": "2008-11-17", "line": 0,
     "text": "...", "sentiment": "negative",
     "targets": [{"actor": "US", "stance": "against", "source": "IRQ_GOV"}]}

``outlet``, ``date`` and ``source`` are optional; ``article`` and ``line`` default
to the file name and line number.

``kind`` says whether the text was written for the project (``authored``, the default), is real
journalists' text (``real``: it must carry ``provenance`` ``{"file", "line"}`` naming the pool file and
1-based line its text comes from, verbatim) or is a user's own labeled text (``user``). A real record may
list ``not_mentions``: actors the matcher finds in its text that the text does not name (homonyms). A
target with ``"mention": "added"`` is a mention the annotator found that the matcher missed (a
spelling, a name the inventory lacks), and ``"mention": "context"`` names its actor only through the
article's context (الحكومة in an article about Iraq). Neither must be found by the matcher: the check
counts them (``annotated_mentions_not_matched``) and training leaves out those it cannot find.

A ``user`` record may still be undecided (written by ``stance annotate select``): a target with
``"stance": null`` and a record with ``"sentiment": null`` are pending; the model's guess sits beside
them in ``"suggested"`` (never read as a label). Pending pairs are skipped by training and evaluation,
and ``stance labels check`` counts them instead of failing.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .actors import Inventory, load_actors, match_actors
from .normalize import normalize

__all__ = [
    "STANCES",
    "SENTIMENTS",
    "LabelError",
    "LabeledLine",
    "PoolLines",
    "Target",
    "check_corpus",
    "iter_label_files",
    "read_labels",
]

STANCES = ("favor", "against", "none")
KINDS = ("authored", "real", "user")
SENTIMENTS = ("positive", "negative", "neutral")


class LabelError(ValueError):
    """A label record is invalid; ``str()`` names the file, line and fix."""

    def __init__(self, path: str, lineno: int, message: str) -> None:
        super().__init__(f"{path}:{lineno}: {message}")
        self.path = path
        self.lineno = lineno
        self.message = message


@dataclass(frozen=True)
class Target:
    """One (sentence, actor) label."""

    actor: str
    stance: str | None  # None: not decided yet (kind "user" only)
    source: str | None = None
    mention: str | None = None  # None (found by the matcher), "added" or "context"


@dataclass(frozen=True)
class LabeledLine:
    """One labeled line of an article."""

    article: str
    line: int
    text: str
    sentiment: str | None
    targets: tuple[Target, ...]
    outlet: str | None = None
    date: str | None = None
    path: str = ""
    lineno: int = 0
    kind: str = "authored"
    provenance: dict | None = None
    not_mentions: tuple[str, ...] = ()

    @property
    def pending(self) -> int:
        """Decisions still to make: targets without a stance, plus one when sentiment is missing (user records)."""
        if self.kind != "user":
            return 0
        return sum(t.stance is None for t in self.targets) + (self.sentiment is None)


SPLITS = ("train", "dev", "test")


def iter_label_files(path: str | Path) -> list[Path]:
    """``*.jsonl`` files under ``path`` (or ``path`` itself), sorted.

    A labels tree with ``train/``, ``dev/`` or ``test/`` folders is read from those folders only
    (working folders such as ``raw/`` and ``agreement/`` are not part of the corpus).
    """
    p = Path(path)
    if p.is_dir():
        roots = [p / s for s in SPLITS if (p / s).is_dir()] or [p]
        return sorted(q for r in roots for q in r.rglob("*.jsonl") if q.is_file())
    return [p]


def _parse_record(
    obj: object, path: str, lineno: int, inventory: Inventory | None
) -> LabeledLine:
    if not isinstance(obj, dict):
        raise LabelError(path, lineno, "expected a JSON object {\"text\": ..., \"targets\": [...]}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LabelError(path, lineno, "missing or empty \"text\"; every record needs the sentence text")
    sentiment = obj.get("sentiment")
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise LabelError(
            path, lineno, f"unknown sentiment {sentiment!r}; allowed: {', '.join(SENTIMENTS)}"
        )
    raw_targets = obj.get("targets", [])
    if not isinstance(raw_targets, list):
        raise LabelError(path, lineno, "\"targets\" must be a list of {\"actor\", \"stance\"} objects")
    targets = []
    for t in raw_targets:
        if not isinstance(t, dict):
            raise LabelError(path, lineno, "each target must be an object {\"actor\", \"stance\", \"source\"}")
        actor, stance, source = t.get("actor"), t.get("stance"), t.get("source")
        if not isinstance(actor, str) or not actor:
            raise LabelError(path, lineno, "a target has no \"actor\"; name the actor id (e.g. \"US\")")
        if inventory is not None and actor not in inventory:
            raise LabelError(
                path, lineno,
                f"unknown actor id {actor!r}; allowed: {', '.join(inventory.ids)} "
                "(or pass an inventory that defines it)",
            )
        if stance is None and obj.get("kind") == "user":
            pass  # pending: to be decided in `stance annotate label`
        elif stance is None:
            raise LabelError(
                path, lineno, f"no stance for {actor}; an undecided (null) stance is only allowed in "
                "\"kind\": \"user\" records"
            )
        elif stance not in STANCES:
            raise LabelError(
                path, lineno, f"unknown stance {stance!r} for {actor}; allowed: {', '.join(STANCES)}"
            )
        if source is not None and source != "author" and inventory is not None and source not in inventory:
            raise LabelError(
                path, lineno,
                f"unknown source {source!r} for {actor}; use 'author' or an actor id",
            )
        mention = t.get("mention")
        if mention not in (None, "added", "context"):
            raise LabelError(path, lineno, f"unknown mention {mention!r} for {actor}; allowed: added, context")
        targets.append(Target(actor, stance, source, mention))
    actors = [t.actor for t in targets]
    if len(set(actors)) != len(actors):
        dup = [a for a, n in Counter(actors).items() if n > 1]
        raise LabelError(path, lineno, f"actor {dup[0]} has two targets; keep one per sentence")
    line = obj.get("line", lineno - 1)
    if not isinstance(line, int):
        raise LabelError(path, lineno, f"\"line\" must be an integer, got {line!r}")
    kind = obj.get("kind", "authored")
    if kind not in KINDS:
        raise LabelError(path, lineno, f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
    provenance = obj.get("provenance")
    if kind == "real":
        if (
            not isinstance(provenance, dict)
            or not isinstance(provenance.get("file"), str)
            or not isinstance(provenance.get("line"), int)
            or provenance["line"] < 1
        ):
            raise LabelError(
                path, lineno,
                "a real record needs its provenance: add \"provenance\": {\"file\": <pool file>, "
                "\"line\": <1-based line>} (see labels/SOURCES.md)",
            )
    not_mentions = obj.get("not_mentions", [])
    if not isinstance(not_mentions, list) or not all(isinstance(a, str) for a in not_mentions):
        raise LabelError(path, lineno, "\"not_mentions\" must be a list of actor ids")
    return LabeledLine(
        article=str(obj.get("article", Path(path).stem)),
        line=line,
        text=text,
        sentiment=sentiment,
        targets=tuple(targets),
        outlet=obj.get("outlet"),
        date=obj.get("date"),
        path=path,
        lineno=lineno,
        kind=kind,
        provenance=provenance,
        not_mentions=tuple(not_mentions),
    )


def read_labels(
    path: str | Path,
    inventory: Inventory | None = None,
    errors: list[LabelError] | None = None,
) -> Iterator[LabeledLine]:
    """Yield labeled lines from a file or directory of JSONL label files.

    Invalid records raise :class:`LabelError`, or, when ``errors`` is a list,
    are appended to it and skipped so that the other records are not lost.
    """
    for file in iter_label_files(path):
        name = str(file)
        try:
            handle = open(file, "rb")
        except OSError as exc:
            raise LabelError(name, 0, f"cannot open ({exc.strerror})") from None
        with handle:
            for lineno, raw in enumerate(handle, 1):
                try:
                    try:
                        line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                    except UnicodeDecodeError as exc:
                        raise LabelError(
                            name, lineno, f"invalid UTF-8 at byte {exc.start}; re-save the file as UTF-8"
                        ) from None
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise LabelError(
                            name, lineno, f"malformed JSON ({exc.msg} at column {exc.colno}); fix or delete the line"
                        ) from None
                    yield _parse_record(obj, name, lineno, inventory)
                except LabelError as exc:
                    if errors is None:
                        raise
                    errors.append(exc)


# ---------------------------------------------------------------------------
# validation


@dataclass
class CheckReport:
    """Problems and statistics of a corpus check."""

    problems: list[str] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


_SHINGLE = 5


def shingles(text: str) -> frozenset[str]:
    """Character 5-grams of the normalized text (for near-duplicate detection)."""
    return _shingles(text)


def _shingles(text: str) -> frozenset[str]:
    t = re.sub(r"\W+", " ", normalize(text)).strip()
    return frozenset(t[i : i + _SHINGLE] for i in range(max(1, len(t) - _SHINGLE + 1)))


def near_duplicates(
    lines: list[LabeledLine], threshold: float = 0.7, min_chars: int = 40
) -> list[tuple[LabeledLine, LabeledLine, float]]:
    """Pairs of lines whose character 5-gram Jaccard similarity is ≥ ``threshold``.

    Lines shorter than ``min_chars`` (datelines, short headlines) are skipped.
    Candidate pairs come from an inverted index of rare shingles, so the check
    stays fast on thousands of lines.
    """
    items = [(ln, _shingles(ln.text)) for ln in lines if len(ln.text) >= min_chars]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, (_, sh) in enumerate(items):
        for s in sh:
            postings[s].append(i)
    out = []
    for i, (ln, sh) in enumerate(items):
        counts: Counter[int] = Counter()
        for s in sh:
            ids = postings[s]
            if len(ids) > 200:
                continue
            for j in ids:
                if j > i:
                    counts[j] += 1
        for j, inter in counts.items():
            other = items[j][1]
            # |A∩B| from rare shingles is a lower bound; compute exactly when close
            if inter / max(len(sh), len(other)) < threshold * 0.5:
                continue
            jac = len(sh & other) / len(sh | other)
            if jac >= threshold:
                out.append((ln, items[j][0], jac))
    return out


def default_pool() -> Path | None:
    """The real-news pool folder: ``$STANCE_REALNEWS``, or ``../shared/realnews`` beside the checkout."""
    env = os.environ.get("STANCE_REALNEWS")
    if env:
        return Path(env)
    guess = Path(__file__).resolve().parents[2] / "shared" / "realnews"
    return guess if guess.is_dir() else None


class PoolLines:
    """Lines of the real-news pool files under ``root``, each file read once."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._files: dict[str, list[str] | None] = {}

    def line(self, file: str, number: int) -> str | None:
        """The pool line, or None when the pool or the file is not available."""
        if self.root is None or "/" in file or "\\" in file:
            return None
        if file not in self._files:
            p = self.root / file
            self._files[file] = p.read_text(encoding="utf-8").split("\n") if p.is_file() else None
        lines = self._files[file]
        if lines is None:
            return None
        return lines[number - 1] if 0 < number <= len(lines) else ""


def check_lines(
    lines: list[LabeledLine],
    inventory: Inventory,
    split_of: dict[str, str] | None = None,
    pool: Path | None = None,
) -> CheckReport:
    """Validate labeled lines against the matcher (and real records against their pool) and compute statistics."""
    report = CheckReport()
    by_article: dict[str, list[LabeledLine]] = defaultdict(list)
    pool_lines = PoolLines(pool)
    verified = unverified = 0
    misses: Counter[str] = Counter()
    for ln in lines:
        by_article[ln.article].append(ln)
        found = {m.actor for m in match_actors(ln.text, inventory, ln.date)}
        labeled = {t.actor for t in ln.targets if t.mention is None}
        for t in ln.targets:
            if t.mention is not None and t.actor not in found:
                misses[t.mention] += 1  # the annotator found a mention the matcher cannot (yet) see
        if ln.kind == "real" and ln.provenance is not None:
            source = pool_lines.line(ln.provenance["file"], ln.provenance["line"])
            if source is None:
                unverified += 1
            elif ln.text not in source:
                report.problems.append(
                    f"{ln.path}:{ln.lineno}: the text is not in {ln.provenance['file']} line "
                    f"{ln.provenance['line']}; real text is used verbatim: restore it or fix the provenance"
                )
            else:
                verified += 1
        for actor in sorted(set(ln.not_mentions) - found):
            report.problems.append(
                f"{ln.path}:{ln.lineno}: not_mentions names {actor} but the matcher does not find it; drop it"
            )
        for actor in sorted(set(ln.not_mentions) & labeled):
            report.problems.append(
                f"{ln.path}:{ln.lineno}: {actor} is both a target and in not_mentions; keep one"
            )
        labeled |= {t.actor for t in ln.targets if t.mention is not None and t.actor in found}
        for actor in sorted(found - labeled - set(ln.not_mentions)):
            report.problems.append(
                f"{ln.path}:{ln.lineno}: the matcher finds {actor} but the line has no target for it; "
                "add a target or rephrase"
            )
        for actor in sorted(labeled - found):
            report.problems.append(
                f"{ln.path}:{ln.lineno}: target {actor} is not found by the matcher; "
                "fix the label or add the alias to the inventory"
            )
        if ln.sentiment is None and ln.kind != "user":
            report.problems.append(f"{ln.path}:{ln.lineno}: no sentiment; add \"sentiment\"")
    for article, group in by_article.items():
        if all(ln.kind == "user" for ln in group):
            continue  # a user's batch holds selected sentences, not whole articles
        numbers = sorted(ln.line for ln in group)
        if numbers != list(range(len(numbers))):
            report.problems.append(
                f"{group[0].path}: article {article}: line numbers {numbers[:5]}... are not 0..{len(numbers) - 1}; "
                "keep every line of the article, numbered from 0"
            )
    duplicates = near_duplicates(lines)
    for a, b, jac in duplicates:
        report.problems.append(
            f"{a.path}:{a.lineno} and {b.path}:{b.lineno}: near-duplicate sentences "
            f"(5-gram Jaccard {jac:.2f}); rewrite or delete one"
        )
    report.stats = corpus_stats(lines, split_of)
    report.stats["real_provenance"] = {"verified": verified, "pool_not_available": unverified}
    report.stats["annotated_mentions_not_matched"] = dict(misses)
    involved = {(a.path, a.lineno) for a, b, _ in duplicates} | {(b.path, b.lineno) for a, b, _ in duplicates}
    report.stats["near_duplicate_sentences"] = len(involved)
    report.stats["near_duplicate_rate"] = round(len(involved) / len(lines), 4) if lines else 0.0
    pending = [ln for ln in lines if ln.pending]
    if any(ln.kind == "user" for ln in lines):
        report.stats["unlabeled"] = {
            "records": len(pending),
            "pairs": sum(t.stance is None for ln in pending for t in ln.targets),
            "sentiments": sum(ln.sentiment is None for ln in pending),
            "first": [f"{ln.path}:{ln.lineno}" for ln in pending[:5]],
        }
    return report


def corpus_stats(lines: list[LabeledLine], split_of: dict[str, str] | None = None) -> dict[str, object]:
    """Counts the corpus issue asks for: sizes, actor × stance, multi-actor share, contrast pairs.

    When the corpus holds more than one ``kind`` (authored, real, user), ``by_kind`` gives the same
    counts per kind, and the split table counts each kind separately.
    """
    stats = _counts(lines)
    kinds = sorted({ln.kind for ln in lines})
    if len(kinds) > 1 or kinds == ["real"]:
        stats["by_kind"] = {k: _counts([ln for ln in lines if ln.kind == k]) for k in kinds}
    if split_of:
        splits: dict[str, dict[str, int]] = defaultdict(lambda: {"articles": 0, "sentences": 0, "pairs": 0})
        seen: set[str] = set()
        for ln in lines:
            name = split_of.get(ln.path, "?")
            keys = [name] + ([f"{name}/{ln.kind}"] if "by_kind" in stats else [])
            first = ln.article not in seen
            seen.add(ln.article)
            for key in keys:
                s = splits[key]
                s["articles"] += 1 if first else 0
                s["sentences"] += 1 if ln.targets else 0
                s["pairs"] += len(ln.targets)
        stats["splits"] = dict(sorted(splits.items()))
    return stats


def _counts(lines: list[LabeledLine]) -> dict[str, object]:
    labeled = [ln for ln in lines if ln.targets]
    pairs = [(ln, t) for ln in labeled for t in ln.targets if t.stance is not None]
    per_actor: dict[str, dict[str, int]] = defaultdict(lambda: {s: 0 for s in STANCES})
    for _, t in pairs:
        per_actor[t.actor][t.stance] += 1
    multi = [ln for ln in labeled if len(ln.targets) >= 2]
    contrast = [ln for ln in multi if len({t.stance for t in ln.targets if t.stance}) > 1]
    return {
        "articles": len({ln.article for ln in lines}),
        "lines": len(lines),
        "sentences_with_actor": len(labeled),
        "pairs": len(pairs),
        "multi_actor_share": round(len(multi) / len(labeled), 3) if labeled else 0.0,
        "contrast_sentences": len(contrast),
        "contrast_pairs": sum(len(ln.targets) for ln in contrast),
        "stance": dict(Counter(t.stance for _, t in pairs)),
        "sentiment": dict(Counter(ln.sentiment for ln in lines if ln.sentiment)),
        "per_actor": {a: dict(v) | {"total": sum(v.values())} for a, v in sorted(per_actor.items())},
        "outlets": dict(Counter(ln.outlet for ln in lines if ln.line == 0).most_common()),
    }


def check_corpus(
    path: str | Path, inventory: Inventory | None = None, pool: Path | None = None
) -> CheckReport:
    """Read and validate every label file under ``path`` (real records against ``pool``, default :func:`default_pool`)."""
    inventory = inventory or load_actors()
    errors: list[LabelError] = []
    lines = list(read_labels(path, inventory, errors))
    root = Path(path)
    split_of = None
    if root.is_dir():
        split_of = {}
        for ln in lines:
            rel = Path(ln.path).relative_to(root).parts
            split_of[ln.path] = rel[0] if len(rel) > 1 else "."
    report = check_lines(lines, inventory, split_of, pool if pool is not None else default_pool())
    report.problems[:0] = [str(e) for e in errors]
    return report
