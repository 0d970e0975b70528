"""Faster vocabulary fitting (imports scikit-learn: used only to train).

``CharTfidfVectorizer`` is scikit-learn's ``TfidfVectorizer`` whose counting step,
for ``analyzer="char_wb"``, computes each distinct word's n-grams once (news
vocabulary is Zipfian) instead of once per occurrence; fitting the character
view is ~3x faster. Both it and ``PrunedTfidfVectorizer`` (every other view) drop
the terms ``min_df`` / ``max_df`` would drop before sorting the rest by name,
instead of sorting every counted term first. Everything else — ``max_features``
selection, idf — is scikit-learn's own code, so the fitted vocabularies and idf
equal the plain vectorizer's (tested).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import text as _text
from sklearn.feature_extraction.text import TfidfVectorizer

from .tfidf import WHITE_SPACES, char_wb_ngrams

__all__ = ["CharTfidfVectorizer", "PrunedTfidfVectorizer"]


class _PruneBeforeSorting:
    """scikit-learn sorts every counted term by name before ``min_df`` / ``max_df`` drop most of them (with
    ``max_features`` set): a Python loop over all terms, most of them seen once. This drops the terms those
    bounds drop first and sorts the rest; ``_limit_features`` then finds nothing more to drop by
    frequency and takes the same ``max_features`` terms from the same sorted columns, so the fitted
    vocabulary and idf are scikit-learn's own (tested)."""

    def _sort_features(self, X, vocabulary):
        n_doc, n_terms = X.shape
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_doc
        high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_doc
        dfs = np.bincount(X.indices, minlength=n_terms)  # one entry per (document, term): _count_vocab's form
        keep = ((dfs >= low) & (dfs <= high)).tolist()
        if all(keep):
            return super()._sort_features(X, vocabulary)
        kept = sorted((term, column) for term, column in vocabulary.items() if keep[column])
        X = X[:, np.asarray([column for _, column in kept], dtype=np.int64)]
        vocabulary.clear()
        vocabulary.update((term, k) for k, (term, _) in enumerate(kept))
        return X


class PrunedTfidfVectorizer(_PruneBeforeSorting, TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer``, fitted faster (:class:`_PruneBeforeSorting`)."""


class CharTfidfVectorizer(_PruneBeforeSorting, TfidfVectorizer):
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
