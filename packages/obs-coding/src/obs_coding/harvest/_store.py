"""The on-disk index: one SQLite file, keyed by git blob id.

Three tables: the stat cache (path → mtime/size/inode → blob id, so an
unchanged file is never re-read), analyses (blob → tags, chunks, terms) and
vectors (blob, embedder → chunk vectors, float16, stored sparse when that is
smaller: a hashed-feature vector has ~10% non-zero dimensions, so the table,
the worker-to-parent pipe and a warm start move a quarter of the bytes). Because analyses and
vectors are keyed by content, not path, touching one file re-embeds exactly that
file, and switching branches back and forth re-embeds nothing. A directory that
cannot be written (read-only checkout) gets an in-memory store instead, so the
harvest still works, only without persistence.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ._analysis import FileAnalysis

SCHEMA_VERSION = "2"
_BATCH = 500


@dataclass(frozen=True, slots=True)
class StatEntry:
    """What the last scan saw at a path."""

    mtime_ns: int
    size: int
    inode: int
    blob: str
    """Git blob id of the content, ``""`` when skipped."""
    skip: str
    """Skip reason (binary, generated, ...), ``""`` when indexed."""
    racy: bool
    """Modified too close to the scan to trust mtime next time (git's "racy clean" problem)."""


class IndexStore:
    def __init__(self, directory: Path) -> None:
        self.persistent = True
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self.path: Path | None = directory / "index.sqlite3"
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
        except (OSError, sqlite3.Error):
            self.persistent = False
            self.path = None
            self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] != SCHEMA_VERSION:
                for table in ("stats", "analyses", "vectors"):
                    self._db.execute(f"DROP TABLE IF EXISTS {table}")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS stats (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER,"
                " inode INTEGER, blob TEXT, skip TEXT, racy INTEGER)"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS analyses (key TEXT PRIMARY KEY, data TEXT NOT NULL)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT, embedder TEXT, rows INTEGER, dim INTEGER,"
                " data BLOB, PRIMARY KEY (key, embedder))"
            )
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    # -- stat cache ---------------------------------------------------------------------
    def stat_entries(self) -> dict[str, StatEntry]:
        rows = self._db.execute("SELECT path, mtime_ns, size, inode, blob, skip, racy FROM stats")
        return {r[0]: StatEntry(r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows}

    def update_stats(self, changed: Mapping[str, StatEntry], removed: Iterable[str]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(p, e.mtime_ns, e.size, e.inode, e.blob, e.skip, int(e.racy)) for p, e in changed.items()],
            )
            self._db.executemany("DELETE FROM stats WHERE path = ?", [(p,) for p in removed])

    # -- analyses -----------------------------------------------------------------------
    def load_analyses(self, keys: Iterable[str]) -> dict[str, FileAnalysis]:
        found: dict[str, FileAnalysis] = {}
        for batch in _batches(list(keys)):
            marks = ",".join("?" * len(batch))
            for key, data in self._db.execute(f"SELECT key, data FROM analyses WHERE key IN ({marks})", batch):
                found[key] = FileAnalysis.from_json(json.loads(data))
        return found

    def save_analyses(self, analyses: Mapping[str, str]) -> None:
        """Store analyses already serialised as JSON (workers serialise them, in parallel)."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO analyses VALUES (?, ?)", list(analyses.items()))

    # -- vectors ------------------------------------------------------------------------
    def load_vectors(self, keys: Iterable[str], embedder: str) -> dict[str, npt.NDArray[np.float16]]:
        found: dict[str, npt.NDArray[np.float16]] = {}
        for batch in _batches(list(keys)):
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT key, rows, dim, data FROM vectors WHERE embedder = ? AND key IN ({marks})",
                [embedder, *batch],
            )
            for key, n_rows, dim, data in rows:
                found[key] = unpack_vectors(data, n_rows, dim)
        return found

    def save_vectors(self, vectors: Mapping[str, npt.NDArray[np.floating[Any]]], embedder: str) -> None:
        self.save_packed(
            [
                (k, v.shape[0], v.shape[1], pack_vectors(v)) if v.ndim == 2 else (k, 0, 0, b"D")
                for k, v in vectors.items()
            ],
            embedder,
        )

    def save_packed(self, vectors: Iterable[tuple[str, int, int, bytes]], embedder: str) -> None:
        """Store vectors already packed (``pack_vectors``) where they were computed: (key, rows, dim, data)."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)",
                [(k, embedder, rows, dim, data) for k, rows, dim, data in vectors],
            )

    def prune(self, live_keys: set[str], *, keep_dead: int = 0) -> int:
        """Drop analyses and vectors of blobs no path refers to, unless there are at most ``keep_dead``.

        Dead blobs are what makes switching branches or reverting an edit free,
        so they are only dropped once they outnumber what is worth keeping.
        """
        stored = [row[0] for row in self._db.execute("SELECT key FROM analyses")]
        dead = [k for k in stored if k not in live_keys]
        if len(dead) <= keep_dead:
            return 0
        with self._db:
            self._db.executemany("DELETE FROM analyses WHERE key = ?", [(k,) for k in dead])
            self._db.executemany("DELETE FROM vectors WHERE key = ?", [(k,) for k in dead])
        return len(dead)

    def close(self) -> None:
        self._db.close()


def pack_vectors(vectors: npt.NDArray[np.floating[Any]]) -> bytes:
    """Chunk vectors as stored: float16 (cosine scores move by ~1e-3, far below ranking noise), sparse if smaller.

    Dense: ``b"D"`` + the row-major float16 matrix. Sparse: ``b"S"`` + uint32
    non-zeros per row + their column indices (uint16, or uint32 above 65,536
    dimensions) + their float16 values. All little-endian.
    """
    half = np.asarray(vectors, dtype="<f2")
    n_rows, dim = half.shape
    row_of, column = np.nonzero(half)
    index = "<u2" if dim <= 1 << 16 else "<u4"
    if 1 + 4 * n_rows + column.size * (np.dtype(index).itemsize + 2) >= 1 + half.nbytes:
        return b"D" + half.tobytes()
    counts = np.bincount(row_of, minlength=n_rows).astype("<u4")
    return b"S" + counts.tobytes() + column.astype(index).tobytes() + half[row_of, column].tobytes()


def unpack_vectors(data: bytes, n_rows: int, dim: int) -> npt.NDArray[np.float16]:
    body = memoryview(data)[1:]
    if data[:1] != b"S":
        return np.frombuffer(body, dtype="<f2").reshape(n_rows, dim).astype(np.float16)
    counts = np.frombuffer(body[: 4 * n_rows], dtype="<u4")
    total = int(counts.sum())
    index = np.dtype("<u2" if dim <= 1 << 16 else "<u4")
    columns_end = 4 * n_rows + total * index.itemsize
    columns = np.frombuffer(body[4 * n_rows : columns_end], dtype=index)
    values = np.frombuffer(body[columns_end : columns_end + 2 * total], dtype="<f2")
    out = np.zeros((n_rows, dim), dtype=np.float16)
    out[np.repeat(np.arange(n_rows), counts), columns] = values
    return out


def _batches(keys: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), _BATCH):
        yield keys[start : start + _BATCH]
