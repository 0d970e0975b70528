"""Label the actors an authored record gained when the inventory grew.

    python training/amend_authored.py todo [--out labels/raw/authored_amend.todo.txt]
    python training/amend_authored.py apply labels/raw/authored_amend.ans.tsv

``todo`` lists every authored record (labels/raw/bN.jsonl and labels/test/seed.jsonl) in which the
matcher, with the article's date, finds an actor the record has no label for (and that its
``not_mentions`` does not list): ``ARTICLE:LINE [ACTOR:surface, ...] text  || sentiment labels``.
An annotator answers each with ``ARTICLE:LINE<TAB>ITEMS`` (``EGY=a/ISR``, ``FRA=n``, ``-GBR`` for a
homonym, as in the real-news answers). ``apply`` adds the answers to the raw batch and to the split
file that holds the same record (``training/make_splits.py`` keeps splits), refusing any answer that
misses or invents an actor, so that `stance labels check labels/` stays clean.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "training"))

from realnews import STANCE_CODE, found_text, items_text  # noqa: E402

from stance.actors import load_actors, match_actors  # noqa: E402

LABELS = ROOT / "labels"
_ITEM = re.compile(r"^(-?)([A-Z_]+)(?:=([fan])(?:/([A-Za-z_]+))?)?$")


def _files() -> list[Path]:
    return sorted((LABELS / "raw").glob("b*.jsonl")) + [LABELS / "test" / "seed.jsonl"]


def _records(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def lacking(rec: dict, inventory) -> dict[str, list[str]]:
    """Actors the matcher finds in ``rec`` that it neither labels nor lists as not mentioned."""
    have = {t["actor"] for t in rec.get("targets", [])} | set(rec.get("not_mentions", []))
    out: dict[str, list[str]] = {}
    for m in match_actors(rec["text"], inventory, rec.get("date")):
        if m.actor not in have:
            out.setdefault(m.actor, []).append(m.surface)
    return out


def todo(out: Path) -> None:
    """Write the list of records to amend."""
    inventory = load_actors()
    lines = []
    for path in _files():
        for rec in _records(path):
            new = lacking(rec, inventory)
            if new:
                lines.append(f"{rec['article']}:{rec['line']} [{found_text(new)}] {rec['text']}  || "
                             f"{(rec.get('sentiment') or '-')[:3]} {items_text(rec['targets'])}\n")
    out.write_text("".join(lines), encoding="utf-8")
    print(f"{out}: {len(lines)} records")


def parse(path: Path, ids: set[str]) -> tuple[dict[str, list[tuple[str, str | None, str | None]]], list[str]]:
    """Answers by ``article:line``: (actor, stance or None for ``-``, source); and the problems."""
    answers, problems = {}, []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        key, items = parts[0].strip(), (parts[1].split() if len(parts) > 1 else [])
        got = []
        for item in items:
            m = _ITEM.match(item)
            if not m or m.group(2) not in ids or (not m.group(1) and not m.group(3)):
                problems.append(f"{path}:{n}: cannot read {item!r} (ACTOR=f|a|n[/SOURCE] or -ACTOR)")
                continue
            neg, actor, code, source = m.groups()
            if source and source != "author" and source not in ids:
                problems.append(f"{path}:{n}: unknown source {source!r}")
                continue
            if source == actor:
                problems.append(f"{path}:{n}: {actor} cannot hold a stance toward itself")
                continue
            stance = None if neg else STANCE_CODE[code]
            got.append((actor, stance, "author" if stance in (None, "none") else (source or "author")))
        if key in answers:
            problems.append(f"{path}:{n}: {key} answered twice")
        answers[key] = got
    return answers, problems


def apply(path: Path) -> int:
    """Add the answers to the raw batches and the split files; 1 on any problem (nothing written then)."""
    inventory = load_actors()
    answers, problems = parse(path, set(inventory.ids))
    edited: dict[str, dict] = {}  # article:line -> amended record
    lacking_keys: set[str] = set()  # records that lack an actor, answered or not
    for raw in _files():
        for rec in _records(raw):
            key = f"{rec['article']}:{rec['line']}"
            new = lacking(rec, inventory)
            if not new:
                continue
            lacking_keys.add(key)
            got = answers.get(key)
            if got is None:
                problems.append(f"{key}: no answer for {', '.join(new)}")
                continue
            if sorted(a for a, _, _ in got) != sorted(new):
                problems.append(f"{key}: answered {sorted(a for a, _, _ in got)}, the matcher finds {sorted(new)}")
                continue
            rec = dict(rec, targets=list(rec["targets"]))
            for actor, stance, source in got:
                if stance is None:
                    rec["not_mentions"] = sorted(set(rec.get("not_mentions", [])) | {actor})
                else:
                    rec["targets"].append({"actor": actor, "stance": stance, "source": source})
            edited[key] = rec
    # answered where nothing lacks an actor; only homonyms answered is fine (an exclude now covers them)
    unknown = {k for k in set(answers) - lacking_keys if any(stance is not None for _, stance, _ in answers[k])}
    problems += [f"{k}: answered, but no record there lacks an actor" for k in sorted(unknown)]
    for p in problems:
        print(p)
    if problems:
        return 1
    files = _files() + [f for s in ("train", "dev", "test") for f in sorted((LABELS / s).glob("b*.jsonl"))]
    changed = 0
    for f in files:
        recs = _records(f)
        out = [edited.get(f"{r['article']}:{r['line']}", r) for r in recs]
        if out != recs:
            changed += sum(a is not b for a, b in zip(out, recs))
            f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    print(f"{len(edited)} records amended ({changed} record copies written)")
    return 0


def main() -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("todo")
    t.add_argument("--out", type=Path, default=LABELS / "raw" / "authored_amend.todo.txt")
    a = sub.add_parser("apply")
    a.add_argument("answers", type=Path)
    args = ap.parse_args()
    if args.cmd == "todo":
        todo(args.out)
        return 0
    return apply(args.answers)


if __name__ == "__main__":
    sys.exit(main())
