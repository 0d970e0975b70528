"""Real-news records in the labels format: provenance, pool verification, kinds, not_mentions."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.actors import load_actors
from stance.cli import cli
from stance.datasets import load_dataset
from stance.evaluate import evaluate_model
from stance.labels import LabelError, check_corpus, read_labels

HEADLINE = "الولايات المتحدة تتوعد بفرض أشد العقوبات صرامة في التاريخ على إيران"
OTHER = "وزير الخارجية الإيراني يلتقي نظيره التركي في أنقرة لبحث العلاقات"


def _real(text: str, line: int, targets: list[dict], **extra) -> dict:
    rec = {"article": f"ans-d{line:04d}", "line": 0, "text": text, "kind": "real", "outlet": "ANS headlines",
           "provenance": {"file": "pool.txt", "line": line}, "sentiment": "negative", "targets": targets}
    rec.update(extra)
    return rec


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture()
def pool(tmp_path) -> Path:
    folder = tmp_path / "pool"
    folder.mkdir()
    (folder / "pool.txt").write_text(f"سطر أول\n{HEADLINE}\n{OTHER}\n", encoding="utf-8")
    return folder


US_IRN = [{"actor": "US", "stance": "none", "source": "author"}, {"actor": "IRN", "stance": "against", "source": "US"}]
IRN_TUR = [{"actor": "IRN", "stance": "none", "source": "author"}, {"actor": "TUR", "stance": "none", "source": "author"}]


def test_real_record_without_provenance_is_refused(tmp_path):
    rec = _real(HEADLINE, 2, US_IRN)
    del rec["provenance"]
    path = _write(tmp_path / "r.jsonl", [rec])
    with pytest.raises(LabelError) as err:
        list(read_labels(path, load_actors()))
    assert "r.jsonl:1" in str(err.value) and "provenance" in str(err.value)


def test_unknown_kind_names_the_allowed_values(tmp_path):
    path = _write(tmp_path / "r.jsonl", [_real(HEADLINE, 2, US_IRN, kind="scraped")])
    with pytest.raises(LabelError, match="allowed: authored, real, user"):
        list(read_labels(path, load_actors()))


def test_check_verifies_real_text_against_its_pool_line(tmp_path, pool):
    good = _write(tmp_path / "good.jsonl", [_real(HEADLINE, 2, US_IRN)])
    report = check_corpus(good, load_actors(), pool)
    assert report.ok, report.problems
    assert report.stats["real_provenance"] == {"verified": 1, "pool_not_available": 0}
    edited = _write(tmp_path / "edited.jsonl", [_real(HEADLINE.replace("أشد", "أقسى"), 2, US_IRN)])
    report = check_corpus(edited, load_actors(), pool)
    assert any("not in pool.txt line 2" in p and "verbatim" in p for p in report.problems)
    wrong_line = _write(tmp_path / "wrong.jsonl", [_real(HEADLINE, 3, US_IRN)])
    assert not check_corpus(wrong_line, load_actors(), pool).ok


def test_check_without_pool_counts_unverified(tmp_path):
    path = _write(tmp_path / "r.jsonl", [_real(HEADLINE, 2, US_IRN)])
    report = check_corpus(path, load_actors(), tmp_path / "no-such-pool")
    assert report.ok
    assert report.stats["real_provenance"] == {"verified": 0, "pool_not_available": 1}


def test_not_mentions_silence_a_matcher_homonym_but_must_be_found(tmp_path, pool):
    # the matcher finds IRN and TUR; the annotator says TUR is not a mention of the actor
    rec = _real(OTHER, 3, [{"actor": "IRN", "stance": "none", "source": "author"}], not_mentions=["TUR"])
    assert check_corpus(_write(tmp_path / "a.jsonl", [rec]), load_actors(), pool).ok
    rec = _real(OTHER, 3, IRN_TUR, not_mentions=["SAU"])
    problems = check_corpus(_write(tmp_path / "b.jsonl", [rec]), load_actors(), pool).problems
    assert any("not_mentions names SAU" in p for p in problems)
    rec = _real(OTHER, 3, IRN_TUR, not_mentions=["TUR"])
    problems = check_corpus(_write(tmp_path / "c.jsonl", [rec]), load_actors(), pool).problems
    assert any("both a target and in not_mentions" in p for p in problems)


def test_context_targets_need_no_match_and_are_left_out_of_training(tmp_path, pool):
    ctx = {"actor": "IRQ_GOV", "stance": "none", "source": "author", "mention": "context", "surface": "الحكومة"}
    rec = _real(HEADLINE, 2, US_IRN + [ctx])
    path = _write(tmp_path / "r.jsonl", [rec])
    assert check_corpus(path, load_actors(), pool).ok
    data = load_dataset(path, load_actors())
    assert [p.target for p in data.pairs] == ["US", "IRN"]
    assert data.skipped_context == 1
    assert data.kinds == ["real", "real"]


def test_stats_and_evaluation_per_kind(tmp_path, pool, model_path):
    from stance import load_model

    authored = {"article": "a1", "line": 0, "text": "قصفت طائرات أميركية مواقع تابعة لكتائب حزب الله",
                "sentiment": "negative", "targets": [{"actor": "US", "stance": "none", "source": "author"},
                                                     {"actor": "KH", "stance": "against", "source": "US"}]}
    path = _write(tmp_path / "mix.jsonl", [authored, _real(HEADLINE, 2, US_IRN)])
    stats = check_corpus(path, load_actors(), pool).stats
    assert stats["by_kind"]["real"]["pairs"] == 2 and stats["by_kind"]["authored"]["pairs"] == 2
    report = evaluate_model(load_model(model_path), load_dataset(path, load_actors()))
    assert set(report["by_kind"]) == {"authored", "real"}
    assert report["by_kind"]["real"]["n_pairs"] == 2
    assert report["by_kind"]["authored"]["sentiment"]["n_sentences"] == 1


def test_cli_labels_check_with_pool_option(tmp_path, pool):
    path = _write(tmp_path / "r.jsonl", [_real(HEADLINE.replace("أشد", "أقسى"), 2, US_IRN)])
    result = CliRunner().invoke(cli, ["labels", "check", str(path), "--pool", str(pool)])
    assert result.exit_code == 1
    assert "verbatim" in result.output
