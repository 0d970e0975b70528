"""stance: target-aware stance toward political actors in Arabic news."""

from .actors import Actor, Inventory, Mention, load_actors, match_actors, match_article
from .cache import load_model
from .model import StanceModel
from .profile import ActorProfile, ArticleProfile, SentenceScore, score_article, score_sentences
from .normalize import normalize, normalize_with_offsets
from .sentences import Sentence, split_sentences

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ActorProfile",
    "ArticleProfile",
    "SentenceScore",
    "StanceModel",
    "load_model",
    "score_article",
    "score_sentences",
    "Inventory",
    "Mention",
    "Sentence",
    "load_actors",
    "match_actors",
    "match_article",
    "normalize",
    "normalize_with_offsets",
    "split_sentences",
]
