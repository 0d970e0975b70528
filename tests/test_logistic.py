"""The stance head's solver: scikit-learn's logistic regression objective on rows that share columns."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from stance.linear import LinearHead
from stance.logistic import Design, _Objective, fit_logistic


def _design(seed: int, n_rows: int = 90, n_sentences: int = 40, n_classes: int = 3):
    """Rows of a few sentences each: random target columns, sentence columns shared by the rows."""
    rng = np.random.default_rng(seed)
    target = sp.random(n_rows, 25, density=0.2, random_state=rng, format="csr", dtype=np.float32)
    plain = sp.random(n_sentences, 30, density=0.3, random_state=rng, format="csr", dtype=np.float32)
    rows = rng.integers(0, n_sentences, n_rows)
    labels = np.array(["against", "favor", "none"][:n_classes], dtype=object)
    signal = np.asarray(target[:, :n_classes].todense()) + np.asarray(plain[rows][:, :n_classes].todense())
    y = labels[(signal + 0.3 * rng.random(signal.shape)).argmax(axis=1)]
    return Design(target, plain, rows), y, rng


def test_design_stacks_rows_and_selects_columns():
    design, _, _ = _design(0)
    stacked = design.stacked().toarray()
    assert stacked.shape == design.shape == (90, 55)
    assert np.array_equal(stacked[:, 25:], design.plain.toarray()[design.rows])
    keep = np.r_[0:10, 30:55]
    assert np.array_equal(design.columns(keep).stacked().toarray(), stacked[:, keep])
    assert np.array_equal(Design.of(design.stacked()).stacked().toarray(), stacked)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_objective_is_scikit_learns(n_classes):
    """Loss and gradient equal scikit-learn's LinearModelLoss on the stacked matrix, at any point."""
    from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    design, y, rng = _design(1, n_classes=n_classes)
    classes = np.unique(y)
    index = np.searchsorted(classes, y)
    weight = rng.random(len(y)) + 0.5
    k = 1 if n_classes == 2 else n_classes
    objective = _Objective(design, index.astype(float) if k == 1 else index, weight, 0.7, k)
    w = rng.normal(size=(design.shape[1] + 1, k))
    value, grad = objective(w.ravel())
    base = HalfBinomialLoss() if k == 1 else HalfMultinomialLoss(n_classes=k)
    reference = LinearModelLoss(base, fit_intercept=True)
    coef = w[:, 0] if k == 1 else np.asfortranarray(w.T)
    ref_value, ref_grad = reference.loss_gradient(coef, design.stacked().astype(np.float64), index.astype(float),
                                                  weight, l2_reg_strength=1.0 / (0.7 * weight.sum()))
    assert value == pytest.approx(ref_value, rel=1e-12)
    assert np.allclose(grad.reshape(-1, k), (ref_grad[:, None] if k == 1 else ref_grad.T), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("class_weight", ["balanced", {"against": 2.0, "favor": 0.5}, None])
def test_fit_reaches_scikit_learns_optimum(n_classes, class_weight):
    """With a tight tolerance both solvers land on the same coefficients (class and sample weights on)."""
    from sklearn.linear_model import LogisticRegression

    design, y, rng = _design(2, n_classes=n_classes)
    weight = rng.random(len(y)) + 0.5
    head = fit_logistic(design, y, C=2.0, class_weight=class_weight, sample_weight=weight, tol=1e-10)
    ref = LogisticRegression(C=2.0, class_weight=class_weight, tol=1e-10, max_iter=5000)
    ref.fit(design.stacked().astype(np.float64), y, sample_weight=weight)
    assert list(head.classes_) == list(ref.classes_)
    assert np.abs(head.coef_ - ref.coef_).max() < 1e-5
    assert np.abs(head.intercept_ - ref.intercept_).max() < 1e-5
    X = design.stacked()
    assert np.allclose(head.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_warm_start_from_the_optimum_stops_at_once():
    design, y, _ = _design(3)
    cold = fit_logistic(design, y, C=1.0, tol=1e-8)
    warm = fit_logistic(design, y, C=1.0, tol=1e-8, warm_start=cold)
    assert cold.n_iter_ > 5 and warm.n_iter_ <= 2
    assert np.abs(warm.coef_ - cold.coef_).max() < 1e-6
    other = LinearHead(cold.coef_, cold.intercept_, ["a", "b", "c"])  # other classes: not a start
    assert fit_logistic(design, y, C=1.0, tol=1e-8, warm_start=other).n_iter_ == cold.n_iter_


def test_one_class_is_refused():
    design, _, _ = _design(4)
    with pytest.raises(ValueError, match="two classes"):
        fit_logistic(design, ["none"] * design.shape[0])
