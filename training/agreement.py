"""Inter-annotator agreement on a blind second annotation of >= 10% of the articles.

    python training/agreement.py prepare            # write labels/agreement/blind_<batch>.jsonl
    python training/agreement.py score              # kappa per field against labels/raw as it is now
    python training/agreement.py score --write      # ... and (re)write the disagreement list
    python training/agreement.py prepare b14 b15    # only these batches (the others' files stay)
    python training/agreement.py score b14 b15      # only these batches' second annotation
    python training/agreement.py todo b14 b15       # disagreements to adjudicate, labels in random order
    python training/agreement.py apply DECISIONS.tsv OUT.jsonl  # adjudicated decisions -> labels/raw

`prepare` picks every 8th article of each raw batch (deterministic, by id hash)
and writes its lines with the actors the matcher finds but no labels. A second
annotator fills `stance`, `source` and the line `sentiment` without seeing the
first labels, into labels/agreement/second_<batch>.jsonl (same lines). `score`
compares them with labels/raw and writes labels/agreement/disagreements.jsonl;
each disagreement is then adjudicated against GUIDELINES.md in labels/raw and
the decision recorded in labels/agreement/adjudication.jsonl.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.actors import load_actors, match_actors  # noqa: E402

RAW = ROOT / "labels" / "raw"
OUT = ROOT / "labels" / "agreement"


def read(path: Path) -> list[dict]:
    """JSONL rows."""
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def chosen(rows: list[dict]) -> set[str]:
    """Every 8th article by id hash (at least one per batch)."""
    ids = sorted({r["article"] for r in rows}, key=lambda a: hashlib.md5(a.encode()).hexdigest())
    return set(ids[:: 8]) or set(ids[:1])


def annotations(folder: Path, prefix: str, batches: list[str] | None = None) -> dict[tuple[str, int], dict]:
    """The lines of ``folder/PREFIX*.jsonl`` by (article, line): the first annotation (``labels/raw``, prefix
    ``b``) or the second (``labels/agreement``, prefix ``second_b``); of ``batches`` (``b14``…) only, when given."""
    out = {}
    for path in sorted(folder.glob(f"{prefix}*.jsonl")):
        if batches and "b" + path.stem.removeprefix(prefix) not in batches:
            continue
        for r in read(path):
            out[(r["article"], r["line"])] = r
    return out


def prepare(batches: list[str] | None = None) -> None:
    """Write the blind files (of ``batches`` only, when given)."""
    OUT.mkdir(parents=True, exist_ok=True)
    inventory = load_actors()
    total = 0
    for raw in sorted(RAW.glob("b*.jsonl")):
        if batches and raw.stem not in batches:
            continue
        rows = read(raw)
        keep = chosen(rows)
        blind = []
        for r in rows:
            if r["article"] in keep:
                actors = list(dict.fromkeys(m.actor for m in match_actors(r["text"], inventory, r.get("date"))))
                blind.append({"article": r["article"], "outlet": r.get("outlet"), "date": r.get("date"),
                              "line": r["line"], "text": r["text"], "sentiment": None,
                              "targets": [{"actor": a, "stance": None, "source": None} for a in actors]})
        (OUT / f"blind_{raw.stem}.jsonl").write_text(
            "".join(json.dumps(b, ensure_ascii=False) + "\n" for b in blind), encoding="utf-8")
        total += len(keep)
        print(f"{raw.stem}: {len(keep)} articles, {len(blind)} lines")
    print(f"total {total} articles")


def score(write: bool = False, batches: list[str] | None = None) -> None:
    """Kappa per field; with ``write``, also the list of disagreements (to adjudicate).

    After adjudication, labels/raw holds the decided labels, so a new score measures the second
    annotator against the adjudicated corpus; the agreement before adjudication is kept in
    labels/agreement/score_before_adjudication.txt and the list it produced in disagreements.jsonl.
    """
    first, second = annotations(RAW, "b", batches), annotations(OUT, "second_b", batches)
    fields = {"stance": ([], []), "source": ([], []), "sentiment": ([], [])}
    disagreements = []
    for key, b in sorted(second.items()):
        a = first.get(key)
        if a is None:
            continue
        fields["sentiment"][0].append(a["sentiment"])
        fields["sentiment"][1].append(b["sentiment"])
        if a["sentiment"] != b["sentiment"]:
            disagreements.append({"article": key[0], "line": key[1], "field": "sentiment", "text": a["text"],
                                  "first": a["sentiment"], "second": b["sentiment"]})
        ta = {t["actor"]: t for t in a["targets"]}
        for t in b["targets"]:
            if t["actor"] not in ta:
                continue
            for name in ("stance", "source"):
                x, y = ta[t["actor"]].get(name), t.get(name)
                fields[name][0].append(str(x))
                fields[name][1].append(str(y))
                if x != y:
                    disagreements.append({"article": key[0], "line": key[1], "field": name, "actor": t["actor"],
                                          "text": a["text"], "first": x, "second": y})
    articles = {k[0] for k in second}
    all_articles = {k[0] for k in first}
    print(f"double-annotated: {len(articles)} of {len(all_articles)} articles "
          f"({len(articles) / max(1, len(all_articles)):.1%}), {len(second)} lines, "
          f"{len(fields['stance'][0])} pairs")
    for name, (x, y) in fields.items():
        agree = sum(a == b for a, b in zip(x, y)) / max(1, len(x))
        print(f"{name:<10} kappa {cohen_kappa_score(x, y):.3f}  raw agreement {agree:.3f}  (n={len(x)})")
    if write:
        target = OUT / (f"disagreements_{batches[0]}-{batches[-1]}.jsonl" if batches else "disagreements.jsonl")
        target.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in disagreements), encoding="utf-8")
        print(f"{len(disagreements)} disagreements written to {target}")
    else:
        print(f"{len(disagreements)} disagreements (not written; use --write)")


def adjudication_todo(batches: list[str], seed: int = 5) -> Path:
    """Write ``adjudicate_FIRST-LAST.todo.tsv``: one line per disagreeing pair (stance and source together)
    or sentiment, the two labels in a seeded random order so that the adjudicator cannot tell which came
    first: ``article, line, field, actor or -, label X, label Y, text``."""
    import random

    path = OUT / f"adjudicate_{batches[0]}-{batches[-1]}.todo.tsv"
    if path.exists():  # after adjudication labels/raw holds the decisions: a new list would lose the record
        raise SystemExit(f"{path} exists (the list these batches were adjudicated from); remove it to rewrite it")
    first, second = annotations(RAW, "b", batches), annotations(OUT, "second_b", batches)
    rng = random.Random(seed)
    lines = []
    for key in sorted(set(first) & set(second)):
        a, b = first[key], second[key]
        rows = [("sentiment", "-", a["sentiment"], b["sentiment"])]
        other = {t["actor"]: t for t in b["targets"]}
        rows += [("stance/source", t["actor"], f"{t['stance']}/{t['source']}",
                  f"{other[t['actor']]['stance']}/{other[t['actor']]['source']}")
                 for t in a["targets"] if t["actor"] in other]
        for field, actor, x, y in rows:
            if x != y:
                pair = [x, y]
                rng.shuffle(pair)
                lines.append(f"{key[0]}\t{key[1]}\t{field}\t{actor}\t{pair[0]}\t{pair[1]}\t{a['text']}\n")
    path.write_text("".join(lines), encoding="utf-8")
    print(f"{len(lines)} disagreements to adjudicate written to {path}")
    return path


def apply(decisions: Path, out: Path) -> None:
    """Write adjudicated decisions (``article<TAB>line<TAB>actor|-<TAB>stance/source|sentiment<TAB>reason``)
    into labels/raw where they differ from the first label, and record every decision in ``out``."""
    first: dict[tuple[str, int], tuple[Path, dict]] = {}
    files: dict[Path, list[dict]] = {}
    for raw in sorted(RAW.glob("b*.jsonl")):
        files[raw] = read(raw)
        for r in files[raw]:
            first[(r["article"], r["line"])] = (raw, r)
    second = annotations(OUT, "second_b")
    records, changed, problems = [], set(), []
    for n, raw_line in enumerate(decisions.read_text(encoding="utf-8").splitlines(), 1):
        if not raw_line.strip():
            continue
        parts = raw_line.split("\t")
        key = (parts[0], int(parts[1])) if len(parts) == 5 and parts[1].isdigit() else None
        if key not in first or key not in second:
            problems.append(f"{decisions}:{n}: expected article, line, actor or -, decision, reason of a listed line")
            continue
        path, row = first[key]
        actor, decision, reason = parts[2], parts[3].strip(), parts[4]
        if actor == "-":
            rec = {"field": "sentiment", "first": row["sentiment"], "second": second[key]["sentiment"]}
            if decision not in ("negative", "neutral", "positive"):
                problems.append(f"{decisions}:{n}: sentiment must be negative, neutral or positive")
                continue
            if row["sentiment"] != decision:
                row["sentiment"] = decision
                changed.add(path)
        else:
            stance, _, source = decision.partition("/")
            target = next((t for t in row["targets"] if t["actor"] == actor), None)
            other = next((t for t in second[key]["targets"] if t["actor"] == actor), None)
            if target is None or other is None or stance not in ("favor", "against", "none") or not source:
                problems.append(f"{decisions}:{n}: {actor} is not a target of {key} or {decision!r} is no stance/source")
                continue
            source = "author" if stance == "none" else source
            rec = {"field": "stance/source", "actor": actor, "first": f"{target['stance']}/{target['source']}",
                   "second": f"{other['stance']}/{other['source']}"}
            if (target["stance"], target["source"]) != (stance, source):
                target["stance"], target["source"] = stance, source
                changed.add(path)
        records.append({"article": key[0], "line": key[1], **rec, "decision": decision, "reason": reason,
                        "text": row["text"]})
    if problems:
        raise SystemExit("\n".join(problems))
    for path in changed:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in files[path]), encoding="utf-8")
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    kept = sum(r["decision"] == r["first"] for r in records)
    print(f"{len(records)} decisions: first label kept {kept}, changed {len(records) - kept}; "
          f"{len(changed)} raw file(s) rewritten; recorded in {out}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "score"
    names = [a for a in sys.argv[2:] if not a.startswith("--")] or None
    if command == "todo":
        adjudication_todo(names or [])
        sys.exit(0)
    if command == "apply":
        apply(Path(sys.argv[2]), Path(sys.argv[3]))
        sys.exit(0)
    if command == "prepare":
        prepare(names)
    else:
        score(write="--write" in sys.argv[2:], batches=names)
