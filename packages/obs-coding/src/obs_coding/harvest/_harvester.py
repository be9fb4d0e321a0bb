"""``ContextHarvester``: decide what of a repository goes into a coding agent's window.

One object per repository, kept for the agent's lifetime: the first call loads
(or builds) the index, later calls refresh it incrementally and answer from
memory. Each ``harvest()`` is one ``obs.harvest`` span with children for scan,
embed, search, resolve and history, so the cost and the choices of the harvest
are visible next to the model calls they feed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings
from obs_core import ContextWindowMonitor
from obs_core import semconv as sc
from opentelemetry import metrics, trace

from ._budget import TierDraft, TierShares, enforce_budget
from ._embedder import HashedEmbedder
from ._filters import DEFAULT_MAX_FILE_BYTES
from ._graph import centrality, referenced_elsewhere
from ._history import MAX_COMMITS, History, load_history
from ._index import RefreshStats, RepoIndex
from ._inputs import Cursor, OpenPath, resolve_open_files
from ._model import HarvestStats, Tier, TieredContext
from ._pack_files import OpenFile, pack_tier1, pack_tier2
from ._pack_structure import OutlineCache, pack_history, pack_tier3, pack_tier4
from ._rank import MAX_RANKED, HistorySignals, RankedFile, Ranking, RankWeights, rank
from ._render import TokenCounter
from ._repo import open_repository
from ._store import IndexStore
from ._telemetry import HarvestTelemetry
from ._workers import Progress

DEFAULT_MODEL = "claude-sonnet-4-5"
DEFAULT_BUDGET_TOKENS = 32_000
"""A sixth of a 200k window: room for the system prompt, the conversation and the answer."""


class ContextHarvester:
    """Tiered context for one repository (see the package docs for the tiers)."""

    def __init__(
        self,
        repo_path: str | os.PathLike[str],
        *,
        model: str | None = DEFAULT_MODEL,
        budget_tokens: int = DEFAULT_BUDGET_TOKENS,
        embedder: Embeddings | None = None,
        index_dir: str | os.PathLike[str] | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        workers: int | None = None,
        weights: RankWeights | None = None,
        shares: TierShares | None = None,
        history_commits: int = MAX_COMMITS,
        monitor: ContextWindowMonitor | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        if budget_tokens <= 0:
            raise ValueError(f"harvest budget must be a positive number of tokens, got {budget_tokens}")
        self.repository = open_repository(repo_path)
        self.model = model
        self.budget_tokens = budget_tokens
        self.embedder = embedder or HashedEmbedder()
        self.weights = weights or RankWeights()
        self.shares = shares or TierShares()
        self.history_commits = history_commits
        self.index_dir = Path(index_dir) if index_dir is not None else self.repository.index_dir()
        self._store = IndexStore(self.index_dir)
        self._index = RepoIndex(
            self.repository,
            self._store,
            self.embedder,
            max_file_bytes=max_file_bytes,
            workers=workers,
        )
        self._telemetry = HarvestTelemetry(
            tracer_provider=tracer_provider, meter_provider=meter_provider, monitor=monitor
        )
        self._counter = TokenCounter(model)
        self._outlines = OutlineCache()
        self._lock = threading.RLock()
        self._history: History | None = None
        self._signals: HistorySignals | None = None
        self._centrality: tuple[int, npt.NDArray[np.float64]] | None = None
        self._last_refresh = RefreshStats()

    @property
    def root(self) -> Path:
        return self.repository.root

    @property
    def notes(self) -> list[str]:
        notes = list(self.repository.notes)
        if not self._store.persistent:
            notes.append(f"index directory {self.index_dir} is not writable: index kept in memory only")
        return notes

    # -- index -----------------------------------------------------------------------------
    def index(self, *, prune: bool = False, progress: Progress | None = None) -> RefreshStats:
        """Build or refresh the on-disk index now (``obs index``); harvests also refresh on their own.

        Blobs no file uses any more are kept (a revert or branch switch then costs nothing) until they
        outnumber the live ones; ``prune=True`` drops them now.
        """
        with self._lock, self._telemetry.span(sc.SPAN_HARVEST_INDEX, {sc.OBS_CODING_PHASE: "harvest"}) as span:
            stats = self._refresh(progress)
            self._index.prune(force=prune)
            span.set_attribute(sc.OBS_HARVEST_FILES_SCANNED, stats.files)
            return stats

    def _refresh(self, progress: Progress | None = None) -> RefreshStats:
        with self._telemetry.span(sc.SPAN_HARVEST_SCAN) as scan_span:
            result, stats = self._index.refresh_scan()
            self._telemetry.scanned(scan_span, stats)
        with self._telemetry.span(sc.SPAN_HARVEST_EMBED) as embed_span:
            self._index.refresh_embed(result, stats, progress)
            self._telemetry.embedded(embed_span, stats)
        self._last_refresh = stats
        return stats

    def _history_signals(self) -> HistorySignals | None:
        if not self.repository.is_git:
            return None
        head = self.repository.head_sha()
        if self._history is None or self._history.head != head:
            with self._telemetry.span(sc.SPAN_HARVEST_HISTORY) as span:
                self._history = load_history(self.repository, max_commits=self.history_commits)
                span.set_attribute(sc.OBS_HARVEST_COMMITS, len(self._history.commits))
            self._signals = None
        if self._signals is None or self._signals.generation != self._index.paths_generation:
            self._signals = HistorySignals(self._index, self._history)
        return self._signals

    def _file_centrality(self) -> npt.NDArray[np.float64]:
        if self._centrality is None or self._centrality[0] != self._index.generation:
            self._centrality = (self._index.generation, centrality(self._index))
        return self._centrality[1]

    # -- ranking ---------------------------------------------------------------------------
    def rank_files(
        self,
        query: str,
        *,
        open_files: Iterable[OpenPath] = (),
        cursor: Cursor | None = None,
        limit: int | None = None,
    ) -> list[RankedFile]:
        """The tier-2 ranking alone (every file with a signal, best first): what benchmarks measure."""
        with self._lock:
            self._refresh()
            opened = resolve_open_files(self._index, open_files, cursor)
            return self._rank(query, opened, limit=limit).files

    def _rank(self, query: str, opened: Sequence[OpenFile], *, limit: int | None = MAX_RANKED) -> Ranking:
        signals = self._history_signals()
        cursor_text = ""
        for item in opened:
            if item.cursor_line is not None:
                lines = item.text.splitlines()
                start = max(0, item.cursor_line - 16)
                cursor_text = "\n".join(lines[start : item.cursor_line + 15])
        with self._telemetry.span(sc.SPAN_HARVEST_SEARCH) as span:
            ranking = rank(
                self._index,
                self.embedder,
                query,
                signals=signals,
                anchors=[item.path for item in opened],
                cursor_text=cursor_text,
                weights=self.weights,
                limit=limit,
            )
            span.set_attributes(
                {
                    sc.OBS_HARVEST_CANDIDATES: ranking.candidates,
                    sc.OBS_HARVEST_SIMILARITY_THRESHOLD: round(ranking.threshold, 6),
                }
            )
        return ranking

    # -- harvest ---------------------------------------------------------------------------
    def harvest(
        self,
        query: str,
        *,
        open_files: Iterable[OpenPath] = (),
        cursor: Cursor | None = None,
        budget_tokens: int | None = None,
    ) -> TieredContext:
        """Select and render context for ``query`` within the budget (tier order: 1, 2, 3, 4, history)."""
        budget = self.budget_tokens if budget_tokens is None else budget_tokens
        if budget <= 0:
            raise ValueError(f"harvest budget must be a positive number of tokens, got {budget}")
        started = time.perf_counter()
        with self._lock, self._telemetry.span(sc.SPAN_HARVEST, {sc.OBS_CODING_PHASE: "harvest"}) as span:
            refresh = self._refresh()
            opened = resolve_open_files(self._index, open_files, cursor)
            tiers, total, ranking = self._pack(query, opened, budget)
            stats = HarvestStats(
                files_scanned=len(self._index.files),
                files_selected=len({p for t in tiers[:2] for p in t.files}),
                similarity_threshold=ranking.threshold,
                embedding_cache_hits=refresh.embedding_hits,
                embedding_cache_misses=refresh.embedding_misses,
                skipped=dict(refresh.skipped),
                seconds=time.perf_counter() - started,
            )
            tokens_by_tier: dict[str, int] = {t.id: t.tokens for t in tiers}
            report = self._telemetry.harvested(
                span, model=self.model, budget=budget, tokens_by_tier=tokens_by_tier, total=total, stats=stats
            )
            return TieredContext(
                query=query,
                repo=str(self.root),
                model=self.model,
                budget_tokens=budget,
                tiers=tuple(tiers),
                total_tokens=total,
                stats=stats,
                notes=tuple(self.notes + _content_notes(opened, self._index, tiers)),
                window_tokens=report.window_tokens if report else None,
                window_fill_ratio=report.fill_ratio if report else None,
                estimated=self._counter.estimated,
            )

    def _pack(self, query: str, opened: list[OpenFile], budget: int) -> tuple[list[Tier], int, Ranking]:
        """Fill the tiers in priority order (1, 2, 3, history, 4); render order is 1, 2, 3, 4, history."""
        draft1 = TierDraft.start("1", budget, self._counter)
        pack_tier1(draft1, opened, budget)
        ranking = self._rank(query, opened)
        rest = budget - draft1.used  # what tier 1 leaves; the shares are of this
        draft2 = TierDraft.start("2", int(rest * self.shares.relevant), self._counter)
        pack_tier2(draft2, self._index, ranking, {o.path for o in opened}, self.shares)
        left = rest - draft2.used
        selected_paths = [o.path for o in opened] + _paths(draft2)
        selected = {self._index.by_path[p] for p in selected_paths if p in self._index.by_path}
        with self._telemetry.span(sc.SPAN_HARVEST_RESOLVE) as resolve_span:
            refs = referenced_elsewhere(self._index, self._sources(opened, selected), selected)
            draft3 = TierDraft.start("3", min(left, int(rest * self.shares.referenced)), self._counter)
            shown = pack_tier3(draft3, self._index, refs)
            resolve_span.set_attribute(sc.OBS_HARVEST_SYMBOLS_RESOLVED, len(refs))
        left -= draft3.used
        history_cap = min(left, self.shares.history_max_tokens, int(rest * self.shares.history))
        draft_history = TierDraft.start("history", history_cap, self._counter)
        if self._history is not None:
            pack_history(draft_history, self._history, selected_paths)
        left -= draft_history.used
        draft4 = TierDraft.start("4", left, self._counter)
        pack_tier4(draft4, self._index, ranking, self._file_centrality(), selected, shown, self.shares, self._outlines)
        tiers = [d.finish() for d in (draft1, draft2, draft3, draft4, draft_history)]
        tiers, total = enforce_budget(tiers, budget, self._counter)
        return tiers, total, ranking

    def _sources(self, opened: list[OpenFile], selected: set[int]) -> list[tuple[str, dict[str, int], list[str]]]:
        """(path, references, defined names) of tiers 1-2, each file once (open files as on disk now)."""
        sources = {o.path: o.analysis for o in opened if o.analysis is not None}
        for i in sorted(selected):
            sources.setdefault(self._index.files[i].path, self._index.files[i].analysis)
        return [(path, a.references, [d.name for d in a.definitions]) for path, a in sources.items()]

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> ContextHarvester:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _paths(draft: TierDraft) -> list[str]:
    return [item.path for item in draft.items if item.path]


def _content_notes(opened: Sequence[OpenFile], index: RepoIndex, tiers: Sequence[Tier]) -> list[str]:
    notes: list[str] = []
    if not index.files:
        notes.append("no indexable files found: only open files can be included")
    shown = {p for tier in tiers[:2] for p in tier.files}
    undecodable = sorted(
        {o.path for o in opened if o.decode_errors}
        | {p for p in shown if p in index.by_path and index.files[index.by_path[p]].analysis.decode_errors}
    )
    if undecodable:
        notes.append(f"not valid UTF-8, shown with U+FFFD replacements: {', '.join(undecodable)}")
    return notes
