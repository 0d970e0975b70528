"""scikit-learn's estimator conventions without importing scikit-learn.

``import sklearn`` takes ~1.5 s (it pulls scipy.stats and pandas), longer than
scoring an article, so the classes a loaded model is made of do not inherit
from ``sklearn.base``. :class:`ParamsMixin` gives them ``get_params`` /
``set_params`` / ``repr`` (so ``sklearn.base.clone`` and grid searches work) and
``__sklearn_tags__`` (imported from scikit-learn only when scikit-learn asks).
"""

from __future__ import annotations

import inspect

__all__ = ["ParamsMixin"]


class ParamsMixin:
    """``get_params`` / ``set_params`` from the ``__init__`` signature, as in ``sklearn.base.BaseEstimator``."""

    _estimator_type: str | None = None

    @classmethod
    def _get_param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))

    def get_params(self, deep: bool = True) -> dict:
        """Constructor parameters (with ``name__param`` entries of nested estimators when ``deep``)."""
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params) -> "ParamsMixin":
        """Set constructor parameters; unknown names raise ``ValueError``."""
        valid = set(self._get_param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; valid: {sorted(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{k}={v!r}" for k, v in self.get_params(deep=False).items()
                   if k not in defaults or not _same(defaults[k], v)]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self):
        from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

        mixin = ClassifierMixin if self._estimator_type == "classifier" else TransformerMixin

        class _Tagged(mixin, BaseEstimator):
            pass

        return _Tagged().__sklearn_tags__()


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays and other objects without a plain ==
        return a is b
