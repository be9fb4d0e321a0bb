"""Analysing and embedding changed files, on several cores when there are many.

Parsing is C (tree-sitter) but holds the GIL for most of its time, so threads
do not help (measured: two threads were slower than one). A cold index of a
large repository therefore uses a process pool; incremental refreshes (a few
changed files) stay in-process, where a pool's start-up would cost more than
the work. Processes are forked when the parent has no other threads (cheap and
safe), otherwise started by forkserver/spawn. Results come back as JSON and
vectors already packed for storage (sparse float16, ~8% of the dense bytes),
batch by batch, so the parent stores and prepares one batch while the workers
parse the next.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from ._analysis import FileAnalysis, analyze
from ._embedder import HashedEmbedder
from ._store import pack_vectors, unpack_vectors

PARALLEL_MIN_FILES = 200
"""Below this many files to analyse, a pool costs more than it saves."""
BATCH_FILES = 24


@dataclass(frozen=True, slots=True)
class WorkItem:
    path: str
    blob: str
    language: str
    data: bytes


@dataclass(frozen=True, slots=True)
class WorkResult:
    path: str
    blob: str
    analysis: FileAnalysis | None
    """The analysis object (in-process work), or None when only its JSON crossed a process boundary."""
    analysis_json: str
    """The analysis as stored (serialised where the work ran, so a pool's parent does not redo it)."""
    vectors: npt.NDArray[np.float32] | None
    """Chunk vectors from in-process work with the hashed embedder, else None."""
    packed: bytes | None
    """The same vectors as stored (``pack_vectors``): all a pool worker sends back, the parent stores it as is."""
    texts: list[str] | None
    """Chunk texts when the caller must embed (any other embedder), else None."""

    def parsed(self) -> FileAnalysis:
        return self.analysis if self.analysis is not None else FileAnalysis.from_json(json.loads(self.analysis_json))

    def matrix(self, dim: int) -> npt.NDArray[np.float16] | None:
        """Chunk vectors as float16, unpacked if they crossed a process boundary; None when not embedded."""
        if self.vectors is not None:
            return self.vectors.astype(np.float16)
        if self.packed is not None:
            return unpack_vectors(self.packed, len(self.parsed().chunks), dim)
        return None


def default_workers() -> int:
    """Worker processes for a cold index: one per core, up to 4.

    On 2 cores the 2-process pool finishes the 1,246-file benchmark corpus in
    ~60-70% of one process's wall time when the second core is free, for
    0.6-1 CPU-s more (each worker meets most identifiers for the first time
    itself, the parent decodes the workers' JSON, and two busy vCPUs run
    slower than one). More workers than cores measured no better in
    interleaved runs; under heavy load they would only win share from the
    neighbours.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


Progress = Callable[[int, int], None]
"""Called with (files done, files total) as work completes."""


def analyze_items(
    items: Sequence[WorkItem], *, embedder: Embeddings, workers: int | None, progress: Progress | None = None
) -> Iterator[list[WorkResult]]:
    """Analyse ``items`` (and embed them when the embedder is the hashed one), yielding batches as they finish.

    Yielding lets the caller store and prepare each batch while the workers
    parse the next ones, instead of doing all of it after the pool is done.
    """
    hashed = embedder if isinstance(embedder, HashedEmbedder) else None
    total = len(items)
    if workers is None:
        workers = default_workers() if total >= PARALLEL_MIN_FILES else 1
    batches = [list(items[i : i + BATCH_FILES]) for i in range(0, total, BATCH_FILES)]
    done = 0
    if workers <= 1 or total < PARALLEL_MIN_FILES:
        for batch in batches:
            results = _run_batch(batch, hashed)
            done += len(results)
            if progress is not None:
                progress(done, total)
            yield results
        return
    params = (hashed.dim, hashed.identifier_weight, hashed.trigram_weight) if hashed else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        for results in pool.map(_worker_batch, batches, [params] * len(batches)):
            done += len(results)
            if progress is not None:
                progress(done, total)
            yield results


def _context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


_worker_embedder: HashedEmbedder | None = None


def _worker_batch(batch: list[WorkItem], params: tuple[int, float, float] | None) -> list[WorkResult]:
    global _worker_embedder  # one embedder (and its feature cache) per worker process
    hashed = None
    if params is not None:
        if (
            _worker_embedder is None
            or (
                _worker_embedder.dim,
                _worker_embedder.identifier_weight,
                _worker_embedder.trigram_weight,
            )
            != params
        ):
            _worker_embedder = HashedEmbedder(params[0], identifier_weight=params[1], trigram_weight=params[2])
        hashed = _worker_embedder
    # Only JSON and packed float16 cross the pipe: no pickling of thousands of small objects.
    return [
        WorkResult(r.path, r.blob, None, r.analysis_json, None, r.packed, r.texts) for r in _run_batch(batch, hashed)
    ]


def _run_batch(batch: list[WorkItem], hashed: HashedEmbedder | None) -> list[WorkResult]:
    results: list[WorkResult] = []
    for item in batch:
        analysis, texts, bags = analyze(item.blob, item.language, item.data)
        payload = json.dumps(analysis.to_json(), separators=(",", ":"))
        if hashed is not None:
            vectors = hashed.embed_bags(bags)
            results.append(WorkResult(item.path, item.blob, analysis, payload, vectors, pack_vectors(vectors), None))
        else:
            results.append(WorkResult(item.path, item.blob, analysis, payload, None, None, texts))
    return results
