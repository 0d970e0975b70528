"""The model carries the actor inventory it was trained with; the default-model key covers it."""

import json
import shutil

from click.testing import CliRunner

from stance.cache import bundled_actors, bundled_labels, default_model_key
from stance.cli import cli
from stance.features import Pair
from stance.model import StanceModel

from conftest import DATA, SEED_TEXT

EXTRA = """
[[actors]]
id = "NATO"
name_en = "NATO"
name_ar = "حلف الناتو"
kind = "organisation"
aliases = ["حلف الناتو", "الناتو"]
"""
SENT = "ندد الحشد الشعبي بالعدوان الأميركي وبالناتو."


def test_extend_actors_model_keeps_bundled_targets_and_moves(tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text(EXTRA, encoding="utf-8")
    out = tmp_path / "train_dir" / "m.model"
    r = CliRunner().invoke(cli, ["train", "--data", str(DATA / "tiny.jsonl"), "--actors", str(extra),
                                 "--extend-actors", "-o", str(out)])
    assert r.exit_code == 0, r.output
    model = StanceModel.load(out)
    assert {"US", "PMF", "NATO"} <= set(model.inventory_.ids)
    views = model.features_.analyze(Pair(SENT, "US"))  # a bundled actor is found and masked as the target
    assert "TGT" in views["masked"] and views["window"] != ["NO_MENTION"]
    assert "TGT" in model.features_.analyze(Pair(SENT, "NATO"))["masked"]

    first = CliRunner().invoke(cli, ["predict", "--model", str(out), "--format", "jsonl", "--level", "sentence",
                                     str(SEED_TEXT)])
    assert first.exit_code == 0, first.output
    moved = tmp_path / "elsewhere" / "copy.model"
    moved.parent.mkdir()
    shutil.move(out, moved)
    extra.unlink()  # the inventory file is gone too: the model does not need it
    second = CliRunner().invoke(cli, ["predict", "--model", str(moved), "--format", "jsonl", "--level", "sentence",
                                      str(SEED_TEXT)])
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout
    actors = {a["actor"] for a in json.loads(second.stdout)["actors"]}
    assert {"US", "PMF"} <= actors


def test_actors_option_at_prediction_warns(model_path, tmp_path):
    r = CliRunner().invoke(cli, ["predict", "--model", model_path, "--actors", str(DATA / "actors.toml"),
                                 "--format", "jsonl", str(SEED_TEXT)])
    assert r.exit_code == 0, r.output
    assert "warning: the model was trained with another actor inventory" in r.stderr
    assert {a["actor"] for a in json.loads(r.stdout)["actors"]} <= {"US", "PMF", "KH", "HEZBOLLAH"}
    r = CliRunner().invoke(cli, ["predict", "--model", model_path, "--format", "jsonl", str(SEED_TEXT)])
    assert "warning" not in r.stderr


def test_editing_the_inventory_changes_the_default_model_key(tmp_path):
    actors = tmp_path / "actors.toml"
    shutil.copy(bundled_actors(), actors)
    labels = bundled_labels()
    before = default_model_key(labels, actors)
    assert before == default_model_key(labels, actors)
    assert before["key"] == default_model_key()["key"]
    actors.write_text(actors.read_text(encoding="utf-8").replace('"واشنطن"', '"واشنطن", "العم سام"', 1),
                      encoding="utf-8")
    after = default_model_key(labels, actors)
    assert after["inventory"] != before["inventory"] and after["key"] != before["key"]
    assert after["labels"] == before["labels"] and after["code"] == before["code"]


def test_editing_the_labels_changes_the_default_model_key(tmp_path):
    labels = tmp_path / "labels"
    shutil.copytree(bundled_labels() / "train", labels / "train")
    shutil.copytree(bundled_labels() / "dev", labels / "dev")
    before = default_model_key(labels)
    first = sorted((labels / "train").glob("*.jsonl"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert default_model_key(labels)["labels"] != before["labels"]
