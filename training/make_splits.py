"""Split the annotated batches (labels/raw/*.jsonl) into labels/{train,dev,test}/ by article.

Articles already in a split keep their split (test is frozen); new articles
are assigned per batch (each batch is one period/topic slice), ordered by
outlet and date so that every outlet and period is spread over the splits,
with systematic sampling: about 17% test, 12% dev, the rest train.
The seed article (labels/test/seed.jsonl) is always in test. Batches from b14 on (December 2026) go to
train only: the authored dev and test splits stay the articles they were, so that figures before and
after more authored training text compare on the same articles.

    python training/make_splits.py             # every batch
    python training/make_splits.py b22 b23     # only these batches (others' split files stay as they are)
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "labels"
FRACTIONS = (("test", 0.17), ("dev", 0.12))
TRAIN_ONLY_FROM = 14  # batches bNN with NN >= this are training data only


def train_only(batch: str) -> bool:
    """True for the authored batches written after the dev and test splits were closed."""
    digits = batch[1:] if batch.startswith("b") else ""
    return digits.isdigit() and int(digits) >= TRAIN_ONLY_FROM


def existing_assignment() -> dict[str, str]:
    """article id -> split, from the current split files."""
    out = {}
    for split in ("train", "dev", "test"):
        for f in (LABELS / split).glob("*.jsonl"):
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    out[json.loads(line)["article"]] = split
    return out


def assign(articles: list[tuple[str, str, str]], fixed: dict[str, str]) -> dict[str, str]:
    """Systematic assignment of (id, outlet, date) articles, respecting ``fixed``."""
    order = sorted(articles, key=lambda a: (a[1] or "", a[2] or "", hashlib.md5(a[0].encode()).hexdigest()))
    out = {}
    counts = defaultdict(int)
    for k, (aid, _, _) in enumerate(order, 1):
        if aid in fixed:
            out[aid] = fixed[aid]
        else:
            out[aid] = "train"
            for split, frac in FRACTIONS:
                if counts[split] < round(k * frac):
                    out[aid] = split
                    break
        counts[out[aid]] += 1
    return out


def main() -> None:
    """Write labels/{train,dev,test}/<batch>.jsonl from labels/raw/<batch>.jsonl."""
    fixed = existing_assignment()
    totals = defaultdict(int)
    only = set(sys.argv[1:])
    for raw in sorted((LABELS / "raw").glob("*.jsonl")):
        if only and raw.stem not in only:
            continue
        rows = [json.loads(l) for l in raw.read_text(encoding="utf-8").splitlines() if l.strip()]
        meta = {}
        for r in rows:
            meta.setdefault(r["article"], (r["article"], r.get("outlet"), r.get("date")))
        if train_only(raw.stem):
            split_of = {aid: fixed.get(aid, "train") for aid in meta}
        else:
            split_of = assign(list(meta.values()), fixed)
        for split in ("train", "dev", "test"):
            chosen = [r for r in rows if split_of[r["article"]] == split]
            path = LABELS / split / raw.name
            if chosen:
                path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")
            elif path.exists():
                path.unlink()
            totals[split] += len({r["article"] for r in chosen})
    n = sum(totals.values()) or 1
    for split in ("train", "dev", "test"):
        print(f"{split}: {totals[split]} articles ({totals[split] / n:.1%}) from labels/raw (+ seed in test)")


if __name__ == "__main__":
    main()
