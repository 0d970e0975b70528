import json
import multiprocessing
import os
from pathlib import Path

import joblib
import numpy as np
import pytest

from stance.actors import load_actors
from stance.datasets import ColumnSpec, load_dataset, parse_label_map
from stance.evaluate import classification_report, evaluate_model, expected_calibration_error
from stance.features import Pair
from stance.model import ModelError, StanceModel, read_payload, save_atomic

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def model(tiny):
    return StanceModel(min_df=1).fit(tiny.pairs, tiny.stances, tiny.sentiments)


def test_fit_predict_proba(model, tiny):
    proba = model.predict_proba(tiny.pairs)
    assert proba.shape == (len(tiny), 3)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(model.classes_) == ["against", "favor", "none"]
    assert (model.predict(tiny.pairs) == np.asarray(tiny.stances)).mean() > 0.8


def test_target_awareness_same_sentence(model):
    s = "ندد الحشد الشعبي بالعدوان الأميركي ووصفه بالانتهاك الصارخ."
    pred = model.predict([Pair(s, "US"), Pair(s, "PMF")])
    assert pred[0] != pred[1]


def test_sentiment_head(model, tiny):
    proba = model.predict_sentiment_proba(tiny.pairs)
    assert proba.shape[1] == 3 and np.allclose(proba.sum(axis=1), 1)


def test_round_trip(model, tiny, tmp_path):
    path = model.save(tmp_path / "m.model", {"note": "x"})
    loaded = StanceModel.load(path)
    assert np.allclose(loaded.predict_proba(tiny.pairs), model.predict_proba(tiny.pairs))
    assert loaded.metadata_["note"] == "x" and loaded.metadata_["stance_classes"] == ["against", "favor", "none"]
    assert "sklearn_version" in loaded.metadata_ and "python_version" in loaded.metadata_


def test_version_refusal(model, tmp_path):
    path = model.save(tmp_path / "m.model")
    payload = read_payload(path)
    payload["metadata"]["sklearn_version"] = "0.24.2"
    save_atomic(payload, path)
    with pytest.raises(ModelError, match="scikit-learn 0.24.2.*stance train"):
        StanceModel.load(path)
    payload["metadata"]["format_version"] = 99
    save_atomic(payload, path)
    with pytest.raises(ModelError, match="format 99"):
        StanceModel.load(path)
    payload["metadata"]["format_version"] = 1  # a file of the joblib era is refused with the same advice
    joblib.dump(payload, path)
    with pytest.raises(ModelError, match="format 1 .*stance train"):
        StanceModel.load(path)


def test_corrupt_and_missing_model(tmp_path):
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="rebuild"):
        StanceModel.load(bad)
    with pytest.raises(ModelError, match="no such model file"):
        StanceModel.load(tmp_path / "missing.model")


class Boom:
    def __reduce__(self):
        raise RuntimeError("disk full")


def test_atomic_write_failure_keeps_old_file(tmp_path):
    path = tmp_path / "m.model"
    save_atomic({"v": 1}, path)
    with pytest.raises(RuntimeError):
        save_atomic({"v": Boom()}, path)
    assert read_payload(path) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["m.model"]


def test_column_file_with_label_map():
    spec = ColumnSpec("text", "target", "stance", "sentiment", parse_label_map("Favor=favor,Against=against,None=none"))
    data = load_dataset(DATA / "mawqif_like.csv", load_actors(), spec)
    assert len(data) == 12 and not data.errors
    assert set(data.stances) == {"favor", "against", "none"}
    assert set(data.sentiments) == {"positive", "negative", "neutral"}
    m = StanceModel(min_df=1).fit(data.pairs, data.stances, data.sentiments)
    assert m.predict_proba(data.pairs).shape == (12, 3)


def test_hand_computed_metrics():
    gold = ["favor", "favor", "against", "none", "none", "none"]
    pred = ["favor", "none", "against", "against", "none", "none"]
    r = classification_report(gold, pred, ["favor", "against", "none"])
    assert r["per_class"]["favor"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert r["per_class"]["against"]["precision"] == 0.5 and r["per_class"]["against"]["f1"] == 0.6667
    assert r["per_class"]["none"]["f1"] == round(2 * (2 / 3) * (2 / 3) / (4 / 3), 4)
    assert r["accuracy"] == round(4 / 6, 4)
    assert r["confusion"]["none"]["against"] == 1
    proba = np.array([[0.9, 0.1], [0.6, 0.4]])
    # bin (0.8,0.9]: conf .9, correct 1 -> .1 ; bin (0.5,0.6]: conf .6, correct 0 -> .6 ; mean .35
    assert expected_calibration_error(proba, np.array([0, 1])) == 0.35


def test_evaluate_model_report_shape(model, tiny):
    r = evaluate_model(model, tiny)
    assert r["n_pairs"] == len(tiny)
    assert set(r["stance"]) >= {"macro_f1", "f_avg", "accuracy", "per_class", "confusion", "ece", "per_actor"}
    assert "macro_f1" in r["sentiment"]
    json.dumps(r)


def _build_default(home):
    os.environ["STANCE_HOME"] = home
    from stance.cache import load_model

    load_model(quiet=True)


def test_concurrent_default_model_build(tmp_path, monkeypatch):
    import stance.cache as cache

    labels = tmp_path / "labels"
    (labels / "train").mkdir(parents=True)
    (labels / "train" / "tiny.jsonl").write_bytes((DATA / "tiny.jsonl").read_bytes())
    monkeypatch.setattr(cache, "bundled_labels", lambda: labels)
    monkeypatch.setenv("STANCE_HOME", str(tmp_path / "home"))
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_build_default, args=(str(tmp_path / "home"),)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert all(p.exitcode == 0 for p in procs)
    files = list((tmp_path / "home").glob("default-*.model"))
    assert len(files) == 1
    assert StanceModel.load(files[0]).predict([Pair("قصفت واشنطن الحشد الشعبي", "PMF")])[0] in {"against", "favor", "none"}


def test_bundled_labels_ship_with_the_package():
    """The default model is built from labels inside the installed package (train and dev, not test)."""
    from stance.cache import bundled_labels, default_model_path

    root = bundled_labels()
    train = list((root / "train").glob("*.jsonl"))
    assert train, f"no bundled training labels under {root}"
    assert list((root / "dev").glob("*.jsonl"))
    first = json.loads(train[0].read_text(encoding="utf-8").splitlines()[0])
    assert {"text", "targets"} <= set(first)
    assert default_model_path().name.startswith("default-")


def test_bundled_real_labels_ship_with_their_notices():
    """Real-news records ship with provenance, and the licence notices ship beside them."""
    from stance.cache import bundled_labels

    root = bundled_labels()
    real = list((root / "train").glob("real_*.jsonl"))
    assert real, f"no real-news training labels under {root}"
    record = json.loads(real[0].read_text(encoding="utf-8").splitlines()[0])
    assert record["kind"] == "real" and {"file", "line"} <= set(record["provenance"])
    data = root.parent  # stance/data
    notice = (data / "NOTICE.md").read_text(encoding="utf-8")
    for source in ("wikinews_2024.txt", "newsfane.txt", "ans_headlines.txt", "catt.txt", "fignews_posts.txt"):
        assert source in notice
    assert "CC BY-SA" in notice
    assert "Apache License" in (data / "licenses" / "Apache-2.0.txt").read_text(encoding="utf-8")
