"""Cutting a file into retrieval chunks along its structure.

Whole-file vectors blur large files into one topic; fixed windows cut
functions in half. Chunks here are runs of whole top-level definitions (or
methods, in a large class) of about ``target`` lines, so a 2,000-line module
still matches a query about one of its functions. Files without a grammar, or
without definitions, are cut at blank lines. Chunks also carry token counts, so
a file too large for tier 2 can contribute its best chunks instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ._tags import Definition

TARGET_LINES = 80
MIN_LINES = 20
MAX_LINES = 160


class Chunk(NamedTuple):
    start: int
    """1-based first line."""
    end: int
    """1-based last line (inclusive)."""


def chunk_lines(lines: Sequence[str], definitions: Sequence[Definition]) -> list[Chunk]:
    """Cover ``lines`` with consecutive chunks, cutting where definitions start when possible."""
    total = len(lines)
    if total == 0:
        return []
    if total <= MAX_LINES // 2:
        return [Chunk(1, total)]
    depth = _depths(definitions)
    cuts = sorted({d.line - 1 for d, level in zip(definitions, depth, strict=True) if level <= 1 and d.line > 1})
    if not cuts:
        cuts = [i + 1 for i, line in enumerate(lines[:-1]) if not line.strip()]
    chunks: list[Chunk] = []
    start = 0  # 0-based first line of the chunk being built
    position = 0  # index into cuts
    while start < total:
        if total - start <= MAX_LINES:
            chunks.append(Chunk(start + 1, total))
            break
        while position < len(cuts) and cuts[position] < start + MIN_LINES:
            position += 1
        best: int | None = None
        scan = position
        while scan < len(cuts) and cuts[scan] <= start + MAX_LINES:
            if best is None or abs(cuts[scan] - start - TARGET_LINES) < abs(best - start - TARGET_LINES):
                best = cuts[scan]
            scan += 1
        end = best if best is not None else start + TARGET_LINES
        chunks.append(Chunk(start + 1, end))
        start = end
    return chunks


def _depths(definitions: Sequence[Definition]) -> list[int]:
    depths: list[int] = []
    for definition in definitions:
        depths.append(0 if definition.parent < 0 else depths[definition.parent] + 1)
    return depths
