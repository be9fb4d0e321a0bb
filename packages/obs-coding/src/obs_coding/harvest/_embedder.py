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

import math
import threading
import zlib
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from ._text import IDENTIFIER, subwords

FloatArray = npt.NDArray[np.float32]
MAX_SLOTS = 2_000_000
"""Identifiers remembered per process before the feature table starts over (bounds memory)."""


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
        self._lock = threading.Lock()
        self._reset_tables()

    def _reset_tables(self) -> None:
        # Identifier → slot, and per slot a run of (hashed index, signed weight) in flat arrays;
        # grows across calls so each identifier is hashed once per process.
        self._slots: dict[str, int] = {}
        self._starts = array("q")
        self._lengths = array("q")
        self._flat_index = array("q")
        self._flat_value = array("d")
        self._subword_features: dict[str, tuple[list[int], list[float]]] = {}

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
        """Embed many texts straight into a float32 matrix (the fast path the index uses).

        Python only counts identifiers per text; the expansion of identifiers
        into hashed features and their accumulation is vectorised (one
        ``bincount`` for the whole batch), which keeps a cold index CPU-cheap.
        """
        return self.embed_counts([Counter(IDENTIFIER.findall(text)) for text in texts])

    def embed_counts(self, identifier_counts: Sequence[Mapping[str, int]]) -> FloatArray:
        """Embed texts already reduced to identifier counts (the index computes them once per chunk)."""
        n = len(identifier_counts)
        with self._lock:
            rows, slots, weights = self._count(identifier_counts)
            if len(self._slots) > MAX_SLOTS:
                self._reset_tables()
                rows, slots, weights = self._count(identifier_counts)
            starts = np.frombuffer(self._starts, dtype=np.int64)
            lengths = np.frombuffer(self._lengths, dtype=np.int64)
            flat_index = np.frombuffer(self._flat_index, dtype=np.int64)
            flat_value = np.frombuffer(self._flat_value, dtype=np.float64)
            out = np.zeros((n, self.dim), dtype=np.float32)
            if not slots:
                return out
            slot_array = np.asarray(slots, dtype=np.int64)
            per_entry = lengths[slot_array]
            total = int(per_entry.sum())
            if total == 0:
                return out
            # Positions of each entry's features inside the flat arrays (concatenated ranges).
            positions = np.repeat(starts[slot_array] - (np.cumsum(per_entry) - per_entry), per_entry)
            positions += np.arange(total)
            cells = np.repeat(np.asarray(rows, dtype=np.int64) * self.dim, per_entry) + flat_index[positions]
            values = np.repeat(np.asarray(weights, dtype=np.float64), per_entry) * flat_value[positions]
        dense = np.bincount(cells, weights=values, minlength=n * self.dim).reshape(n, self.dim)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        np.divide(dense, norms, out=dense, where=norms > 0)
        out[:] = dense
        return out

    def _count(self, identifier_counts: Sequence[Mapping[str, int]]) -> tuple[list[int], list[int], list[float]]:
        rows: list[int] = []
        slots: list[int] = []
        weights: list[float] = []
        table = self._slots
        for row, counts in enumerate(identifier_counts):
            for identifier, count in counts.items():
                slot = table.get(identifier)
                if slot is None:
                    slot = self._add(identifier)
                rows.append(row)
                slots.append(slot)
                weights.append(1.0 + math.log(count) if count > 1 else 1.0)
        return rows, slots, weights

    def _add(self, identifier: str) -> int:
        parts = subwords(identifier)
        indices: list[int] = []
        values: list[float] = []
        for part in parts:
            part_indices, part_values = self._subword(part)
            indices.extend(part_indices)
            values.extend(part_values)
        if len(parts) > 1:
            index, value = self._hash("i:" + "_".join(parts), self.identifier_weight)
            indices.append(index)
            values.append(value)
        slot = self._slots[identifier] = len(self._slots)
        self._starts.append(len(self._flat_index))
        self._lengths.append(len(indices))
        self._flat_index.extend(indices)
        self._flat_value.extend(values)
        return slot

    def _subword(self, part: str) -> tuple[list[int], list[float]]:
        cached = self._subword_features.get(part)
        if cached is None:
            features = [self._hash("w:" + part, 1.0)]
            if self.trigram_weight > 0:
                padded = f"<{part}>"
                grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
                share = self.trigram_weight / len(grams)
                features.extend(self._hash("g:" + gram, share) for gram in grams)
            cached = self._subword_features[part] = ([f[0] for f in features], [f[1] for f in features])
        return cached

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
