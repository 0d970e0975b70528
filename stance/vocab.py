"""Faster vocabulary fitting for the character view (imports scikit-learn: used only to train).

``CharTfidfVectorizer`` is scikit-learn's ``TfidfVectorizer`` whose counting step,
for ``analyzer="char_wb"``, computes each distinct word's n-grams once (news
vocabulary is Zipfian) instead of once per occurrence. Everything else —
feature sorting, ``min_df`` / ``max_features`` selection, idf — is
scikit-learn's own code, so the fitted vocabulary and idf equal the plain
vectorizer's (tested); fitting the character view is ~3x faster.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import text as _text
from sklearn.feature_extraction.text import TfidfVectorizer

from .tfidf import WHITE_SPACES, char_wb_ngrams

__all__ = ["CharTfidfVectorizer"]


class CharTfidfVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` with a per-word cached count step when fitting ``char_wb`` n-grams."""

    def _count_vocab(self, raw_documents, fixed_vocab):
        if fixed_vocab or self.analyzer != "char_wb" or self.preprocessor is not None or self.strip_accents:
            return super()._count_vocab(raw_documents, fixed_vocab)
        vocabulary: dict[str, int] = {}
        per_word: dict[str, list[int]] = {}
        lo, hi = self.ngram_range
        columns: list[int] = []
        indptr = [0]
        for doc in raw_documents:
            doc = self.decode(doc)
            if self.lowercase:
                doc = doc.lower()
            for word in WHITE_SPACES.sub(" ", doc).split():
                found = per_word.get(word)
                if found is None:
                    found = per_word[word] = [vocabulary.setdefault(g, len(vocabulary))
                                              for g in char_wb_ngrams(word, lo, hi)]
                columns.extend(found)
            indptr.append(len(columns))
        if not vocabulary:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        X = sp.csr_array(
            (np.ones(len(columns), dtype=self.dtype), np.asarray(columns, dtype=np.int32), np.asarray(indptr, np.int32)),
            shape=(len(indptr) - 1, len(vocabulary)), dtype=self.dtype,
        )
        X.sum_duplicates()  # one entry per (document, n-gram) with its count, indices sorted
        return vocabulary, _text._align_api_if_sparse(X) if hasattr(_text, "_align_api_if_sparse") else X
