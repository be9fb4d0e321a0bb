"""The in-memory index a harvest searches, kept in step with the work tree.

A refresh (``refresh_scan`` then ``refresh_embed``) is cheap when nothing
changed (a stat per file; the file list is reused while no directory changed)
and proportional to the change otherwise: only blobs never seen before
are analysed and embedded; everything else comes from memory or the on-disk
store. The searchable structures (FAISS index over chunk vectors, BM25 over
files, the definition table) change only when the set of (path, blob) pairs
changed. When a few files changed and no path came or went (an edit), they are
patched: the changed files' FAISS rows are replaced, their definitions and
references swapped in the tables, the path index kept; only the BM25 postings
are re-sorted, from cached per-blob arrays (a radix sort, ~15 ms for 300k
lines). Anything else rebuilds them from cached parts.
"""

from __future__ import annotations

import time
from bisect import insort
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import faiss
import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from ._analysis import ANALYZER_VERSION, FileAnalysis, chunk_texts, decode
from ._embedder import HashedEmbedder, embed_texts, embedder_key
from ._features import unpack
from ._lexical import BM25, IntArray, Vocabulary
from ._repo import Listing, Repository
from ._scan import ScanCache, ScannedFile, ScanResult, scan
from ._store import IndexStore
from ._text import path_terms
from ._workers import Progress, WorkItem, analyze_items

CHUNK_TEXT_CACHE = 64
"""Files whose chunk texts stay in memory for excerpts (by blob, oldest dropped first)."""
Half = npt.NDArray[np.float16]
Vectors = npt.NDArray[np.float16] | npt.NDArray[np.float32]
PATH_TERM_WEIGHT = 3
"""A path term counts like this many content occurrences: directory and file names are deliberate labels."""
PATCH_MAX_FILES = 64
"""Changed files up to which the searchable structures are patched rather than rebuilt."""
SLAB_ROWS = 8192
"""Chunk rows added to FAISS at a time on a rebuild (64 MB of float32 at 2,048 dimensions)."""


@dataclass(frozen=True, slots=True)
class IndexedFile:
    path: str
    blob: str
    language: str
    size: int
    analysis: FileAnalysis
    first_chunk: int
    """Row (FAISS id) of the file's first chunk."""


@dataclass(frozen=True, slots=True)
class TermArrays:
    """A blob's content terms as vocabulary ids: per chunk (flat, ``chunk_sizes`` entries each) and whole file."""

    chunk_ids: IntArray
    chunk_counts: IntArray
    chunk_sizes: IntArray
    file_ids: IntArray
    file_counts: IntArray


def term_arrays(vocabulary: Vocabulary, analysis: FileAnalysis) -> TermArrays:
    """Map a file's stored terms to vocabulary ids: one lookup per distinct term of the file."""
    stored = analysis.terms
    ids = vocabulary.ids(stored.terms)
    index, counts = unpack(stored)
    whole = np.bincount(index, weights=counts, minlength=ids.size).astype(np.int64)
    return TermArrays(ids[index], counts, np.asarray(stored.sizes, dtype=np.int64), ids, whole)


def _flat_index(blocks: Iterable[Vectors], dim: int) -> tuple[faiss.Index, npt.NDArray[np.int64]]:
    """An exact inner-product FAISS index over the blocks' rows, and per dimension how many rows are non-zero.

    The index stores float16 (``IndexScalarQuantizer``, ``QT_fp16``): vectors
    are float16 already, so nothing is lost, and it is half the memory of an
    ``IndexFlatIP`` (292 instead of 585 MB at 6.5 million lines) and, being
    memory-bound, faster at that size (31 against 79 ms per search of 71k
    rows; equal at 4k). Scores agree with the float32 index to ~1e-7. Rows go
    in by slabs of about ``SLAB_ROWS``, consuming ``blocks`` as it goes, so no
    stacked float32 copy of every vector exists at the peak.
    """
    index = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    df = np.zeros(dim, dtype=np.int64)
    pending: list[Vectors] = []
    rows = 0

    def flush() -> None:
        slab = np.concatenate(pending, dtype=np.float32)
        index.add(slab)
        df[:] += np.count_nonzero(slab, axis=0)

    for block in blocks:
        pending.append(block)
        rows += block.shape[0]
        if rows >= SLAB_ROWS:
            flush()
            pending, rows = [], 0
    if pending:
        flush()
    return index, df


def _idf(df: npt.NDArray[np.int64], rows: int) -> npt.NDArray[np.float32]:
    """Per-dimension rarity over chunks (``df``: chunks with a non-zero value), applied to hashed query vectors."""
    if rows == 0:
        return np.ones(df.shape[0], dtype=np.float32)
    weights: npt.NDArray[np.float32] = np.log((rows + 1.0) / (df.astype(np.float32) + 1.0)).astype(np.float32) + 1.0
    return weights


@dataclass
class RefreshStats:
    """What one refresh did; becomes span attributes and the ``obs index`` summary."""

    candidates: int = 0
    files: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    changed: int = 0
    """Files whose bytes were (re)read and hashed."""
    analysed: int = 0
    """Blobs parsed and chunked in this refresh (analysis cache misses)."""
    embedding_hits: int = 0
    """Files whose chunk vectors came from memory or disk."""
    embedding_misses: int = 0
    """Files whose chunks were embedded in this refresh."""
    chunks_embedded: int = 0
    rebuilt: bool = False
    scan_seconds: float = 0.0
    embed_seconds: float = 0.0


class RepoIndex:
    def __init__(
        self,
        repository: Repository,
        store: IndexStore,
        embedder: Embeddings,
        *,
        max_file_bytes: int,
        workers: int | None,
    ) -> None:
        self.repository = repository
        self.store = store
        self.embedder = embedder
        self.embedder_key = embedder_key(embedder)
        self.max_file_bytes = max_file_bytes
        self.workers = workers
        """Processes for analysing many new files; None decides per refresh (see ``default_workers``)."""
        self._suffix = f":{ANALYZER_VERSION}"
        self._stats = store.stat_entries()
        self._listing = Listing()
        self._scan_cache = ScanCache()
        self._analyses: dict[str, FileAnalysis] = {}
        self._chunk_text_cache: dict[str, list[str]] = {}
        self.vocabulary = Vocabulary()
        self._term_arrays: dict[str, TermArrays] = {}
        self.generation = 0
        """Increments whenever the searchable structures change."""
        self.paths_generation = 0
        """Increments when the list of indexed paths changes (what path-keyed signals depend on)."""
        self._empty_structures()

    def _empty_structures(self) -> None:
        """Nothing searchable and nothing assumed in FAISS: a new index, or one whose rebuild failed halfway.

        What the next refresh needs beyond this (analyses, vectors) it finds in
        ``_analyses`` or the store.
        """
        self._vectors: dict[str, Half] = {}
        """Blob key → chunk vectors not yet in FAISS (computed or loaded by this refresh), as float16.

        Once the structures are built from them they are dropped: FAISS holds
        the copy it searches (float16 as well), and a later rebuild or patch reads a
        blob's rows back from it (``_in_faiss``) rather than keeping a second
        copy of every vector in memory.
        """
        self._in_faiss: dict[str, int] = {}
        """Blob key → first FAISS row of a file with that blob (its rows are ``len(analysis.chunks)``)."""
        self._signature: tuple[tuple[str, str], ...] | None = None
        self._scanned: list[ScannedFile] | None = None
        """The scanned file list the structures were built from (a reused scan result returns the same list)."""
        self.files: list[IndexedFile] = []
        self.by_path: dict[str, int] = {}
        self.rows = 0
        """Chunk vectors in the FAISS index."""
        self.dim = 1
        """Their dimension."""
        self.chunk_file = np.zeros(0, dtype=np.int64)
        self.faiss: faiss.Index | None = None
        self._df = np.zeros(1, dtype=np.int64)
        """Per dimension, chunk vectors with a non-zero value (kept so a patch updates the IDF, not recounts it)."""
        self.query_weights: npt.NDArray[np.float32] | None = None
        self.content = BM25.empty(self.vocabulary)
        """Whole-file BM25 over content terms."""
        self.chunks = BM25.empty(self.vocabulary)
        """Per-chunk BM25 over content terms (rows in ``chunk_owner`` order)."""
        self.chunk_owner = np.zeros(0, dtype=np.int64)
        self.paths = BM25.empty(self.vocabulary)
        self.definitions: dict[str, list[tuple[int, int]]] = {}
        self.reference_df: Counter[str] = Counter()
        """Name → number of files referring to it (ubiquitous names carry no information)."""
        self.generation += 1
        self.paths_generation += 1

    def key(self, blob: str) -> str:
        return blob + self._suffix

    def refresh_scan(self) -> tuple[ScanResult, RefreshStats]:
        started = time.perf_counter()
        result = scan(
            self.repository,
            self._stats,
            max_file_bytes=self.max_file_bytes,
            listing=self._listing,
            cache=self._scan_cache,
        )
        if result.stat_updates or result.stat_removed:
            self.store.update_stats(result.stat_updates, result.stat_removed)
            self._stats.update(result.stat_updates)
            for path in result.stat_removed:
                self._stats.pop(path, None)
        stats = RefreshStats(
            candidates=result.candidates,
            files=len(result.files),
            skipped=result.skipped,
            changed=len(result.stat_updates),
            scan_seconds=time.perf_counter() - started,
        )
        return result, stats

    def refresh_embed(self, result: ScanResult, stats: RefreshStats, progress: Progress | None = None) -> None:
        """Bring analyses and vectors of every scanned blob into memory, computing the missing ones."""
        started = time.perf_counter()
        if result.files is self._scanned:  # the scan reused its last result: nothing changed
            stats.embedding_hits = len(result.files)
            stats.embed_seconds = time.perf_counter() - started
            return
        signature = tuple((f.path, f.blob) for f in result.files)
        if signature == self._signature:  # nothing changed, but the files were stat'ed one by one
            self._scanned = result.files
            stats.embedding_hits = len(result.files)
            stats.embed_seconds = time.perf_counter() - started
            return
        keys = {self.key(f.blob) for f in result.files}
        missing = [k for k in keys if k not in self._analyses]
        if missing:
            self._analyses.update(self.store.load_analyses(missing))
        need_vectors = [k for k in keys if not self._has_vectors(k) and k in self._analyses]
        if need_vectors:
            self._vectors.update(self.store.load_vectors(need_vectors, self.embedder_key))
        todo: dict[str, WorkItem] = {}
        vectors_only: dict[str, WorkItem] = {}
        for f in result.files:
            key = self.key(f.blob)
            if key in todo or key in vectors_only or (key in self._analyses and self._has_vectors(key)):
                continue
            data = result.read.get(f.path)
            if data is None:
                data = self._read(f.path)
            target = vectors_only if key in self._analyses else todo
            target[key] = WorkItem(f.path, f.blob, f.language, data)
        stats.embedding_hits = sum(
            1 for f in result.files if (k := self.key(f.blob)) not in todo and k not in vectors_only
        )
        stats.embedding_misses = len(result.files) - stats.embedding_hits
        if todo:
            self._compute(list(todo.values()), stats, progress)
        if vectors_only:  # analysed before, new embedder: chunk texts come from the analysis, no re-parse
            self._embed_only(vectors_only, stats)
        stats.embed_seconds = time.perf_counter() - started
        try:
            self._rebuild(result)
        except BaseException:
            # Half-swapped structures (new FAISS rows, old row map or path index) must not survive into the next
            # refresh: start it cold. Analyses and vectors are in the store, so that refresh only re-reads them.
            self._empty_structures()
            raise
        self._signature = signature
        self._scanned = result.files
        stats.rebuilt = True

    def _read(self, path: str) -> bytes:
        try:
            with open(self.repository.root / path, "rb") as handle:
                return handle.read(self.max_file_bytes + 1)
        except OSError:
            return b""

    def _compute(self, items: list[WorkItem], stats: RefreshStats, progress: Progress | None) -> None:
        """Analyse and embed new blobs, storing and preparing each batch as it arrives."""
        pending: list[tuple[str, list[str]]] = []
        dim = self.embedder.dim if isinstance(self.embedder, HashedEmbedder) else 0
        for batch in analyze_items(items, embedder=self.embedder, workers=self.workers, progress=progress):
            analyses: dict[str, str] = {}
            packed: list[tuple[str, int, int, bytes]] = []
            for result in batch:
                key = self.key(result.blob)
                analysis = result.parsed()
                self._analyses[key] = analysis
                analyses[key] = result.analysis_json
                self._term_arrays[key] = self._terms_of(key, analysis)  # overlaps the workers' parsing
                block = result.matrix(dim)
                if block is not None and result.packed is not None:
                    self._vectors[key] = block
                    packed.append((key, block.shape[0], dim, result.packed))
                    stats.chunks_embedded += block.shape[0]
                else:
                    pending.append((key, result.texts or []))
            stats.analysed += len(analyses)
            self.store.save_analyses(analyses)
            self.store.save_packed(packed, self.embedder_key)
        if pending:  # an arbitrary LangChain embedder: one batched call in this process
            matrix = embed_texts(self.embedder, [text for _, texts in pending for text in texts])
            vectors = {}
            row = 0
            for key, texts in pending:
                vectors[key] = (matrix[row : row + len(texts)] if texts else np.zeros((0, 1))).astype(np.float16)
                row += len(texts)
            stats.chunks_embedded += len(matrix)
            self._vectors.update(vectors)
            self.store.save_vectors(vectors, self.embedder_key)

    def _embed_only(self, items: dict[str, WorkItem], stats: RefreshStats) -> None:
        spans: list[tuple[str, int]] = []
        texts: list[str] = []
        for key, item in items.items():
            chunk_list = chunk_texts(decode(item.data)[0], self._analyses[key].chunks)
            spans.append((key, len(chunk_list)))
            texts.extend(chunk_list)
        matrix = embed_texts(self.embedder, texts)
        vectors: dict[str, Half] = {}
        row = 0
        for key, count in spans:
            vectors[key] = (matrix[row : row + count] if count else np.zeros((0, 1))).astype(np.float16)
            row += count
        stats.chunks_embedded += len(texts)
        self._vectors.update(vectors)
        self.store.save_vectors(vectors, self.embedder_key)

    def _has_vectors(self, key: str) -> bool:
        return key in self._vectors or key in self._in_faiss

    def _block(self, key: str, analysis: FileAnalysis, dim: int) -> Vectors:
        """A blob's chunk vectors: new ones from ``_vectors``, the rest read back from the current FAISS index."""
        rows = len(analysis.chunks)
        vectors: Vectors | None = self._vectors.get(key)
        if vectors is None and self.faiss is not None and key in self._in_faiss and self.dim == dim:
            vectors = self.faiss.reconstruct_n(self._in_faiss[key], rows) if rows else np.zeros((0, dim), np.float32)
        if vectors is None or vectors.shape != (rows, dim):  # an embedder that returned nothing usable
            vectors = np.zeros((rows, dim), np.float16)
        return vectors

    def _rebuild(self, result: ScanResult) -> None:
        keys = [self.key(f.blob) for f in result.files]
        fresh = (self._vectors[k] for k in keys if k in self._vectors)
        dim = next((v.shape[1] for v in fresh if v.ndim == 2 and v.shape[0]), self.dim if self.rows else 1)
        previous = self.files
        same_paths = len(previous) == len(result.files) and all(
            old.path == new.path for old, new in zip(previous, result.files, strict=True)
        )
        changed = [i for i, (old, new) in enumerate(zip(previous, result.files, strict=False)) if old.blob != new.blob]
        if same_paths and self.faiss is not None and dim == self.dim and len(changed) <= PATCH_MAX_FILES:
            self._patch(result, keys, changed, dim)
        else:
            self._rebuild_all(result, keys, dim)
        self._vectors = {}  # all in FAISS now
        self._in_faiss = {}
        for f in self.files:
            self._in_faiss.setdefault(self.key(f.blob), f.first_chunk)
        if not same_paths:
            self.paths = BM25.from_bags(
                self.vocabulary, (Counter(dict.fromkeys(path_terms(f.path), PATH_TERM_WEIGHT)) for f in self.files)
            )
            self.paths_generation += 1
        self.by_path = {f.path: i for i, f in enumerate(self.files)}
        live = set(keys)
        self._analyses = {k: v for k, v in self._analyses.items() if k in live}
        arrays = [self._terms_of(key, f.analysis) for key, f in zip(keys, self.files, strict=True)]
        self._term_arrays = dict(zip(keys, arrays, strict=True))
        if arrays:
            self.content = BM25.from_documents(self.vocabulary, [(a.file_ids, a.file_counts) for a in arrays])
            self.chunks = BM25(
                self.vocabulary,
                np.concatenate([a.chunk_ids for a in arrays]),
                np.concatenate([a.chunk_counts for a in arrays]),
                np.concatenate([a.chunk_sizes for a in arrays]),
            )
        else:
            self.content = self.chunks = BM25.empty(self.vocabulary)
        self.chunk_owner = np.repeat(np.arange(len(arrays), dtype=np.int64), [a.chunk_sizes.size for a in arrays])
        self.query_weights = _idf(self._df, self.rows) if isinstance(self.embedder, HashedEmbedder) else None
        self.generation += 1

    def _rebuild_all(self, result: ScanResult, keys: list[str], dim: int) -> None:
        files: list[IndexedFile] = []
        row = 0
        for f, key in zip(result.files, keys, strict=True):
            analysis = self._analyses[key]
            files.append(IndexedFile(f.path, f.blob, f.language, f.size, analysis, row))
            row += len(analysis.chunks)
        # Blocks are read (new ones from memory, the rest back from the current index) as the new index fills.
        blocks = (self._block(key, indexed.analysis, dim) for key, indexed in zip(keys, files, strict=True))
        self.faiss, self._df = _flat_index(blocks, dim)
        self.files = files
        self.rows, self.dim = row, dim
        self.chunk_file = np.repeat(np.arange(len(files), dtype=np.int64), [len(f.analysis.chunks) for f in files])
        definitions: dict[str, list[tuple[int, int]]] = {}
        for file_index, indexed in enumerate(files):
            for def_index, definition in enumerate(indexed.analysis.definitions):
                definitions.setdefault(definition.name, []).append((file_index, def_index))
        self.definitions = definitions
        reference_df: Counter[str] = Counter()
        for indexed in files:
            reference_df.update(indexed.analysis.references.keys())
        self.reference_df = reference_df

    def _patch(self, result: ScanResult, keys: list[str], changed: list[int], dim: int) -> None:
        """Swap a few changed files into the structures (same paths, same order): work in proportion to them.

        A changed file's FAISS rows are removed and its new rows appended, so
        rows stay contiguous per file but not in file order (nothing needs the
        order); the definition lists keep their (file, definition) order.
        """
        assert self.faiss is not None
        files = list(self.files)
        # Every block this patch needs is read before any row moves (``_block`` reads by current row numbers).
        old_blocks = {i: self._block(self.key(files[i].blob), files[i].analysis, dim) for i in changed}
        new_blocks = {i: self._block(keys[i], self._analyses[keys[i]], dim) for i in changed}
        firsts = np.fromiter((f.first_chunk for f in files), dtype=np.int64, count=len(files))
        for i in changed:
            old = files[i]
            key = keys[i]
            analysis = self._analyses[key]
            old_rows = len(old.analysis.chunks)
            start = int(firsts[i])
            if old_rows:
                self._df -= np.count_nonzero(old_blocks[i], axis=0)
                self.faiss.remove_ids(faiss.IDSelectorRange(start, start + old_rows))
                self.chunk_file = np.delete(self.chunk_file, np.s_[start : start + old_rows])
                firsts[firsts > start] -= old_rows
            block = new_blocks[i]
            firsts[i] = self.faiss.ntotal
            if block.shape[0]:
                self.faiss.add(block.astype(np.float32))
                self._df += np.count_nonzero(block, axis=0)
                self.chunk_file = np.concatenate([self.chunk_file, np.full(block.shape[0], i, dtype=np.int64)])
            self._swap_symbols(i, old.analysis, analysis)
            f = result.files[i]
            files[i] = IndexedFile(f.path, f.blob, f.language, f.size, analysis, 0)
        self.files = [
            IndexedFile(f.path, f.blob, f.language, f.size, f.analysis, int(first))
            for f, first in zip(files, firsts.tolist(), strict=True)
        ]
        self.rows = int(self.faiss.ntotal)

    def _swap_symbols(self, file_index: int, old: FileAnalysis, new: FileAnalysis) -> None:
        """Replace one file's entries in the definition table and the reference counts."""
        definitions = self.definitions
        for name in {d.name for d in old.definitions}:
            kept = [entry for entry in definitions.get(name, ()) if entry[0] != file_index]
            if kept:
                definitions[name] = kept
            else:
                definitions.pop(name, None)
        for def_index, definition in enumerate(new.definitions):
            insort(definitions.setdefault(definition.name, []), (file_index, def_index))
        self.reference_df.subtract(old.references.keys())
        self.reference_df.update(new.references.keys())
        for name in old.references.keys() - new.references.keys():
            if self.reference_df[name] <= 0:
                del self.reference_df[name]

    def _terms_of(self, key: str, analysis: FileAnalysis) -> TermArrays:
        cached = self._term_arrays.get(key)
        if cached is None:
            cached = term_arrays(self.vocabulary, analysis)
        return cached

    def text_of(self, path: str) -> str:
        """Current text of an indexed (or any readable) file; U+FFFD where bytes were not UTF-8."""
        return decode(self._read(path))[0]

    def chunk_texts_of(self, file_index: int) -> list[str]:
        """Texts of a file's chunks, cached for the few files excerpted repeatedly."""
        indexed = self.files[file_index]
        cached = self._chunk_text_cache.get(indexed.blob)
        if cached is None:
            cached = chunk_texts(self.text_of(indexed.path), indexed.analysis.chunks)
            self._chunk_text_cache[indexed.blob] = cached
            while len(self._chunk_text_cache) > CHUNK_TEXT_CACHE:
                self._chunk_text_cache.pop(next(iter(self._chunk_text_cache)))
        return cached

    def prune(self, *, force: bool = False) -> int:
        """Drop cached blobs no listed file refers to once they outnumber the live ones (or always, forced)."""
        live = {self.key(f.blob) for f in self.files}
        return self.store.prune(live, keep_dead=0 if force else max(1000, len(live)))
