"""TF-IDF features: lemma n-grams plus character n-grams, one cosine space.

Two views of a text are combined (Salton & Buckley 1988 TF-IDF with sublinear term frequency):

* word level: uni- and bigrams of content lemmas (stop words of the project list removed),
  so ``kinderen`` and ``kind`` count as one word;
* character level: 3–5-grams within word boundaries (``char_wb``) of the lower-cased text,
  which catch Dutch compounds and spelling variants (``groepsapp``/``app``, ``oppas``).

Each block is L2-normalised and scaled by the square root of its weight, so the dot product
of two rows is ``w * cos_word + (1 - w) * cos_char``, a cosine similarity in [0, 1].

The weights are those of scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` (smoothed IDF
``ln((1 + n) / (1 + df)) + 1``, ``1 + ln(tf)``, sorted vocabulary; the tests compare the two),
computed here because the character block is built per distinct *word*, not per n-gram:
``char_wb`` n-grams never cross a word boundary, so a text's n-gram counts are its word
counts times each word's n-gram counts, one sparse product per batch. Words repeat (Zipf), so
a batch of 2,000 segments needs the n-grams of about 10,000 distinct words instead of about
1.7 million n-gram look-ups (measured: 3.5 s → about 0.15 s per 2,000 segments). Rows are
``float32``. N-grams that did not occur in the texts the space was fitted on are left out
(as in scikit-learn).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from verhalen.nlp.analysis import TextView

DTYPE = np.float32


def char_wb_ngrams(word: str, lo: int, hi: int) -> list[str]:
    """Character n-grams of one word padded with spaces (scikit-learn's ``char_wb``)."""
    w = f" {word} "
    size = len(w)
    out: list[str] = []
    for n in range(lo, hi + 1):
        if size <= n:  # a short word counts once, as a whole
            out.append(w)
            break
        out.extend(w[i : i + n] for i in range(size - n + 1))
    return out


def word_ngrams(tokens: Sequence[str], lo: int, hi: int) -> list[str]:
    """Word n-grams joined by spaces (scikit-learn's ``word`` analyzer, ``ngram_range``)."""
    out: list[str] = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), hi + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


class _Block:
    """One TF-IDF block: a sorted vocabulary and its IDF weights."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.idf = np.zeros(0)

    def fit(self, counts: sp.csr_matrix, vocabulary: dict[str, int]) -> sp.csr_matrix:
        """Sort the vocabulary, learn IDF from ``counts``; returns counts in sorted columns."""
        names = sorted(vocabulary)
        perm = np.empty(len(names), dtype=np.int64)
        for new, name in enumerate(names):
            perm[vocabulary[name]] = new
        self.vocabulary = {name: i for i, name in enumerate(names)}
        counts = sp.csr_matrix(
            (counts.data, perm[counts.indices], counts.indptr), shape=counts.shape
        )
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=len(names))
        n = counts.shape[0]
        self.idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        return counts

    def weigh(self, counts: sp.csr_matrix, scale: float) -> sp.csr_matrix:
        """Sublinear TF × IDF, rows L2-normalised and multiplied by ``scale``."""
        counts.sum_duplicates()
        data = (np.log(counts.data.astype(np.float64)) + 1.0) * self.idf[counts.indices]
        lengths = np.diff(counts.indptr)
        rows = np.repeat(np.arange(counts.shape[0]), lengths)
        norms = np.sqrt(np.bincount(rows, weights=data**2, minlength=counts.shape[0]))
        data = data * (scale / np.where(norms > 0, norms, 1.0))[rows]
        return sp.csr_matrix(
            (data.astype(DTYPE), counts.indices, counts.indptr), shape=counts.shape
        )


def _csr(indptr: list[int], cols: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    return sp.csr_matrix(
        (
            np.ones(len(cols), dtype=np.float64),
            np.asarray(cols, dtype=np.int64),
            np.asarray(indptr, dtype=np.int64),
        ),
        shape=shape,
    )


class FeatureSpace:
    """Fit TF-IDF vocabularies on texts, then map texts to combined, normalised rows.

    Parameters
    ----------
    word_weight
        Share of the word-level cosine in the combined similarity (0–1).
    word_ngrams, char_ngrams
        n-gram ranges of the two blocks.

    Attributes
    ----------
    n_word_
        Columns of the word block (the first ones); the character block follows.
    """

    def __init__(
        self,
        word_weight: float = 0.6,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (3, 5),
    ) -> None:
        self.word_weight = word_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.word = _Block()
        self.char = _Block()

    @property
    def n_word_(self) -> int:
        return len(self.word.vocabulary)

    @property
    def n_features_(self) -> int:
        return len(self.word.vocabulary) + len(self.char.vocabulary)

    def _word_counts(
        self, views: Sequence[TextView], vocabulary: dict[str, int], grow: bool
    ) -> sp.csr_matrix:
        lo, hi = self.word_ngrams
        indptr, cols = [0], []
        index, get = vocabulary.setdefault, vocabulary.get
        for view in views:
            grams = word_ngrams(view.content_text.split(), lo, hi)
            if grow:
                cols.extend([index(g, len(vocabulary)) for g in grams])
            else:
                cols.extend([j for g in grams if (j := get(g)) is not None])
            indptr.append(len(cols))
        return _csr(indptr, cols, (len(views), len(vocabulary)))

    def _char_counts(
        self, texts: Iterable[str], vocabulary: dict[str, int], grow: bool
    ) -> sp.csr_matrix:
        words: dict[str, int] = {}
        index = words.setdefault
        indptr, cols = [0], []
        for text in texts:
            cols.extend([index(w, len(words)) for w in text.split()])
            indptr.append(len(cols))
        per_text = _csr(indptr, cols, (len(indptr) - 1, len(words)))
        lo, hi = self.char_ngrams
        g_indptr, g_cols = [0], []
        index, get = vocabulary.setdefault, vocabulary.get
        for w in words:  # insertion order = word index
            grams = char_wb_ngrams(w, lo, hi)
            if grow:
                g_cols.extend([index(g, len(vocabulary)) for g in grams])
            else:
                g_cols.extend([j for g in grams if (j := get(g)) is not None])
            g_indptr.append(len(g_cols))
        per_word = _csr(g_indptr, g_cols, (len(words), len(vocabulary)))
        counts: sp.csr_matrix = (per_text @ per_word).tocsr()
        return counts

    def fit(self, views: Sequence[TextView]) -> FeatureSpace:
        """Learn vocabularies and IDF weights from analysed texts."""
        vocabulary: dict[str, int] = {}
        self.word.fit(self._word_counts(views, vocabulary, grow=True), vocabulary)
        vocabulary = {}
        counts = self._char_counts((v.flat_text for v in views), vocabulary, grow=True)
        self.char.fit(counts, vocabulary)
        return self

    def transform(self, views: Sequence[TextView]) -> sp.csr_matrix:
        """Rows (``float32``) whose dot products are the combined cosine similarities."""
        if not views:
            return sp.csr_matrix((0, self.n_features_), dtype=DTYPE)
        w = self.word.weigh(
            self._word_counts(views, self.word.vocabulary, grow=False), np.sqrt(self.word_weight)
        )
        c = self.char.weigh(
            self._char_counts((v.flat_text for v in views), self.char.vocabulary, grow=False),
            np.sqrt(1.0 - self.word_weight),
        )
        out: sp.csr_matrix = sp.hstack([w, c], format="csr", dtype=DTYPE)
        return out
