"""Analysing and embedding changed files, on several cores when there are many.

Parsing is C (tree-sitter) but holds the GIL for most of its time, so threads
do not help (measured: two threads were slower than one). A cold index of a
large repository therefore uses a process pool; incremental refreshes (a few
changed files) stay in-process, where a pool's start-up would cost more than
the work. Processes are forked when the parent has no other threads (cheap and
safe), otherwise started by forkserver/spawn.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from ._analysis import FileAnalysis, analyze
from ._embedder import HashedEmbedder

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
    analysis: FileAnalysis
    vectors: npt.NDArray[np.float32] | npt.NDArray[np.float16] | None
    """Chunk vectors when the worker could embed (the hashed embedder; float16 from pool workers), else None."""
    texts: list[str] | None
    """Chunk texts when the caller must embed (any other embedder), else None."""


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


Progress = Callable[[int, int], None]
"""Called with (files done, files total) as work completes."""


def analyze_items(
    items: Sequence[WorkItem], *, embedder: Embeddings, workers: int, progress: Progress | None = None
) -> list[WorkResult]:
    """Analyse ``items`` (and embed them when the embedder is the hashed one)."""
    hashed = embedder if isinstance(embedder, HashedEmbedder) else None
    total = len(items)
    if workers <= 1 or total < PARALLEL_MIN_FILES:
        serial: list[WorkResult] = []
        for start in range(0, total, BATCH_FILES):
            serial.extend(_run_batch(list(items[start : start + BATCH_FILES]), hashed))
            if progress is not None:
                progress(len(serial), total)
        return serial
    params = (hashed.dim, hashed.identifier_weight, hashed.trigram_weight) if hashed else None
    batches = [list(items[i : i + BATCH_FILES]) for i in range(0, len(items), BATCH_FILES)]
    results: list[WorkResult] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        for batch_result in pool.map(_worker_batch, batches, [params] * len(batches)):
            results.extend(batch_result)
            if progress is not None:
                progress(len(results), total)
    return results


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
    results = _run_batch(batch, hashed)
    # Half the bytes through the pipe; the store keeps float16 anyway (see ``_store``).
    return [
        WorkResult(r.path, r.analysis, r.vectors.astype(np.float16), r.texts) if r.vectors is not None else r
        for r in results
    ]


def _run_batch(batch: list[WorkItem], hashed: HashedEmbedder | None) -> list[WorkResult]:
    results: list[WorkResult] = []
    for item in batch:
        analysis, texts, identifiers = analyze(item.blob, item.language, item.data)
        if hashed is not None:
            results.append(WorkResult(item.path, analysis, hashed.embed_counts(identifiers), None))
        else:
            results.append(WorkResult(item.path, analysis, None, texts))
    return results
