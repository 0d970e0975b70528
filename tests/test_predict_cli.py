import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.cli import cli

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, seed_text):
    d = tmp_path_factory.mktemp("corpus")
    lines = seed_text.splitlines()
    rows = []
    for i in range(12):
        rows.append({"id": f"a{i}", "outlet": ["Al Jazeera", "Alhurra", "Al Mayadeen"][i % 3],
                     "date": f"2024-0{1 + i % 3}-1{i % 9}", "text": "\n".join(lines[i:i + 4])})
    (d / "news.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with open(d / "news.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["url", "body", "outlet"])
        w.writeheader()
        for r in rows[:5]:
            w.writerow({"url": r["id"], "body": r["text"], "outlet": r["outlet"]})
    return d


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def test_predict_text_file_json(model_path, seed_text):
    r = run("predict", "--model", model_path, "--format", "json", SEED)
    assert r.exit_code == 0, r.output
    [profile] = json.loads(r.stdout)
    assert profile["id"] == SEED.stem and profile["n_sentences"] == 16
    us = next(a for a in profile["actors"] if a["actor"] == "US")
    for e in us["evidence"]:
        assert seed_text[e["start"]:e["end"]] == e["text"]


def test_predict_jsonl_carries_fields_and_sentence_level(model_path, corpus):
    r = run("predict", "--model", model_path, "--format", "jsonl", "--level", "sentence", "--explain",
            corpus / "news.jsonl")
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in rows] == [f"a{i}" for i in range(12)]
    assert all("outlet" in x and "sentences" in x for x in rows)
    assert any(s.get("evidence") for x in rows for s in x["sentences"])


def test_predict_csv_input_and_output(model_path, corpus):
    r = run("predict", "--model", model_path, "--format", "csv", "--text-col", "body", "--id-col", "url",
            corpus / "news.csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows and {x["id"] for x in rows} <= {f"a{i}" for i in range(5)}
    assert {"actor", "label", "score"} <= set(rows[0])


def test_predict_table_and_stdin(model_path):
    r = run("predict", "--model", model_path, "--format", "table", "-", input=SEED.read_text(encoding="utf-8"))
    assert r.exit_code == 0, r.output
    assert "US" in r.stdout and "United States" in r.stdout


def test_predict_directory_recursive(model_path, corpus, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "two.jsonl").write_text((corpus / "news.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    r = run("predict", "--model", model_path, "--format", "jsonl", tmp_path)
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) == 13


def test_group_by_outlet_and_month(model_path, corpus):
    r = run("predict", "--model", model_path, "--format", "jsonl", "--group-by", "outlet", corpus / "news.jsonl")
    assert r.exit_code == 0, r.output
    groups = [json.loads(x) for x in r.stdout.splitlines()]
    assert [g["group"] for g in groups] == ["Al Jazeera", "Al Mayadeen", "Alhurra"]
    us = groups[0]["actors"]["US"]
    assert us["ci"][0] <= us["mean_score"] <= us["ci"][1] and us["articles"] >= 1
    r = run("predict", "--model", model_path, "--format", "csv", "--group-by", "month", corpus / "news.jsonl")
    assert r.exit_code == 0
    assert {row["group"] for row in csv.DictReader(io.StringIO(r.stdout))} == {"2024-01", "2024-02", "2024-03"}


def test_jobs_two_identical_to_one(model_path, corpus, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    r1 = run("predict", "--model", model_path, "--format", "jsonl", "--chunk-size", "2", "-o", one, corpus / "news.jsonl")
    r2 = run("predict", "--model", model_path, "--format", "jsonl", "--chunk-size", "2", "--jobs", "2", "-o", two,
             corpus / "news.jsonl")
    assert r1.exit_code == 0 and r2.exit_code == 0, r2.output
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


def test_bad_jsonl_lines_are_named_and_others_kept(model_path, corpus, tmp_path):
    lines = (corpus / "news.jsonl").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:40]
    lines[7] = json.dumps({"id": "x", "body": "نص"})
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("predict", "--model", model_path, "--format", "jsonl", bad)
    assert r.exit_code == 1
    assert f"{bad}:4: malformed JSON" in r.stderr and f"{bad}:8: no text field 'text'" in r.stderr
    assert "10 ok, 2 failed" in r.stderr
    assert len(r.stdout.splitlines()) == 10


def test_only_and_empty_text_warning(model_path, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": "e", "text": "English only"}) + "\n" +
                 json.dumps({"id": "s", "text": SEED.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    r = run("predict", "--model", model_path, "--format", "jsonl", "--only", "US,PMF", f)
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert rows[0]["actors"] == [] and "warning: e:" in r.stderr
    assert {a["actor"] for a in rows[1]["actors"]} == {"US", "PMF"}
    r = run("predict", "--model", model_path, "--only", "XX", f)
    assert r.exit_code == 2 and "unknown actor id" in r.output
