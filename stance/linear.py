"""A fitted linear classifier head as plain arrays (no scikit-learn at prediction).

:class:`LinearHead` holds ``coef_``, ``intercept_`` and ``classes_`` of a fitted logistic
regression (:func:`stance.logistic.fit_logistic`) and reproduces scikit-learn's
``decision_function`` and ``predict_proba`` with numpy, so a loaded model scores without importing
scikit-learn.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LinearHead"]


class LinearHead:
    """Decision function and probabilities of a fitted (multinomial) logistic regression.

    Parameters
    ----------
    coef : ndarray of shape (n_classes or 1, n_features)
    intercept : ndarray of shape (n_classes or 1,)
    classes : sequence of str
    """

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes) -> None:
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self.classes_ = np.asarray([str(c) for c in classes], dtype=object)
        if self.coef_.ndim != 2 or self.intercept_.shape != (self.coef_.shape[0],):
            raise ValueError(f"coef {self.coef_.shape} and intercept {self.intercept_.shape} do not match")
        expected = 1 if len(self.classes_) == 2 else len(self.classes_)
        if self.coef_.shape[0] != expected:
            raise ValueError(f"{self.coef_.shape[0]} coefficient rows for {len(self.classes_)} classes")
        self.n_features_in_ = self.coef_.shape[1]

    def decision_function(self, X) -> np.ndarray:
        """``X @ coef_.T + intercept_`` (one column for two classes)."""
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order (softmax; logistic for two classes)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1 - p, p])
        scores = scores - scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict(self, X) -> np.ndarray:
        """Most probable class per row."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
