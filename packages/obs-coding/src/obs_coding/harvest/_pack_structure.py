"""Tiers 3 and 4 and the history section: structure without bodies.

Tier 3 lists, per defining file, the signatures and docstrings of symbols that
tiers 1-2 use but do not contain. Tier 4 spends what is left on a repository
map: outlines of the remaining files, best-ranked first (hybrid score, then how
central the file is in the def/ref graph). The history section lists the most
recent commits that touched the selected files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._budget import TierDraft, TierShares
from ._graph import SymbolRef
from ._history import History
from ._index import IndexedFile, RepoIndex
from ._model import TierItem
from ._pack_files import ESTIMATE_CHARS_PER_TOKEN
from ._rank import Ranking
from ._render import commits_block, file_block, outline
from ._tags import Definition

MAX_SYMBOLS = 300
MAX_MAP_FILES = 600
CENTRALITY_WEIGHT = 0.3
HISTORY_COMMITS = 12


def pack_tier3(draft: TierDraft, index: RepoIndex, refs: Sequence[SymbolRef]) -> dict[int, set[int]]:
    """Fill tier 3; return what it showed (file index → definition indices) so tier 4 does not repeat it."""
    groups: dict[int, list[SymbolRef]] = {}
    for ref in refs[:MAX_SYMBOLS]:
        groups.setdefault(ref.file_index, []).append(ref)
    shown: dict[int, set[int]] = {}
    for file_index, group in sorted(groups.items(), key=lambda kv: -kv[1][0].weight):
        indexed = index.files[file_index]
        chosen = list(group)
        best: TierItem | None = None
        while chosen:  # usually one exact count; drop the weakest symbols only when the group overflows
            body = outline(indexed.analysis.definitions, [r.def_index for r in chosen], indexed.language)
            text = file_block(indexed.path, "signatures", body, indexed.language)
            tokens = draft.counter.count(text)
            if draft.fits(tokens):
                users = sorted({u for r in chosen for u in r.referenced_from})
                why = f"referenced from {', '.join(users[:3])}" + (f" +{len(users) - 3}" if len(users) > 3 else "")
                weight = round(sum(r.weight for r in chosen), 4)
                names = tuple(r.name for r in chosen)
                best = TierItem(indexed.path, "symbols", tokens, why, weight, symbols=names, text=text)
                break
            chosen = chosen[: len(chosen) // 2] if tokens > 2 * draft.remaining else chosen[:-1]
        if best is not None:
            draft.add(best)
            shown[file_index] = {r.def_index for r in chosen}
        if draft.remaining < 30:
            break
    return shown


class OutlineCache:
    """Outlines of files as tier 4 shows them (no tier-3 exclusions), by (path, blob, depth).

    The repository map considers up to ``MAX_MAP_FILES`` files per harvest and
    the same central files come back harvest after harvest; rebuilding their
    outlines each time was a fifth of a warm harvest.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._entries: dict[tuple[str, str, int], tuple[list[int], str]] = {}

    def get(self, indexed: IndexedFile, depth_limit: int) -> tuple[list[int], str]:
        key = (indexed.path, indexed.blob, depth_limit)
        entry = self._entries.get(key)
        if entry is None:
            show = _visible(indexed.analysis.definitions, depth_limit)
            entry = self._entries[key] = (show, _outline_text(indexed, show, "outline") if show else "")
            if len(self._entries) > self.capacity:
                del self._entries[next(iter(self._entries))]
        return entry


def pack_tier4(
    draft: TierDraft,
    index: RepoIndex,
    ranking: Ranking,
    centrality: npt.NDArray[np.float64],
    exclude: set[int],
    shown: dict[int, set[int]],
    shares: TierShares,
    outlines: OutlineCache | None = None,
) -> None:
    outlines = outlines if outlines is not None else OutlineCache()
    best = ranking.files[0].score if ranking.files else 0.0
    relevance = ranking.scores / best if best > 0 else np.zeros(len(index.files), dtype=np.float64)
    combined = relevance + CENTRALITY_WEIGHT * (centrality if centrality.size == relevance.size else 0.0)
    order = np.argsort(-combined, kind="stable")
    cap = max(1, int(draft.budget * shares.max_outline_share))
    for file_index in order[:MAX_MAP_FILES].tolist():
        if draft.remaining < 30:
            break
        if file_index in exclude:
            continue
        indexed = index.files[file_index]
        why = f"repository map: relevance {relevance[file_index]:.2f}, centrality {centrality[file_index]:.2f}"
        item = _map_item(draft, indexed, shown.get(file_index, set()), min(cap, draft.remaining), why, outlines)
        if item is not None:
            draft.add(
                TierItem(
                    item.path,
                    item.kind,
                    item.tokens,
                    item.why,
                    float(combined[file_index]),
                    symbols=item.symbols,
                    text=item.text,
                )
            )


def _map_item(
    draft: TierDraft, indexed: IndexedFile, skip: set[int], limit: int, why: str, outlines: OutlineCache
) -> TierItem | None:
    """The file's outline (members, else top level, else the first top-level symbols that fit).

    Candidates are judged by a character estimate first; only an outline that
    should fit is counted exactly (most of the repository map is rejected
    candidates, and exact counts are the expensive part of a harvest).
    """
    show: list[int] = []
    key: tuple[str, ...] | None
    for depth_limit in (1, 0):
        if skip:
            show = [i for i in _visible(indexed.analysis.definitions, depth_limit) if i not in skip]
            text = _outline_text(indexed, show, "outline") if show else ""
            key = None  # depends on what tier 3 showed: not worth caching
        else:
            show, text = outlines.get(indexed, depth_limit)
            key = (str(depth_limit),)
        if not show:
            return None
        if len(text) / ESTIMATE_CHARS_PER_TOKEN <= limit:
            item = _outline_item(draft, indexed, show, text, why, key=key)
            if item.tokens <= limit and draft.fits(item.tokens):
                return item
    low, high, fitting = 1, len(show) - 1, 0
    while low <= high:  # the longest prefix of top-level symbols whose estimate fits
        middle = (low + high) // 2
        if len(_outline_text(indexed, show[:middle], "outline")) / ESTIMATE_CHARS_PER_TOKEN <= limit:
            fitting, low = middle, middle + 1
        else:
            high = middle - 1
    while fitting > 0:
        text = _outline_text(indexed, show[:fitting], f"outline, first {fitting} of {len(show)} symbols")
        key = None if skip else ("first", str(fitting))  # the same prefix of the same blob renders the same
        item = _outline_item(draft, indexed, show[:fitting], text, why, key=key)
        if item.tokens <= limit and draft.fits(item.tokens):
            return item
        fitting = fitting * 3 // 4
    return None


def _outline_text(indexed: IndexedFile, show: list[int], note: str) -> str:
    body = outline(indexed.analysis.definitions, show, indexed.language, with_ancestors=False)
    return file_block(indexed.path, note, body, indexed.language)


def _outline_item(
    draft: TierDraft, indexed: IndexedFile, show: list[int], text: str, why: str, key: tuple[str, ...] | None
) -> TierItem:
    definitions = indexed.analysis.definitions
    cache_key = ("outline", indexed.path, indexed.blob, *key) if key is not None else None
    tokens = draft.counter.count(text, cache_key)
    names = tuple(definitions[i].name for i in show if definitions[i].parent < 0)
    return TierItem(indexed.path, "outline", tokens, why, symbols=names, text=text)


def _visible(definitions: Sequence[Definition], depth_limit: int) -> list[int]:
    """Definitions worth a line in the map: top level, and public members of top-level containers."""
    result: list[int] = []
    depth: dict[int, int] = {}
    for i, definition in enumerate(definitions):
        level = 0 if definition.parent < 0 else depth.get(definition.parent, 0) + 1
        depth[i] = level
        if level > depth_limit:
            continue
        if level > 0 and definition.name.startswith("_") and not definition.name.startswith("__"):
            continue
        result.append(i)
    return result


def pack_history(draft: TierDraft, history: History, paths: Sequence[str]) -> None:
    commits = history.recent_for(list(paths), HISTORY_COMMITS)
    while commits:
        text = commits_block(commits)
        tokens = draft.counter.count(text)
        if draft.fits(tokens):
            draft.add(TierItem("", "commits", tokens, f"{len(commits)} latest commits touching tiers 1-2", text=text))
            return
        commits = commits[:-1]
