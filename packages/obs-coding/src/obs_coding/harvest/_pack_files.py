"""Tiers 1 and 2: code the model reads in full (or, for large files, their best parts).

Tier 1 is what the user is looking at: open files whole, and the region around
the cursor (its enclosing definition, or a window) when the cursor's file is
not open. Tier 2 walks the hybrid ranking best first and takes whole files
while they fit; a file too large for its share contributes its best-matching
chunks instead, so one 5,000-line module cannot eat the tier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._analysis import FileAnalysis
from ._budget import TierDraft, TierShares
from ._index import RepoIndex
from ._model import ContextBudgetError, TierItem
from ._rank import MAX_RANKED, Ranking, explain
from ._render import file_block
from ._tags import Definition

CURSOR_WINDOW = 30
"""Lines either side of the cursor when no enclosing definition bounds the region."""
CURSOR_MAX_DEFINITION_LINES = 150
MAX_CANDIDATES = MAX_RANKED
MAX_EXCERPT_CHUNKS = 3
ESTIMATE_CHARS_PER_TOKEN = 3.6
"""Chars/token of code under cl100k, on the safe side (measured 4.4 on mypy/langchain sources):
decides what is worth an exact count."""
BLOCK_OVERHEAD_TOKENS = 20
"""Heading and fence around a block."""


@dataclass(frozen=True, slots=True)
class OpenFile:
    """A tier-1 input: a file the user has open, or just the region around the cursor."""

    path: str
    text: str
    language: str
    blob: str
    cursor_line: int | None
    whole: bool
    """False when only the cursor region is shown (the cursor's file is not open)."""
    analysis: FileAnalysis | None
    decode_errors: bool


def enclosing(definitions: tuple[Definition, ...], line: int) -> Definition | None:
    """The innermost definition containing ``line`` that is short enough to show whole."""
    best: Definition | None = None
    for definition in definitions:
        contains = definition.line <= line <= definition.end_line
        short = definition.end_line - definition.line < CURSOR_MAX_DEFINITION_LINES
        if contains and short and (best is None or definition.line >= best.line):
            best = definition
    return best


def cursor_region(item: OpenFile) -> tuple[int, int, str]:
    """First/last line of the cursor region and the symbol there (``""`` if none)."""
    line = item.cursor_line or 1
    lines = item.text.count("\n") + 1
    symbol = enclosing(item.analysis.definitions, line) if item.analysis else None
    if symbol is not None:
        return symbol.line, symbol.end_line, symbol.name
    return max(1, line - CURSOR_WINDOW), min(lines, line + CURSOR_WINDOW), ""


def pack_tier1(draft: TierDraft, open_files: list[OpenFile], budget: int) -> None:
    details: list[str] = []
    for item in open_files:
        if item.whole:
            symbol = ""
            if item.cursor_line is not None and item.analysis is not None:
                found = enclosing(item.analysis.definitions, item.cursor_line)
                symbol = found.name if found else ""
            note = "open" + (f", cursor at line {item.cursor_line}" if item.cursor_line else "")
            note += f" in {symbol}" if symbol else ""
            text = file_block(item.path, note, item.text, item.language)
            tokens = draft.counter.count(text, ("file", item.path, item.blob, note))
            why = "open file" + (" with the cursor" if item.cursor_line else "")
            draft.add(TierItem(item.path, "file", tokens, why, symbols=(symbol,) if symbol else (), text=text))
        else:
            first, last, symbol = cursor_region(item)
            body = "".join(item.text.splitlines(keepends=True)[first - 1 : last])
            note = f"cursor region, lines {first}-{last}" + (f", in {symbol}" if symbol else "")
            text = file_block(item.path, note, body, item.language)
            tokens = draft.counter.count(text)
            draft.add(
                TierItem(
                    item.path,
                    "region",
                    tokens,
                    f"cursor at line {item.cursor_line}",
                    lines=(first, last),
                    symbols=(symbol,) if symbol else (),
                    text=text,
                )
            )
        details.append(f"{item.path} {draft.items[-1].tokens:,}")
    if draft.used > budget:
        raise ContextBudgetError(draft.used, budget, ", ".join(details))


def pack_tier2(
    draft: TierDraft,
    index: RepoIndex,
    ranking: Ranking,
    exclude: set[str],
    shares: TierShares,
) -> None:
    per_file_cap = max(1, int(draft.budget * shares.max_file_share))
    for position, ranked in enumerate(ranking.files[:MAX_CANDIDATES], start=1):
        if ranked.score < ranking.threshold or draft.remaining < 40:
            break
        if ranked.path in exclude:
            continue
        indexed = index.files[ranked.index]
        why = f"rank {position}: {explain(ranked.signals)}"
        limit = min(per_file_cap, draft.remaining)
        # Exact counts cost ~0.3 ms per KB: only count what the estimate says will fit.
        if indexed.analysis.chars / ESTIMATE_CHARS_PER_TOKEN + BLOCK_OVERHEAD_TOKENS <= limit:
            text = file_block(ranked.path, "", index.text_of(ranked.path), indexed.language)
            tokens = draft.counter.count(text, ("file", ranked.path, indexed.blob, ""))
            if tokens <= limit and draft.fits(tokens):
                draft.add(TierItem(ranked.path, "file", tokens, why, ranked.score, dict(ranked.signals), text=text))
                continue
        excerpt = _excerpt(draft, index, ranking, ranked.index, limit)
        if excerpt is not None:
            text, tokens, lines = excerpt
            draft.add(
                TierItem(
                    ranked.path,
                    "excerpt",
                    tokens,
                    why + "; best-matching chunks (whole file exceeds its share)",
                    ranked.score,
                    dict(ranked.signals),
                    lines=lines,
                    text=text,
                )
            )


def _excerpt(
    draft: TierDraft, index: RepoIndex, ranking: Ranking, file_index: int, limit: int
) -> tuple[str, int, tuple[int, int]] | None:
    indexed = index.files[file_index]
    chunks = indexed.analysis.chunks
    if not chunks:
        return None
    rows = np.arange(indexed.first_chunk, indexed.first_chunk + len(chunks))
    scores = ranking.chunk_scores[rows] if ranking.chunk_scores.size >= rows[-1] + 1 else np.zeros(len(chunks))
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    # Pick by estimate (no I/O), then count exactly (dropping the weakest picks if the estimate was low).
    chosen: list[int] = []
    estimate = float(BLOCK_OVERHEAD_TOKENS)
    for i in order[: MAX_EXCERPT_CHUNKS * 3]:
        cost = indexed.analysis.chunk_chars[i] / ESTIMATE_CHARS_PER_TOKEN
        if estimate + cost <= limit:
            chosen.append(i)
            estimate += cost
        if len(chosen) >= MAX_EXCERPT_CHUNKS:
            break
    if not chosen:
        return None
    texts = index.chunk_texts_of(file_index)
    best: tuple[str, int, tuple[int, int]] | None = None
    for _attempt in range(2):  # at most two exact counts: the estimate, then a corrected one
        if not chosen:
            break
        shown = sorted(chosen)
        body = "\n⋮\n".join(texts[j].rstrip("\n") for j in shown)
        spans = ", ".join(f"{chunks[j].start}-{chunks[j].end}" for j in shown)
        note = f"excerpt: lines {spans} of {indexed.analysis.line_count}"
        text = file_block(indexed.path, note, body, indexed.language)
        tokens = draft.counter.count(text, ("excerpt", indexed.path, indexed.blob, spans))
        if tokens <= limit and draft.fits(tokens):
            best = (text, tokens, (chunks[shown[0]].start, chunks[shown[-1]].end))
            break
        ratio = tokens / max(estimate, 1.0)  # the estimate was this far off: drop picks until it is not
        while chosen and estimate * ratio > min(limit, draft.remaining):
            estimate -= indexed.analysis.chunk_chars[chosen.pop()] / ESTIMATE_CHARS_PER_TOKEN
    return best
