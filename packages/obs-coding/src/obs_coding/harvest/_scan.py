"""Finding the files to index and their blob ids, re-reading only what changed.

A warm harvest must not read the repository: paths come from ``git ls-files``
(or a walk honouring ``.gitignore``), and a file whose mtime, size and inode
match the last scan keeps its recorded blob id without being opened. Changed
files are read once, filtered (binary, generated, minified) and hashed exactly
as git hashes blobs, so cached analyses and vectors line up with git's own ids.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ._filters import skip_reason_for_content, skip_reason_for_path
from ._languages import language_for_path
from ._repo import Listing, Repository, attribute_skips, list_candidates
from ._store import StatEntry

RACY_WINDOW_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class ScannedFile:
    path: str
    """Repository-relative POSIX path."""
    blob: str
    size: int
    language: str


@dataclass
class ScanResult:
    files: list[ScannedFile]
    skipped: Counter[str]
    """Skip reason → number of files."""
    candidates: int
    """Paths listed before filtering (tracked + untracked, not ignored)."""
    read: dict[str, bytes] = field(default_factory=dict)
    """Bytes of the files read in this scan (changed or new), by path."""
    stat_updates: dict[str, StatEntry] = field(default_factory=dict)
    stat_removed: list[str] = field(default_factory=list)


def git_blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob (SHA-1 of ``blob <size>\\0<data>``)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


Stamp = tuple[int, int, int, int] | None
"""(mode, mtime_ns, size, inode) of a path, None when it is gone."""


def _stamp(full: str) -> Stamp:
    try:
        info = os.lstat(full)
    except OSError:
        return None
    return info.st_mode, info.st_mtime_ns, info.st_size, info.st_ino


class ScanCache:
    """The last scan, reusable while the listing is the same and every file still has the same stamp.

    A warm harvest then costs one ``lstat`` per file and a tuple comparison:
    no stat-entry lookups, filters or result objects (~3x cheaper than the
    full loop on 1,250 files). Any difference, or a file modified too recently
    to trust its mtime, falls back to the full scan.
    """

    def __init__(self) -> None:
        self._candidates: list[str] | None = None
        self._stamps: list[tuple[str, Stamp]] = []
        self._result: ScanResult | None = None

    def reuse(self, candidates: list[str]) -> ScanResult | None:
        if self._result is None or candidates is not self._candidates:
            return None
        for full, stamp in self._stamps:
            if _stamp(full) != stamp:
                return None
        return ScanResult(self._result.files, self._result.skipped, self._result.candidates)

    def keep(self, candidates: list[str], stamps: list[tuple[str, Stamp]], result: ScanResult) -> None:
        # Without the bytes read and the stat updates: a cold scan read every file.
        self._candidates, self._stamps = candidates, stamps
        self._result = ScanResult(result.files, result.skipped, result.candidates)

    def clear(self) -> None:
        self._candidates, self._stamps, self._result = None, [], None


def scan(
    repository: Repository,
    previous: dict[str, StatEntry],
    *,
    max_file_bytes: int,
    listing: Listing | None = None,
    cache: ScanCache | None = None,
) -> ScanResult:
    """List, filter and hash the repository's files, reusing ``previous`` stat entries."""
    if listing is not None:
        candidates, by_attribute = listing.paths(repository)
    else:
        candidates = list_candidates(repository)
        by_attribute = attribute_skips(repository, candidates)
    if cache is not None:
        reused = cache.reuse(candidates)
        if reused is not None:
            return reused
    result = ScanResult([], Counter(), len(candidates))
    stamps: list[tuple[str, Stamp]] = []
    trusted = True
    now = time.time_ns()
    root = str(repository.root) + os.sep
    for path in candidates:
        reason = by_attribute.get(path) or _path_reason(path)
        if reason:
            result.skipped[reason] += 1
            continue
        full = root + path
        try:
            info = os.lstat(full)
        except OSError:
            stamps.append((full, None))
            continue  # listed by git but deleted from the work tree
        stamps.append((full, (info.st_mode, info.st_mtime_ns, info.st_size, info.st_ino)))
        if stat.S_ISLNK(info.st_mode):
            result.skipped["symlink"] += 1
            continue
        if not stat.S_ISREG(info.st_mode):
            continue  # submodule directories and the like
        entry = previous.get(path)
        if (
            entry is None
            or entry.racy
            or (entry.mtime_ns, entry.size, entry.inode)
            != (
                info.st_mtime_ns,
                info.st_size,
                info.st_ino,
            )
        ):
            entry = _read(full, path, info, now, max_file_bytes, result)
            result.stat_updates[path] = entry
        trusted = trusted and not entry.racy
        if entry.skip:
            result.skipped[entry.skip] += 1
            continue
        result.files.append(ScannedFile(path, entry.blob, entry.size, language_for_path(path)))
    listed = set(candidates)
    result.stat_removed = [p for p in previous if p not in listed]
    if cache is not None:
        if trusted:
            cache.keep(candidates, stamps, result)
        else:
            cache.clear()
    return result


def read_head(path: str, limit: int) -> bytes:
    """Up to ``limit`` bytes of a file (one place for file reads, so tests can inject I/O errors)."""
    with open(path, "rb") as handle:
        return handle.read(limit)


@lru_cache(maxsize=200_000)
def _path_reason(path: str) -> str:
    return skip_reason_for_path(path) or ""


def _read(full: str, path: str, info: os.stat_result, now: int, max_bytes: int, result: ScanResult) -> StatEntry:
    racy = now - info.st_mtime_ns < RACY_WINDOW_NS
    base = (info.st_mtime_ns, info.st_size, info.st_ino)
    if info.st_size > max_bytes:
        return StatEntry(*base, "", "huge", racy)
    try:
        data = read_head(full, max_bytes + 1)
    except OSError:
        return StatEntry(*base, "", "unreadable", True)
    if len(data) > max_bytes:
        return StatEntry(*base, "", "huge", racy)
    reason = skip_reason_for_content(data)
    if reason:
        return StatEntry(*base, "", reason, racy)
    result.read[path] = data
    return StatEntry(*base, git_blob_id(data), "", racy)
