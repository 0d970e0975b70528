"""Fitted TF-IDF vocabularies that transform text without scikit-learn.

scikit-learn fits the vocabularies (``TfidfVectorizer.fit_transform`` in
:mod:`stance.features`); a :class:`TfidfView` keeps what ``transform`` needs —
the vocabulary, the idf vector and the analyzer settings — and reproduces
``TfidfVectorizer.transform`` (sublinear tf, idf, l2 rows) with numpy and
scipy.sparse only, so that loading a model and scoring never import
scikit-learn (~1.5 s of start-up). Three analyzers are supported, the three the
features use: ``tokens`` (the document is already a token list), ``word``
(lowercase, ``(?u)\\b\\w+\\b`` tokens, word n-grams) and ``char_wb``
(character n-grams inside words, through the per-word cache of
:mod:`stance.fastvec`). Equality with scikit-learn's transform is tested.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["KINDS", "TfidfView", "char_wb_ngrams", "l2_normalize_rows", "tfidf_weight"]

KINDS = ("tokens", "word", "char_wb")
WHITE_SPACES = re.compile(r"\s\s+")
_WORD_TOKEN = re.compile(r"(?u)\b\w+\b")


def char_wb_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one whitespace-free word (padded with spaces)."""
    w = " " + word + " "
    w_len = len(w)
    if w_len <= min_n:  # a short word counts once
        return [w]
    # n-grams up to the padded word's length (its full length gives the word itself, once)
    return [w[i:i + n] for n in range(min_n, min(max_n, w_len) + 1) for i in range(w_len - n + 1)]


def _word_ngrams(tokens: list[str], min_n: int, max_n: int) -> list[str]:
    out = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n + 1, len(tokens) + 1)):
        if n == 2:
            out += [a + " " + b for a, b in zip(tokens, tokens[1:])]
        else:
            out += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return out


def l2_normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale every non-empty row of a CSR matrix to unit l2 norm, in place."""
    data = matrix.data
    if not data.size:
        return matrix
    lengths = np.diff(matrix.indptr)
    norms = np.sqrt(np.add.reduceat(data * data, matrix.indptr[:-1][lengths > 0]))
    norms[norms == 0] = 1.0
    data /= np.repeat(norms, lengths[lengths > 0])
    return matrix


def tfidf_weight(columns: Sequence[int], indptr: Sequence[int], n_columns: int, idf: np.ndarray,
                 dtype: type = np.float32) -> sp.csr_matrix:
    """The tf-idf matrix of documents given as column lists (counts, sublinear tf, idf, l2 rows).

    ``columns`` may be a list or an ``array("q")`` (read without conversion)."""
    counts = sp.csr_matrix(
        (np.ones(len(columns), dtype=np.float64), np.asarray(columns, dtype=np.int64), np.asarray(indptr)),
        shape=(len(indptr) - 1, n_columns),
    )
    counts.sum_duplicates()  # sorts the indices and adds repeated terms
    data = counts.data
    np.log(data, out=data)
    data += 1
    data *= idf[counts.indices]
    counts = l2_normalize_rows(counts)
    counts.data = counts.data.astype(dtype)  # what .astype(dtype) gives, without copying the indices
    return counts


class TfidfView:
    """``transform`` of one fitted TF-IDF view (vocabulary, idf, analyzer), without scikit-learn.

    Parameters
    ----------
    kind : {"tokens", "word", "char_wb"}
        How documents become terms.
    terms : sequence of str
        The vocabulary in column order.
    idf : ndarray
        Inverse document frequency per column.
    ngram_range : tuple of int, default=(1, 1)
        n-gram lengths (words for ``word``, characters for ``char_wb``).
    """

    def __init__(self, kind: str, terms: Sequence[str], idf: np.ndarray,
                 ngram_range: tuple[int, int] = (1, 1)) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown TF-IDF view kind {kind!r}; expected one of {KINDS}")
        self.kind = kind
        self.vocabulary_ = {t: i for i, t in enumerate(terms)}
        if len(self.vocabulary_) != len(terms):
            raise ValueError("duplicate term in a TF-IDF vocabulary")
        self.idf_ = np.asarray(idf, dtype=np.float64)
        if self.idf_.shape != (len(terms),):
            raise ValueError(f"idf has shape {self.idf_.shape} for {len(terms)} terms")
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.dtype = np.float32

    @classmethod
    def from_sklearn(cls, vectorizer: object, kind: str) -> "TfidfView":
        """The view of a fitted ``TfidfVectorizer`` (sublinear tf, l2 norm, smooth idf)."""
        if not (vectorizer.sublinear_tf and vectorizer.norm == "l2" and vectorizer.use_idf
                and not vectorizer.binary and vectorizer.lowercase and vectorizer.preprocessor is None):
            raise ValueError("only TfidfVectorizer(sublinear_tf=True, norm='l2', lowercase=True) is supported")
        return cls(kind, _terms(vectorizer.vocabulary_), vectorizer.idf_, vectorizer.ngram_range)

    def terms(self) -> list[str]:
        """The vocabulary in column order."""
        return _terms(self.vocabulary_)

    def get_feature_names_out(self) -> np.ndarray:
        """Terms in column order (as scikit-learn's vectorizers return them)."""
        return np.asarray(self.terms(), dtype=object)

    def transform(self, docs: Sequence) -> sp.csr_matrix:
        """Same matrix as the fitted ``TfidfVectorizer.transform(docs)`` (float32 CSR)."""
        if self.kind == "char_wb":
            return self._char().transform(list(docs))
        vocabulary = self.vocabulary_
        column = vocabulary.get
        columns: list[int] = []
        indptr = [0]
        lo, hi = self.ngram_range
        for doc in docs:
            terms = doc if self.kind == "tokens" else _word_ngrams(_WORD_TOKEN.findall(doc.lower()), lo, hi)
            columns += [c for c in map(column, terms) if c is not None]
            indptr.append(len(columns))
        return tfidf_weight(columns, indptr, len(vocabulary), self.idf_, self.dtype)

    def _char(self):
        fast = self.__dict__.get("_fast")
        if fast is None:
            from .fastvec import WordCachedCharVectorizer

            fast = self._fast = WordCachedCharVectorizer(self)
        return fast

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_fast", None)  # a cache, rebuilt on first use
        return state


def _terms(vocabulary: dict[str, int]) -> list[str]:
    out = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        out[column] = term
    return out
