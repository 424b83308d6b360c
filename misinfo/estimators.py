"""The scikit-learn side of the features: transformers that training pipelines are made of.

Each wraps a function of :mod:`misinfo.features`, so a fitted pipeline and the shipped form the
runtime scores with (:mod:`misinfo.compiled`) read text the same way.  They pickle and ``clone``
cleanly (analyzers are module-level functions).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from .features import (ANALYZER_PART, EMBEDDING_WIDTH, INDEX_MIN_DOCS, METADATA_NAMES, NGRAM_WORDS, SIGNAL_NAMES,
                       TERM_SEP, NgramIndex, encoder, check_part, metadata_matrix, sentence_embeddings,
                       short_text_scale, style_matrix)

__all__ = ["CompactTfidfVectorizer", "StyleFeatures", "MetadataFeatures", "SentenceEmbedding"]


class CompactTfidfVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` that counts the n-grams of a fitted vocabulary from word ids
    (:class:`misinfo.features.NgramIndex`: the same counts, 2-2.5x faster), and whose pickled
    vocabulary is one string instead of a dict.

    joblib unpickles through Python's pure-Python unpickler, where a 50,000-entry dict costs
    about a second; one joined string loads in milliseconds and the dict is rebuilt in ~10 ms
    (format-1 model files, which held pickled stacks, and any stack pickled by a user).
    Behaviour and parameters are those of ``TfidfVectorizer``, plus:

    min_words : int or None
        Scale the row of a text of fewer words than this (in the part its analyzer reads) by
        :func:`misinfo.features.short_text_scale`, after the l2 norm; None: no scaling.
    """

    # scikit-learn reads an estimator's parameters from its __init__ signature: every one is named
    def __init__(self, *, input="content", encoding="utf-8", decode_error="strict", strip_accents=None,
                 lowercase=True, preprocessor=None, tokenizer=None, analyzer="word", stop_words=None,
                 token_pattern=r"(?u)\b\w\w+\b", ngram_range=(1, 1), max_df=1.0, min_df=1, max_features=None,
                 vocabulary=None, binary=False, dtype=np.float64, norm="l2", use_idf=True, smooth_idf=True,
                 sublinear_tf=False, min_words=None):
        super().__init__(input=input, encoding=encoding, decode_error=decode_error, strip_accents=strip_accents,
                         lowercase=lowercase, preprocessor=preprocessor, tokenizer=tokenizer, analyzer=analyzer,
                         stop_words=stop_words, token_pattern=token_pattern, ngram_range=ngram_range, max_df=max_df,
                         min_df=min_df, max_features=max_features, vocabulary=vocabulary, binary=binary, dtype=dtype,
                         norm=norm, use_idf=use_idf, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf)
        self.min_words = min_words

    def fit_transform(self, raw_documents, y=None):
        docs = list(raw_documents)
        return self._short_scaled(docs, super().fit_transform(docs, y))

    def transform(self, raw_documents):
        docs = list(raw_documents)
        return self._short_scaled(docs, super().transform(docs))

    def _short_scaled(self, docs, X):
        if self.min_words is None:
            return X
        if not (isinstance(self.min_words, int) and self.min_words >= 1) or self.analyzer not in ANALYZER_PART:
            raise ValueError(f"min_words needs a positive int and one of misinfo's analyzers, got "
                             f"{self.min_words!r} with {self.analyzer!r}")
        X = X.tocsr()
        scale = short_text_scale(docs, self.analyzer, self.min_words).astype(X.dtype)
        X.data *= np.repeat(scale, np.diff(X.indptr))  # each entry once, in the matrix's precision
        return X

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ returns __dict__ itself
        state.pop("_ngram_index", None)  # derived from the vocabulary, rebuilt on first use
        vocabulary = state.pop("vocabulary_", None)
        if vocabulary is not None:
            state["vocabulary_terms_"] = TERM_SEP.join(sorted(vocabulary, key=vocabulary.__getitem__))
        return state

    def __setstate__(self, state):
        terms = state.pop("vocabulary_terms_", None)
        super().__setstate__(state)
        if terms is not None:
            self.vocabulary_ = {t: i for i, t in enumerate(terms.split(TERM_SEP))} if terms else {}

    def _count_vocab(self, raw_documents, fixed_vocab):
        # Scoring with an n-gram analyzer: count from word ids (the same counts, 2-2.5x faster).
        words_of = NGRAM_WORDS.get(self.analyzer) if fixed_vocab else None
        index = self.__dict__.get("_ngram_index")
        if index is not None and index.vocabulary is not self.vocabulary_:
            index = None
        few = hasattr(raw_documents, "__len__") and len(raw_documents) < INDEX_MIN_DOCS
        if words_of is None or (index is None and few):
            return super()._count_vocab(raw_documents, fixed_vocab)
        if index is None:
            index = self.__dict__["_ngram_index"] = NgramIndex(self.vocabulary_)
        rows, columns = index.count(raw_documents, words_of)
        X = sp.csr_matrix((np.ones(len(columns), dtype=self.dtype), (rows, columns)),
                          shape=(len(raw_documents), len(self.vocabulary_)), dtype=self.dtype)
        X.sum_duplicates()
        X.sort_indices()
        return self.vocabulary_, X




class StyleFeatures(TransformerMixin, BaseEstimator):
    """Style signals of the headline or of the whole text, each scaled to [0, 1]
    (:func:`misinfo.features.style_matrix`).

    Parameters
    ----------
    part : {"headline", "body"}
        Which part of each :class:`~misinfo.text.Doc` to read.

    Examples
    --------
    >>> from misinfo.text import analyse
    >>> X = StyleFeatures(part="headline").fit_transform([analyse("SỐC!!! Sự thật là đây?")])
    >>> from misinfo.features import SIGNAL_NAMES
    >>> X.shape == (1, len(SIGNAL_NAMES))
    True
    """

    def __init__(self, part: str = "body"):
        self.part = part

    def fit(self, docs, y=None):
        check_part(self.part)
        self.n_features_in_ = len(SIGNAL_NAMES)
        return self

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"style:{name}" for name in SIGNAL_NAMES], dtype=object)

    def transform(self, docs):
        return style_matrix(docs, self.part)


class MetadataFeatures(TransformerMixin, BaseEstimator):
    """Engagement features from ``[likes, comments, shares, published]`` rows (NaN = unknown):
    :func:`misinfo.features.metadata_matrix`."""

    def fit(self, X, y=None):
        self.n_features_in_ = 4
        return self

    def get_feature_names_out(self, input_features=None):
        return np.asarray(METADATA_NAMES, dtype=object)

    def transform(self, X):
        return metadata_matrix(X)


class SentenceEmbedding(TransformerMixin, BaseEstimator):
    """multilingual-e5-small sentence embeddings of the headline or the whole text
    (:func:`misinfo.features.sentence_embeddings`; needs ``misinfo[accurate]``).

    Parameters
    ----------
    part : {"headline", "body"}
        Which text of each :class:`~misinfo.text.Doc` to embed.
    max_chars : int or None
        Embed only the first ``max_chars`` characters (after placeholders).
    """

    def __init__(self, part: str = "headline", max_chars: int | None = None):
        self.part = part
        self.max_chars = max_chars

    def fit(self, docs, y=None):
        check_part(self.part)
        if self.max_chars is not None and (not isinstance(self.max_chars, int) or self.max_chars < 1):
            raise ValueError(f"max_chars must be a positive int or None, got {self.max_chars!r}")
        encoder()
        return self

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"e5:{i}" for i in range(EMBEDDING_WIDTH)], dtype=object)

    def transform(self, docs):
        return sentence_embeddings(docs, self.part, self.max_chars)
