"""Scripts under training/ that hold logic worth testing."""

import json
import sys
from pathlib import Path

from stance.datasets import Dataset
from stance.features import Pair

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))

import learning_curve  # noqa: E402


def _dataset() -> Dataset:
    arts = [("a1", "authored"), ("a1", "authored"), ("a2", "authored"), ("a3", "authored"),
            ("r1", "real"), ("r2", "real"), ("r2", "real")]
    texts = [f"جملة {i}" for i in range(len(arts))]
    return Dataset(pairs=[Pair(t, "US") for t in texts], stances=["none"] * len(arts),
                   sentiments=["neutral"] * len(arts), found=[True] * len(arts),
                   articles=[a for a, _ in arts], sentence_ids=texts, kinds=[k for _, k in arts],
                   lines=[(t, "neutral") for t in texts], line_kinds=[k for _, k in arts])


def test_learning_curve_subset_keeps_whole_articles_of_one_kind() -> None:
    ds = _dataset()
    for seed in range(5):
        sub = learning_curve.subset(ds, "authored", 2 / 3, seed)
        kept = {a for a, k in zip(sub.articles, sub.kinds) if k == "authored"}
        assert len(kept) == 2  # two of the three authored articles, whole
        assert sub.articles.count("a1") in (0, 2)
        assert [a for a, k in zip(sub.articles, sub.kinds) if k == "real"] == ["r1", "r2", "r2"]  # untouched
        assert learning_curve.subset(ds, "authored", 2 / 3, seed).articles == sub.articles  # seeded
    assert len({tuple(learning_curve.subset(ds, "authored", 1 / 3, s).articles) for s in range(10)}) > 1
    assert learning_curve.subset(ds, "real", 1.0, 0).articles == ds.articles


import realnews  # noqa: E402
import amend_authored  # noqa: E402

from stance.labels import PoolLines  # noqa: E402

_LINES = ["فرنسا تدين الغارات الإسرائيلية على لبنان", "إسرائيل تقصف جنوب لبنان"]


def _pool(tmp_path, monkeypatch):
    pool = tmp_path / "pool"
    pool.mkdir()
    (pool / "ans_headlines.txt").write_text("\n".join(_LINES) + "\n", encoding="utf-8")
    monkeypatch.setattr(realnews, "_POOL", PoolLines(pool))
    # the batch showed ISR only (FRA was not in the inventory then)
    rows = [{"id": "ans-0001", "batch": "r01", "doc": "ans-d0001", "file": "ans_headlines.txt", "line": 1,
             "actors": ["ISR"]},
            {"id": "ans-0002", "batch": "r01", "doc": "ans-d0002", "file": "ans_headlines.txt", "line": 2,
             "actors": ["ISR"]}]
    return {r["id"]: r for r in rows}


def test_amendments_add_the_new_actor_and_name_what_is_still_missing(tmp_path, monkeypatch) -> None:
    index = _pool(tmp_path, monkeypatch)
    ids = set(realnews.load_actors().ids)
    assert realnews.new_actors(index["ans-0001"]) == {"FRA": ["فرنسا"]}
    assert realnews.new_actors(index["ans-0002"]) == {}
    ans = realnews.Answer("ans-0001", "negative", [{"actor": "ISR", "stance": "against", "source": "FRA"}], [], [])
    assert realnews.amend(ans, None, index["ans-0001"], None) == ["FRA"]  # not labeled yet: merge reports it
    out = tmp_path / "out"
    out.mkdir()
    (out / "amendments.tsv").write_text("ans-0001\tFRA=n\tnew actor\n", encoding="utf-8")
    amendments, problems = realnews.load_amendments(out, index, ids)
    assert problems == []
    assert realnews.amend(ans, amendments["ans-0001"], index["ans-0001"], None) == []
    assert [t["actor"] for t in ans.targets] == ["ISR", "FRA"]
    # an item for an actor the batch already showed, or for one the line does not hold, is refused
    (out / "amendments.tsv").write_text("ans-0001\tFRA=n ISR=a\nans-0002\tFRA=n\n", encoding="utf-8")
    amendments, problems = realnews.load_amendments(out, index, ids)
    assert amendments == {}
    assert len(problems) == 2 and "ISR is not an actor this record gained" in problems[0]
    assert "FRA is not an actor this record gained (gained: none)" in problems[1]


def test_amendment_homonym_removes_the_match(tmp_path, monkeypatch) -> None:
    index = _pool(tmp_path, monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    (out / "amendments.tsv").write_text("ans-0001\t-FRA\thomonym\n", encoding="utf-8")
    amendments, problems = realnews.load_amendments(out, index, set(realnews.load_actors().ids))
    ans = realnews.Answer("ans-0001", "negative", [{"actor": "ISR", "stance": "against", "source": "author"}], [], [])
    assert problems == [] and realnews.amend(ans, amendments["ans-0001"], index["ans-0001"], None) == []
    assert ans.removed == ["FRA"] and [t["actor"] for t in ans.targets] == ["ISR"]


def test_authored_amendment_answers_are_parsed_and_checked(tmp_path) -> None:
    ids = {"FRA", "ISR", "US"}
    path = tmp_path / "a.tsv"
    path.write_text("b1_001:9\tFRA=a/US\nb1_002:1\t-FRA\nb1_003:0\tFRA=x\nb1_004:0\tFRA=a/FRA\n", encoding="utf-8")
    answers, problems = amend_authored.parse(path, ids)
    assert answers["b1_001:9"] == [("FRA", "against", "US")]
    assert answers["b1_002:1"] == [("FRA", None, "author")]
    assert len(problems) == 2 and "FRA=x" in problems[0] and "toward itself" in problems[1]
    rec = {"article": "b1_001", "line": 9, "date": "2003-03-10", "text": _LINES[0],
           "targets": [{"actor": "ISR", "stance": "none", "source": "author"}]}
    assert amend_authored.lacking(rec, realnews.load_actors()) == {"FRA": ["فرنسا"]}
    assert amend_authored.lacking(dict(rec, not_mentions=["FRA"]), realnews.load_actors()) == {}


def test_real_cv_folds_are_stable_and_cover_all() -> None:
    import real_cv

    docs = [f"ans-d{i:04d}" for i in range(200)]
    folds = [real_cv.fold_of(d) for d in docs]
    assert folds == [real_cv.fold_of(d) for d in docs]  # a hash, not the order or a seed
    assert set(folds) == set(range(5)) and min(folds.count(k) for k in range(5)) > 20


def test_extend_writes_a_new_batch_of_the_lines_no_batch_holds(tmp_path, monkeypatch) -> None:
    index = _pool(tmp_path, monkeypatch)
    pool = tmp_path / "pool"
    lines = _LINES + ["ارتفاع أسعار النفط", "الصين تفرض رسوما على البضائع الأميركية"]
    (pool / "ans_headlines.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in realnews.SOURCES:
        if not (pool / name).exists():
            (pool / name).write_text("", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in index.values()), encoding="utf-8")
    realnews.extend(pool, out, 1)
    rows = realnews.load_index(out)
    assert list(rows)[:2] == ["ans-0001", "ans-0002"]  # the old rows stay as they were
    assert rows["ans-0004"] == {"id": "ans-0004", "batch": "r02", "doc": "ans-d0004", "file": "ans_headlines.txt",
                                "line": 4, "actors": ["CHN", "US"]}
    assert "ans-0003" not in rows  # no actor
    todo = (out / "r02.todo.txt").read_text(encoding="utf-8")
    assert "ans-0004 [CHN:الصين, US:الأميركية] " + lines[3] in todo


def _audit_fixture(tmp_path, monkeypatch):
    """A merged train record (ISR against, FRA gained by amendment) and its index row."""
    index = _pool(tmp_path, monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in index.values()),
                                     encoding="utf-8")
    labels = tmp_path / "labels"
    (labels / "train").mkdir(parents=True)
    rec = {"article": "ans-d0001", "line": 0, "text": _LINES[0], "kind": "real", "sentiment": "negative",
           "provenance": {"file": "ans_headlines.txt", "line": 1},
           "targets": [{"actor": "ISR", "stance": "against", "source": "FRA"},
                       {"actor": "FRA", "stance": "none", "source": "author"}]}
    (labels / "train" / "real_r01.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    return out, labels


def test_audit_compare_lists_stance_disagreements_blind(tmp_path, monkeypatch) -> None:
    import audit

    out, labels = _audit_fixture(tmp_path, monkeypatch)
    ans = tmp_path / "audit01.ans.tsv"
    ans.write_text("ans-0001\tneg\tISR=n FRA=n\n", encoding="utf-8")
    result = audit.compare([ans], labels, out, write=False)
    assert result == {"records": 1, "pairs": 2, "same stance": 1, "different": 1, "problems": 0}
    # the amended actor (FRA) is one of the record's actors: an answer without it is refused
    (tmp_path / "audit01.todo.txt").write_text("ans-0001 [ISR:الإسرائيلية, FRA:فرنسا] x\n", encoding="utf-8")
    ans.write_text("ans-0001\tneg\tISR=n\n", encoding="utf-8")
    assert audit.check(ans, out, labels) == 1
    ans.write_text("ans-0001\tneg\tISR=a/FRA FRA=n\n", encoding="utf-8")
    assert audit.check(ans, out, labels) == 0


def test_audit_todo_lists_doubted_records_without_their_labels(tmp_path, monkeypatch) -> None:
    import audit

    out, labels = _audit_fixture(tmp_path, monkeypatch)
    rows = [{"file": "ans_headlines.txt", "line": 1, "actor": "ISR", "gold": "against", "p_gold": 0.1, "pred": "none"},
            {"file": "ans_headlines.txt", "line": 1, "actor": "FRA", "gold": "none", "p_gold": 0.9, "pred": "none"}]
    monkeypatch.setattr(audit, "out_of_fold", lambda labels: rows)
    audit.write_todo(0.25, 1, labels, out)
    todo = (out / "audit01.todo.txt").read_text(encoding="utf-8")
    assert todo == f"## ans-d0001  (ans_headlines.txt, ANS headlines, 2018/2019)\nans-0001 [ISR:الإسرائيلية, FRA:فرنسا] {_LINES[0]}\n"
    assert "against" not in todo and "none" not in todo  # blind: no label, no model guess
    doubted = (out / "audit_doubted.tsv").read_text(encoding="utf-8").splitlines()
    assert doubted[1:] == ["ans-0001\tISR\tagainst\t0.100\tnone"]


def test_audit_decisions_apply_to_amended_targets(tmp_path) -> None:
    ans = realnews.Answer("ans-0001", "negative", [{"actor": "ISR", "stance": "against", "source": "author"}], [], [])
    ans.targets.append({"actor": "FRA", "stance": "against", "source": "ISR"})  # as amend() adds it
    path = tmp_path / "real_audit.jsonl"
    path.write_text(json.dumps({"id": "ans-0001", "actor": "FRA", "field": "stance", "decision": "none",
                                "reason": "talks only"}) + "\n", encoding="utf-8")
    assert realnews.adjudicate([ans], path) == 1
    assert ans.targets[1] == {"actor": "FRA", "stance": "none", "source": "author"}


def test_batches_from_b14_are_training_only() -> None:
    import make_splits

    assert make_splits.train_only("b14") and make_splits.train_only("b21")
    assert not make_splits.train_only("b13") and not make_splits.train_only("b1")
    assert not make_splits.train_only("real_r14") and not make_splits.train_only("seed")


def test_present_tense_cue_files_extend_the_bundled_classes() -> None:
    """The session-12 ablation's cue files load as user cue files: they add the present tense of the
    bundled verbs to existing classes (the bundled inventory alone does not reach it)."""
    from stance.cues import load_cues
    from stance.normalize import normalize

    root = Path(__file__).resolve().parents[1] / "training"
    bundled = load_cues()
    for name, expect in (("cues_present_tense.toml", {"يدين": "condemn", "يستهدف": "attack", "يشيد": "praise",
                                                       "يهدد": "threat", "يقول": "report", "يلتقي": "talks"}),
                         ("cues_present_tense_stance.toml", {"تتهم": "condemn", "ويقصف": "attack", "نرحب": "praise",
                                                             "يقول": None})):
        cues = load_cues(str(root / name))
        assert set(cues.classes) == set(bundled.classes)
        for word, cls in expect.items():
            assert bundled.classify(normalize(word)) is None
            assert cues.classify(normalize(word)) == cls, word
        # every bundled form keeps its class
        assert all(cues.forms[w] == c for w, c in bundled.forms.items())
