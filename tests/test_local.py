"""The local engine as a library (stance.local) and AtomicOutput as a context manager."""

import json
import os
from pathlib import Path

import pytest

from stance.engine import ScoringOptions, resolve_actor_ids
from stance.io import AtomicOutput
from stance.local import Interrupted, predict, score_files

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"


def test_score_files_yields_articles_and_profiles(model_path, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": "a", "text": "قصفت واشنطن مواقع الحشد الشعبي."}, ensure_ascii=False) + "\n"
                 "{bad\n", encoding="utf-8")
    errors = []
    out = list(score_files([str(f), str(SEED)], ScoringOptions(model=model_path, only=("pmf",)),
                           on_error=errors.append))
    assert [a.id for a, _ in out] == ["a", SEED.stem]
    assert all({x.actor for x in p.actors} == {"PMF"} for _, p in out)
    assert [e.line for e in errors] == [2]


def test_predict_writes_and_reports(model_path, tmp_path):
    out = tmp_path / "out.json"
    result = predict([str(SEED)], str(out), ScoringOptions(model=model_path), fmt="json")
    assert result.n_articles == 1 and not result.errors
    assert json.loads(out.read_text(encoding="utf-8"))[0]["id"] == SEED.stem


def test_long_article_reports_its_sentences(model_path, tmp_path, monkeypatch, seed_text):
    import stance.local as local
    import stance.profile as profile

    monkeypatch.setattr(local, "LONG_ARTICLE", 1000)
    monkeypatch.setattr(profile, "BLOCK_SENTENCES", 4)
    seen = []
    predict([str(SEED)], str(tmp_path / "o.jsonl"), ScoringOptions(model=model_path),
            on_long=lambda article, done, total: seen.append((article.id, done, total)))
    assert seen == [(SEED.stem, k, 16) for k in (4, 8, 12, 16)]


def test_interrupt_keeps_complete_records_and_a_valid_json_array(model_path, tmp_path):
    out = tmp_path / "out.json"
    calls = []

    def stop_after_two(scored, done, sentences):
        calls.append(done)
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as info:
        predict([str(SEED)] * 5, str(out), ScoringOptions(model=model_path), fmt="json", chunk_size=1,
                on_article=stop_after_two)
    assert info.value.done == 2
    assert [p["id"] for p in json.loads(out.read_text(encoding="utf-8"))] == [SEED.stem] * 2
    assert not list(tmp_path.glob(".out.json.*"))


def test_atomic_output_context_manager(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("OLD\n", encoding="utf-8")
    with pytest.raises(ValueError):
        with AtomicOutput(str(target)) as out:
            out.write("new\n")
            raise ValueError("boom")
    assert target.read_text(encoding="utf-8") == "OLD\n"
    assert os.listdir(tmp_path) == ["f.txt"]  # no .part left behind
    with pytest.raises(KeyboardInterrupt):
        with AtomicOutput(str(target)) as out:
            out.write("complete\n")
            raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "complete\n"
    with AtomicOutput(str(target)) as out:
        out.write("done\n")
    assert target.read_text(encoding="utf-8") == "done\n" and os.listdir(tmp_path) == ["f.txt"]


def test_resolve_actor_ids_any_case():
    from stance.actors import load_actors

    inventory = load_actors()
    assert resolve_actor_ids(inventory, ["us", " Pmf ", "IRQ_GOV"]) == ["US", "PMF", "IRQ_GOV"]
    with pytest.raises(KeyError, match="unknown actor id"):
        resolve_actor_ids(inventory, ["nope"])
