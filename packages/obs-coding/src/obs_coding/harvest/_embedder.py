"""The default embedder: hashed identifier features, no model, no download, no GPU.

A coding agent's harvest runs on a laptop's spare core, often offline, so the
default cannot be a transformer. Each text becomes a bag of identifier
features hashed into a fixed dimension (the "hashing trick"):

* sub-words of identifiers, stemmed (``refreshAccessToken`` → refresh, access,
  token), the unit prose queries and code share;
* the whole identifier, so an exact name in the query outweighs its parts;
* optionally, character trigrams of sub-words (``trigram_weight``), for
  typo-tolerant matching. Off by default: on the retrieval benchmark they
  cost 6 points of recall@5 through extra collisions, and the stemmer already
  merges word forms (``bench/harvest.md``).

2,048 dimensions (the default) were as good as 4,096 and clearly better than
1,024 on the same benchmark.

Counts are damped (1 + ln tf), features carry a hash-derived sign so
collisions cancel instead of piling up, and rows are L2-normalised so inner
product is cosine. Rarity (IDF) is applied to the *query* at search time
(see ``_index``), which keeps every document vector a pure function of its
text: that is what lets vectors be cached by git blob id.

It is a LangChain ``Embeddings``, so it drops in wherever one is expected, and
any other ``Embeddings`` (e.g. the optional MiniLM one) can replace it.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Mapping, Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from ._features import TERMS, IdentifierBags, expand, identifier_bags

FloatArray = npt.NDArray[np.float32]


class HashedEmbedder(Embeddings):
    """Hashed sub-word + identifier + trigram features, L2-normalised (see module docs)."""

    def __init__(
        self,
        dim: int = 2048,
        *,
        identifier_weight: float = 0.5,
        trigram_weight: float = 0.0,
    ) -> None:
        if dim < 16 or dim & (dim - 1):
            raise ValueError(f"HashedEmbedder dim must be a power of two >= 16, got {dim}")
        self.dim = dim
        self.identifier_weight = identifier_weight
        self.trigram_weight = trigram_weight
        self._reset_tables(-1)

    def _reset_tables(self, generation: int) -> None:
        # Features per term id and per identifier id of the process-wide term table (``_features.TERMS``),
        # extended as the table grows, so each term and identifier is hashed once per process:
        # per term a run of (hashed index, signed weight) in flat arrays (the sub-word, then its trigrams);
        # per identifier of several sub-words its whole-identifier feature (index -1: none).
        self._generation = generation
        self._term_starts = array("q")
        self._term_lengths = array("q")
        self._term_index = array("q")
        self._term_value = array("d")
        self._identifier_index = array("q")
        self._identifier_value = array("d")

    def __getstate__(self) -> dict[str, object]:
        return {"dim": self.dim, "identifier_weight": self.identifier_weight, "trigram_weight": self.trigram_weight}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(  # type: ignore[misc]
            int(str(state["dim"])),
            identifier_weight=float(str(state["identifier_weight"])),
            trigram_weight=float(str(state["trigram_weight"])),
        )

    @property
    def cache_key(self) -> str:
        """Identifies the vector space: vectors cached under another key are never mixed in."""
        return f"hashed-v1:{self.dim}:{self.identifier_weight}:{self.trigram_weight}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()  # type: ignore[no-any-return]

    def embed_array(self, texts: Sequence[str]) -> FloatArray:
        """Embed many texts straight into a float32 matrix (the fast path the index uses)."""
        return self.embed_bags(identifier_bags(texts))

    def embed_counts(self, identifier_counts: Sequence[Mapping[str, int]]) -> FloatArray:
        """Embed texts already reduced to identifier counts."""
        sizes = [len(c) for c in identifier_counts]
        counts = np.fromiter(
            chain.from_iterable(c.values() for c in identifier_counts), dtype=np.int64, count=sum(sizes)
        )
        rows = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        return self.embed_bags(IdentifierBags(list(chain.from_iterable(identifier_counts)), counts, rows, len(sizes)))

    def embed_bags(self, bags: IdentifierBags) -> FloatArray:
        """Embed identifier bags (one row per text), vectorised.

        The bags' expansion into sub-word terms is shared with the lexical
        term counts (``_features``); here each (entry, term) position picks up
        its term's hashed features and each identifier of several sub-words
        its own, and one ``bincount`` sums them into the dense matrix.
        """
        n = bags.n_rows
        out = np.zeros((n, self.dim), dtype=np.float32)
        if not bags.identifiers:
            return out
        with TERMS.lock:
            expanded = TERMS.expansion(bags)
            self._sync()
            weights = 1.0 + np.log(bags.counts.astype(np.float64))  # damped counts
            term_starts = np.frombuffer(self._term_starts, dtype=np.int64)
            term_lengths = np.frombuffer(self._term_lengths, dtype=np.int64)
            positions, at = expand(term_starts, term_lengths, expanded.term_ids)
            entry = expanded.entry[at]
            cells = [bags.rows[entry] * self.dim + np.frombuffer(self._term_index, dtype=np.int64)[positions]]
            values = [weights[entry] * np.frombuffer(self._term_value, dtype=np.float64)[positions]]
            whole = np.frombuffer(self._identifier_index, dtype=np.int64)[expanded.ids]
            has = whole >= 0
            cells.append(bags.rows[has] * self.dim + whole[has])
            values.append(weights[has] * np.frombuffer(self._identifier_value, dtype=np.float64)[expanded.ids[has]])
            del term_starts, term_lengths  # views: release before the arrays can grow again
        flat_cells = np.concatenate(cells)
        if not flat_cells.size:  # only stopwords and 1-letter names: no features
            return out
        dense = np.bincount(flat_cells, weights=np.concatenate(values), minlength=n * self.dim).reshape(n, self.dim)
        norms = np.sqrt(np.einsum("ij,ij->i", dense, dense))[:, None]  # no temporaries, unlike linalg.norm
        np.divide(dense, norms, out=out, where=norms > 0)
        return out

    def _sync(self) -> None:
        """Hash the terms and identifiers the table gained since the last call (``TERMS.lock`` held)."""
        if self._generation != TERMS.generation:
            self._reset_tables(TERMS.generation)
        terms = TERMS.terms
        for term in terms[len(self._term_starts) :]:
            self._term_starts.append(len(self._term_index))
            features = [self._hash("w:" + term, 1.0)]
            if self.trigram_weight > 0:
                padded = f"<{term}>"
                grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
                share = self.trigram_weight / len(grams)
                features.extend(self._hash("g:" + gram, share) for gram in grams)
            self._term_lengths.append(len(features))
            self._term_index.extend(f[0] for f in features)
            self._term_value.extend(f[1] for f in features)
        for identifier_id in range(len(self._identifier_index), TERMS.size):
            parts = TERMS.parts(identifier_id)
            index, value = self._hash("i:" + "_".join(parts), self.identifier_weight) if len(parts) > 1 else (-1, 0.0)
            self._identifier_index.append(index)
            self._identifier_value.append(value)

    def _hash(self, feature: str, weight: float) -> tuple[int, float]:
        digest = zlib.crc32(feature.encode("utf-8"))
        return digest & (self.dim - 1), weight if (digest >> 31) & 1 else -weight


def embedder_key(embedder: Embeddings) -> str:
    """A stable identity for an embedder's vector space, used to key cached vectors."""
    key = getattr(embedder, "cache_key", None)
    if isinstance(key, str) and key:
        return key
    kind = type(embedder)
    model = getattr(embedder, "model", None) or getattr(embedder, "model_name", None) or ""
    return f"{kind.__module__}.{kind.__qualname__}:{model}"


def embed_texts(embedder: Embeddings, texts: Sequence[str]) -> FloatArray:
    """Embed with any LangChain ``Embeddings``; rows are L2-normalised so inner product is cosine."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    if isinstance(embedder, HashedEmbedder):
        return embedder.embed_array(texts)
    matrix = np.asarray(embedder.embed_documents(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    normalised: FloatArray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return normalised


def embed_query(embedder: Embeddings, text: str) -> FloatArray:
    if isinstance(embedder, HashedEmbedder):
        row: FloatArray = embedder.embed_array([text])[0]
        return row
    vector = np.asarray(embedder.embed_query(text), dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
