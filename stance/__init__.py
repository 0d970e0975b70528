"""stance: target-aware stance toward political actors in Arabic news."""

from .actors import Actor, Inventory, Mention, load_actors, match_actors
from .normalize import normalize, normalize_with_offsets
from .sentences import Sentence, split_sentences

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Inventory",
    "Mention",
    "Sentence",
    "load_actors",
    "match_actors",
    "normalize",
    "normalize_with_offsets",
    "split_sentences",
]
