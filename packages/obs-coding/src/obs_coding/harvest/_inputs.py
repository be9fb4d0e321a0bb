"""Turning the caller's open files and cursor into tier-1 inputs, with clear errors.

Open files are the user's explicit choice, so a path that is missing, outside
the repository or unreadable is an error naming the path, not something to
skip quietly. An open file need not be indexed (it may be ignored, generated
or brand new): it is read and parsed on the spot.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ._analysis import analyze, decode
from ._index import RepoIndex
from ._languages import language_for_path
from ._pack_files import OpenFile
from ._scan import git_blob_id

OpenPath = str | os.PathLike[str]
Cursor = str | tuple[str | os.PathLike[str], int]
"""``"path:LINE"`` or ``(path, line)``; the line is 1-based."""


def parse_location(value: str) -> tuple[str, int | None]:
    """``FILE[:LINE]`` → (file, line); a trailing ``:<digits>`` is the line."""
    head, sep, tail = value.rpartition(":")
    if sep and head and tail.isdigit():
        return head, int(tail)
    return value, None


def relative_path(root: Path, path: OpenPath) -> str:
    candidate = Path(path)
    full = (candidate if candidate.is_absolute() else root / candidate).resolve()
    try:
        rel = full.relative_to(root)
    except ValueError:
        raise ValueError(f"harvest: {path} is outside the repository {root}") from None
    if not full.exists():
        raise FileNotFoundError(f"harvest: open file {path} does not exist under {root}")
    if not full.is_file():
        raise IsADirectoryError(f"harvest: open file {path} is not a regular file")
    return rel.as_posix()


def resolve_open_files(index: RepoIndex, open_files: Iterable[OpenPath], cursor: Cursor | None) -> list[OpenFile]:
    root = index.repository.root
    cursor_path: str | None = None
    cursor_line: int | None = None
    if cursor is not None:
        raw, line = parse_location(cursor) if isinstance(cursor, str) else (os.fspath(cursor[0]), cursor[1])
        if line is None or line < 1:
            raise ValueError(f"harvest: cursor {cursor!r} needs a 1-based line number (FILE:LINE)")
        cursor_path, cursor_line = relative_path(root, raw), line
    result: list[OpenFile] = []
    seen: set[str] = set()
    for path in open_files:
        rel = relative_path(root, path)
        if rel not in seen:
            seen.add(rel)
            result.append(_load(index, rel, cursor_line if rel == cursor_path else None, whole=True))
    if cursor_path is not None and cursor_path not in seen:
        result.append(_load(index, cursor_path, cursor_line, whole=False))
    return result


def _load(index: RepoIndex, rel: str, line: int | None, *, whole: bool) -> OpenFile:
    try:
        data = (index.repository.root / rel).read_bytes()
    except OSError as exc:
        raise OSError(f"harvest: cannot read open file {rel}: {exc.strerror or exc}") from exc
    text, errors = decode(data)
    blob = git_blob_id(data)
    language = language_for_path(rel)
    position = index.by_path.get(rel)
    indexed = index.files[position] if position is not None else None
    analysis = indexed.analysis if indexed is not None and indexed.blob == blob else analyze(blob, language, data)[0]
    if line is not None:
        line = min(line, text.count("\n") + 1)
    return OpenFile(rel, text, language, blob, line, whole, analysis, errors)
