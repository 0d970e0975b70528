"""Teach the model your archive: pick the sentences worth labeling, label them in the browser.

``select`` scores every (sentence, actor) pair of an archive and picks the sentences the model is
least sure about (spread over actors, outlets and articles, no near-duplicates); ``app`` is the local
labeling web app. Retraining with the labels is ``stance train --add``.

The names below load :mod:`stance.annotate.select` on first use (PEP 562), so that registering the
``stance annotate`` commands does not import numpy and the feature code (``stance --help`` stays light).
"""

from __future__ import annotations

import importlib

__all__ = ["Candidate", "candidates_from_articles", "candidates_from_sentences", "select", "to_record"]


def __getattr__(name: str) -> object:
    if name in __all__:
        module = importlib.import_module(".select", __name__)
        # Importing the submodule binds the package attribute ``select`` to it; the function wins, as an
        # eager ``from .select import select`` would have it.
        globals().update({n: getattr(module, n) for n in __all__})
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
