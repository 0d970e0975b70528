"""Real journalists' text for the labeled corpus: documents, annotation batches, merging.

The pools live in ``../shared/realnews/`` (one sentence or headline per line, see its README for
provenance and licences). This script never edits a pool line: every record's ``text`` is an exact
line of a pool file, and the record says which (``provenance``: file and 1-based line).

Usage::

    python training/realnews.py prepare [--pool DIR] [--out labels/raw/real] [--batches 7]
    python training/realnews.py merge labels/raw/real/r01.ans.tsv [...]   # -> r01.jsonl
    python training/realnews.py extend [--batches 3]     # after the inventory grew: new batches
    python training/realnews.py amend-todo [--parts 2]   # merged records that gained an actor

``prepare`` groups each pool into source documents (a Wikinews article, an agency story, a single
headline or post), runs the actor matcher, selects the lines to label (every line the matcher finds an
actor in, lines that name a likely actor the inventory may miss, and a seeded sample of the other
lines for the sentiment head) and writes annotation batches (``rNN.todo.txt``) that keep each document
whole. ``merge`` reads an annotator's answer file (one line per record, see ANNOTATOR_BRIEF_REAL.md)
and writes label records in the corpus format with ``kind: "real"`` and their provenance.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stance.actors import load_actors, match_actors  # noqa: E402
from stance.labels import LabeledLine, PoolLines, near_duplicates  # noqa: E402
from stance.normalize import normalize  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POOL = ROOT.parent / "shared" / "realnews"

# file -> (code, outlet label, period, how documents are delimited)
SOURCES: dict[str, tuple[str, str, str, str]] = {
    "wikinews_2024.txt": ("wn24", "Arabic Wikinews", "2024-01/2024-04", "titles"),
    "wikinews_2014.txt": ("wn14", "Arabic Wikinews", "2013/2014", "titles"),
    "newsfane.txt": ("nf", "NewsFANE newswire", "2002/2007", "blocks"),
    "ans_headlines.txt": ("ans", "ANS headlines", "2018/2019", "lines"),
    "catt.txt": ("catt", "CATT news sentences", "2022/2023", "lines"),
    "fignews_posts.txt": ("fig", "FIGNEWS posts", "2023-10/2024-01", "lines"),
}

# words that often name an inventory actor the matcher may not know (forces, factions, generic
# state organs); lines with them are shown to annotators, who decide whether an actor is named.
LIKELY_ACTOR = re.compile(
    r"بشمرك|بيشمرك|المقاومة|حشد|فصائل|ميليشي|مليشي|طالبان|القاعدة|الاحتلال|الصهيون|حزب العمال"
    r"|قسد|تحرير الشام|النصرة|داعش|الدولة الاسلامية|الدولة الإسلامية|انصار الله|أنصار الله"
)

SAMPLE_OTHER = {"titles": 1.0, "blocks": 0.06, "lines": 0.04}  # share of no-actor lines kept
BLOCK = 40  # newsfane has no story boundaries: blocks of about this many consecutive lines


@dataclass
class PoolLine:
    """One line of a pool file."""

    file: str
    lineno: int  # 1-based
    text: str
    actors: list[tuple[str, str]] = field(default_factory=list)  # (actor id, surface)

    @property
    def rid(self) -> str:
        """Stable record id: source code and pool line."""
        return f"{SOURCES[self.file][0]}-{self.lineno:04d}"


def _is_title(text: str) -> bool:
    words = text.split()
    return bool(words) and not text.rstrip().endswith((".", "!", "?", "؟", ":")) and len(words) <= 16


def _starts_story(text: str) -> bool:
    first = text.split()[0] if text.split() else ""
    return not first.startswith(("و", "ف", ".", "،", ",")) and len(text.split()) >= 4


def documents(file: str, lines: list[str]) -> list[list[PoolLine]]:
    """Group a pool file into source documents (lists of consecutive pool lines)."""
    mode = SOURCES[file][3]
    items = [PoolLine(file, i + 1, t) for i, t in enumerate(lines)]
    if mode == "lines":
        return [[it] for it in items if it.text.strip()]
    docs: list[list[PoolLine]] = []
    current: list[PoolLine] = []
    for it in items:
        if not it.text.strip():
            continue
        if mode == "titles":
            new = _is_title(it.text) and not it.text.startswith("===") and len(current) >= 4
        else:
            new = len(current) >= BLOCK and _starts_story(it.text)
        if new and current:
            docs.append(current)
            current = []
        current.append(it)
    if current:
        docs.append(current)
    return docs


def doc_id(doc: list[PoolLine]) -> str:
    """Document id: source code and the pool line it starts at."""
    return f"{SOURCES[doc[0].file][0]}-d{doc[0].lineno:04d}"


def _pool_lines(pool: Path, file: str) -> list[str]:
    lines = (pool / file).read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _balance(selected: list[tuple[str, list[PoolLine]]], n_batches: int
             ) -> tuple[list[list[tuple[str, list[PoolLine]]]], list[int]]:
    """Documents into batches of about equal line counts, each document whole (largest first)."""
    batches: list[list[tuple[str, list[PoolLine]]]] = [[] for _ in range(n_batches)]
    sizes = [0] * n_batches
    for d in sorted(selected, key=lambda d: -len(d[1])):
        k = sizes.index(min(sizes))
        batches[k].append(d)
        sizes[k] += len(d[1])
    return batches, sizes


def _write_batches(out: Path, selected: list[tuple[str, list[PoolLine]]], n_batches: int, first: int,
                   rng: random.Random, mode: str) -> None:
    """Balance the documents into batches ``r{first}``…, write their todo files and their index rows
    (``mode`` "w" starts ``index.jsonl`` anew, "a" appends)."""
    batches, sizes = _balance(selected, n_batches)
    rows = []
    for k, docs in enumerate(batches):
        name = f"r{first + k:02d}"
        rng.shuffle(docs)
        with open(out / f"{name}.todo.txt", "w", encoding="utf-8") as fh:
            for did, keep in docs:
                _write_todo(fh, did, keep)
                rows += [{"id": it.rid, "batch": name, "doc": did, "file": it.file, "line": it.lineno,
                          "actors": sorted({a for a, _ in it.actors})} for it in keep]
        print(f"{name}: {len(docs)} documents, {sizes[k]} lines, "
              f"{sum(len(it.actors) for _, keep in docs for it in keep)} matched pairs")
    with open(out / "index.jsonl", mode, encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def prepare(pool: Path, out: Path, n_batches: int, seed: int = 13) -> None:
    """Write annotation batches ``rNN.todo.txt`` and the record index ``index.jsonl``."""
    inventory = load_actors()
    rng = random.Random(seed)
    selected: list[tuple[str, list[PoolLine]]] = []
    for file, (code, outlet, period, mode) in SOURCES.items():
        for doc in documents(file, _pool_lines(pool, file)):
            keep = []
            for it in doc:
                it.actors = [(m.actor, m.surface) for m in match_actors(it.text, inventory)]
                if it.actors or LIKELY_ACTOR.search(it.text) or rng.random() < SAMPLE_OTHER[mode]:
                    keep.append(it)
            if mode == "titles" and not any(it.actors for it in doc):
                keep = [it for it in keep if it.actors or LIKELY_ACTOR.search(it.text)]
            if keep:
                selected.append((doc_id(doc), keep))
    rng.shuffle(selected)
    out.mkdir(parents=True, exist_ok=True)
    _write_batches(out, selected, n_batches, 1, rng, "w")


def found_text(surfaces: dict[str, list[str]]) -> str:
    """Matched actors as a todo line shows them: ``US:واشنطن/الأميركية, IRN:إيران``."""
    return ", ".join(f"{a}:{'/'.join(dict.fromkeys(v))}" for a, v in surfaces.items())


def items_text(targets: list[dict]) -> str:
    """Labels as answer items: ``US=a/IRN IRN=n``."""
    return " ".join(f"{t['actor']}={t['stance'][0]}" + (f"/{t['source']}" if t.get("source", "author") != "author"
                                                        else "") for t in targets)


def _write_todo(fh, did: str, keep: list[PoolLine]) -> None:
    file = keep[0].file
    fh.write(f"## {did}  ({file}, {SOURCES[file][1]}, {SOURCES[file][2]})\n")
    for it in keep:
        surfaces: dict[str, list[str]] = {}
        for a, s in it.actors:
            surfaces.setdefault(a, []).append(s)
        fh.write(f"{it.rid} [{found_text(surfaces)}] {it.text}\n")
    fh.write("\n")


def extend(pool: Path, out: Path, n_batches: int, seed: int = 13) -> None:
    """Append batches of the pool lines the matcher now finds an actor in that no batch holds yet.

    After the inventory grows (new actors, aliases), lines that had no actor before become labelable.
    The new batches continue the numbering (``rNN.todo.txt``); their records are appended to
    ``index.jsonl``. Documents keep their ids, so a line of a document that already has a split
    (``real_splits.tsv``) lands in that split.
    """
    inventory = load_actors()
    index = load_index(out)
    have = {(row["file"], row["line"]) for row in index.values()}
    first = 1 + max(int(row["batch"][1:]) for row in index.values())
    rng = random.Random(seed)
    selected: list[tuple[str, list[PoolLine]]] = []
    for file in SOURCES:
        for doc in documents(file, _pool_lines(pool, file)):
            keep = []
            for it in doc:
                if (file, it.lineno) in have:
                    continue
                it.actors = [(m.actor, m.surface) for m in match_actors(it.text, inventory)]
                if it.actors:
                    keep.append(it)
            if keep:
                selected.append((doc_id(doc), keep))
    rng.shuffle(selected)
    _write_batches(out, selected, n_batches, first, rng, "a")


def new_actors(row: dict, inventory=None) -> dict[str, list[str]]:
    """Actors the current matcher finds in an indexed record that its batch did not show (id -> surfaces)."""
    out: dict[str, list[str]] = {}
    for m in match_actors(pool_text(row), inventory or load_actors()):
        if m.actor not in row["actors"]:
            out.setdefault(m.actor, []).append(m.surface)
    return out


def merged_records(labels: Path = ROOT / "labels", splits: tuple[str, ...] = ("train", "dev", "test")
                   ) -> dict[tuple[str, int], dict]:
    """The merged real records of ``splits`` by (pool file, pool line)."""
    out = {}
    for split in splits:
        for f in sorted((labels / split).glob("real_r*.jsonl")):
            for line in f.read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                out[(rec["provenance"]["file"], rec["provenance"]["line"])] = rec
    return out


def amend_todo(out: Path, parts: int, labels: Path = ROOT / "labels") -> None:
    """Write ``amendNN.todo.txt`` (after the existing ones): merged records in which the inventory now
    finds actors they lack.

    Each line shows the record id, the new actors with their surfaces, the text, and after ``||`` the
    record's labels as merged (for the holders' consistency). Answers go to ``amendments.tsv``.
    """
    index = load_index(out)
    inventory = load_actors()
    merged = merged_records(labels)
    todo = []
    for rid, row in index.items():
        rec = merged.get((row["file"], row["line"]))
        if rec is None:
            continue
        new = {a: v for a, v in new_actors(row, inventory).items() if a not in rec.get("not_mentions", [])
               and a not in {t["actor"] for t in rec["targets"]}}
        if new:
            todo.append((row["doc"], f"{rid} [{found_text(new)}] {rec['text']}  || {rec['sentiment'][:3]} "
                                     f"{items_text(rec['targets'])}\n"))
    todo.sort()
    size = -(-len(todo) // parts)
    first = 1 + max((int(p.name[5:7]) for p in out.glob("amend[0-9][0-9].todo.txt")), default=0)
    for k in range(parts):  # numbered after the earlier rounds' files, which stay as they were
        chunk = todo[k * size:(k + 1) * size]
        name = f"amend{first + k:02d}"
        (out / f"{name}.todo.txt").write_text("".join(t for _, t in chunk), encoding="utf-8")
        print(f"{name}: {len(chunk)} records")


def load_amendments(out: Path, index: dict[str, dict], actor_ids: set[str],
                    base: dict[str, "Answer"] | None = None) -> tuple[dict[str, "Answer"], list[str]]:
    """``amendments.tsv`` (``ID<TAB>ITEMS<TAB>reason``): labels for the actors a record gained later
    (a record amended in several rounds has one line per round: their items are read together).

    Every item must name an actor the current matcher finds in the record, that its batch did not
    show and that its answer in ``base`` does not label already (``-ACTOR`` for a homonym,
    ``+ACTOR=..@words`` for a missed mention, as in answers).
    """
    path = out / "amendments.tsv"
    if not path.exists():
        return {}, []
    inventory = load_actors()
    items: dict[str, list[str]] = {}  # a record amended in several rounds has a line per round
    where: dict[str, list[str]] = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        rid = parts[0].strip()
        items.setdefault(rid, []).append(parts[1] if len(parts) > 1 else "")
        where.setdefault(rid, []).append(str(n))
    rows, view = [], {}
    for rid, its in items.items():
        if rid in index:
            known = _labeled(base[rid]) if base and rid in base else set()
            view[rid] = {**index[rid], "actors": sorted(set(new_actors(index[rid], inventory)) - known)}
        rows.append((f"{path}:{'+'.join(where[rid])}", "\t".join([rid, "neu", " ".join(its)])))
    answers, problems = parse_answer_lines(rows, view, actor_ids)
    good = {}
    for a in answers:
        a.removed = [x for x in a.removed if x in view[a.rid]["actors"]]  # an exclude now covers it
        added = {x["actor"] for x in a.added}
        stray = sorted(({t["actor"] for t in a.targets if t["actor"] not in added} | set(a.removed))
                       - set(view[a.rid]["actors"]))
        if stray:
            problems.append(f"{path}: {a.rid}: {', '.join(stray)} is not an actor this record gained "
                            f"(gained: {', '.join(view[a.rid]['actors']) or 'none'})")
        else:
            good[a.rid] = a
    return good, problems


def _labeled(ans: "Answer") -> set[str]:
    return {t["actor"] for t in ans.targets} | set(ans.removed)


def amend(ans: "Answer", amendment: "Answer | None", row: dict, inventory) -> list[str]:
    """Add an amendment's labels to an answer; return the actors the record still lacks."""
    if amendment is not None:
        have = {t["actor"] for t in ans.targets}
        ans.targets += [t for t in amendment.targets if t["actor"] not in have]
        ans.added += [a for a in amendment.added if a["actor"] not in have]
        ans.removed += [a for a in amendment.removed if a not in ans.removed]
    return sorted(a for a in new_actors(row, inventory) if a not in _labeled(ans))


# ---------------------------------------------------------------------------
# answers

STANCE_CODE = {"f": "favor", "a": "against", "n": "none"}
SENTIMENT_CODE = {"pos": "positive", "neg": "negative", "neu": "neutral"}
_ITEM = re.compile(r"^([+~-]?)([A-Z_]+)(?:=([fan])(?:/([A-Za-z_]+))?)?(?:@(.+))?$")


@dataclass
class Answer:
    """One parsed answer line: sentiment, targets, and the annotator's mention corrections."""

    rid: str
    sentiment: str
    targets: list[dict[str, str]]
    added: list[dict[str, str]]  # actors the matcher missed: {actor, surface, how: "+" or "~"}
    removed: list[str]  # matcher actors that are not a mention of that actor


def load_index(out: Path) -> dict[str, dict]:
    """The record index written by ``prepare``."""
    with open(out / "index.jsonl", encoding="utf-8") as fh:
        return {row["id"]: row for row in map(json.loads, fh)}


def parse_answers(path: Path, index: dict[str, dict], actor_ids: set[str]) -> tuple[list[Answer], list[str]]:
    """Parse an answer file; return the answers and the problems (file:line: message)."""
    with open(path, encoding="utf-8") as fh:
        return parse_answer_lines(((f"{path}:{n}", raw.rstrip("\n")) for n, raw in enumerate(fh, 1)), index,
                                  actor_ids)


def parse_answer_lines(rows, index: dict[str, dict], actor_ids: set[str]) -> tuple[list[Answer], list[str]]:
    """Parse ``(where, line)`` answer lines (``ID<TAB>SENTIMENT<TAB>ITEMS``) against the index's actors."""
    answers: list[Answer] = []
    problems: list[str] = []
    seen: set[str] = set()
    for where, line in rows:
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            problems.append(f"{where}: expected 'ID<TAB>SENTIMENT<TAB>ITEMS', got {line[:60]!r}")
            continue
        rid, sent = parts[0].strip(), parts[1].strip()
        items = parts[2].split() if len(parts) > 2 else []
        if rid not in index:
            problems.append(f"{where}: unknown record id {rid!r}")
            continue
        if rid in seen:
            problems.append(f"{where}: {rid} answered twice; keep one line")
            continue
        if sent not in SENTIMENT_CODE:
            problems.append(f"{where}: {rid}: sentiment must be pos/neg/neu, got {sent!r}")
            continue
        ans = Answer(rid, SENTIMENT_CODE[sent], [], [], [])
        ok = True
        for item in items:
            m = _ITEM.match(item)
            if not m:
                problems.append(f"{where}: {rid}: cannot read item {item!r} (ACTOR=f|a|n[/SOURCE])")
                ok = False
                continue
            how, actor, code, source, surface = m.groups()
            if actor not in actor_ids:
                problems.append(f"{where}: {rid}: unknown actor {actor!r}")
                ok = False
                continue
            if how == "-":
                ans.removed.append(actor)
                continue
            if code is None:
                problems.append(f"{where}: {rid}: {actor} has no stance (=f, =a or =n)")
                ok = False
                continue
            source = source or "author"
            if source != "author" and source not in actor_ids:
                problems.append(f"{where}: {rid}: unknown source {source!r} for {actor}")
                ok = False
                continue
            if source == actor:
                problems.append(f"{where}: {rid}: {actor} cannot hold a stance toward itself")
                ok = False
                continue
            if code == "n" and source != "author":
                source = "author"
            ans.targets.append({"actor": actor, "stance": STANCE_CODE[code], "source": source})
            if how in "+~" and how:
                if not surface:
                    problems.append(f"{where}: {rid}: added actor {actor} needs @surface words")
                    ok = False
                ans.added.append({"actor": actor, "surface": surface or "", "how": how})
        matched = set(index[rid]["actors"])
        labeled = [t["actor"] for t in ans.targets]
        if len(set(labeled)) != len(labeled):
            problems.append(f"{where}: {rid}: an actor is labeled twice")
            ok = False
        missing = matched - set(labeled) - set(ans.removed)
        if missing:
            problems.append(f"{where}: {rid}: no label for matched actor(s) {', '.join(sorted(missing))}")
            ok = False
        extra = {a["actor"] for a in ans.added} & matched
        if extra:
            problems.append(f"{where}: {rid}: {', '.join(sorted(extra))} was already matched; drop the + / ~")
            ok = False
        if ok:
            seen.add(rid)
            answers.append(ans)
    return answers, problems


def check(paths: list[Path], out: Path) -> int:
    """Validate answer files and print progress; exit status 1 on any problem."""
    index = load_index(out)
    actor_ids = set(load_actors().ids)
    status = 0
    for path in paths:
        answers, problems = parse_answers(path, index, actor_ids)
        batch = path.name.split(".")[0]
        todo = [r for r in index.values() if r["batch"] == batch]
        for p in problems:
            print(p)
        pairs = sum(len(a.targets) for a in answers)
        print(f"{path}: {len(answers)} of {len(todo) or '?'} records answered, {pairs} pairs, "
              f"{len(problems)} problem(s)")
        status |= bool(problems)
    return status


# ---------------------------------------------------------------------------
# splits, blind subsets, merging

SPLIT_FILE = ROOT / "labels" / "real_splits.tsv"
FRACTIONS = (("test", 0.18), ("dev", 0.12))


def _hash(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def freeze_splits(out: Path, path: Path = SPLIT_FILE) -> dict[str, str]:
    """Assign every source document of the index to train/dev/test once, and never again.

    Per pool file, documents are ordered by the hash of their id and assigned by systematic
    sampling (about 18% test, 12% dev). Documents already in ``path`` keep their split.
    """
    fixed: dict[str, str] = {}
    if path.exists():
        for row in path.read_text(encoding="utf-8").splitlines():
            if row.strip() and not row.startswith("#"):
                doc, split = row.split("\t")
                fixed[doc] = split
    docs_by_file: dict[str, set[str]] = {}
    for row in load_index(out).values():
        docs_by_file.setdefault(row["file"], set()).add(row["doc"])
    assignment = dict(fixed)
    for file, docs in sorted(docs_by_file.items()):
        counts = {"train": 0, "dev": 0, "test": 0}
        for k, doc in enumerate(sorted(docs, key=_hash), 1):
            split = fixed.get(doc)
            if split is None:
                split = "train"
                for name, frac in FRACTIONS:
                    if counts[name] < round(k * frac):
                        split = name
                        break
            assignment[doc] = split
            counts[split] += 1
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# real-news source document -> split (frozen: test is never tuned on)\n")
        for doc in sorted(assignment):
            fh.write(f"{doc}\t{assignment[doc]}\n")
    return assignment


def write_blind(out: Path, share: float = 0.11) -> None:
    """Write ``rNN.blind.todo.txt``: whole documents, at least ``share`` of each batch's records."""
    index = load_index(out)
    for todo in sorted(out.glob("r[0-9][0-9].todo.txt")):
        batch = todo.name.split(".")[0]
        rows = [r for r in index.values() if r["batch"] == batch]
        docs: dict[str, int] = {}
        for r in rows:
            docs[r["doc"]] = docs.get(r["doc"], 0) + 1
        chosen: set[str] = set()
        n = 0
        for doc in sorted(docs, key=lambda d: _hash("blind" + d)):
            if n >= share * len(rows):
                break
            chosen.add(doc)
            n += docs[doc]
        blocks = todo.read_text(encoding="utf-8").split("\n\n")
        keep = [b for b in blocks if b.strip() and b.split()[1] in chosen]
        (out / f"{batch}.blind.todo.txt").write_text("\n\n".join(keep) + "\n", encoding="utf-8")
        print(f"{batch}: blind subset {len(chosen)} documents, {n} of {len(rows)} records")


def records(answers: list[Answer], index: dict[str, dict], numbers: dict[str, int] | None = None
            ) -> dict[str, list[dict]]:
    """Label records (corpus format) per document, lines numbered in pool order.

    ``numbers`` (record id -> line number) numbers a document whose lines several batches hold;
    without it, the lines of ``answers`` are numbered from 0 per document.
    """
    by_doc: dict[str, list[tuple[int, dict]]] = {}
    ans_ids: dict[int, str] = {}
    for ans in answers:
        row = index[ans.rid]
        file = row["file"]
        code, outlet, period, _ = SOURCES[file]
        targets = []
        for t in ans.targets:
            extra = next((a for a in ans.added if a["actor"] == t["actor"]), None)
            target = dict(t)
            if extra is not None:
                target["mention"] = "context" if extra["how"] == "~" else "added"
                target["surface"] = extra["surface"].replace("_", " ")
            targets.append(target)
        rec = {
            "article": row["doc"], "line": 0, "text": pool_text(row),
            "kind": "real", "outlet": outlet, "period": period,
            "provenance": {"file": file, "line": row["line"]},
            "sentiment": ans.sentiment, "targets": targets,
        }
        if ans.removed:
            rec["not_mentions"] = sorted(ans.removed)
        ans_ids[id(rec)] = ans.rid
        by_doc.setdefault(row["doc"], []).append((row["line"], rec))
    out: dict[str, list[dict]] = {}
    for doc, items in by_doc.items():
        items.sort(key=lambda x: x[0])
        for k, (_, rec) in enumerate(items):
            rec["line"] = k if numbers is None else numbers[ans_ids[id(rec)]]
        out[doc] = [rec for _, rec in items]
    return out


def load_corrections(out: Path, index: dict[str, dict], actor_ids: set[str]) -> dict[str, Answer]:
    """The lead's corrections (``corrections.tsv``: answer lines with a reason) by record id."""
    path = out / "corrections.tsv"
    if not path.exists():
        return {}
    answers, problems = parse_answers(path, index, actor_ids)  # the 4th column (the reason) is not read
    if problems:
        raise SystemExit("\n".join(problems))
    return {a.rid: a for a in answers}


ADJUDICATION = ROOT / "labels" / "agreement" / "real_adjudication.jsonl"
AUDIT = ROOT / "labels" / "agreement" / "real_audit.jsonl"  # training/audit.py: decided after the amendments


def adjudicate(answers: list[Answer], path: Path = ADJUDICATION) -> int:
    """Apply the adjudicated decisions of the blind-annotation disagreements; return how many changed a label."""
    if not path.exists():
        return 0
    decisions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id = {a.rid: a for a in answers}
    changed = 0
    for d in decisions:
        ans = by_id.get(d["id"])
        if ans is None:
            continue
        if d["field"] == "sentiment":
            changed += ans.sentiment != d["decision"]
            ans.sentiment = d["decision"]
            continue
        for t in ans.targets:
            if t["actor"] == d["actor"]:
                changed += t[d["field"]] != d["decision"]
                t[d["field"]] = d["decision"]
                if t["stance"] == "none":
                    t["source"] = "author"
    return changed


def tidy(answers: list[Answer], index: dict[str, dict]) -> list[Answer]:
    """Bring answers in line with the current inventory.

    ``-ACTOR`` corrections the matcher no longer needs (an exclude now covers them) are dropped;
    a line whose text repeats an earlier line exactly (after normalization), or nearly (character
    5-gram Jaccard >= 0.7, as in ``stance labels check``), is dropped, so that a sentence is neither
    counted twice nor split across train and test.
    """
    inventory = load_actors()
    seen: set[str] = set()
    out = []
    for ans in answers:
        row = index[ans.rid]
        text = pool_text(row)
        key = re.sub(r"\W+", " ", normalize(text)).strip()
        if key in seen:
            continue
        seen.add(key)
        found = {m.actor for m in match_actors(text, inventory)}
        ans.removed = [a for a in ans.removed if a in found]
        out.append(ans)
    # near-duplicates (the same story line re-edited across outlets): keep the first of each pair
    lines = [LabeledLine(article=a.rid, line=0, text=pool_text(index[a.rid]),
                         sentiment=None, targets=()) for a in out]
    drop = {b.article for _, b, _ in near_duplicates(lines)}
    return [a for a in out if a.rid not in drop]


_POOL = PoolLines(DEFAULT_POOL)


def pool_text(row: dict) -> str:
    """The pool line an index row points at (the pool must be present to merge)."""
    text = _POOL.line(row["file"], row["line"])
    if text is None:
        raise SystemExit(f"{DEFAULT_POOL / row['file']}: the real-news pool is not available")
    return text


def merge(paths: list[Path], out: Path, labels: Path = ROOT / "labels") -> int:
    """Write the answered records of each batch into ``labels/{split}/real_rNN.jsonl``.

    Batches are merged together (in the order given) so that duplicates are found across batches;
    the lead's corrections replace the annotator's answer for the records they name.
    """
    index = load_index(out)
    actor_ids = set(load_actors().ids)
    split_of = freeze_splits(out)
    corrections = load_corrections(out, index, actor_ids)
    status = 0
    parsed = []
    for path in paths:
        answers, problems = parse_answers(path, index, actor_ids)
        for p in problems:
            print(p)
        status |= bool(problems)
        parsed.append((path, [corrections.get(a.rid, a) for a in answers], len(problems)))
    changed = adjudicate([a for _, answers, _ in parsed for a in answers])
    print(f"adjudication: {changed} label(s) changed")
    kept = {a.rid for a in tidy([a for _, answers, _ in parsed for a in answers], index)}
    amendments, problems = load_amendments(out, index, actor_ids,
                                           {a.rid: a for _, answers, _ in parsed for a in answers})
    inventory = load_actors()
    for path, answers, _ in parsed:
        for a in answers:
            lacking = amend(a, amendments.get(a.rid), index[a.rid], inventory)
            if a.rid not in kept:  # a duplicate line, dropped below: nothing to label
                continue
            if lacking:
                problems.append(f"{a.rid}: the inventory now finds {', '.join(lacking)} here; label it in "
                                f"{out / 'amendments.tsv'} (python training/realnews.py amend-todo lists them)")
    for p in problems:
        print(p)
    status |= bool(problems)
    print(f"amendments: {len(amendments)} record(s) amended")
    audited = adjudicate([a for _, answers, _ in parsed for a in answers], AUDIT)
    print(f"audit of the training labels: {audited} label(s) changed")
    by_doc: dict[str, list[tuple[int, str]]] = {}  # a document's kept lines over all batches, in pool order
    for rid in kept:
        by_doc.setdefault(index[rid]["doc"], []).append((index[rid]["line"], rid))
    numbers = {rid: k for lines in by_doc.values() for k, (_, rid) in enumerate(sorted(lines))}
    for path, answers, n_problems in parsed:
        batch = path.name.split(".")[0]
        dropped = sum(a.rid not in kept for a in answers)
        answers = [a for a in answers if a.rid in kept]
        docs = records(answers, index, numbers)
        counts = {}
        for split in ("train", "dev", "test"):
            rows = [r for doc, recs in sorted(docs.items()) if split_of[doc] == split for r in recs]
            target = labels / split / f"real_{batch}.jsonl"
            if rows:
                target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
            elif target.exists():
                target.unlink()
            counts[split] = len(rows)
        print(f"{batch}: {len(answers)} records merged ({counts}); {dropped} duplicate line(s) dropped; "
              f"{n_problems} problem(s) skipped")
    return status


# ---------------------------------------------------------------------------
# agreement


def agreement(out: Path, write: bool = False, batches: list[str] | None = None) -> dict:
    """Cohen's kappa (stance, source, sentiment) of the blind second annotation against the first.

    Compares ``rNN.blind.ans.tsv`` with the first annotator's ``rNN.ans.tsv`` as written (before
    any correction or adjudication), on the pairs both labeled. With ``write``, the disagreements go
    to ``labels/agreement/real_disagreements.jsonl`` for adjudication. ``batches`` (``r08``…) limits
    the comparison to those batches (and writes ``real_disagreements_FIRST-LAST.jsonl``).
    """
    from sklearn.metrics import cohen_kappa_score

    index = load_index(out)
    actor_ids = set(load_actors().ids)
    fields: dict[str, tuple[list[str], list[str]]] = {"stance": ([], []), "source": ([], []), "sentiment": ([], [])}
    disagreements = []
    n_records = 0
    for blind in sorted(out.glob("r[0-9][0-9].blind.ans.tsv")):
        batch = blind.name.split(".")[0]
        if batches and batch not in batches:
            continue
        first, _ = parse_answers(out / f"{batch}.ans.tsv", index, actor_ids)
        second, _ = parse_answers(blind, index, actor_ids)
        by_id = {a.rid: a for a in first}
        for b in second:
            a = by_id.get(b.rid)
            if a is None:
                continue
            n_records += 1
            text = pool_text(index[b.rid])
            fields["sentiment"][0].append(a.sentiment)
            fields["sentiment"][1].append(b.sentiment)
            if a.sentiment != b.sentiment:
                disagreements.append({"id": b.rid, "field": "sentiment", "text": text,
                                      "first": a.sentiment, "second": b.sentiment})
            ta = {t["actor"]: t for t in a.targets}
            for t in b.targets:
                if t["actor"] not in ta:
                    continue
                for name in ("stance", "source"):
                    x, y = ta[t["actor"]][name], t[name]
                    fields[name][0].append(x)
                    fields[name][1].append(y)
                    if x != y:
                        disagreements.append({"id": b.rid, "field": name, "actor": t["actor"], "text": text,
                                              "first": x, "second": y})
    result = {"records": n_records, "pairs": len(fields["stance"][0])}
    for name, (x, y) in fields.items():
        kappa = float(cohen_kappa_score(x, y)) if len(set(x) | set(y)) > 1 else None  # one label: undefined
        result[name] = {"kappa": None if kappa is None else round(kappa, 3),
                        "raw_agreement": round(sum(p == q for p, q in zip(x, y)) / max(1, len(x)), 3), "n": len(x)}
    result["disagreements"] = len(disagreements)
    if write:
        name = "real_disagreements" + (f"_{batches[0]}" if batches else "") + (
            f"-{batches[-1]}" if batches and len(batches) > 1 else "")
        target = ROOT / "labels" / "agreement" / f"{name}.jsonl"
        target.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in disagreements), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="write annotation batches from the pools")
    p.add_argument("--pool", type=Path, default=DEFAULT_POOL)
    p.add_argument("--out", type=Path, default=ROOT / "labels" / "raw" / "real")
    p.add_argument("--batches", type=int, default=7)
    e = sub.add_parser("extend", help="new batches of pool lines the grown inventory finds actors in")
    e.add_argument("--pool", type=Path, default=DEFAULT_POOL)
    e.add_argument("--out", type=Path, default=ROOT / "labels" / "raw" / "real")
    e.add_argument("--batches", type=int, default=3)
    a = sub.add_parser("amend-todo", help="list merged records in which the inventory now finds new actors")
    a.add_argument("--out", type=Path, default=ROOT / "labels" / "raw" / "real")
    a.add_argument("--parts", type=int, default=1)
    c = sub.add_parser("check", help="validate answer files (rNN.ans.tsv) and show progress")
    c.add_argument("answers", type=Path, nargs="+")
    c.add_argument("--out", type=Path, default=ROOT / "labels" / "raw" / "real")
    m = sub.add_parser("merge", help="answers -> labels/{train,dev,test}/real_rNN.jsonl")
    m.add_argument("answers", type=Path, nargs="+")
    m.add_argument("--out", type=Path, default=ROOT / "labels" / "raw" / "real")
    sp = sub.add_parser("splits", help="freeze the split of every source document (labels/real_splits.tsv)")
    sp.add_argument("--out", type=Path, default=ROOT / "labels" / "raw" / "real")
    b = sub.add_parser("blind", help="write the blind second-annotation subsets rNN.blind.todo.txt")
    b.add_argument("--out", type=Path, default=ROOT / "labels" / "raw" / "real")
    g = sub.add_parser("agree", help="kappa of the blind second annotation (before adjudication)")
    g.add_argument("--out", type=Path, default=ROOT / "labels" / "raw" / "real")
    g.add_argument("--write", action="store_true", help="write labels/agreement/real_disagreements.jsonl")
    g.add_argument("--batches", nargs="+", help="only these batches (r08 r09 …)")
    args = ap.parse_args(argv)
    if args.cmd == "agree":
        print(json.dumps(agreement(args.out, args.write, args.batches), indent=1))
        return 0
    if args.cmd == "merge":
        return merge(args.answers, args.out)
    if args.cmd == "splits":
        split_of = freeze_splits(args.out)
        for name in ("train", "dev", "test"):
            print(name, sum(v == name for v in split_of.values()), "documents")
        return 0
    if args.cmd == "blind":
        write_blind(args.out)
        return 0
    if args.cmd == "extend":
        extend(args.pool, args.out, args.batches)
        return 0
    if args.cmd == "amend-todo":
        amend_todo(args.out, args.parts)
        return 0
    if args.cmd == "prepare":
        prepare(args.pool, args.out, args.batches)
        return 0
    if args.cmd == "check":
        return check(args.answers, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
