"""stance: target-aware stance toward political actors in Arabic news.

The public names are imported on first use (PEP 562), so ``import stance`` and
``stance --help`` stay fast; scikit-learn is imported only to train.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "Actor": "actors",
    "Inventory": "actors",
    "Mention": "actors",
    "load_actors": "actors",
    "match_actors": "actors",
    "match_article": "actors",
    "load_model": "cache",
    "Pair": "features",
    "StanceModel": "model",
    "Edge": "edges",
    "ActorProfile": "profile",
    "ArticleProfile": "profile",
    "SentenceScore": "profile",
    "score_article": "profile",
    "score_sentences": "profile",
    "normalize": "normalize",
    "normalize_with_offsets": "normalize",
    "Sentence": "sentences",
    "split_sentences": "sentences",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names load lazily
    from .actors import Actor, Inventory, Mention, load_actors, match_actors, match_article
    from .cache import load_model
    from .edges import Edge
    from .features import Pair
    from .model import StanceModel
    from .normalize import normalize, normalize_with_offsets
    from .profile import ActorProfile, ArticleProfile, SentenceScore, score_article, score_sentences
    from .sentences import Sentence, split_sentences


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stance' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(types.ModuleType):
    """Keeps ``stance.normalize`` the function when the submodule of the same name is imported."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "normalize" and isinstance(value, types.ModuleType):
            value = value.normalize
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
