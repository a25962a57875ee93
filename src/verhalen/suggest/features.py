"""TF-IDF features: lemma n-grams plus character n-grams, one cosine space.

Two views of a text are combined (Salton & Buckley 1988 TF-IDF with sublinear term frequency):

* word level: uni- and bigrams of content lemmas (stop words of the project list removed),
  so ``kinderen`` and ``kind`` count as one word;
* character level: 3–5-grams within word boundaries (``char_wb``) of the lower-cased text,
  which catch Dutch compounds and spelling variants (``groepsapp``/``app``, ``oppas``).

Each block is L2-normalised and scaled by the square root of its weight, so the dot product
of two rows is ``w * cos_word + (1 - w) * cos_char``, a cosine similarity in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from verhalen.nlp.analysis import TextView


class FeatureSpace:
    """Fit TF-IDF vocabularies on texts, then map texts to combined, normalised rows.

    Parameters
    ----------
    word_weight
        Share of the word-level cosine in the combined similarity (0–1).
    word_ngrams, char_ngrams
        n-gram ranges of the two vectorisers.
    """

    def __init__(
        self,
        word_weight: float = 0.6,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (3, 5),
    ) -> None:
        self.word_weight = word_weight
        self.word = TfidfVectorizer(
            token_pattern=r"\S+",
            lowercase=False,
            ngram_range=word_ngrams,
            sublinear_tf=True,
            dtype=np.float64,
        )
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=char_ngrams, sublinear_tf=True, dtype=np.float64
        )

    def fit(self, views: Sequence[TextView]) -> FeatureSpace:
        """Learn vocabularies and IDF weights (:meth:`TfidfVectorizer.fit`).

        A placeholder text keeps the vocabulary non-empty when every text is empty.
        """
        words = [v.content_text for v in views]
        chars = [v.flat_text for v in views]
        self.word.fit([*words, "_"])
        self.char.fit([*chars, "___"])
        return self

    def transform(self, views: Sequence[TextView]) -> sp.csr_matrix:
        """Rows whose dot products are the combined cosine similarities."""
        if not views:
            n = len(self.word.vocabulary_) + len(self.char.vocabulary_)
            return sp.csr_matrix((0, n))
        w = self.word.transform([v.content_text for v in views])
        c = self.char.transform([v.flat_text for v in views])
        return sp.hstack(
            [w * np.sqrt(self.word_weight), c * np.sqrt(1.0 - self.word_weight)], format="csr"
        )
