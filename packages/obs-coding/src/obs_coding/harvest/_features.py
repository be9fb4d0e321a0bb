"""From chunk texts to the arrays the index keeps: identifier bags and sub-word term counts.

A cold index meets ~600k (chunk, identifier) pairs in a 300k-line repository.
Looping over them in Python (splitting each identifier, updating a dict per
term, then again per hashed feature) was a quarter of the cold index's CPU.
Here Python only finds and counts identifiers per chunk (``re`` and
``Counter``, both C) and maps each to an id through a table that grows once
per distinct identifier per process (a dict lookup driven by ``map``, also C);
expanding identifiers into terms and summing them per chunk is numpy over
flat arrays. The hashed embedder reuses the same expansion, and hashes each
term and identifier once per process.

What is stored per blob is independent of the process that made it: a file's
distinct terms as strings (in order of first occurrence), and per chunk
(index into them, count) pairs as int32 arrays. The lexical index maps the
strings to its own ids once per file, not once per chunk and term.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from ._text import IDENTIFIER, subwords

IntArray = npt.NDArray[np.int64]
_split = subwords.__wrapped__
"""``subwords`` without its LRU cache: the table is the cache here, filling the LRU too would only cost."""
MAX_IDENTIFIERS = 2_000_000
"""Distinct identifiers remembered per process before the table starts over (bounds memory)."""


class GrowingTable(dict[str, int]):
    """``key → id`` where a missing key is registered on first lookup, so ``map(table.__getitem__, keys)``
    resolves a whole list at C speed and calls back into Python only for keys never seen before."""

    def __init__(self, register: Callable[[str], None]) -> None:
        super().__init__()
        self._register = register

    def __missing__(self, key: str) -> int:
        value = len(self)
        self._register(key)  # may raise; then nothing is inserted
        self[key] = value
        return value


@dataclass(frozen=True, slots=True)
class Expansion:
    """Bags expanded into sub-word terms, valid for one generation of the term table."""

    generation: int
    ids: IntArray
    """Identifier id of each bag entry."""
    entry: IntArray
    """Bag entry of each (entry, term) position."""
    term_ids: IntArray
    """Term id at each position (an identifier with a repeated sub-word has it twice)."""


@dataclass(slots=True)
class IdentifierBags:
    """Identifier counts of a sequence of texts (chunks), flattened: one entry per (text, identifier)."""

    identifiers: list[str]
    counts: IntArray
    rows: IntArray
    """Text (chunk) index of each entry."""
    n_rows: int
    expansion: Expansion | None = None
    """Computed once (``expansion()``) and shared by the term counts and the hashed embedder."""


def identifier_bags(texts: Sequence[str]) -> IdentifierBags:
    counters = [Counter(IDENTIFIER.findall(text)) for text in texts]
    sizes = [len(c) for c in counters]
    total = sum(sizes)
    identifiers = list(chain.from_iterable(counters))
    counts = np.fromiter(chain.from_iterable(c.values() for c in counters), dtype=np.int64, count=total)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), sizes)
    return IdentifierBags(identifiers, counts, rows, len(texts))


def expand(starts: IntArray, lengths: IntArray, ids: IntArray) -> tuple[IntArray, IntArray]:
    """Concatenated CSR ranges of ``ids``: (positions into the flat arrays, entry index of each position)."""
    per_entry = lengths[ids]
    total = int(per_entry.sum())
    entry = np.repeat(np.arange(ids.size, dtype=np.int64), per_entry)
    if total == 0:
        return np.zeros(0, dtype=np.int64), entry
    positions = np.repeat(starts[ids] - (np.cumsum(per_entry) - per_entry), per_entry) + np.arange(total)
    return positions, entry


def radix_argsort(keys: IntArray) -> IntArray:
    """Stable argsort of non-negative ids below 2**32, as one or two 16-bit radix passes.

    numpy sorts 16-bit integers stably by radix sort, in linear time; for the
    ~1M BM25 postings of a 300k-line repository that is 4x faster than a
    comparison argsort of the int64 ids, which matters because a touched file
    re-sorts them.
    """
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    top = int(keys.max())
    if top >= 1 << 32 or int(keys.min()) < 0:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if top >= 1 << 16:
        order = order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]
    return order


class TermTable:
    """Identifier → its sub-word term ids (a CSR over process-local term ids); term id → term.

    One per process (``TERMS``), shared by every index and hashed embedder in
    it: a distinct identifier is split into sub-words once, whoever meets it
    first. ``generation`` changes when the table starts over (see
    ``MAX_IDENTIFIERS``), which tells consumers to drop what they derived.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        self._reset()

    def _reset(self) -> None:
        self.terms: list[str] = []
        self._term_ids: dict[str, int] = {}
        self._starts = array("q")
        self._lengths = array("q")
        self._flat = array("q")
        self.identifiers = GrowingTable(self._register)
        self.generation += 1

    def _register(self, identifier: str) -> None:
        term_ids = self._term_ids
        start = len(self._flat)
        for term in _split(identifier):
            tid = term_ids.get(term)
            if tid is None:
                tid = term_ids[term] = len(self.terms)
                self.terms.append(term)
            self._flat.append(tid)
        self._starts.append(start)
        self._lengths.append(len(self._flat) - start)

    @property
    def size(self) -> int:
        """Identifiers registered in this generation (ids are 0..size-1)."""
        return len(self._starts)

    def parts(self, identifier_id: int) -> list[str]:
        """Sub-words of a registered identifier, in order (``subwords`` of it)."""
        start = self._starts[identifier_id]
        return [self.terms[t] for t in self._flat[start : start + self._lengths[identifier_id]]]

    def expansion(self, bags: IdentifierBags) -> Expansion:
        """The bags' terms (cached on the bags); call with ``lock`` held."""
        cached = bags.expansion
        if cached is not None and cached.generation == self.generation:
            return cached
        if len(self.identifiers) > MAX_IDENTIFIERS:
            self._reset()
        ids = np.fromiter(
            map(self.identifiers.__getitem__, bags.identifiers), dtype=np.int64, count=len(bags.identifiers)
        )
        # Views of the arrays, dropped before the table can grow again (a resize would fail under them).
        positions, entry = expand(
            np.frombuffer(self._starts, dtype=np.int64), np.frombuffer(self._lengths, dtype=np.int64), ids
        )
        term_ids = np.frombuffer(self._flat, dtype=np.int64)[positions]
        bags.expansion = Expansion(self.generation, ids, entry, term_ids)
        return bags.expansion


TERMS = TermTable()


@dataclass(frozen=True, slots=True)
class ChunkTerms:
    """Sub-word term counts of a file's chunks, in the form that is stored (see the module docs)."""

    terms: tuple[str, ...]
    """The file's distinct terms, in order of first occurrence."""
    index: bytes
    """int32 per (chunk, term) entry: position in ``terms``; chunks in order, each chunk's entries sorted."""
    counts: bytes
    """int32 occurrences aligned with ``index``."""
    sizes: tuple[int, ...]
    """Entries per chunk."""


EMPTY_TERMS = ChunkTerms((), b"", b"", ())


def chunk_terms(bags: IdentifierBags) -> ChunkTerms:
    """Per chunk, how often each sub-word term occurs (an identifier counts once per term it contains).

    The file's terms are listed in order of first occurrence, which depends on
    the text only, so every process stores the same bytes for the same blob.
    """
    if bags.n_rows == 0:
        return EMPTY_TERMS
    with TERMS.lock:
        expanded = TERMS.expansion(bags)
        term_ids, entry = expanded.term_ids, expanded.entry
        if term_ids.size == 0:
            return ChunkTerms((), b"", b"", (0,) * bags.n_rows)
        order = radix_argsort(term_ids)
        ordered = term_ids[order]
        starts = np.empty(ordered.size, dtype=bool)
        starts[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
        first = order[starts]  # first position of each distinct term (stable sort)
        by_first = np.argsort(first, kind="stable")
        names = [TERMS.terms[t] for t in ordered[starts][by_first].tolist()]
    n_terms = len(names)
    rank = np.empty(n_terms, dtype=np.int64)
    rank[by_first] = np.arange(n_terms, dtype=np.int64)
    local = np.empty(term_ids.size, dtype=np.int64)
    local[order] = rank[np.cumsum(starts) - 1]
    # Dense (chunk x term) sums: chunks x distinct terms of one file stays small, and its non-zero
    # cells come out sorted by chunk, then term, with no second sort.
    dense = np.bincount(bags.rows[entry] * n_terms + local, weights=bags.counts[entry], minlength=bags.n_rows * n_terms)
    cells = np.flatnonzero(dense)
    return ChunkTerms(
        tuple(names),
        (cells % n_terms).astype("<i4").tobytes(),
        dense[cells].astype("<i4").tobytes(),
        tuple(np.bincount(cells // n_terms, minlength=bags.n_rows).tolist()),
    )


def unpack(terms: ChunkTerms) -> tuple[IntArray, IntArray]:
    """(index into ``terms.terms``, counts) as int64 arrays."""
    index = np.frombuffer(terms.index, dtype="<i4").astype(np.int64)
    counts = np.frombuffer(terms.counts, dtype="<i4").astype(np.int64)
    return index, counts
