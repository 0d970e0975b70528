"""What a new user meets in the first minutes (issue 16, point 4): one test per surprise."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.fixture(scope="module")
def news(tmp_path_factory, seed_text):
    d = tmp_path_factory.mktemp("news")
    lines = seed_text.splitlines()
    rows = [{"id": f"a{i}", "outlet": ["Al Jazeera", "Alhurra"][i % 2], "date": f"2024-0{1 + i % 2}-10",
             "text": "\n".join(lines[i:i + 3])} for i in range(6)]
    path = d / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_unknown_group_field_warns_with_the_fields_seen(model_path, news):
    r = run("predict", "--model", model_path, "--format", "jsonl", "--group-by", "outlett", news)
    assert r.exit_code == 0, r.output
    assert "--group-by outlett: no article has a field 'outlett'" in r.stderr
    assert "fields seen: outlet, date" in r.stderr
    r = run("predict", "--model", model_path, "--format", "jsonl", "--group-by", "outlet", news)
    assert "warning" not in r.stderr
    r = run("report", "--model", model_path, "--group-by", "outlett", "-o", news.parent / "r.html", news)
    assert r.exit_code == 0 and "no article has a field 'outlett'" in r.stderr


@pytest.mark.parametrize("name,check", [
    ("profiles.csv", lambda text: next(csv.reader(io.StringIO(text)))[:3] == ["id", "actor", "label"]),
    ("profiles.json", lambda text: isinstance(json.loads(text), list)),
    ("profiles.jsonl", lambda text: all(json.loads(x)["id"] for x in text.splitlines())),
    ("profiles.txt", lambda text: text.startswith("== ")),
])
def test_output_extension_picks_the_format(model_path, news, tmp_path, name, check):
    out = tmp_path / name
    r = run("predict", "--model", model_path, news, "-o", out)
    assert r.exit_code == 0, r.output
    assert check(out.read_text(encoding="utf-8"))


def test_explicit_format_wins_over_the_extension(model_path, news, tmp_path):
    out = tmp_path / "profiles.csv"
    r = run("predict", "--model", model_path, "--format", "jsonl", news, "-o", out)
    assert r.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["id"] == "a0"


def test_bad_encoding_is_a_usage_error(model_path):
    r = run("predict", "--model", model_path, "--encoding", "foo", SEED)
    assert r.exit_code == 2
    assert "unknown encoding 'foo'" in r.output and "unexpected error" not in r.output
    assert "Usage:" in r.output


def test_no_path_on_a_terminal_prints_a_hint(model_path):
    """A real terminal on stdin (a pty): the hint comes at once, then Ctrl-D ends the input."""
    import pty

    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "stance.cli", "predict", "--model", model_path, "--format",
                             "jsonl"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    try:
        line = proc.stderr.readline().decode()
        assert "reading an article from the terminal (end it with Ctrl-D)" in line
        os.write(master, b"\x04")  # Ctrl-D: end of input
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert json.loads(out)["id"] == "stdin"


def test_no_hint_when_stdin_is_a_pipe(model_path):
    r = run("predict", "--model", model_path, "--format", "jsonl", input="قصفت واشنطن مواقع الحشد الشعبي.")
    assert r.exit_code == 0 and "reading an article" not in r.stderr


def test_no_none_in_readable_output(tmp_path):
    """Empty text, and a model trained without sentiment labels: no 'None' anywhere in the table."""
    from stance.actors import load_actors
    from stance.datasets import load_dataset
    from stance.model import StanceModel

    data = load_dataset(Path(__file__).parent / "data" / "tiny.jsonl", load_actors())
    no_sentiment = tmp_path / "nosent.model"
    StanceModel(min_df=1).fit(data.pairs, data.stances).save(no_sentiment)
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": "empty", "text": ""}) + "\n" +
                 json.dumps({"id": "x", "text": "قصفت واشنطن مواقع الحشد الشعبي."}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    for level in ("article", "sentence"):
        r = run("predict", "--model", no_sentiment, "--format", "text", "--level", level, "--explain", f)
        assert r.exit_code == 0, r.output
        assert "None" not in r.stdout and "== x" in r.stdout


@pytest.mark.parametrize("command", [["mentions"], ["actors"], ["labels", "check"], ["evaluate"], ["predict"]])
def test_one_format_vocabulary(command, model_path, seed_gold):
    """Every command calls the readable form `text` and also accepts `table` for it."""
    gold = str(ROOT / "seeds" / "000_87b51e7b310dad56.gold.jsonl")
    args = {"mentions": [str(SEED)], "actors": [], "labels": [gold], "evaluate": ["--data", gold, "--model", model_path],
            "predict": ["--model", model_path, str(SEED)]}[command[0]]
    text = run(*command, "--format", "text", *args)
    table = run(*command, "--format", "table", *args)
    assert text.exit_code == table.exit_code == 0, text.output + table.output
    assert text.stdout == table.stdout
    assert "text" in run(*command, "--help").output


def test_plurals(model_path, tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("قصفت واشنطن مواقع الحشد الشعبي.", encoding="utf-8")
    r = run("report", "--model", model_path, one, "-o", tmp_path / "r.html")
    assert "(1 article)" in r.stderr and "1 articles" not in r.stderr
    r = run("predict", "--model", model_path, "--format", "text", one)
    assert "(1 sentence," in r.stdout


def test_report_with_no_scored_article_writes_nothing(model_path, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    out = tmp_path / "report.html"
    r = run("report", "--model", model_path, bad, "-o", out)
    assert r.exit_code == 1
    assert "no article could be scored" in r.stderr and not out.exists()
    assert not list(tmp_path.glob(".report.html*"))


def test_actor_colours_are_fixed_per_actor(model_path, tmp_path, seed_text):
    """PMF has the same colour in a report where it is the most mentioned actor and in one where it is not."""
    pmf_first = tmp_path / "pmf.txt"
    pmf_first.write_text("أشاد الحشد الشعبي بالجيش.\nوقال الحشد الشعبي إن واشنطن تهدد العراق.", encoding="utf-8")
    colours = []
    for source in (SEED, pmf_first):
        out = tmp_path / f"{source.stem}.html"
        assert run("report", "--model", model_path, source, "-o", out).exit_code == 0
        page = out.read_text(encoding="utf-8")
        colours.append(json.loads(re.search(r'<script type="application/json" id="colors">(.*?)</script>', page,
                                            re.S).group(1)))
    assert colours[0]["PMF"] == colours[1]["PMF"] and colours[0]["US"] == colours[1]["US"]
    assert colours[0]["PMF"] != colours[0]["US"]


def test_only_accepts_any_case(model_path):
    r = run("predict", "--model", model_path, "--format", "jsonl", "--only", "us,Pmf", SEED)
    assert r.exit_code == 0, r.output
    assert {a["actor"] for a in json.loads(r.stdout)["actors"]} == {"US", "PMF"}
    r = run("predict", "--model", model_path, "--only", "xx", SEED)
    assert r.exit_code == 2 and "unknown actor id(s) xx" in r.output


def test_explain_reads_in_words_and_in_the_article_spelling(model_path, tmp_path):
    text = "قصفت الطائراتُ الأميركيّة مقرّات الحشد الشعبي، وقال عليٌّ إن واشنطن ستدفع الثمن."
    f = tmp_path / "a.txt"
    f.write_text(text, encoding="utf-8")
    r = run("predict", "--model", model_path, "--format", "text", "--level", "sentence", "--explain", f)
    assert r.exit_code == 0, r.output
    why = [line for line in r.stdout.splitlines() if "why:" in line]
    assert why
    for line in why:
        assert not re.search(r"\b(window|cross|masked|plain_word|plain_char):", line), line
        assert "T=" not in line and "TGT" not in line and "OTH" not in line and "L_" not in line
        for quoted in re.findall(r"«([^»]*)»", line):
            assert quoted in text, (quoted, line)  # the article's own spelling, diacritics and all
        assert re.search(r"before the actor|after the actor|in the sentence|in the whole sentence|the actor itself",
                         line)
    r = run("predict", "--model", model_path, "--format", "jsonl", "--level", "sentence", "--explain", f)
    reads = [e["reads"] for s in json.loads(r.stdout)["sentences"] for e in s["evidence"]]
    assert reads and all(isinstance(x, str) and x for x in reads)


def test_explain_describe_names_the_views():
    from stance.explain import describe

    sentence = "قال عليٌّ إن الأميركيين قصفوا"
    assert describe("window:L_علي", sentence) == "«عليٌّ» before the actor"
    assert describe("window:R_OTH_قصفوا", sentence) == "[another actor] «قصفوا» after the actor"
    assert describe("cross:T=us", sentence) == "the actor itself (its usual stance)"
    assert describe("cross:us|قال", sentence) == "«قال» in the sentence, for this actor"
    assert describe("plain_word:علي ان", sentence) == "«عليٌّ إن» in the whole sentence"
    assert describe("struct:Q_attack|L|same|clear|d2", sentence) == (
        "an attack word before the actor (in the actor's clause, no other actor between, 2–3 words away)")
    assert describe("struct:Q_report|first_after", sentence) == "the actor is the first named after a reporting verb in its clause"
    assert describe("struct:SR_قصف", sentence) == "a word like «قصفوا» after the actor"
    assert describe("struct:C_OTH", sentence) == "[another actor] in the sentence, in the actor's clause"
    assert describe("struct:S_rank=0", sentence) == "the actor is named first in the sentence"
    assert describe("window:M_k=nisba|قال", sentence) == "the actor is named by an adjective (nisba) right after «قال»"
    assert describe("window:M_k=person|^", sentence) == "the actor is named by an office holder at the start of the sentence"
    assert describe("window:M_k=name|OTH", sentence) == "the actor is named by its name right after [another actor]"
    assert describe("window:M_k=context", sentence) == "the actor is named by a word that names it in this article's context"
    assert describe("window:M_q", sentence) == "the actor is named inside a quotation"
