"""A hand-annotated gold set of actor mentions in real news (spans), for measuring the matcher.

    python training/gold_mentions.py prepare [-n 640]       # labels/mentions/mNN.todo.txt
    python training/gold_mentions.py convert labels/mentions/m01.ans.tsv [...]  # -> gold.jsonl

``prepare`` samples real-news records of the labels (all splits, seeded, stratified by pool file) and
writes them WITHOUT the matcher's output: annotators mark every mention by reading. Their answer
lines are ``ID<TAB>ITEMS`` with items ``ACTOR@surface`` (``_`` for spaces, ``#k`` for the k-th
occurrence of the same surface, ``~ACTOR@surface`` for a mention resolved only by context);
``convert`` turns them into ``labels/mentions/gold.jsonl`` records with character offsets into the
original text (``text[start:end] == surface``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.actors import load_actors  # noqa: E402
from stance.labels import read_labels  # noqa: E402

OUT = ROOT / "labels" / "mentions"
CODES = {"wikinews_2024.txt": "wn24", "wikinews_2014.txt": "wn14", "newsfane.txt": "nf",
         "ans_headlines.txt": "ans", "catt.txt": "catt", "fignews_posts.txt": "fig"}
_ITEM = re.compile(r"^(~?)([A-Z_]+)@(.+?)(?:#(\d+))?$")


def record_id(provenance: dict) -> str:
    """The record id used in the annotation batches (pool code + pool line)."""
    return f"{CODES[provenance['file']]}-{provenance['line']:04d}"


def real_records() -> dict[str, dict]:
    """Real-news records of the labels by id: text, provenance, split."""
    out = {}
    for split in ("train", "dev", "test"):
        for ln in read_labels(ROOT / "labels" / split):
            if ln.kind == "real":
                out[record_id(ln.provenance)] = {"text": ln.text, "provenance": ln.provenance, "split": split}
    return out


def prepare(n: int, batches: int, seed: int = 29) -> None:
    """Write ``mNN.todo.txt`` batches: ``ID<TAB>text`` lines, no matcher output."""
    records = real_records()
    rng = random.Random(seed)
    by_file: dict[str, list[str]] = {}
    for rid, rec in sorted(records.items()):
        by_file.setdefault(rec["provenance"]["file"], []).append(rid)
    chosen: list[str] = []
    for file, ids in sorted(by_file.items()):
        k = max(1, round(n * len(ids) / len(records)))
        chosen += rng.sample(ids, min(k, len(ids)))
    rng.shuffle(chosen)
    OUT.mkdir(parents=True, exist_ok=True)
    for b in range(batches):
        part = chosen[b::batches]
        with open(OUT / f"m{b + 1:02d}.todo.txt", "w", encoding="utf-8") as fh:
            for rid in part:
                fh.write(f"{rid}\t{records[rid]['text']}\n")
        print(f"m{b + 1:02d}: {len(part)} sentences")


def parse(path: Path, records: dict[str, dict], actor_ids: set[str]) -> tuple[list[dict], list[str]]:
    """Answer file -> gold records with offsets; problems name the file and line."""
    gold, problems = [], []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        rid, _, rest = raw.partition("\t")
        rid = rid.strip()
        where = f"{path}:{n}"
        if rid not in records:
            problems.append(f"{where}: unknown record id {rid!r}")
            continue
        text = records[rid]["text"]
        mentions = []
        for item in rest.split():
            m = _ITEM.match(item)
            if not m:
                problems.append(f"{where}: cannot read {item!r}; write ACTOR@surface[#k]")
                continue
            how, actor, surface, k = m.groups()
            surface = surface.replace("_", " ")
            if actor not in actor_ids:
                problems.append(f"{where}: unknown actor {actor!r}")
                continue
            starts = [i for i in range(len(text)) if text.startswith(surface, i)]
            if not starts and "_" in m.group(3):  # the text itself may hold "_" (hashtags)
                surface = m.group(3)
                starts = [i for i in range(len(text)) if text.startswith(surface, i)]
            k = int(k or 1)
            if len(starts) < k:
                problems.append(f"{where}: {surface!r} occurs {len(starts)} time(s) in {rid}; copy the exact words")
                continue
            start = starts[k - 1]
            mentions.append({"actor": actor, "start": start, "end": start + len(surface), "surface": surface,
                             "context": bool(how)})
        gold.append({"id": rid, "split": records[rid]["split"], "provenance": records[rid]["provenance"],
                     "text": text, "mentions": sorted(mentions, key=lambda x: x["start"])})
    return gold, problems


def convert(paths: list[Path]) -> int:
    """Write ``labels/mentions/gold.jsonl`` from the answer files; exit status 1 on any problem."""
    records = real_records()
    actor_ids = set(load_actors().ids)
    gold, problems = [], []
    for path in paths:
        g, p = parse(path, records, actor_ids)
        gold += g
        problems += p
    for p in problems:
        print(p)
    seen = set()
    unique = [g for g in gold if not (g["id"] in seen or seen.add(g["id"]))]
    with open(OUT / "gold.jsonl", "w", encoding="utf-8") as fh:
        for g in sorted(unique, key=lambda g: g["id"]):
            fh.write(json.dumps(g, ensure_ascii=False) + "\n")
    print(f"{len(unique)} sentences, {sum(len(g['mentions']) for g in unique)} mentions; {len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("-n", type=int, default=640)
    p.add_argument("--batches", type=int, default=2)
    c = sub.add_parser("convert")
    c.add_argument("answers", type=Path, nargs="+")
    args = ap.parse_args(argv)
    if args.cmd == "prepare":
        prepare(args.n, args.batches)
        return 0
    return convert(args.answers)


if __name__ == "__main__":
    sys.exit(main())
