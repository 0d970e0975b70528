"""Stance holders and edges (issue 17): the holder head, edge rows, group aggregation, evaluation."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.cli import cli
from stance.edges import EdgeAggregator, article_edges
from stance.holder import (AUTHOR, HolderExample, Sentence, baseline_nearest_preceding, candidates,
                           sentence_of)
from stance.model import StanceModel
from stance.output import EDGE_CSV_COLUMNS, EdgeGroups
from stance.profile import ArticleProfile, SentenceScore, score_article

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_seed_profile_holds_the_gold_edges(holder_model_path, seed_text, seed_gold):
    gold = {(t["source"], t["actor"], t["stance"]) for r in seed_gold for t in r["targets"] if t["stance"] != "none"}
    assert {("IRQ_GOV", "US", "against"), ("IRI", "US", "against")} <= gold
    model = StanceModel.load(holder_model_path)
    profile = score_article(seed_text, model, date="2024-01-24", id="seed")
    for holder, target in (("IRQ_GOV", "US"), ("IRI", "US")):
        edge = profile.edge(holder, target)
        assert edge is not None and edge.stance == "against" and edge.score < 0 and edge.count >= 1
        assert edge.count == len(edge.evidence)
        for e in edge.evidence:
            assert seed_text[e.start:e.end] == e.text and 0 < e.holder_probability <= 1
    d = profile.to_dict(sentences=True)
    assert {(e["holder"], e["target"]) for e in d["edges"]} >= {("IRQ_GOV", "US"), ("IRI", "US")}
    for s in d["sentences"]:
        if s["label"] == "none":
            assert s["holder"] is None
        else:
            assert s["holder"] == AUTHOR or s["holder"] in model.inventory_
            assert 0 < s["holder_probability"] <= 1


def test_holder_head_is_data_and_survives_saving(tmp_path, tiny):
    model = StanceModel(min_df=1).fit(tiny.pairs, tiny.stances, tiny.sentiments, tiny.lines).fit_holder(tiny)
    assert model.holder_ is not None
    path = model.save(tmp_path / "m.model")
    loaded = StanceModel.load(path)
    from stance.model import read_model_header

    header = read_model_header(path)
    assert header["holder_head"] is True
    texts = ["قصفت طائرات أميركية مواقع للحشد الشعبي قرب القائم.", "ندد الحشد الشعبي بالعدوان الأميركي."]
    examples = [HolderExample(sentence_of(t, model.inventory_), target, (), "against")
                for t, target in ((texts[0], "PMF"), (texts[1], "US"))]
    for before, after in zip(model.holder_.predict_proba(examples), loaded.holder_.predict_proba(examples)):
        assert after == pytest.approx(before, abs=1e-12)
    assert [h for h, _ in loaded.holder_.predict(examples)] == ["US", "PMF"]
    assert loaded.holder_.vocabulary_ == model.holder_.vocabulary_
    assert loaded.holder_.coef_.dtype.kind == "f"


def test_candidates_and_nearest_preceding_baseline():
    text = "قال الحشد الشعبي إن الطائرات الأميركية قصفت مواقع حزب الله"
    s = sentence_of(text, None)
    assert [m[0] for m in s.mentions] == ["PMF", "US", "HEZBOLLAH"]
    previous = sentence_of("أعلنت الحكومة العراقية موقفها.", None)
    ex = HolderExample(s, "HEZBOLLAH", ((1, previous),))
    assert candidates(ex) == [(AUTHOR, -1), ("PMF", 0), ("US", 0), ("IRQ_GOV", 1)]
    assert baseline_nearest_preceding(ex) == "US"
    assert baseline_nearest_preceding(HolderExample(s, "PMF")) == AUTHOR


def _nosource(tmp_path) -> Path:
    lines = []
    for line in (DATA / "tiny.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        for t in rec["targets"]:
            t.pop("source", None)
        lines.append(json.dumps(rec, ensure_ascii=False))
    path = tmp_path / "nosource.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_model_trained_without_sources_says_so(tmp_path):
    data = _nosource(tmp_path)
    out = tmp_path / "m.model"
    r = run("train", "--data", data, "-o", out)
    assert r.exit_code == 0, r.output
    assert "no holder head" in r.stderr
    assert StanceModel.load(out).holder_ is None
    r = run("predict", "--model", out, "--format", "jsonl", "--level", "sentence", SEED)
    assert r.exit_code == 0, r.output
    profile = json.loads(r.stdout)
    assert profile["edges"] is None and "no holder head" in profile["edges_note"]
    assert all(s["holder"] is None and s["holder_probability"] is None for s in profile["sentences"])
    r = run("predict", "--model", out, "--level", "edges", "--format", "csv", SEED)
    assert r.exit_code == 1 and "no holder head" in r.output and "source" in r.output
    r = run("evaluate", "--model", out, "--data", DATA / "tiny.jsonl", "--format", "json")  # gold sources, no head
    holder = json.loads(r.stdout)["holder"]
    assert holder["accuracy"] is None and "no holder head" in holder["note"]
    assert holder["baselines"]["author_always"] is not None
    r = run("evaluate", "--model", out, "--data", data, "--format", "json")  # no gold sources: no holder figures
    assert "holder" not in json.loads(r.stdout)


def test_edge_rows_csv_and_jsonl(holder_model_path, seed_text):
    profile = score_article(seed_text, StanceModel.load(holder_model_path), id=SEED.stem)
    r = run("predict", "--model", holder_model_path, "--level", "edges", "--format", "jsonl", SEED)
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["holder"], x["target"], x["count"]) for x in rows] == [(e.holder, e.target, e.count) for e in profile.edges]
    for row in rows:
        assert row["id"] == SEED.stem and row["stance"] in ("against", "favor")
        assert sum(row["counts"].values()) == row["count"] == len(row["evidence"])
        for e in row["evidence"]:
            assert seed_text[e["start"]:e["end"]] == e["text"]
    r = run("predict", "--model", holder_model_path, "--level", "edges", "--format", "csv", SEED)
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert table[0] == EDGE_CSV_COLUMNS and len(table) == len(rows) + 1
    for line, row in zip(table[1:], rows):
        rec = dict(zip(EDGE_CSV_COLUMNS, line))
        assert (rec["holder"], rec["target"], int(rec["count"])) == (row["holder"], row["target"], row["count"])
        assert seed_text[int(rec["evidence_start"]):int(rec["evidence_end"])] == rec["evidence"]
        assert rec["sentences"].split() == [str(e["sentence"]) for e in row["evidence"]]
    r = run("predict", "--model", holder_model_path, "--level", "edges", "--format", "json", SEED)
    assert len(json.loads(r.stdout)) == len(rows)


def _score(sentence, actor, label, score, holder, p=0.9):
    proba = {"favor": max(score, 0.0), "against": max(-score, 0.0)}
    proba["none"] = 1 - proba["favor"] - proba["against"]
    return SentenceScore(sentence, 10 * sentence, 10 * sentence + 9, f"s{sentence}", actor, (), label, proba, score,
                         None, {}, (), holder if label != "none" else None, p if label != "none" else None)


def _profile(id, outlet, scores):
    return ArticleProfile(id, "2024-01-15", 5, None, 0.0, (), tuple(scores), {"outlet": outlet},
                          edges=article_edges(scores))


def test_edge_aggregation_per_group():
    a = _profile("a", "X", [_score(0, "US", "against", -0.8, "IRQ_GOV"), _score(1, "US", "against", -0.4, "IRQ_GOV"),
                            _score(2, "PAL", "favor", 0.6, AUTHOR), _score(3, "US", "none", 0.0, None)])
    b = _profile("b", "X", [_score(0, "US", "against", -0.2, "IRQ_GOV")])
    c = _profile("c", "Y", [_score(4, "US", "favor", 0.5, "IRQ_GOV")])
    weighted = (0.8 * -0.8 + 0.6 * -0.4) / (0.8 + 0.6)  # weights: stance confidence x holder probability
    assert [(e.holder, e.target, e.count, e.score) for e in a.edges] == [
        ("IRQ_GOV", "US", 2, pytest.approx(weighted, abs=1e-4)), (AUTHOR, "PAL", 1, pytest.approx(0.6))]
    assert [v.sentence for v in a.edges[0].evidence] == [0, 1]
    groups = EdgeGroups("outlet")
    for p in (a, b, c):
        groups.add(p)
    result = groups.result()
    x = {(e["holder"], e["target"]): e for e in result["X"]}
    assert x[("IRQ_GOV", "US")]["articles"] == 2 and x[("IRQ_GOV", "US")]["sentences"] == 3
    assert x[("IRQ_GOV", "US")]["mean_score"] == pytest.approx((weighted - 0.2) / 2, abs=1e-4)
    assert x[("IRQ_GOV", "US")]["against"] == 3 and x[("IRQ_GOV", "US")]["stance"] == "against"
    assert result["Y"] == [dict(result["Y"][0], holder="IRQ_GOV", target="US", articles=1, sentences=1, favor=1,
                                stance="favor")]
    by_month = EdgeAggregator(lambda p: p.date[:7])
    for p in (a, b, c):
        by_month.add(p)
    assert list(by_month.result()) == ["2024-01"]
    no_head = ArticleProfile("d", None, 1, None, 0.0, ())
    groups.add(no_head)  # a profile without a holder head adds nothing
    assert groups.result()["unknown"] == []


def test_predict_edges_group_by_outlet(holder_model_path, tmp_path):
    lines = SEED.read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"a{i}", "outlet": "AB"[i % 2], "date": "2024-01-2%d" % i,
                                          "text": "\n".join(lines[i * 4:i * 4 + 6])}, ensure_ascii=False) + "\n"
                              for i in range(4)), encoding="utf-8")
    r = run("predict", "--model", holder_model_path, "--level", "edges", "--format", "jsonl", corpus)
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert rows and {x["outlet"] for x in rows} <= {"A", "B"}
    r = run("predict", "--model", holder_model_path, "--level", "edges", "--group-by", "outlet", "--format", "jsonl",
            corpus)
    assert r.exit_code == 0, r.output
    groups = {g["group"]: g["edges"] for g in map(json.loads, r.stdout.splitlines())}
    for outlet, edges in groups.items():
        mine = [x for x in rows if x["outlet"] == outlet]
        assert sum(e["sentences"] for e in edges) == sum(x["count"] for x in mine)
        assert sum(e["articles"] for e in edges) == len(mine)
    r = run("predict", "--model", holder_model_path, "--level", "edges", "--group-by", "month", "--format", "csv",
            corpus)
    table = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["group"] for row in table} == {"2024-01"}
    assert sum(int(row["sentences"]) for row in table) == sum(x["count"] for x in rows)


def test_evaluate_reports_holders_with_baselines(holder_model_path):
    gold = ROOT / "seeds" / "000_87b51e7b310dad56.gold.jsonl"
    r = run("evaluate", "--model", holder_model_path, "--data", gold, "--format", "json")
    assert r.exit_code == 0, r.output
    h = json.loads(r.stdout)["holder"]
    assert h["n_pairs"] == 25 and 0 <= h["accuracy"] <= 1
    assert h["per_kind"]["author"]["n"] + h["per_kind"]["actor"]["n"] == h["n_pairs"]
    assert set(h["baselines"]) == {"author_always", "nearest_preceding"}
    assert h["baselines"]["author_always"] == pytest.approx(h["per_kind"]["author"]["n"] / h["n_pairs"], abs=1e-4)
    r = run("evaluate", "--model", holder_model_path, "--data", gold)
    assert "holder (polar pairs with a gold source)" in r.stdout and "nearest actor before the target" in r.stdout


def test_sentence_analysis_equals_its_definition(seed_text):
    """The analysis reads each token once (normalized form, light stem, clause boundary, author word): the
    same clause ids, stems and author words as the per-step definitions."""
    import re

    from stance.cues import clause_ids, light_stem
    from stance.holder import _ACTOR, _analyze, _norm

    texts = seed_text.splitlines() + ["قال «الحشد الشعبي» إن واشنطن، التي قصفت مقاره، \"تتحمل\" المسؤولية؛ وأضاف:"]
    for text in filter(str.strip, texts):
        a = _analyze(sentence_of(text, None))
        tokens = [_norm(t) for t in re.findall(r"\w+|[^\w\s]", text)]
        assert a.clause == tuple(clause_ids(tokens))
        assert a.stems == tuple(map(light_stem, a.tokens))
        assert all(t == _ACTOR or t == tokens[i] for i, t in enumerate(a.tokens))
        assert a.words == tuple(sorted({f"A_w={w}" for w in a.stems if len(w) > 2 and w != _ACTOR}))


def test_prediction_rows_equal_the_training_rows(holder_model_path, seed_text):
    """The prediction path (crossed columns looked up, author words once per sentence, analyses kept for
    the call only) builds the matrix of the training path's feature names, and leaves the shared
    analysis cache alone."""
    import numpy as np

    from stance.holder import _analyze
    from stance.sentences import split_sentences

    model = StanceModel.load(holder_model_path)
    head, inventory = model.holder_, model.inventory_
    kinds = {a.id: a.kind for a in inventory.actors.values()}
    sentences = [sentence_of(s.text, inventory, "2024-01-24") for s in split_sentences(seed_text)]
    examples = []
    for i, s in enumerate(sentences):
        context = tuple((d, sentences[i - d]) for d in range(1, 4) if i - d >= 0)
        for actor in dict.fromkeys(m[0] for m in s.mentions):
            for stance in ("against", "favor", None):
                examples.append(HolderExample(s, actor, context, stance))
    assert len(examples) > 30
    _analyze.cache_clear()
    cands, matrix, groups = head._predict_rows(examples, kinds)
    assert _analyze.cache_info().currsize == 0
    cands2, feats, groups2 = head._rows(examples, kinds)
    assert cands == cands2 and np.array_equal(groups, groups2)
    expected = head._matrix(feats)
    assert np.array_equal(matrix.indptr, expected.indptr) and np.array_equal(matrix.indices, expected.indices)


def test_holder_probabilities_are_the_softmax_of_each_pair(holder_model_path, seed_text):
    """The probabilities computed for all pairs at once equal each pair's own numpy softmax, exactly, for
    pairs of few candidates and of eight or more (numpy sums those pairwise)."""
    import numpy as np

    from stance.sentences import split_sentences

    model = StanceModel.load(holder_model_path)
    head, inventory = model.holder_, model.inventory_
    kinds = {a.id: a.kind for a in inventory.actors.values()}
    crowded = sentence_of("قصفت واشنطن وطهران وموسكو وأنقرة ودمشق وبغداد والرياض والقاهرة وباريس ولندن وبكين "
                          "مواقع حماس", inventory)
    sentences = [sentence_of(s.text, inventory) for s in split_sentences(seed_text)] + [crowded]
    examples = [HolderExample(s, actor, (), "against") for s in sentences for actor in dict.fromkeys(m[0] for m in s.mentions)]
    assert max(len(candidates(e)) for e in examples) >= 8
    cands, matrix, groups = head._predict_rows(examples, kinds)
    z = matrix @ head.coef_
    expected = []
    for g, cs in enumerate(cands):
        s = z[groups[g]:groups[g + 1]]
        e = np.exp(s - s.max())
        expected.append({c: float(v) for c, v in zip(cs, e / e.sum())})
    assert head.predict_proba(examples, kinds) == expected
