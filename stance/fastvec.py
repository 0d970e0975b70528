"""Fast ``transform`` for a fitted character (``char_wb``) TF-IDF view.

scikit-learn's ``char_wb`` analyzer builds the n-grams of every word of every
document in Python, and counting them is the most expensive step of scoring.
Its n-grams never cross a word boundary, so a document's n-grams are the
concatenation of its words' n-grams: :class:`WordCachedCharVectorizer` computes
them once per distinct word, keeps their vocabulary columns in a bounded cache,
and applies the tf-idf weighting. The result equals the fitted
``TfidfVectorizer.transform(docs)`` (checked in the tests); news vocabulary is
Zipfian, so most words are cache hits. No scikit-learn import is needed.
"""

from __future__ import annotations

from array import array

import scipy.sparse as sp

from .tfidf import TfidfView, char_wb_ngrams, tfidf_weight
from .util import BoundedDict

__all__ = ["WordCachedCharVectorizer"]

_CACHE_SIZE = 200_000
_SLICED_SIZES = 64  # padded word lengths whose n-gram slices are kept


class WordCachedCharVectorizer:
    """``transform`` of a fitted ``char_wb`` view (a :class:`TfidfView` or a scikit-learn ``TfidfVectorizer``)."""

    def __init__(self, vectorizer: object) -> None:
        if not isinstance(vectorizer, TfidfView):
            if vectorizer.analyzer != "char_wb":
                raise ValueError("only a fitted char_wb TfidfVectorizer with idf and counts is supported")
            vectorizer = TfidfView.from_sklearn(vectorizer, "char_wb")
        if vectorizer.kind != "char_wb":
            raise ValueError("only a char_wb view is supported")
        self.view = vectorizer
        self._vocabulary = vectorizer.vocabulary_
        self._range = vectorizer.ngram_range
        self._cache: BoundedDict = BoundedDict(_CACHE_SIZE)
        self._slice_lists: dict[int, list[slice]] = {}

    def _columns(self, word: str) -> bytes:
        found = self._cache.get(word)
        if found is None:
            column = self._vocabulary.get
            lo, hi = self._range
            w = " " + word + " "
            size = len(w)
            if size <= lo:  # char_wb_ngrams: a short word counts once
                found = array("q", [c for c in map(column, char_wb_ngrams(word, lo, hi)) if c is not None]).tobytes()
            else:  # char_wb_ngrams' n-grams, cut by slices made once per length (a cache miss is the cost)
                found = array("q", [c for c in map(column, map(w.__getitem__, self._slices(size)))
                                    if c is not None]).tobytes()
            # kept as bytes, which the garbage collector does not track (arrays it would visit)
            self._cache.put(word, found)
        return found

    def _slices(self, size: int) -> list[slice]:
        """The slices of a padded word of ``size`` characters that cut its n-grams, in char_wb_ngrams order."""
        found = self._slice_lists.get(size)
        if found is None:
            lo, hi = self._range
            found = [slice(i, i + n) for n in range(lo, min(hi, size) + 1) for i in range(size - n + 1)]
            if size <= _SLICED_SIZES:  # longer words are rare: their slices are not kept
                self._slice_lists[size] = found
        return found

    def transform(self, docs: list[str]) -> sp.csr_matrix:
        """Same matrix as the fitted vectorizer's ``transform(docs)``."""
        # an int64 array: appending a word's columns (int64 bytes) is a copy, and numpy takes the whole buffer as is
        columns = array("q")
        extend = columns.frombytes
        indptr = [0]
        cached = self._cache.get
        for doc in docs:
            # scikit-learn's char_wb: whitespace runs become one space, then split() (the same words)
            for word in doc.lower().split():
                found = cached(word)
                extend(found if found is not None else self._columns(word))
            indptr.append(len(columns))
        return tfidf_weight(columns, indptr, len(self._vocabulary), self.view.idf_, self.view.dtype)
