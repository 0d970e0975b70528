import json

from click.testing import CliRunner

from stance.cli import cli
from conftest import DATA, SEED_GOLD, SEED_TEXT


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_mentions_text_format():
    result = run("mentions", str(SEED_TEXT))
    assert result.exit_code == 0
    assert "[6]" in result.output and "IRQ_GOV" in result.output


def test_mentions_jsonl_offsets_point_into_the_file(seed_text):
    result = run("mentions", "--format", "jsonl", str(SEED_TEXT))
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows and all(seed_text[r["start"]:r["end"]] == r["surface"] for r in rows)
    gold = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines()]
    pairs = {(r["sentence"], r["actor"]) for r in rows}
    assert pairs == {(g["line"], t["actor"]) for g in gold for t in g["targets"]}


def test_mentions_stdin():
    result = run("mentions", "--format", "jsonl", "-", input="قصفت واشنطن مواقع الحشد الشعبي.")
    assert [json.loads(x)["actor"] for x in result.output.splitlines()] == ["US", "PMF"]


def test_mentions_invalid_utf8_names_file_and_byte(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("قال".encode() + b"\xff\xfe")
    result = CliRunner().invoke(cli, ["mentions", str(bad)])
    assert result.exit_code == 1
    assert str(bad) in result.output and "byte 6" in result.output


def test_mentions_missing_file():
    result = CliRunner().invoke(cli, ["mentions", "/nonexistent/x.txt"])
    assert result.exit_code == 1 and "/nonexistent/x.txt" in result.output


def test_actors_lists_inventory():
    result = run("actors")
    assert result.exit_code == 0 and "HOUTHIS" in result.output
    data = json.loads(run("actors", "--format", "json").output)
    assert {a["id"] for a in data} >= {"US", "PMF"}


def test_bad_inventory_is_a_clean_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[actors]]\nid = "X"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["mentions", "--actors", str(bad), str(SEED_TEXT)])
    assert result.exit_code == 1 and str(bad) in result.output and "Traceback" not in result.output


def test_labels_check_on_seed_gold():
    result = run("labels", "check", str(SEED_GOLD))
    assert result.exit_code == 0, result.output
    assert "pairs" in result.output


def test_labels_check_reports_disagreement(tmp_path):
    f = tmp_path / "l.jsonl"
    f.write_text(json.dumps({"article": "a", "line": 0, "text": "قصفت واشنطن مواقع الحشد الشعبي.",
                             "sentiment": "negative",
                             "targets": [{"actor": "US", "stance": "none", "source": "author"}]},
                            ensure_ascii=False) + "\n{bad json\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["labels", "check", str(f)])
    assert result.exit_code == 1
    assert f"{f}:1: the matcher finds PMF" in result.output
    assert f"{f}:2: malformed JSON" in result.output


def test_train_and_evaluate_on_labels_file(tmp_path):
    tiny = str(DATA / "tiny.jsonl")
    out = tmp_path / "m.model"
    result = CliRunner().invoke(cli, ["train", "--data", tiny, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "wrote" in result.stderr
    result = CliRunner().invoke(cli, ["evaluate", "--data", tiny, "--model", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n_pairs"] == 25 and report["stance"]["accuracy"] > 0.8


def test_train_on_column_file(tmp_path):
    out = tmp_path / "m.model"
    result = CliRunner().invoke(cli, [
        "train", "--data", str(DATA / "mawqif_like.csv"), "--text-col", "text", "--target-col", "target",
        "--label-col", "stance", "--sentiment-col", "sentiment",
        "--label-map", "Favor=favor,Against=against,None=none", "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["evaluate", "--data", str(DATA / "mawqif_like.csv"), "--model", str(out),
                                      "--sentiment-col", "sentiment"])
    assert result.exit_code == 0, result.output
    assert "macro_f1" in result.stdout and "sentiment" in result.stdout


def test_train_wrong_column_names_the_fix(tmp_path):
    result = CliRunner().invoke(cli, ["train", "--data", str(DATA / "mawqif_like.csv"), "--text-col", "tweet",
                                      "-o", str(tmp_path / "m.model")])
    assert result.exit_code == 1
    assert "missing column(s) tweet" in result.output and "--text-col" in result.output


def test_train_unknown_label_names_line_and_values(tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = (DATA / "tiny.jsonl").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"stance": "favor"', '"stance": "support"')
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["train", "--data", str(bad), "-o", str(tmp_path / "m.model")])
    assert result.exit_code == 1
    assert f"{bad}:3: unknown stance 'support'" in result.output and "favor, against, none" in result.output
    assert (tmp_path / "m.model").exists()  # the other records still trained a model


def test_evaluate_refuses_corrupt_model(tmp_path):
    bad = tmp_path / "m.model"
    bad.write_bytes(b"garbage")
    result = CliRunner().invoke(cli, ["evaluate", "--data", str(DATA / "tiny.jsonl"), "--model", str(bad)])
    assert result.exit_code == 1 and "stance train" in result.output and "Traceback" not in result.output


def test_train_with_a_user_cue_file_stores_the_cues_in_the_model(tmp_path):
    """`stance train --cues FILE` extends the bundled cues; the model file carries them, so predictions
    do not depend on the file afterwards."""
    from stance.model import StanceModel
    from stance.normalize import normalize

    cues = tmp_path / "my_cues.toml"
    cues.write_text('[[cues]]\nclass = "blame"\nwords = ["يلوم", "حمل المسؤولية"]\n\n'
                    '[[cues]]\nclass = "attack"\nwords = ["يقصف", "تقصف"]\n', encoding="utf-8")
    out = tmp_path / "m.model"
    result = CliRunner().invoke(cli, ["train", "--data", str(DATA / "tiny.jsonl"), "--cues", str(cues), "-o", str(out)])
    assert result.exit_code == 0, result.output
    features = StanceModel.load(out).features_
    assert features.cues_path == str(cues)
    assert features._cues().classify(normalize("يلوم")) == "blame"
    assert features._cues().classify(normalize("وتقصف")) == "attack"
    assert features._cues().classify(normalize("قصفت")) == "attack"  # the bundled words are kept
    before = run("predict", "--model", str(out), "--format", "jsonl", "--level", "sentence", str(SEED_TEXT)).output
    cues.unlink()
    assert run("predict", "--model", str(out), "--format", "jsonl", "--level", "sentence", str(SEED_TEXT)).output == before


def test_train_bad_cue_file_names_the_file_and_entry(tmp_path):
    cues = tmp_path / "bad_cues.toml"
    cues.write_text('[[cues]]\nclass = "blame"\nwords = ["يلوم"]\n\n[[cues]]\nclass = "Blame!"\nwords = ["x"]\n',
                    encoding="utf-8")
    out = tmp_path / "m.model"
    result = CliRunner().invoke(cli, ["train", "--data", str(DATA / "tiny.jsonl"), "--cues", str(cues), "-o", str(out)])
    assert result.exit_code != 0
    assert f"{cues}: cue entry 2" in result.output and "lower_snake" in result.output
    assert not out.exists() and "reading" not in result.output  # stopped before reading any data


def test_train_add_keeps_the_user_cues(tmp_path):
    cues = tmp_path / "my_cues.toml"
    cues.write_text('[[cues]]\nclass = "blame"\nwords = ["يلوم"]\n', encoding="utf-8")
    out = tmp_path / "m.model"
    tiny = str(DATA / "tiny.jsonl")
    result = CliRunner().invoke(cli, ["train", "--data", tiny, "--add", tiny, "--add-weight", "1", "--cues", str(cues),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    from stance.model import StanceModel
    from stance.normalize import normalize

    model = StanceModel.load(out)
    assert model.get_params()["cues_path"] == str(cues)
    assert model.features_._cues().classify(normalize("يلوم")) == "blame"
