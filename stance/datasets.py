"""Training and evaluation data: the labels format or column files (CSV/TSV/JSONL).

Labels format: one JSON object per sentence with ``text`` and ``targets`` (see
:mod:`stance.labels`). Column format: one row per (text, target) pair, as in
public stance sets such as Mawqif (columns ``text``, ``target``, ``stance``,
``sentiment``), read with ``text_col``, ``target_col``, ``label_col``,
``sentiment_col`` and a ``label_map`` ("Favor=favor,Against=against,None=none").
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Sequence
from pathlib import Path

from .actors import Inventory
from .features import Pair
from .util import sha256_files
from .labels import SENTIMENTS, STANCES, LabelError, iter_label_files, read_labels

__all__ = ["Dataset", "ColumnSpec", "load_dataset", "parse_label_map"]


@dataclass
class ColumnSpec:
    """How to read a column file."""

    text_col: str = "text"
    target_col: str = "target"
    label_col: str = "stance"
    sentiment_col: str | None = None
    label_map: dict[str, str] = field(default_factory=dict)


_PAIR_FIELDS = ("pairs", "stances", "sentiments", "found", "articles", "sentence_ids", "kinds", "sources",
                "line_numbers")


@dataclass
class Dataset:
    """Pairs with stance labels, sentence sentiment, and where each came from.

    ``lines`` holds every labeled sentence once with its sentiment, also sentences without actors.
    """

    pairs: list[Pair] = field(default_factory=list)
    stances: list[str] = field(default_factory=list)
    sentiments: list[str | None] = field(default_factory=list)
    found: list[bool] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    sentence_ids: list[str] = field(default_factory=list)
    lines: list[tuple[str, str | None]] = field(default_factory=list)
    errors: list[LabelError] = field(default_factory=list)
    digest: str = ""
    kinds: list[str] = field(default_factory=list)  # per pair: authored / real / user
    line_kinds: list[str] = field(default_factory=list)  # per entry of ``lines``
    skipped_context: int = 0  # annotated mentions the matcher cannot find (added/context), left out
    unlabeled: int = 0  # user pairs still without a stance (left out)
    sources: list[str | None] = field(default_factory=list)  # per pair: holder ("author", an actor id) or None
    line_numbers: list[int | None] = field(default_factory=list)  # per pair: line in its article (labels format)

    def __len__(self) -> int:
        return len(self.pairs)

    def extend(self, other: "Dataset") -> None:
        """Append another dataset."""
        for name in ("pairs", "stances", "sentiments", "found", "articles", "sentence_ids", "lines", "errors",
                     "kinds", "line_kinds", "sources", "line_numbers"):
            getattr(self, name).extend(getattr(other, name))
        self.skipped_context += other.skipped_context
        self.unlabeled += other.unlabeled

    def take(self, idx: Sequence[int]) -> "Dataset":
        """The pairs at positions ``idx`` (in that order), with the labeled sentences they come from."""
        out = Dataset(digest=self.digest)
        for name in _PAIR_FIELDS:
            values = getattr(self, name)
            if values:  # a reader may leave an optional per-pair field empty
                setattr(out, name, [values[i] for i in idx])
        texts = {self.pairs[i].text for i in idx}
        kinds = self.line_kinds or [None] * len(self.lines)
        kept = [(ln, k) for ln, k in zip(self.lines, kinds) if ln[0] in texts]
        out.lines = [ln for ln, _ in kept]
        out.line_kinds = [k for _, k in kept] if self.line_kinds else []
        return out

    def subset(self, kind: str) -> "Dataset":
        """The pairs of one ``kind``, and all its labeled sentences (also those without an actor)."""
        out = self.take([i for i, k in enumerate(self.kinds) if k == kind])
        out.lines = [ln for ln, k in zip(self.lines, self.line_kinds) if k == kind]
        out.line_kinds = [kind] * len(out.lines)
        return out


def parse_label_map(text: str | None) -> dict[str, str]:
    """Parse ``"Favor=favor,Against=against,None=none"`` into a dict."""
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        if "=" not in item:
            raise ValueError(f"--label-map item {item!r} has no '='; write it as Source=target, e.g. Favor=favor")
        src, dst = (x.strip() for x in item.split("=", 1))
        out[src] = dst
    return out


def _map(value: str, mapping: dict[str, str]) -> str:
    value = value.strip()
    if value in mapping:
        return mapping[value]
    lowered = {k.lower(): v for k, v in mapping.items()}
    return lowered.get(value.lower(), value.lower())


def _is_column_file(path: Path, spec: ColumnSpec | None) -> bool:
    if path.suffix.lower() in (".csv", ".tsv"):
        return True
    if spec is None:
        return False
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    return False
                return isinstance(obj, dict) and "targets" not in obj and spec.target_col in obj
    return False


def _from_labels(path: Path, inventory: Inventory | None) -> Dataset:
    data = Dataset()
    for ln in read_labels(path, inventory, data.errors):
        from .actors import match_actors

        data.lines.append((ln.text, ln.sentiment))
        data.line_kinds.append(ln.kind)
        found = {m.actor for m in match_actors(ln.text, inventory, ln.date)} if inventory else set()
        for t in ln.targets:
            if t.mention is not None and t.actor not in found:
                data.skipped_context += 1
                continue
            if t.stance is None:
                data.unlabeled += 1
                continue
            data.kinds.append(ln.kind)
            data.pairs.append(Pair(ln.text, t.actor, ln.date))
            data.stances.append(t.stance)
            data.sentiments.append(ln.sentiment)
            data.found.append(t.actor in found)
            data.articles.append(ln.article)
            data.sentence_ids.append(f"{ln.article}:{ln.line}")
            data.sources.append(t.source)
            data.line_numbers.append(ln.line)
    return data


def _rows(path: Path):
    """Yield (line number, dict row) from a CSV/TSV or JSONL column file."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LabelError(str(path), line, f"invalid UTF-8 at byte {exc.start}; re-save the file as UTF-8") from None
    if path.suffix.lower() in (".csv", ".tsv"):
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        for row in reader:
            yield reader.line_num, row
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, LabelError(str(path), lineno, f"malformed JSON ({exc.msg}); fix or delete the line")
            continue
        yield lineno, obj


def _from_columns(path: Path, spec: ColumnSpec, inventory: Inventory | None) -> Dataset:
    data = Dataset()
    name = str(path)
    header_checked = False
    for lineno, row in _rows(path):
        if isinstance(row, LabelError):
            data.errors.append(row)
            continue
        if not header_checked:
            needed = [spec.text_col, spec.target_col, spec.label_col] + ([spec.sentiment_col] if spec.sentiment_col else [])
            missing = [c for c in needed if c not in row]
            if missing:
                raise LabelError(
                    name, lineno,
                    f"missing column(s) {', '.join(missing)}; the file has {', '.join(map(str, row))}. "
                    "Name the right ones with --text-col/--target-col/--label-col/--sentiment-col",
                )
            header_checked = True
        try:
            text = (row.get(spec.text_col) or "").strip()
            target = (row.get(spec.target_col) or "").strip()
            label = _map(str(row.get(spec.label_col) or ""), spec.label_map)
            if not text:
                raise LabelError(name, lineno, f"empty {spec.text_col!r}; fill it or delete the row")
            if not target:
                raise LabelError(name, lineno, f"empty {spec.target_col!r}; fill it or delete the row")
            if label not in STANCES:
                raise LabelError(
                    name, lineno,
                    f"unknown stance {row.get(spec.label_col)!r}; allowed: {', '.join(STANCES)} "
                    "(map other names with --label-map \"Favor=favor,Against=against,None=none\")",
                )
            sentiment = None
            if spec.sentiment_col:
                raw_s = str(row.get(spec.sentiment_col) or "").strip()
                if raw_s:
                    sentiment = _map(raw_s, spec.label_map)
                    if sentiment not in SENTIMENTS:
                        raise LabelError(
                            name, lineno,
                            f"unknown sentiment {raw_s!r}; allowed: {', '.join(SENTIMENTS)} (map with --label-map)",
                        )
        except LabelError as exc:
            data.errors.append(exc)
            continue
        if inventory is not None and target in inventory:
            from .actors import match_actors

            found = target in {m.actor for m in match_actors(text, inventory)}
        else:
            found = False
        data.pairs.append(Pair(text, target))
        data.stances.append(label)
        data.sentiments.append(sentiment)
        data.found.append(found)
        data.articles.append(f"{name}:{lineno}")
        data.sentence_ids.append(f"{name}:{lineno}")
        data.kinds.append("user")
        data.sources.append(None)
        data.line_numbers.append(None)
    data.lines = list({t.text: (t.text, s) for t, s in zip(data.pairs, data.sentiments)}.values())
    data.line_kinds = ["user"] * len(data.lines)
    return data


def load_dataset(
    path: str | Path, inventory: Inventory | None = None, spec: ColumnSpec | None = None
) -> Dataset:
    """Read a file or directory of training/evaluation data.

    ``.jsonl`` files holding ``targets`` are read in the labels format; CSV/TSV
    files (and JSONL rows without ``targets``) by the column ``spec``. Bad
    records are collected in ``errors`` and skipped.
    """
    root = Path(path)
    if not root.exists():
        raise LabelError(str(root), 0, "no such file or directory")
    files = iter_label_files(root) if root.is_dir() else [root]
    if root.is_dir():
        files += sorted(p for p in root.rglob("*") if p.suffix.lower() in (".csv", ".tsv"))
    data = Dataset()
    for file in files:
        if _is_column_file(file, spec) or file.suffix.lower() in (".csv", ".tsv"):
            data.extend(_from_columns(file, spec or ColumnSpec(), inventory))
        else:
            data.extend(_from_labels(file, inventory))
    data.digest = sha256_files(files)[:16]
    return data
