"""Faster ``transform`` for a fitted character (``char_wb``) TfidfVectorizer.

scikit-learn's ``char_wb`` analyzer builds the n-grams of every word of every
document in Python, and counting them is the most expensive step of scoring.
Its n-grams never cross a word boundary, so a document's n-grams are the
concatenation of its words' n-grams: :class:`WordCachedCharVectorizer` computes
them once per distinct word (with scikit-learn's own ``_char_wb_ngrams``),
keeps their vocabulary columns in a bounded cache, and applies the fitted
vectorizer's tf-idf weighting. The result equals ``vectorizer.transform(docs)``
(checked in the tests); news vocabulary is Zipfian, so most words are cache hits.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

__all__ = ["WordCachedCharVectorizer"]

_CACHE_SIZE = 200_000


class WordCachedCharVectorizer:
    """``transform`` of a fitted ``char_wb`` :class:`TfidfVectorizer`, memoised per word."""

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        if vectorizer.analyzer != "char_wb" or vectorizer.binary or vectorizer.use_idf is False:
            raise ValueError("only a fitted char_wb TfidfVectorizer with idf and counts is supported")
        self.vectorizer = vectorizer
        self._preprocess = vectorizer.build_preprocessor()
        self._vocabulary = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._cache: dict[str, list[int]] = {}

    def _columns(self, word: str) -> list[int]:
        found = self._cache.get(word)
        if found is None:
            vocabulary = self._vocabulary
            found = [vocabulary[g] for g in self.vectorizer._char_wb_ngrams(word) if g in vocabulary]
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[word] = found
        return found

    def transform(self, docs: list[str]) -> sp.csr_matrix:
        """Same matrix as ``vectorizer.transform(docs)``."""
        white = self.vectorizer._white_spaces
        columns: list[int] = []
        indptr = [0]
        for doc in docs:
            for word in white.sub(" ", self._preprocess(doc)).split():
                columns.extend(self._columns(word))
            indptr.append(len(columns))
        counts = sp.csr_matrix(
            (np.ones(len(columns), dtype=np.float64), np.asarray(columns, dtype=np.int64), np.asarray(indptr)),
            shape=(len(docs), len(self._vocabulary)),
        )
        counts.sum_duplicates()  # sorts the indices and adds repeated n-grams
        data = counts.data
        if self.vectorizer.sublinear_tf:
            np.log(data, out=data)
            data += 1
        data *= self._idf[counts.indices]
        if self.vectorizer.norm:
            counts = l2_normalize(counts, norm=self.vectorizer.norm, copy=False)
        return counts.astype(self.vectorizer.dtype)
