"""`stance annotate select`: deterministic, no duplicates, the labels format, unlabeled records in `labels check`."""

import json
from itertools import combinations

import pytest
from click.testing import CliRunner

from stance.cli import cli
from stance.labels import check_corpus, read_labels, shingles
from conftest import DATA, SEED_TEXT


def _archive(tmp_path, seed_text):
    """Articles with exact and near-duplicate sentences across outlets."""
    sentences = [json.loads(x)["text"] for x in (DATA / "tiny.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = []
    for k in range(6):
        body = " ".join(sentences[k:k + 5])
        if k % 2:
            body += " " + sentences[0].replace("القائم", "القائم اليوم")  # a near-duplicate
        rows.append({"id": f"a{k}", "outlet": f"outlet{k % 3}", "date": "2024-01-0" + str(k + 1), "text": body})
    rows.append({"id": "seed", "outlet": "outlet0", "text": seed_text})
    rows.append({"id": "seed-copy", "outlet": "outlet1", "text": seed_text})  # every sentence duplicated
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _select(model_path, archive, out, *extra):
    r = CliRunner().invoke(cli, ["annotate", "select", "--model", model_path, str(archive), "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    return [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("strategy", ["uncertainty", "random"])
def test_selection_is_deterministic_and_never_picks_duplicates(model_path, tmp_path, seed_text, strategy):
    archive = _archive(tmp_path, seed_text)
    a = _select(model_path, archive, tmp_path / "a.jsonl", "-n", "30", "--strategy", strategy, "--seed", "7")
    b = _select(model_path, archive, tmp_path / "b.jsonl", "-n", "30", "--strategy", strategy, "--seed", "7")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert len(a) == len(b) > 10
    texts = [r["text"] for r in a]
    assert len(set(texts)) == len(texts)
    for x, y in combinations(texts, 2):
        sx, sy = shingles(x), shingles(y)
        assert len(sx & sy) / len(sx | sy) < 0.7, (x, y)


def test_random_depends_on_the_seed(model_path, tmp_path, seed_text):
    archive = _archive(tmp_path, seed_text)
    a = _select(model_path, archive, tmp_path / "a.jsonl", "-n", "8", "--strategy", "random", "--seed", "1")
    b = _select(model_path, archive, tmp_path / "b.jsonl", "-n", "8", "--strategy", "random", "--seed", "2")
    assert [r["text"] for r in a] != [r["text"] for r in b]


def test_uncertainty_picks_unsure_sentences_spread_over_articles(model_path, tmp_path, seed_text):
    archive = _archive(tmp_path, seed_text)
    picked = _select(model_path, archive, tmp_path / "u.jsonl", "-n", "6", "--per-article", "1")
    assert len({r["article"] for r in picked}) == 6  # one per article while the archive allows
    first = picked[0]["selection"]["uncertainty"]
    # the first pick is the most uncertain sentence of all (nothing is discounted yet)
    everything = _select(model_path, archive, tmp_path / "all.jsonl", "-n", "500", "--strategy", "random")
    assert first == max(r["selection"]["uncertainty"] for r in everything)


def test_records_are_labels_format_undecided_with_suggestions(model_path, tmp_path, seed_text):
    archive = _archive(tmp_path, seed_text)
    out = tmp_path / "batch.jsonl"
    picked = _select(model_path, archive, out, "-n", "10")
    for r in picked:
        assert r["kind"] == "user" and r["sentiment"] is None and r["suggested"]["sentiment"]
        assert r["targets"] and all(t["stance"] is None and t["suggested"]["stance"] in ("favor", "against", "none")
                                    for t in r["targets"])
        assert 0 <= r["suggested"]["p"] <= 1 and "outlet" in r
    lines = list(read_labels(out))
    assert all(ln.pending for ln in lines)
    report = check_corpus(out)
    assert report.problems == []  # every actor the matcher finds has its (undecided) target
    assert report.stats["unlabeled"]["records"] == 10
    r = CliRunner().invoke(cli, ["labels", "check", str(out)])
    assert r.exit_code == 0
    assert "10 user record(s) still undecided" in r.output and "stance annotate label" in r.output


def test_exclude_and_refusing_to_overwrite_decisions(model_path, tmp_path, seed_text):
    archive = _archive(tmp_path, seed_text)
    test_set = tmp_path / "test.jsonl"
    held = _select(model_path, archive, test_set, "-n", "5", "--strategy", "random")
    batch = _select(model_path, archive, tmp_path / "batch.jsonl", "-n", "20", "--exclude", str(test_set))
    assert not {r["text"] for r in held} & {r["text"] for r in batch}
    record = held[0]
    record["targets"][0]["stance"] = "none"
    test_set.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["annotate", "select", "--model", model_path, str(archive), "-o", str(test_set)])
    assert r.exit_code == 1 and "already holds decisions" in r.output


def test_null_stance_is_refused_outside_user_records(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "قصفت واشنطن مواقع الحشد الشعبي.", "sentiment": "negative",
                               "targets": [{"actor": "US", "stance": None}]}, ensure_ascii=False) + "\n")
    r = CliRunner().invoke(cli, ["labels", "check", str(bad)])
    assert r.exit_code == 1 and f"{bad}:1" in r.output and "kind" in r.output


def test_text_files_are_read_like_predict(model_path, tmp_path):
    out = tmp_path / "b.jsonl"
    picked = _select(model_path, SEED_TEXT, out, "-n", "3")
    assert len(picked) == 3 and all(r["article"] == SEED_TEXT.stem for r in picked)
    text = SEED_TEXT.read_text(encoding="utf-8")
    assert all(r["text"] in text for r in picked)
