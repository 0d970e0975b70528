import json
import multiprocessing
import os
import time
from pathlib import Path

import numpy as np
import pytest

from stance.actors import load_actors
from stance.datasets import ColumnSpec, load_dataset, parse_label_map
from stance.evaluate import class_metrics, evaluate_model, expected_calibration_error
from stance.features import Pair
from stance.model import ModelError, StanceModel

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


def test_sentiment_refit_with_given_plain_features_and_warm_start(model, tiny):
    lines = [(p.text, v) for p, v in zip(tiny.pairs, tiny.sentiments) if v]
    lines = list(dict.fromkeys(lines))
    plain = model.features_.transform_plain([t for t, _ in lines])
    a = StanceModel(min_df=1, sentiment_C=4.0)
    a.features_ = model.features_
    b = StanceModel(min_df=1, sentiment_C=4.0)
    b.features_ = model.features_
    a.fit_sentiment(lines)
    b.fit_sentiment(lines, plain=plain)  # the same matrix, computed once by the caller
    assert np.array_equal(a.sentiment_.coef_, b.sentiment_.coef_)
    c = StanceModel(min_df=1, sentiment_C=4.0)
    c.features_ = model.features_
    c.fit_sentiment(lines, plain=plain, warm_start=model.sentiment_)  # started from another C's head
    assert np.abs(c.sentiment_.predict_proba(plain) - a.sentiment_.predict_proba(plain)).max() < 0.05


def test_round_trip(model, tiny, tmp_path):
    path = model.save(tmp_path / "m.model", {"note": "x"})
    loaded = StanceModel.load(path)
    assert np.abs(loaded.predict_proba(tiny.pairs) - model.predict_proba(tiny.pairs)).max() <= 1e-9
    assert np.abs(loaded.predict_sentiment_proba(tiny.pairs) - model.predict_sentiment_proba(tiny.pairs)).max() <= 1e-9
    assert loaded.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert loaded.metadata_["note"] == "x" and loaded.metadata_["stance_classes"] == ["against", "favor", "none"]
    assert "sklearn_version" in loaded.metadata_ and "python_version" in loaded.metadata_
    assert loaded.metadata_["inventory"]["sha256"] == model.inventory_.fingerprint()
    assert loaded.inventory_.to_records() == model.inventory_.to_records()


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
    r = class_metrics(gold, pred, ["favor", "against", "none"])
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


def _first_use_counting_builds(home, labels, marker):
    os.environ["STANCE_HOME"] = home
    import stance.cache as cache

    cache.bundled_labels = lambda: Path(labels)
    real = cache.build_default_model

    def counting(path, progress=None):
        Path(marker).write_text("built", encoding="utf-8")
        return real(path, progress)

    cache.build_default_model = counting
    cache.load_model(quiet=True)


def _waiting_on(inode: int) -> bool:
    """Some process is blocked on a lock of this inode (a '->' line of /proc/locks)."""
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and any(f.endswith(f":{inode}") for f in fields):
            return True
    return False


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_first_use_waits_for_a_build_in_progress(tmp_path, monkeypatch, model_path):
    """While another process holds the build lock, a first use blocks on it and then loads the model that
    process built: it never builds a second copy (checked through /proc/locks, not by timing)."""
    import fcntl
    import shutil

    import stance.cache as cache

    labels = tmp_path / "labels"
    (labels / "train").mkdir(parents=True)
    (labels / "train" / "tiny.jsonl").write_bytes((DATA / "tiny.jsonl").read_bytes())
    monkeypatch.setattr(cache, "bundled_labels", lambda: labels)
    monkeypatch.setenv("STANCE_HOME", str(tmp_path / "home"))
    target = cache.default_model_path()
    target.parent.mkdir(parents=True)
    marker = tmp_path / "built"
    with open(target.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # "another process" is building
        inode = os.fstat(lock.fileno()).st_ino
        child = multiprocessing.get_context("fork").Process(
            target=_first_use_counting_builds, args=(str(tmp_path / "home"), str(labels), str(marker)))
        child.start()
        deadline = time.monotonic() + 120
        while not (_waiting_on(inode) or marker.exists() or not child.is_alive() or time.monotonic() > deadline):
            time.sleep(0.01)  # polling for an event; the outcome does not depend on this interval
        waited = _waiting_on(inode)
        assert waited and not marker.exists(), "the first use did not wait for the build lock"
        shutil.copy(model_path, target)  # the other process finishes its build
        fcntl.flock(lock, fcntl.LOCK_UN)
    child.join(120)
    assert child.exitcode == 0
    assert not marker.exists(), "a second copy of the default model was built"


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


def test_default_model_is_built_with_stored_parameters_and_progress(tmp_path, monkeypatch, capsys):
    """First use: no hyper-parameter search (the stored parameters), progress lines on stderr."""
    import stance.cache as cache
    import stance.train as train

    labels = tmp_path / "labels"
    (labels / "train").mkdir(parents=True)
    (labels / "train" / "tiny.jsonl").write_bytes((DATA / "tiny.jsonl").read_bytes())
    monkeypatch.setattr(cache, "bundled_labels", lambda: labels)
    monkeypatch.setenv("STANCE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(cache, "_LOADED", {})
    monkeypatch.setattr(train, "train_model", lambda *a, **k: pytest.fail("the default model ran a search"))
    model = cache.load_model()
    stored = cache.default_params()
    assert {k: model.get_params()[k] for k in stored["params"]} == stored["params"]
    assert model.temperature_ == stored["temperature"]
    err = capsys.readouterr().err
    assert "first use: building the default model" in err and "stance head fitted" in err and "saved" in err
    assert model.metadata_["default_model_key"]["key"] in str(cache.default_model_path())
    assert cache.load_model() is model  # once per process


def test_stored_default_parameters_are_model_parameters():
    from stance.cache import default_params

    stored = default_params()
    assert set(stored["params"]) <= set(StanceModel().get_params()) and 0.1 < stored["temperature"] < 10
