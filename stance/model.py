"""The stance + sentiment model: target-aware features and two linear heads.

``StanceModel`` follows scikit-learn conventions: ``__init__`` only stores
parameters, ``fit(X, y, sentiment=...)`` learns, learned attributes end in ``_``.
``predict_proba`` columns follow ``classes_``. A saved model is a file
(``MAGIC`` + zlib-compressed pickle, which loads ~20x faster than a joblib
file of the same model) holding the model and a metadata dict (label sets, feature settings, data hash and size, library
versions, metrics, training time); loading refuses a file written by another
format version or another scikit-learn minor version, with the way to rebuild.
"""

from __future__ import annotations

import os
import pickle
import platform
import tempfile
import zlib
from pathlib import Path
from typing import Sequence

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from .features import Pair, TargetFeatures

__all__ = ["ModelError", "StanceModel", "FORMAT_VERSION", "save_atomic", "read_payload"]

FORMAT_VERSION = 2  # 1: joblib files; 2: MAGIC + zlib(pickle)
MAGIC = b"STANCE-MODEL\n"
STANCE_CLASSES = ("against", "favor", "none")
SENTIMENT_CLASSES = ("negative", "neutral", "positive")


class ModelError(ValueError):
    """A model file is missing, corrupt or from an incompatible version."""


def _package_version() -> str:
    from . import __version__

    return __version__


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


class StanceModel(BaseEstimator, ClassifierMixin):
    """Target-aware stance classifier with a sentiment head on the same features.

    Parameters
    ----------
    C : float, default=2.0
        Inverse regularization of the stance head.
    sentiment_C : float, default=2.0
        Inverse regularization of the sentiment head.
    class_weight : str or None, default="balanced"
        Class weighting of the stance head.
    window, max_features, min_df, char_ngrams, masked_ngrams, cross, actors_path
        Passed to :class:`stance.features.TargetFeatures`.
    """

    def __init__(
        self,
        *,
        C: float = 2.0,
        sentiment_C: float = 2.0,
        class_weight: str | None = "balanced",
        window: int = 4,
        max_features: int = 60000,
        min_df: int = 2,
        char_ngrams: tuple[int, int] = (2, 5),
        masked_ngrams: int = 1,
        cross: bool = True,
        actors_path: str | None = None,
    ) -> None:
        self.masked_ngrams = masked_ngrams
        self.cross = cross
        self.C = C
        self.sentiment_C = sentiment_C
        self.class_weight = class_weight
        self.window = window
        self.max_features = max_features
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.actors_path = actors_path

    def _features(self) -> TargetFeatures:
        return TargetFeatures(
            window=self.window, max_features=self.max_features, min_df=self.min_df,
            char_ngrams=self.char_ngrams, masked_ngrams=self.masked_ngrams, cross=self.cross,
            actors_path=self.actors_path,
        )

    def fit(
        self,
        X: Sequence[Pair],
        y: Sequence[str],
        sentiment: Sequence[str | None] | None = None,
        sentences: Sequence[tuple[str, str | None]] | None = None,
        sample_weight: Sequence[float] | None = None,
    ) -> "StanceModel":
        """Fit features and both heads.

        The sentiment head learns from ``sentences`` (``(text, label)``, one per sentence, also
        sentences that mention no actor) when given, else from ``sentiment`` (one label per pair,
        ``None`` for unlabeled rows), counting each distinct sentence once. ``sample_weight``
        (one per pair) weighs pairs in the stance head, e.g. a user's own labels.
        """
        X = list(X)
        y = np.asarray(y, dtype=object)
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} pairs but y has {len(y)} labels")
        if len(set(y)) < 2:
            raise ValueError(f"need at least two stance classes to train, got {sorted(set(y))}")
        self.features_ = self._features()
        matrix = self.features_.fit_transform(X)
        self.stance_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=3000, random_state=0
        ).fit(matrix, y, sample_weight=None if sample_weight is None else np.asarray(sample_weight, dtype=float))
        self.classes_ = self.stance_.classes_
        self.temperature_ = 1.0
        if sentences is None and sentiment is not None:
            sentences = list({p.text: (p.text, v) for p, v in zip(X, sentiment)}.values())
        return self.fit_sentiment(sentences or [])

    def fit_sentiment(self, sentences: Sequence[tuple[str, str | None]], C: float | None = None) -> "StanceModel":
        """(Re)fit only the sentiment head on ``(text, label)`` sentences, on the fitted features."""
        if C is not None:
            self.sentiment_C = C
        self.sentiment_ = None
        labeled = [(t, v) for t, v in sentences if v]
        if len({v for _, v in labeled}) >= 2:
            plain = self.features_.transform_plain([t for t, _ in labeled])
            self.sentiment_ = LogisticRegression(
                C=self.sentiment_C, class_weight="balanced", max_iter=3000, random_state=0
            ).fit(plain, np.asarray([v for _, v in labeled], dtype=object))
        return self

    def transform(self, X: Sequence[Pair], plain=None, plain_rows=None):
        """Feature matrix for pairs (see :meth:`TargetFeatures.transform` for ``plain``)."""
        return self.features_.transform(list(X), plain, plain_rows)

    def proba_from_matrix(self, matrix) -> np.ndarray:
        """Calibrated stance probabilities from a feature matrix (temperature-scaled softmax)."""
        return self._softmax(self.stance_.decision_function(matrix))

    def proba_from_parts(self, target_matrix, plain, plain_rows) -> np.ndarray:
        """Same as :meth:`proba_from_matrix` on ``[target_matrix | plain[plain_rows]]`` without stacking.

        The linear head is split by columns: the target-blind part is computed once per sentence
        and gathered per pair, which is what makes scoring whole articles cheap.
        """
        n = self.features_.n_target_columns()
        coef = self.stance_.coef_
        logits = np.asarray(target_matrix @ coef[:, :n].T) + np.asarray(plain @ coef[:, n:].T)[plain_rows]
        logits = logits + self.stance_.intercept_
        if coef.shape[0] == 1:  # binary: decision_function's single column
            logits = logits[:, 0]
        return self._softmax(logits)

    def _softmax(self, logits: np.ndarray) -> np.ndarray:
        logits = logits / getattr(self, "temperature_", 1.0)
        if logits.ndim == 1:
            logits = np.column_stack([-logits / 2, logits / 2])
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def calibrate(self, X: Sequence[Pair], y: Sequence[str]) -> "StanceModel":
        """Fit the temperature that minimises the log-loss of held-out pairs (dev), then keep it."""
        logits = self.stance_.decision_function(self.transform(X))
        index = np.array([list(self.classes_).index(v) for v in y])
        best = (np.inf, 1.0)
        for t in np.exp(np.linspace(np.log(0.25), np.log(4.0), 61)):
            z = logits / t
            z = z - z.max(axis=1, keepdims=True)
            nll = -(z[np.arange(len(z)), index] - np.log(np.exp(z).sum(axis=1))).mean()
            best = min(best, (nll, float(t)))
        self.temperature_ = best[1]
        return self

    def predict_proba(self, X: Sequence[Pair]) -> np.ndarray:
        """Stance probabilities, columns in ``classes_`` order."""
        return self.proba_from_matrix(self.transform(X))

    def predict(self, X: Sequence[Pair]) -> np.ndarray:
        """Most probable stance per pair."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def predict_sentiment_proba(self, X: Sequence[Pair], matrix=None) -> np.ndarray:
        """Sentiment probabilities (columns ``sentiment_.classes_``)."""
        if self.sentiment_ is None:
            raise ModelError("this model has no sentiment head (it was trained without sentiment labels)")
        matrix = self.transform(X) if matrix is None else matrix
        return self.sentiment_.predict_proba(matrix[:, self.features_.plain_columns()])

    @property
    def sentiment_classes_(self) -> np.ndarray:
        """Sentiment labels in column order."""
        return self.sentiment_.classes_ if self.sentiment_ is not None else np.asarray([])

    # -- persistence --------------------------------------------------------

    def save(self, path: str | Path, metadata: dict | None = None) -> Path:
        """Write the model and its metadata atomically (temp file + rename)."""
        meta = dict(metadata or {})
        meta.update(
            format_version=FORMAT_VERSION,
            stance_version=_package_version(),
            sklearn_version=sklearn.__version__,
            python_version=platform.python_version(),
            numpy_version=np.__version__,
            stance_classes=[str(c) for c in self.classes_],
            sentiment_classes=[str(c) for c in self.sentiment_classes_],
            params=self.get_params(),
        )
        self.metadata_ = meta
        return save_atomic({"model": self, "metadata": meta}, path)

    @classmethod
    def load(cls, path: str | Path) -> "StanceModel":
        """Load a model file, refusing incompatible or corrupt files with a clear message."""
        path = Path(path)
        how = f"rebuild it with `stance train -o {path}` (or delete it to use the default model)"
        if not path.exists():
            raise ModelError(f"{path}: no such model file; train one with `stance train -o {path}`")
        try:
            payload = read_payload(path)
        except Exception as exc:  # zlib/pickle/joblib raise many types on corrupt files
            raise ModelError(f"{path}: not a readable stance model ({type(exc).__name__}: {exc}); {how}") from None
        if not isinstance(payload, dict) or "model" not in payload or "metadata" not in payload:
            raise ModelError(f"{path}: not a stance model file; {how}")
        meta = payload["metadata"]
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"{path}: model format {meta.get('format_version')} (stance {meta.get('stance_version')}) "
                f"is not this version's format {FORMAT_VERSION} (stance {_package_version()}); {how}"
            )
        if _minor(meta.get("sklearn_version", "")) != _minor(sklearn.__version__):
            raise ModelError(
                f"{path}: trained with scikit-learn {meta.get('sklearn_version')}, this is "
                f"scikit-learn {sklearn.__version__}; {how}"
            )
        model = payload["model"]
        model.metadata_ = meta
        return model


def read_payload(path: str | Path) -> object:
    """The object stored by :func:`save_atomic` (a format-1 joblib file is read too, to be refused)."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data.startswith(MAGIC):
        return pickle.loads(zlib.decompress(data[len(MAGIC):]))
    return joblib.load(path)


def save_atomic(obj: object, path: str | Path) -> Path:
    """Write ``obj`` (``MAGIC`` + zlib pickle) to ``path`` through a temp file in the same directory and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = MAGIC + zlib.compress(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), 3)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
