"""L2 logistic regression on a design whose sentence columns are shared by rows.

A stance pair's feature row is ``[target columns | plain columns of its sentence]``, and every actor
of a sentence repeats that sentence's plain columns (word and character n-grams, four fifths of the
non-zeros on the bundled labels). :func:`fit_logistic` minimises exactly scikit-learn's ``LogisticRegression``
objective (lbfgs, L2 penalty, intercept; multinomial for three or more classes, binomial for two;
``class_weight``, ``sample_weight``; the same L-BFGS-B options) but multiplies the plain columns once
per sentence instead of once per pair. The optimum is the same; the path differs from scikit-learn's
only by floating-point rounding.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .linear import LinearHead

__all__ = ["Design", "fit_logistic"]


@dataclass
class Design:
    """Rows ``[target[i] | plain[rows[i]]]`` without stacking them (``plain`` may have 0 columns)."""

    target: sp.csr_matrix
    plain: sp.csr_matrix
    rows: np.ndarray

    @classmethod
    def of(cls, matrix) -> "Design":
        """A design with no shared part (every column per row)."""
        matrix = sp.csr_matrix(matrix)
        return cls(matrix, sp.csr_matrix((0, 0), dtype=matrix.dtype), np.zeros(matrix.shape[0], dtype=np.int64))

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns of the stacked matrix)."""
        return self.target.shape[0], self.target.shape[1] + self.plain.shape[1]

    def stacked(self) -> sp.csr_matrix:
        """The stacked feature matrix, one full row per row."""
        if not self.plain.shape[1]:
            return sp.csr_matrix(self.target)
        return sp.hstack([self.target, self.plain[self.rows]], format="csr")

    def columns(self, keep: np.ndarray) -> "Design":
        """The design restricted to the columns ``keep`` (indices into the stacked columns)."""
        keep = np.asarray(keep)
        n = self.target.shape[1]
        return Design(self.target[:, keep[keep < n]], self.plain[:, keep[keep >= n] - n], self.rows)


class _Objective:
    """Loss and gradient of scikit-learn's lbfgs logistic regression on a :class:`Design`.

    Parameters are laid out as scikit-learn lays them: ``(n_features + 1, k)`` in C order, the last
    row the intercept (``k`` = 1 for two classes, else the number of classes).
    """

    def __init__(self, design: Design, y: np.ndarray, weight: np.ndarray, C: float, k: int) -> None:
        self.target = design.target.astype(np.float64)
        self.plain = design.plain.astype(np.float64)
        self.shared = self.plain.shape[1] > 0
        n = self.target.shape[0]
        if self.shared:  # sums each row's gradient into its sentence's row
            rows = np.asarray(design.rows, dtype=np.int64)
            self.gather = rows
            self.scatter = sp.csr_matrix((np.ones(n), (rows, np.arange(n))), shape=(self.plain.shape[0], n))
        self.t = self.target.shape[1]
        self.k = k
        self.y = y
        self.sw_sum = float(weight.sum())
        self.weight = weight / self.sw_sum
        self.l2 = 1.0 / (C * self.sw_sum)
        if k > 1:
            self.onehot = np.zeros((n, k))
            self.onehot[np.arange(n), y] = 1.0

    def raw(self, w: np.ndarray) -> np.ndarray:
        """Decision scores ``(n, k)`` for parameters ``w`` of shape ``(n_features + 1, k)``."""
        z = self.target @ w[:self.t]
        if self.shared:
            z += (self.plain @ w[self.t:-1])[self.gather]
        z += w[-1]
        return z

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        w = x.reshape(-1, self.k)
        z = self.raw(w)
        if self.k == 1:
            z = z[:, 0]
            loss = np.logaddexp(0.0, z) - self.y * z
            g = (np.exp(-np.logaddexp(0.0, -z)) - self.y) * self.weight
            g = g[:, None]
        else:
            top = z.max(axis=1, keepdims=True)
            e = np.exp(z - top)
            total = e.sum(axis=1, keepdims=True)
            loss = (np.log(total) + top)[:, 0] - z[np.arange(len(z)), self.y]
            g = (e / total - self.onehot) * self.weight[:, None]
        coef = w[:-1]
        value = float(loss @ self.weight) + 0.5 * self.l2 * float(np.vdot(coef, coef))
        grad = np.empty_like(w)
        grad[:self.t] = self.target.T @ g
        if self.shared:
            grad[self.t:-1] = self.plain.T @ (self.scatter @ g)
        grad[:-1] += self.l2 * coef
        grad[-1] = g.sum(axis=0)
        return value, grad.ravel()


def fit_logistic(
    design: Design, y, *, C: float = 1.0, class_weight: str | dict | None = None, sample_weight=None,
    warm_start: LinearHead | None = None, tol: float = 1e-4, max_iter: int = 3000,
) -> LinearHead:
    """Fit scikit-learn's lbfgs ``LogisticRegression(C, class_weight, tol, max_iter)`` on ``design``.

    ``class_weight``: None, ``"balanced"`` (weighted by the sample weights, as scikit-learn 1.6 and later
    do) or a dict class → weight. ``warm_start``: a head with the same classes whose coefficients start
    the solver.
    """
    from scipy import optimize
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    y = np.asarray(y, dtype=object)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(f"need at least two classes, got {list(classes)}")
    index = np.searchsorted(classes, y)
    weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).copy()
    if class_weight == "balanced":  # scikit-learn's (>= 1.6) balanced weights of weighted samples
        counts = np.bincount(index, weights=weight, minlength=len(classes))
        weight *= (counts.sum() / (len(classes) * counts))[index]
    elif class_weight is not None:
        weight *= np.array([float(class_weight.get(c, 1.0)) for c in classes])[index]
    k = 1 if len(classes) == 2 else len(classes)
    n_features = design.shape[1]
    w0 = np.zeros((n_features + 1, k))
    if warm_start is not None and list(warm_start.classes_) == list(classes):
        w0[:-1] = warm_start.coef_.T
        w0[-1] = warm_start.intercept_
    objective = _Objective(design, index.astype(np.float64) if k == 1 else index, weight, C, k)
    # one BLAS thread: L-BFGS-B's vector operations on every coefficient are memory-bound; two threads made
    # `stance train` cost 85 s of CPU instead of 55 s, for no gain in wall time (training/ABLATIONS.md)
    with threadpool_limits(1, user_api="blas"):
        result = optimize.minimize(
            objective, w0.ravel(), method="L-BFGS-B", jac=True,
            options={"maxiter": max_iter, "maxls": 50, "gtol": tol, "ftol": 64 * np.finfo(float).eps},
        )
    if result.status != 0:
        warnings.warn(f"logistic regression did not converge: {result.message}", ConvergenceWarning, stacklevel=2)
    w = result.x.reshape(-1, k)
    head = LinearHead(w[:-1].T, w[-1], classes)
    head.n_iter_ = int(result.nit)
    return head
