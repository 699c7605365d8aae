"""Topical relevance: how close what a linking page is about comes to what your page is about.

* A target page's topic is its own search queries, weighted by impressions
  (log-damped, so one huge query does not drown the rest); a page with no
  queries in the store falls back to the words of its URL.  The site's topic is
  the same over all its queries.
* A linking page's text is what we know of it: the words of its host (without
  ``www`` and the public suffix) and URL path; Search Console's exports give
  no anchor text or title per linking page, so a source that did would add
  them here.  A linking domain's text is that of its linking pages together.
* Relevance is the cosine similarity of the two as TF-IDF vectors over word
  unigrams and bigrams and character 3-5-grams within words (scikit-learn),
  half each: the character n-grams let ``composting-guide`` meet "compost
  guide" and work for languages without spaces.  No model is downloaded.
* Shown as 0-100 (the similarity, scaled so :data:`FULL` counts as 100) and in
  bands: high >= 40, medium >= 15, low below.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

#: Similarity that counts as fully relevant.  URL words against queries rarely come closer.
FULL = 0.5
BANDS = ((40, "high"), (15, "medium"), (0, "low"))
QUERY_LIMIT = 300  #: queries per topic, most impressions first

#: Path words that say nothing about a page's topic.
URL_NOISE = frozenset([
    "www", "http", "https", "html", "htm", "php", "asp", "aspx", "jsp", "cgi", "index", "default", "page",
    "pages", "amp", "category", "categories", "tag", "tags", "post", "posts", "blog", "blogs", "forum",
    "forums", "thread", "threads", "topic", "topics", "article", "articles", "news", "archive", "archives",
    "wp", "content", "uploads", "en", "de", "fr", "es", "it", "nl", "pt", "us", "uk", "com", "org", "net",
])

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def url_words(url: str | None) -> str:
    """The words of a URL's host name and path: ``https://blog.greenthumbs.example/best-bulbs-2026/?page=3`` ->
    ``blog greenthumbs best bulbs``."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    from ..urls import registrable_domain

    host = parts.hostname or ""
    domain = registrable_domain(host) or host
    # The public suffix (".co.uk") says nothing of the topic; the labels before it may.
    name = host[: len(host) - len(domain)] + domain.split(".")[0]
    text = name.replace(".", " ") + " " + unquote(parts.path)
    words = [w for w in _WORD.findall(text.lower()) if w not in URL_NOISE and not w.isdigit()]
    return " ".join(words)


def band(score: int | None) -> str | None:
    if score is None:
        return None
    return next(name for floor, name in BANDS if score >= floor)


def score(similarity: float) -> int:
    return int(round(min(1.0, max(0.0, similarity) / FULL) * 100))


def _fit(vectorizer, corpus: list[str]) -> None:
    """Fit, or, when no text has a single term (all emoji or punctuation), fit on a stand-in word:
    every text then has an empty vector, so relevance is unknown rather than a traceback."""
    try:
        vectorizer.fit(corpus)
    except ValueError as exc:
        if "empty vocabulary" not in str(exc):
            raise
        vectorizer.fit(["empty"])


class TopicModel:
    """TF-IDF over word and character n-grams, fitted on the texts of one property."""

    def __init__(self, corpus: list[str]):
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        corpus = [c for c in corpus if c] or ["empty"]
        self.words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                     token_pattern=r"(?u)\b[^\W_]+\b", dtype=np.float64)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float64)
        for vectorizer in (self.words, self.chars):
            _fit(vectorizer, corpus)

    def vectors(self, texts: list[str]):
        """L2-normalized rows: half the weight on word n-grams, half on character n-grams."""
        from scipy.sparse import hstack
        from sklearn.preprocessing import normalize

        half = math.sqrt(0.5)
        joined = hstack([self.words.transform(texts) * half, self.chars.transform(texts) * half]).tocsr()
        return normalize(joined)

    def topic(self, weighted: Sequence[tuple[str, float]]):
        """One vector for many texts (queries) with weights (impressions), log-damped; None without texts."""
        return self.topics([weighted])[0]

    def topics(self, many: Sequence[Sequence[tuple[str, float]]]) -> list:
        """:meth:`topic` of many lists at once: one vectorization for all (a report has a thousand pages)."""
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.preprocessing import normalize

        texts: list[str] = []
        rows: list[int] = []
        cols: list[int] = []
        weights: list[float] = []
        for i, weighted in enumerate(many):
            for text, w in [(t, w) for t, w in weighted if t][:QUERY_LIMIT]:
                rows.append(i)
                cols.append(len(texts))
                weights.append(math.log1p(max(w or 0, 0)) + 1.0)
                texts.append(text)
        if not texts:
            return [None] * len(many)
        mix = csr_matrix((np.array(weights), (rows, cols)), shape=(len(many), len(texts)))
        summed = normalize(mix @ self.vectors(texts))
        return [summed[i] if summed[i].nnz else None for i in range(len(many))]

    def similarity(self, texts: list[str], topic, chunk: int = 5000) -> list[int | None]:
        """0-100 relevance of each text to a topic vector (None where a text is empty or no topic)."""
        if topic is None or not texts:
            return [None] * len(texts)
        out: list[int | None] = []
        for at in range(0, len(texts), chunk):  # bounded memory for a hundred thousand texts
            part = texts[at:at + chunk]
            sims = (self.vectors(part) @ topic.T)
            sims = sims.toarray() if hasattr(sims, "toarray") else sims
            out += [score(float(s)) if t else None for s, t in zip(sims.ravel(), part)]
        return out
