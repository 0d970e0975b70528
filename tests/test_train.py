"""Training: selection on dev or by grouped cross-validation, calibration on held-out predictions."""

import numpy as np
import pytest

from stance.datasets import Dataset, load_dataset
from stance.features import Pair
from stance.model import fit_temperature
from stance.train import _folds, selection_score, train_model

from conftest import DATA

GRID = {"C": [0.5, 2.0]}
SMALL = {"min_df": 1, "window": 3}


def _two_class(tiny) -> Dataset:
    keep = [i for i, s in enumerate(tiny.stances) if s != "none"]
    out = Dataset()
    for name in ("pairs", "stances", "sentiments", "found", "articles", "sentence_ids", "kinds"):
        setattr(out, name, [getattr(tiny, name)[i] for i in keep])
    out.lines = tiny.lines
    return out


def test_cross_validation_is_deterministic_for_a_seed(tiny):
    runs = [train_model(tiny, grid=GRID, params=SMALL, folds=3, seed=7) for _ in range(2)]
    (m1, meta1), (m2, meta2) = runs
    assert meta1["grid_search"] == meta2["grid_search"]
    assert m1.temperature_ == m2.temperature_
    assert np.allclose(m1.predict_proba(tiny.pairs), m2.predict_proba(tiny.pairs))
    assert "fold cross-validation (grouped by article" in meta1["selection"]


def test_folds_never_split_an_article(tiny):
    for fit_idx, eval_idx in _folds(tiny, 3, seed=1):
        fit_articles = {tiny.articles[i] for i in fit_idx}
        assert not fit_articles & {tiny.articles[i] for i in eval_idx}
        assert sorted(fit_idx + eval_idx) == list(range(len(tiny)))


def test_two_class_data_trains_and_calibrates(tiny):
    data = _two_class(tiny)
    assert set(data.stances) == {"favor", "against"}
    model, meta = train_model(data, grid=GRID, params=SMALL, folds=2, seed=0)
    proba = model.predict_proba(data.pairs)
    assert proba.shape == (len(data), 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert 0.25 <= model.temperature_ <= 4.0
    model.calibrate(data.pairs, data.stances)  # the binary head's 1-D logits


def test_selection_on_dev_keeps_dev_out_of_calibration_fit(tiny):
    dev = load_dataset(DATA / "tiny.jsonl")
    model, meta = train_model(tiny, dev, grid=GRID, params=SMALL)
    assert meta["selection"] == "dev"
    assert meta["dev_metrics"]["temperature"] == pytest.approx(model.temperature_, abs=1e-4)
    assert meta["n_dev_pairs"] == len(dev)


def test_sentiment_search_keeps_the_best_c(tiny, monkeypatch):
    model, meta = train_model(tiny, grid={"C": [1.0]}, params=SMALL, folds=2)
    scores = [(r["params"]["sentiment_C"], r["sentiment_score"]) for r in meta["grid_search"] if "sentiment_score" in r]
    assert scores
    best = max(scores, key=lambda x: x[1])
    assert model.sentiment_C == best[0]


def test_selection_score_averages_kinds():
    gold = ["favor", "against", "none", "none"]
    pred = ["favor", "against", "none", "favor"]
    assert selection_score(gold, pred, ["real", "real", "authored", "authored"]) == pytest.approx(
        (1.0 + (2 / 3 + 0) / 2) / 2, abs=1e-3)


def test_fit_temperature_handles_binary_logits():
    logits = np.array([3.0, -2.0, 1.0, -1.0])
    assert 0.25 <= fit_temperature(logits, np.array([1, 0, 1, 0])) <= 4.0
    assert fit_temperature(np.zeros((0, 3)), np.zeros(0, dtype=int)) == 1.0


def test_training_refuses_one_class():
    data = Dataset(pairs=[Pair("نص", "US")] * 2, stances=["none", "none"], articles=["a", "b"])
    with pytest.raises(ValueError, match="two stance classes"):
        train_model(data)


def test_carried_head_moves_coefficients_by_feature_name():
    from stance.linear import LinearHead
    from stance.model import _carried_head

    head = LinearHead(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]), np.array([0.1, 0.2, 0.3]),
                      ["against", "favor", "none"])
    moved = _carried_head(head, np.array(["a", "b", "c"]), np.array(["c", "new", "a"]))
    assert moved.coef_.tolist() == [[3.0, 0.0, 1.0], [6.0, 0.0, 4.0], [9.0, 0.0, 7.0]]
    assert moved.intercept_.tolist() == [0.1, 0.2, 0.3] and list(moved.classes_) == list(head.classes_)


def test_refit_starts_from_the_selected_model_and_reaches_the_same_optimum(tiny, monkeypatch):
    """After a dev selection the refit on train + dev starts from the chosen candidate's heads (carried to
    the new vocabulary); the optimum is the cold fit's up to the solver's tolerance."""
    import stance.model as model_module
    from stance.model import StanceModel

    starts = []
    fit = StanceModel.fit

    def spy(self, *args, warm_start=None, **kwargs):
        starts.append(warm_start)
        return fit(self, *args, warm_start=warm_start, **kwargs)

    monkeypatch.setattr(model_module.StanceModel, "fit", spy)
    dev = load_dataset(DATA / "tiny.jsonl")
    model, meta = train_model(tiny, dev, grid=GRID, params=SMALL)
    assert len(starts) == 1 and starts[0] is not None
    assert starts[0].C == model.C and starts[0].sentiment_ is not None  # the chosen C's heads, both
    full = Dataset()
    full.extend(tiny)
    full.extend(dev)
    cold = fit(StanceModel(**{k: getattr(model, k) for k in ("C", "sentiment_C")}, **SMALL),
               full.pairs, full.stances, full.sentiments, full.lines)
    assert np.allclose(cold.stance_.predict_proba(cold.transform(tiny.pairs)),
                       model.stance_.predict_proba(model.transform(tiny.pairs)), atol=0.02)


def test_every_grid_point_is_its_own_fit(tiny):
    """Each C of the grid is fitted from scratch on the shared features: a fit started from the previous
    C's head can stop at once (the solver's gradient test passes there) and return the previous C's model."""
    from stance.model import StanceModel
    from stance.train import _held_out_logits

    dev = load_dataset(DATA / "tiny.jsonl")
    candidates = [SMALL | {"C": 0.5}, SMALL | {"C": 2.0}]
    classes = np.asarray(sorted(set(tiny.stances)), dtype=object)
    _, _, models = _held_out_logits(tiny, dev, candidates, None, classes)
    assert models[0].features_ is models[1].features_  # the features fitted once for both
    matrix = models[1].features_.transform(tiny.pairs)
    for model, params in zip(models, candidates):
        cold = StanceModel(**params)
        cold.features_ = model.features_
        cold.fit_stance(matrix, tiny.stances)
        # the same fit up to float32 rounding of the matrix (a fit started from the other C's head lands
        # about 1e-3 away on these data)
        assert np.abs(cold.stance_.coef_ - model.stance_.coef_).max() < 2e-5
    assert not np.allclose(models[0].stance_.coef_, models[1].stance_.coef_)
