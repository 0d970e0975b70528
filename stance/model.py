"""The stance + sentiment model: target-aware features and two linear heads.

``StanceModel`` follows scikit-learn conventions: ``__init__`` only stores
parameters, ``fit(X, y, sentiment=...)`` learns, learned attributes end in ``_``,
``get_params`` / ``set_params`` work (``sklearn.base.clone`` too).
``predict_proba`` columns follow ``classes_``. scikit-learn fits it; a fitted
model is plain arrays (:class:`~stance.tfidf.TfidfView` vocabularies,
:class:`~stance.linear.LinearHead` heads), so loading and scoring do not import
scikit-learn. A saved model is a format-3 file (:mod:`stance.modelfile`): a
JSON header — versions, label sets, parameters, the actor inventory and the stance
cues the model was trained with, training metadata — and numeric arrays; loading it never runs
code from it and refuses other format versions before reading the payload.
"""

from __future__ import annotations

import copy
import platform
from importlib import metadata as _metadata
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .actors import ActorInventoryError, Inventory, inventory_from_records
from .estimator import ParamsMixin
from .features import FEATURES_VERSION, Pair, TargetFeatures
from .linear import LinearHead
from .logistic import Design, fit_logistic
from .modelfile import FORMAT_VERSION, ModelError, read_header, read_payload, write_model_file

__all__ = ["fit_temperature", "ModelError", "StanceModel", "FORMAT_VERSION", "read_model_header"]



def _package_version() -> str:
    from . import __version__

    return __version__


def _library_version(name: str) -> str | None:
    try:
        return _metadata.version(name)
    except _metadata.PackageNotFoundError:
        return None


def fit_temperature(logits: np.ndarray, index: np.ndarray) -> float:
    """The temperature minimising the log-loss of held-out ``logits`` for gold class positions ``index``.

    ``logits`` has one column per class, or one column for two classes (a binary head's decision
    function, whose softmax is taken over ``[-z/2, z/2]`` as in :meth:`StanceModel.proba_from_matrix`).
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 1:
        logits = np.column_stack([-logits / 2, logits / 2])
    if not len(logits):
        return 1.0
    best = (np.inf, 1.0)
    for t in np.exp(np.linspace(np.log(0.25), np.log(4.0), 61)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = -(z[np.arange(len(z)), index] - np.log(np.exp(z).sum(axis=1))).mean()
        best = min(best, (nll, float(t)))
    return best[1]


def _carried_head(head: LinearHead, old_names: np.ndarray, new_names: np.ndarray) -> LinearHead:
    """``head`` (fitted on columns ``old_names``) moved onto the columns ``new_names``: a column the old
    vocabulary lacks starts at 0. A warm start for refitting the head on a vocabulary fitted anew."""
    where = {name: i for i, name in enumerate(old_names)}
    index = np.fromiter((where.get(name, -1) for name in new_names), dtype=np.int64, count=len(new_names))
    coef = np.zeros((head.coef_.shape[0], len(new_names)))
    found = index >= 0
    coef[:, found] = head.coef_[:, index[found]]
    return LinearHead(coef, head.intercept_, head.classes_)


class StanceModel(ParamsMixin):
    """Target-aware stance classifier with a sentiment head on the same features.

    Parameters
    ----------
    C : float, default=2.0
        Inverse regularization of the stance head.
    sentiment_C : float, default=2.0
        Inverse regularization of the sentiment head.
    class_weight : str or None, default="balanced"
        Class weighting of the stance head.
    stance_char : bool, default=True
        Whether the stance head reads the character n-gram view (the sentiment head always does). Off,
        its coefficients there are 0: the head fits on the other columns, several times faster.
    window, max_features, min_df, char_ngrams, masked_ngrams, cross, structure, marks, cues_path
        Passed to :class:`stance.features.TargetFeatures`.
    actors : Inventory, str or None, default=None
        The actor inventory (object or TOML path; None: the bundled one). The fitted model keeps
        it as ``inventory_`` and a saved model file embeds it.
    """

    _estimator_type = "classifier"

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
        structure: bool = True,
        marks: bool = True,
        stance_char: bool = True,
        actors: Inventory | str | None = None,
        cues_path: str | None = None,
    ) -> None:
        self.stance_char = stance_char
        self.masked_ngrams = masked_ngrams
        self.cross = cross
        self.structure = structure
        self.marks = marks
        self.cues_path = cues_path
        self.C = C
        self.sentiment_C = sentiment_C
        self.class_weight = class_weight
        self.window = window
        self.max_features = max_features
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.actors = actors

    def _features(self) -> TargetFeatures:
        return TargetFeatures(
            window=self.window, max_features=self.max_features, min_df=self.min_df,
            char_ngrams=self.char_ngrams, masked_ngrams=self.masked_ngrams, cross=self.cross,
            structure=self.structure, marks=self.marks, actors=self.actors,
            cues_path=self.cues_path,
        )

    def fit(
        self,
        X: Sequence[Pair],
        y: Sequence[str],
        sentiment: Sequence[str | None] | None = None,
        sentences: Sequence[tuple[str, str | None]] | None = None,
        sample_weight: Sequence[float] | None = None,
        *,
        progress: Callable[[str], None] | None = None,
        warm_start: "StanceModel | None" = None,
    ) -> "StanceModel":
        """Fit features and both heads (``sample_weight``: per-pair weights of the stance head).

        ``warm_start``: a fitted model with the same settings (e.g. the one a parameter search fitted on
        part of these pairs) whose heads, carried over to this fit's vocabulary by feature name, are
        the solver's starting point; the optimum is the same, fewer iterations reach it.

        The sentiment head learns from ``sentences`` (``(text, label)``, one per sentence, also
        sentences that mention no actor) when given, else from ``sentiment`` (one label per pair,
        ``None`` for unlabeled rows), counting each distinct sentence once. ``progress`` receives a
        line after each step.
        """
        X = list(X)
        y = np.asarray(y, dtype=object)
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} pairs but y has {len(y)} labels")
        if len(set(y)) < 2:
            raise ValueError(f"need at least two stance classes to train, got {sorted(set(y))}")
        note = progress or (lambda message: None)
        self.features_ = self._features()
        design = self.features_.fit_design(X, reuse=warm_start.features_ if warm_start is not None else None)
        note(f"features: {design.shape[0]} pairs x {design.shape[1]} columns")
        stance_start = sentiment_start = None
        if warm_start is not None:
            old, new = warm_start.features_.get_feature_names_out(), self.features_.get_feature_names_out()
            stance_start = _carried_head(warm_start.stance_, old, new)
            if getattr(warm_start, "sentiment_", None) is not None:
                plain_old, plain_new = warm_start.features_.plain_columns(), self.features_.plain_columns()
                sentiment_start = _carried_head(warm_start.sentiment_, old[plain_old], new[plain_new])
        self.fit_stance(design, y, sample_weight, warm_start=stance_start)
        note("stance head fitted")
        if sentences is None and sentiment is not None:
            sentences = list({p.text: (p.text, v) for p, v in zip(X, sentiment)}.values())
        self.fit_sentiment(sentences or [], warm_start=sentiment_start)
        note("sentiment head fitted")
        self.holder_ = None
        return self

    def fit_holder(self, data, progress: Callable[[str], None] | None = None) -> "StanceModel":
        """Fit the holder head on the polar pairs of a :class:`~stance.datasets.Dataset` that name a source.

        Data without sources (user data may omit them) leaves ``holder_`` None: no holders, no edges.
        """
        from .holder import fit_holder_head

        self.holder_ = fit_holder_head(data, self.features_.inventory_)
        if progress is not None:
            progress("holder head fitted" if self.holder_ is not None
                     else "no holder head: the data names no source for its polar pairs")
        return self

    def fit_stance(
        self, design, y: Sequence[str], sample_weight: Sequence[float] | None = None,
        warm_start: LinearHead | None = None,
    ) -> "StanceModel":
        """Fit only the stance head on the fitted features' rows of the pairs (a
        :class:`~stance.logistic.Design`, or a stacked feature matrix); ``warm_start``: a head to start from."""
        if not isinstance(design, Design):
            design = Design.of(design)
        n_columns = design.shape[1]
        columns = None
        if not self.stance_char:  # the head's columns: all but the character view's
            start, end = self.features_.slices_["plain_char"]
            columns = np.r_[0:start, end:n_columns]
            design = design.columns(columns)
            if warm_start is not None:
                warm_start = LinearHead(warm_start.coef_[:, columns], warm_start.intercept_, warm_start.classes_)
        head = fit_logistic(design, y, C=self.C, class_weight=self.class_weight, sample_weight=sample_weight,
                            warm_start=warm_start)
        if columns is not None:  # back to every column, 0 on the character view's
            coef = np.zeros((head.coef_.shape[0], n_columns))
            coef[:, columns] = head.coef_
            head = LinearHead(coef, head.intercept_, head.classes_)
        self.stance_ = head
        self.classes_ = self.stance_.classes_
        self.temperature_ = 1.0
        return self

    def fit_sentiment(self, sentences: Sequence[tuple[str, str | None]], C: float | None = None, plain=None,
                      warm_start: LinearHead | None = None) -> "StanceModel":
        """(Re)fit only the sentiment head on ``(text, label)`` sentences, on the fitted features.

        ``plain``: the plain features of the labeled sentences, when already computed; ``warm_start``: a
        sentiment head to start from (a search over C)."""
        if C is not None:
            self.sentiment_C = C
        self.sentiment_ = None
        labeled = [(t, v) for t, v in sentences if v]
        if len({v for _, v in labeled}) >= 2:
            if plain is None:
                plain = self.features_.transform_plain([t for t, _ in labeled])
            self.sentiment_ = fit_logistic(Design.of(plain), [v for _, v in labeled], C=self.sentiment_C,
                                           class_weight="balanced", warm_start=warm_start)
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
        self.temperature_ = fit_temperature(logits, index)
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

    def feature_names(self) -> np.ndarray:
        """Names of the feature columns (``view:term``), computed once per model."""
        names = self.__dict__.get("_feature_names")
        if names is None:
            names = self._feature_names = self.features_.get_feature_names_out()
        return names

    @property
    def sentiment_classes_(self) -> np.ndarray:
        """Sentiment labels in column order."""
        return self.sentiment_.classes_ if self.sentiment_ is not None else np.asarray([])

    @property
    def inventory_(self) -> Inventory:
        """The actor inventory the features find mentions with (the one the model was trained with)."""
        return self.features_.inventory_

    def with_inventory(self, inventory: Inventory) -> "StanceModel":
        """A copy that finds mentions with ``inventory`` (same learned weights), e.g. for ``--actors``."""
        if inventory is self.features_.inventory_:
            return self
        model = copy.copy(self)
        model.features_ = copy.copy(self.features_)
        model.features_.inventory_ = inventory
        return model

    def score(self, X: Sequence[Pair], y: Sequence[str]) -> float:
        """Mean accuracy of :meth:`predict` (scikit-learn's classifier ``score``)."""
        return float(np.mean(self.predict(X) == np.asarray(y, dtype=object)))

    def settings(self) -> dict:
        """The constructor parameters as JSON (the inventory is described, not listed)."""
        params = self.get_params(deep=False)
        actors = params.pop("actors")
        params["char_ngrams"] = list(params["char_ngrams"])
        params["actors"] = actors.source if isinstance(actors, Inventory) else actors
        return params

    # -- persistence --------------------------------------------------------

    def save(self, path: str | Path, metadata: dict | None = None) -> Path:
        """Write the model and its metadata atomically as a format-3 file (JSON header + arrays)."""
        meta = dict(metadata or {})
        meta.update(
            format="stance-model",
            stance_version=_package_version(),
            features_version=FEATURES_VERSION,
            sklearn_version=_library_version("scikit-learn"),
            python_version=platform.python_version(),
            numpy_version=np.__version__,
            stance_classes=[str(c) for c in self.classes_],
            sentiment_classes=[str(c) for c in self.sentiment_classes_],
            params=self.settings(),
        )
        inventory = self.features_.inventory_
        meta["inventory"] = {"source": inventory.source, "sha256": inventory.fingerprint(),
                             "n_actors": len(inventory.actors)}
        settings, arrays, texts = self.features_.export_state()
        arrays["stance/coef"], arrays["stance/intercept"] = self.stance_.coef_, self.stance_.intercept_
        if self.sentiment_ is not None:
            arrays["sentiment/coef"], arrays["sentiment/intercept"] = self.sentiment_.coef_, self.sentiment_.intercept_
        state = {"features": settings, "temperature": float(self.temperature_)}
        holder = getattr(self, "holder_", None)
        meta["holder_head"] = holder is not None
        if holder is not None:
            state["holder"], holder_arrays, holder_texts = holder.export_state()
            arrays.update(holder_arrays)
            texts.update(holder_texts)
        header = dict(meta, state=state, actors=inventory.to_records())
        write_model_file(path, header, arrays, texts)
        meta["format_version"] = FORMAT_VERSION
        self.metadata_ = meta
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> "StanceModel":
        """Load a model file, refusing incompatible or corrupt files with a clear message.

        The header (versions) is checked before the payload is read; nothing in the file can run code.
        """
        path = Path(path)
        header, data = read_header(path)
        how = f"rebuild it with `stance train -o {path}` (or delete it to use the default model)"
        if header.get("features_version") != FEATURES_VERSION:
            raise ModelError(
                f"{path}: written with feature code version {header.get('features_version')} (stance "
                f"{header.get('stance_version')}); this is version {FEATURES_VERSION} (stance {_package_version()}); {how}"
            )
        arrays, texts = read_payload(path, header, data)
        try:
            return cls._from_stored(path, header, arrays, texts)
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, ActorInventoryError) as exc:
            raise ModelError(f"{path}: inconsistent model file ({type(exc).__name__}: {exc}); {how}") from None

    @classmethod
    def _from_stored(cls, path: Path, header: dict, arrays: dict, texts: dict) -> "StanceModel":
        params = dict(header["params"])
        params.pop("actors", None)
        params["char_ngrams"] = tuple(params["char_ngrams"])
        params.setdefault("marks", False)  # a file written before the marks existed was fitted without them
        inventory = inventory_from_records(header["actors"], header["inventory"]["source"])
        model = cls(**params, actors=inventory)
        model.features_ = model._features().restore_state(header["state"]["features"], arrays, texts, inventory)
        model.stance_ = LinearHead(arrays["stance/coef"], arrays["stance/intercept"], header["stance_classes"])
        model.classes_ = model.stance_.classes_
        model.sentiment_ = None
        if header["sentiment_classes"]:
            model.sentiment_ = LinearHead(arrays["sentiment/coef"], arrays["sentiment/intercept"],
                                          header["sentiment_classes"])
        model.temperature_ = float(header["state"]["temperature"])
        model.holder_ = None
        if header["state"].get("holder") is not None:
            from .holder import HolderModel

            model.holder_ = HolderModel.restore_state(header["state"]["holder"], arrays, texts)
        if model.stance_.n_features_in_ != model.features_.n_features_out_:
            raise ValueError(f"the stance head has {model.stance_.n_features_in_} columns for "
                             f"{model.features_.n_features_out_} features")
        model.metadata_ = {k: v for k, v in header.items() if k not in ("state", "actors") and not k.startswith("_")}
        return model


def read_model_header(path: str | Path) -> dict:
    """The metadata of a model file (versions, labels, parameters, inventory, training) without loading it."""
    header, _ = read_header(path)
    return {k: v for k, v in header.items() if k not in ("state",) and not k.startswith("_")}
