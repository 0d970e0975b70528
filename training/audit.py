"""Audit of the real-news TRAINING labels: a blind re-reading of the pairs the model doubts most.

    python training/audit.py todo [--threshold 0.25] [--parts 6]   # -> labels/raw/real/audit01.todo.txt ...
    python training/audit.py compare labels/raw/real/audit0*.ans.tsv   # -> labels/agreement/real_audit_disagreements.jsonl
    python training/audit.py check labels/raw/real/audit01.ans.tsv      # format and progress
    python training/audit.py apply labels/raw/real/audit_adj0*.decisions.tsv  # -> labels/agreement/real_audit.jsonl

``todo`` computes out-of-fold stance probabilities for every real pair of ``labels/train`` (5 folds of
documents cut by the hash of the document id; each fold scored by a model trained on the authored
train articles and the real train documents of the other folds; default parameters) and lists the
records holding a pair whose given label gets probability below ``--threshold``. The lists show the
record with its actors but neither its labels nor the model's guess: a second annotator reads them
blind, in the answer format of the real batches (``ANNOTATOR_BRIEF_REAL.md``).

``compare`` sets the blind answers against the merged labels, pair by pair, and writes the stance
disagreements (the two labels in a seeded random order, so that an adjudicator cannot tell which is
the first) for adjudication. The adjudicated decisions go to ``labels/agreement/real_audit.jsonl``
(one line per changed field, ``{id, actor, field, decision, reason}``), which ``realnews.py merge``
applies after the amendments.

Only the train split is audited: dev and test are never selected by a model, so that the figures on
them stay honest.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_cv import fold_of  # noqa: E402
import realnews  # noqa: E402
from realnews import ROOT, SOURCES, STANCE_CODE, found_text, load_index, parse_answer_lines  # noqa: E402

OUT = ROOT / "labels" / "raw" / "real"
AGREEMENT = ROOT / "labels" / "agreement"
DECISIONS = AGREEMENT / "real_audit.jsonl"
CODE = {v: k for k, v in STANCE_CODE.items()}


def merged_records(labels: Path = ROOT / "labels") -> dict[tuple[str, int], dict]:
    """The merged real records of the train split (the only one audited) by (pool file, pool line)."""
    return realnews.merged_records(labels, ("train",))


def record_ids(index: dict[str, dict]) -> dict[tuple[str, int], str]:
    """Record id by (pool file, pool line)."""
    return {(row["file"], row["line"]): rid for rid, row in index.items()}


def out_of_fold(labels: Path = ROOT / "labels") -> list[dict]:
    """Out-of-fold stance probabilities of every real train pair the matcher finds."""
    from stance.actors import load_actors
    from stance.datasets import load_dataset
    from stance.model import StanceModel
    from stance.cache import default_params

    params = default_params()["params"]
    data = load_dataset(labels / "train", load_actors())
    by_article = {}
    for rec in merged_records(labels).values():
        by_article[(rec["article"], rec["line"])] = rec
    rows = []
    for k in range(5):
        fit = [i for i in range(len(data)) if data.kinds[i] == "authored"
               or (data.kinds[i] == "real" and fold_of(data.articles[i]) != k)]
        held = [i for i in range(len(data)) if data.kinds[i] == "real" and fold_of(data.articles[i]) == k]
        sub = data.take(fit)
        model = StanceModel(**params).fit(sub.pairs, sub.stances, sub.sentiments, sub.lines)
        proba = model.predict_proba([data.pairs[i] for i in held])
        classes = list(model.classes_)
        for i, p in zip(held, proba):
            rec = by_article[(data.articles[i], data.line_numbers[i])]
            rows.append({"file": rec["provenance"]["file"], "line": rec["provenance"]["line"],
                         "actor": data.pairs[i].target, "gold": data.stances[i],
                         "p_gold": float(p[classes.index(data.stances[i])]),
                         "pred": classes[int(p.argmax())]})
        print(f"fold {k}: {len(held)} real pairs scored", file=sys.stderr, flush=True)
    return rows


def write_todo(threshold: float, parts: int, labels: Path = ROOT / "labels", out: Path = OUT) -> None:
    """Write ``auditNN.todo.txt``: the records with a doubted pair, whole-document order, blind."""
    from stance.actors import load_actors, match_actors

    index = load_index(out)
    rid_of = record_ids(index)
    recs = merged_records(labels)
    rows = out_of_fold(labels)
    doubted = {(r["file"], r["line"]) for r in rows if r["p_gold"] < threshold}
    with open(out / "audit_doubted.tsv", "w", encoding="utf-8") as fh:  # the doubted pairs, for the record
        fh.write("# id\tactor\tlabel\tp(label)\tpredicted (out of fold)\n")
        for r in sorted(rows, key=lambda r: (r["file"], r["line"], r["actor"])):
            if r["p_gold"] < threshold:
                fh.write(f"{rid_of[(r['file'], r['line'])]}\t{r['actor']}\t{r['gold']}\t{r['p_gold']:.3f}\t{r['pred']}\n")
    n_pairs = sum(r["p_gold"] < threshold for r in rows)
    inventory = load_actors()
    by_doc: dict[str, list[str]] = {}
    header: dict[str, str] = {}  # document -> its pool file
    for key in sorted(doubted, key=lambda k: (recs[k]["article"], recs[k]["line"])):
        rec = recs[key]
        matched: dict[str, str] = {}
        for m in match_actors(rec["text"], inventory):
            matched.setdefault(m.actor, m.surface)  # the first surface of each actor
        shown = {t["actor"]: [t.get("surface") or matched.get(t["actor"], "?")] for t in rec["targets"]}
        by_doc.setdefault(rec["article"], []).append(f"{rid_of[key]} [{found_text(shown)}] {rec['text']}")
        header.setdefault(rec["article"], key[0])
    docs = sorted(by_doc)
    random.Random(7).shuffle(docs)  # parts of equal difficulty, not one source each
    size = -(-len(docs) // parts)
    for k in range(parts):
        chunk = sorted(docs[k * size:(k + 1) * size])
        blocks = []
        for doc in chunk:
            _, outlet, period, _ = SOURCES[header[doc]]
            blocks.append(f"## {doc}  ({header[doc]}, {outlet}, {period})\n" + "\n".join(by_doc[doc]) + "\n")
        path = out / f"audit{k + 1:02d}.todo.txt"
        path.write_text("\n".join(blocks), encoding="utf-8")
        print(f"{path.name}: {sum(len(by_doc[d]) for d in chunk)} records in {len(chunk)} documents")
    print(f"{n_pairs} of {len(rows)} real train pairs below p={threshold} in {len(doubted)} records")
    for q in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3):
        print(f"  p(given label) < {q}: {sum(r['p_gold'] < q for r in rows)} pairs")


def _view(index: dict[str, dict], recs: dict[tuple[str, int], dict]) -> dict[str, dict]:
    """Index rows whose actors are the merged record's labeled actors (what an audit answer labels)."""
    view = {}
    for rid, row in index.items():
        rec = recs.get((row["file"], row["line"]))
        if rec is not None:
            view[rid] = {**row, "actors": sorted(t["actor"] for t in rec["targets"])}
    return view


def check(path: Path, out: Path = OUT, labels: Path = ROOT / "labels") -> int:
    """Format problems of one audit answer file and its progress against its todo list."""
    from stance.actors import load_actors

    view = _view(load_index(out), merged_records(labels))
    rows = [(f"{path}:{n}", raw.rstrip("\n")) for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)]
    answers, problems = parse_answer_lines(rows, view, set(load_actors().ids))
    todo = path.with_name(path.name.replace(".ans.tsv", ".todo.txt"))
    wanted = ({line.split()[0] for line in todo.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")} if todo.exists() else set())
    stray = sorted({a.rid for a in answers} - wanted) if wanted else []
    problems += [f"{path}: {rid} is not in {todo.name}" for rid in stray]
    for p in problems:
        print(p)
    print(f"{path.name}: {len(answers)} of {len(wanted)} records answered, {len(problems)} problem(s)")
    return 1 if problems else 0


def compare(paths: list[Path], labels: Path = ROOT / "labels", out: Path = OUT, write: bool = True) -> dict:
    """Blind audit answers against the merged labels: agreement and the stance disagreements."""
    from stance.actors import load_actors

    index = load_index(out)
    recs = merged_records(labels)
    view = _view(index, recs)
    rows = [(f"{p}:{n}", raw.rstrip("\n")) for p in paths
            for n, raw in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)]
    answers, problems = parse_answer_lines(rows, view, set(load_actors().ids))
    for p in problems:
        print(p, file=sys.stderr)
    rng = random.Random(11)
    same = differ = 0
    disagreements = []
    for ans in answers:
        row = index[ans.rid]
        rec = recs[(row["file"], row["line"])]
        first = {t["actor"]: t for t in rec["targets"]}
        for t in ans.targets:
            old = first.get(t["actor"])
            if old is None:
                continue
            if old["stance"] == t["stance"]:
                same += 1
                continue
            differ += 1
            a = f"{CODE[old['stance']]}/{old.get('source', 'author')}"
            b = f"{CODE[t['stance']]}/{t['source']}"
            pair = [a, b]
            rng.shuffle(pair)
            disagreements.append({"id": ans.rid, "actor": t["actor"], "text": rec["text"],
                                  "first": a, "audit": b, "shown": pair})
    result = {"records": len(answers), "pairs": same + differ, "same stance": same, "different": differ,
              "problems": len(problems)}
    if write:
        AGREEMENT.mkdir(exist_ok=True)
        key = AGREEMENT / "real_audit_disagreements.jsonl"
        key.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in disagreements), encoding="utf-8")
        blind = out / "audit_adjudicate.todo.txt"
        blind.write_text("".join(f"{d['id']}\t{d['actor']}\t{d['shown'][0]}\t{d['shown'][1]}\t{d['text']}\n"
                                 for d in disagreements), encoding="utf-8")
        result["written"] = [str(key.relative_to(ROOT)), str(blind.relative_to(ROOT))]
    return result


def apply(paths: list[Path], out_path: Path = DECISIONS) -> dict:
    """Adjudicated decisions (``ID<TAB>ACTOR<TAB>STANCE/SOURCE<TAB>reason``) -> ``real_audit.jsonl``: one line
    per field the decision changes in the merged label (a decision for the first label changes nothing)."""
    key = {(d["id"], d["actor"]): d for d in map(json.loads, (AGREEMENT / "real_audit_disagreements.jsonl")
                                                 .read_text(encoding="utf-8").splitlines())}
    decisions, problems = [], []
    counts = {"first label kept": 0, "audit label taken": 0, "third label": 0}
    for path in paths:
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            parts = raw.split("\t")
            d = key.get((parts[0], parts[1] if len(parts) > 1 else ""))
            label = parts[2].strip() if len(parts) > 2 else ""
            code, _, source = label.partition("/")
            if len(parts) != 4 or d is None or code not in STANCE_CODE or not source or not parts[3].strip():
                problems.append(f"{path}:{n}: expected ID, ACTOR (a listed disagreement), f|a|n/SOURCE, reason")
                continue
            if code == "n":
                source = "author"
            counts["first label kept" if label == d["first"] else "audit label taken" if label == d["audit"]
                   else "third label"] += 1
            first_code, _, first_source = d["first"].partition("/")
            base = {"id": d["id"], "actor": d["actor"], "text": d["text"], "first": d["first"], "audit": d["audit"]}
            if code != first_code:
                decisions.append({**base, "field": "stance", "decision": STANCE_CODE[code], "reason": parts[3]})
            if code != "n" and source != first_source:
                decisions.append({**base, "field": "source", "decision": source, "reason": parts[3]})
    if problems:
        raise SystemExit("\n".join(problems))
    missing = len(key) - sum(counts.values())
    out_path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in decisions), encoding="utf-8")
    return {**counts, "undecided": missing, "fields changed": len(decisions), "written": str(out_path.relative_to(ROOT))}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("todo", help="blind re-reading lists of the doubted real train records")
    t.add_argument("--threshold", type=float, default=0.25)  # the December audit's setting
    t.add_argument("--parts", type=int, default=6)
    c = sub.add_parser("compare", help="blind answers against the merged labels")
    c.add_argument("answers", type=Path, nargs="+")
    a = sub.add_parser("apply", help="adjudicated decisions -> labels/agreement/real_audit.jsonl")
    a.add_argument("decisions", type=Path, nargs="+")
    k = sub.add_parser("check", help="format problems and progress of one audit answer file")
    k.add_argument("answers", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "check":
        return check(args.answers)
    if args.cmd == "apply":
        print(json.dumps(apply(args.decisions), indent=1))
        return 0
    if args.cmd == "todo":
        write_todo(args.threshold, args.parts)
        return 0
    if args.cmd == "compare":
        print(json.dumps(compare(args.answers), indent=1))
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
