"""Teach the model your archive: pick the sentences worth labeling, label them in the browser.

``select`` scores every (sentence, actor) pair of an archive and picks the sentences the model is
least sure about (spread over actors, outlets and articles, no near-duplicates); ``app`` is the local
labeling web app. Retraining with the labels is ``stance train --add``.
"""

from .select import Candidate, candidates_from_articles, candidates_from_sentences, select, to_record

__all__ = ["Candidate", "candidates_from_articles", "candidates_from_sentences", "select", "to_record"]
