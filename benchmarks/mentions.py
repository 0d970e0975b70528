"""Matcher recall and precision against hand-marked actor mentions (labels/mentions/gold.jsonl).

Gold records: one JSON object per sentence, ``{"id", "split", "provenance", "text", "mentions":
[{"actor", "start", "end", "surface", "context": bool}]}``. A predicted mention is correct when it
overlaps a gold span of the same actor (plain or context); a plain gold span is found when a
predicted mention of its actor overlaps it. Context spans (``context: true``: a generic organ that
names the actor only through the document, such as الحكومة) are scored separately: their recall is
reported apart and they never count as misses of the main figures.

    python benchmarks/mentions.py [--gold labels/mentions/gold.jsonl] [--actors FILE] [--article] [--undated] [--list 40]

The gold marks office holders in office at the time of the text, and each pool covers a period
(``PERIODS``: newswire 2002-07, headlines 2018-19, ...). The matcher takes one date per article, so a
sentence is matched at dates spread over its pool's period (1 January and 1 July of each year, and
the period's last day) and the mentions are pooled: a holder counts when its term meets the period.
``--undated`` matches without a date instead (every holder of every period).

``--article`` matches each gold sentence as part of an article (``match_article``): the sentence with
the other labeled sentences of its source document (``article`` of the real records in
``labels/{train,dev,test}``), so context aliases resolve; without it, ``match_actors`` on the sentence
alone (what sentence-level matching finds).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import datetime as dt

from stance.actors import Inventory, Mention, load_actors, match_actors, match_article

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT / "labels" / "mentions" / "gold.jsonl"
# Period of each pool file (labels/SOURCES.md, ../shared/realnews/README.md).
PERIODS = {
    "newsfane.txt": ("2002-01-01", "2007-12-31"),
    "ans_headlines.txt": ("2018-01-01", "2019-12-31"),
    "wikinews_2014.txt": ("2013-01-01", "2014-12-31"),
    "wikinews_2024.txt": ("2024-01-01", "2024-04-30"),
    "catt.txt": ("2022-01-01", "2023-12-31"),
    "fignews_posts.txt": ("2023-10-07", "2024-01-31"),
}


def period_dates(record: dict) -> list[dt.date | None]:
    """Dates spread over the record's pool period ([None] when the pool is unknown)."""
    period = PERIODS.get((record.get("provenance") or {}).get("file", ""))
    if period is None:
        return [None]
    first, last = (dt.date.fromisoformat(d) for d in period)
    dates = [first]
    for year in range(first.year, last.year + 1):
        for month in (1, 7):
            d = dt.date(year, month, 1)
            if first < d <= last:
                dates.append(d)
    return dates + [last]


def _pooled(runs: Iterable[list[Mention]]) -> list[Mention]:
    seen: dict[tuple[str, int, int], Mention] = {}
    for run in runs:
        for m in run:
            seen.setdefault((m.actor, m.start, m.end), m)
    return sorted(seen.values(), key=lambda m: (m.start, m.end))


@dataclass
class Counts:
    """Per-actor tallies."""

    gold: int = 0  # plain gold spans
    found: int = 0  # plain gold spans overlapped by a prediction of the same actor
    predicted: int = 0
    correct: int = 0  # predictions overlapping a gold span (plain or context) of the same actor
    context_gold: int = 0
    context_found: int = 0

    @property
    def precision(self) -> float:
        """Correct predictions / predictions (1.0 with no prediction)."""
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Found plain gold spans / plain gold spans (1.0 with no gold span)."""
        return self.found / self.gold if self.gold else 1.0


@dataclass
class Score:
    """Benchmark result: tallies per actor, misses and false hits."""

    per_actor: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    misses: list[tuple[str, str, str, bool, str]] = field(default_factory=list)  # id, actor, surface, context, text
    false_hits: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, actor, surface, text
    sentences: int = 0

    def overall(self) -> Counts:
        """Sum over actors."""
        total = Counts()
        for c in self.per_actor.values():
            for k in ("gold", "found", "predicted", "correct", "context_gold", "context_found"):
                setattr(total, k, getattr(total, k) + getattr(c, k))
        return total


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def read_gold(path: Path) -> list[dict]:
    """Gold records of a JSONL file (offsets checked against the text)."""
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        rec = json.loads(line)
        for m in rec["mentions"]:
            if rec["text"][m["start"]:m["end"]] != m["surface"]:
                raise ValueError(f"{path}:{n}: mention {m} does not slice the text; fix the offsets")
        records.append(rec)
    return records


def score(records: Iterable[dict], predicted: dict[str, list[Mention]]) -> Score:
    """Score predictions (by record id) against gold records."""
    out = Score()
    for rec in records:
        out.sentences += 1
        gold = rec["mentions"]
        preds = predicted.get(rec["id"], [])
        for g in gold:
            c = out.per_actor[g["actor"]]
            hit = any(p.actor == g["actor"] and _overlap(p.start, p.end, g["start"], g["end"]) for p in preds)
            if g.get("context"):
                c.context_gold += 1
                c.context_found += hit
            else:
                c.gold += 1
                c.found += hit
            if not hit:
                out.misses.append((rec["id"], g["actor"], g["surface"], bool(g.get("context")), rec["text"]))
        for p in preds:
            c = out.per_actor[p.actor]
            c.predicted += 1
            ok = any(p.actor == g["actor"] and _overlap(p.start, p.end, g["start"], g["end"]) for g in gold)
            c.correct += ok
            if not ok:
                out.false_hits.append((rec["id"], p.actor, p.surface, rec["text"]))
    return out


def _documents(records: list[dict], labels: Path) -> dict[str, list[str]]:
    """For each gold id, the sentences of its source document (the gold sentence included, in pool order)."""
    by_prov: dict[tuple[str, int], tuple[str, str]] = {}
    docs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for split in ("train", "dev", "test"):
        for f in sorted((labels / split).glob("*.jsonl")):
            for line in f.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                r = json.loads(line)
                prov = r.get("provenance")
                if r.get("kind") != "real" or not prov:
                    continue
                key = (prov["file"], int(prov["line"]))
                if key not in by_prov:
                    by_prov[key] = (r["article"], r["text"])
                    docs[r["article"]].append((key[1], r["text"]))
    out = {}
    for rec in records:
        prov = rec.get("provenance") or {}
        key = (prov.get("file"), int(prov.get("line", 0)))
        if key in by_prov:
            out[rec["id"]] = [t for _, t in sorted(docs[by_prov[key][0]])]
        else:
            out[rec["id"]] = [rec["text"]]
    return out


def predict(records: list[dict], inventory: Inventory, article: bool = False,
            labels: Path = ROOT / "labels", dated: bool = True) -> dict[str, list[Mention]]:
    """Matcher output per gold id: the sentence alone, or within its source document.

    ``dated``: pool the mentions found at dates spread over the record's pool period.
    """
    docs = _documents(records, labels) if article else {}
    out = {}
    for r in records:
        dates = period_dates(r) if dated else [None]
        if not article:
            out[r["id"]] = _pooled(match_actors(r["text"], inventory, d) for d in dates)
            continue
        sentences = docs[r["id"]]
        k = sentences.index(r["text"]) if r["text"] in sentences else -1
        if k < 0:
            sentences, k = sentences + [r["text"]], len(sentences)
        out[r["id"]] = _pooled(match_article(sentences, inventory, d)[k] for d in dates)
    return out


def report(result: Score, n_list: int = 40, file=sys.stdout) -> None:
    """Print per-actor and overall figures, then the misses and false hits."""
    print(f"sentences: {result.sentences}", file=file)
    print(f"{'actor':<10} {'gold':>5} {'found':>5} {'recall':>7} {'pred':>5} {'correct':>7} {'precision':>9}"
          f" {'ctx gold':>8} {'ctx found':>9}", file=file)
    rows = sorted(result.per_actor.items(), key=lambda kv: -kv[1].gold)
    for actor, c in rows + [("overall", result.overall())]:
        print(f"{actor:<10} {c.gold:>5} {c.found:>5} {c.recall:>7.3f} {c.predicted:>5} {c.correct:>7} "
              f"{c.precision:>9.3f} {c.context_gold:>8} {c.context_found:>9}", file=file)
    plain = [m for m in result.misses if not m[3]]
    context = [m for m in result.misses if m[3]]
    for title, items in (("misses", plain), ("context misses", context)):
        print(f"\n{title}: {len(items)}", file=file)
        for rid, actor, surface, _, text in items[:n_list]:
            print(f"  {rid:<10} {actor:<10} {surface}  |  {text[:90]}", file=file)
    print(f"\nfalse hits: {len(result.false_hits)}", file=file)
    for rid, actor, surface, text in result.false_hits[:n_list]:
        print(f"  {rid:<10} {actor:<10} {surface}  |  {text[:90]}", file=file)


def main(argv: list[str] | None = None) -> Score:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--actors", type=Path, default=None, help="inventory file (default: the bundled one)")
    parser.add_argument("--article", action="store_true", help="match within the source document (context aliases)")
    parser.add_argument("--undated", action="store_true", help="match without dates (every holder)")
    parser.add_argument("--labels", type=Path, default=ROOT / "labels", help="labels root for --article")
    parser.add_argument("--list", type=int, default=40, help="misses and false hits to print")
    args = parser.parse_args(argv)
    records = read_gold(args.gold)
    inventory = load_actors(args.actors)
    result = score(records, predict(records, inventory, args.article, args.labels, not args.undated))
    report(result, args.list)
    return result


if __name__ == "__main__":
    main()
