"""What a harvest returns: tiers of context with their tokens and the reasons they were chosen.

The point of tiering is that an agent (and a dashboard) can see *why* each
token is in the window: tier 1 because the user has it open, tier 2 because it
ranked for the query (with the scores that made it rank), tier 3 because
selected code calls it, tier 4 because budget was left. ``render()`` is the
exact text an agent would send; ``tokens_by_tier`` adds up to ``total_tokens``
(see there for how blocks are counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TierId = Literal["1", "2", "3", "4", "history"]
ItemKind = Literal["file", "region", "excerpt", "symbols", "outline", "commits"]

TIER_TITLES: dict[str, str] = {
    "1": "open files and cursor",
    "2": "relevant files for the query",
    "3": "referenced symbols defined elsewhere (signatures)",
    "4": "repository map (signatures)",
    "history": "recent commits of the selected files",
}


@dataclass(frozen=True, slots=True)
class TierItem:
    """One block of a tier: a file, an excerpt, a group of signatures or the commit list."""

    path: str
    """Repository-relative path (``""`` for the commit list)."""
    kind: ItemKind
    tokens: int
    """Tokens of this block as rendered (header and fence included)."""
    why: str
    """Why it was selected, in words (``open file``, ``ranked 3: dense 0.41, lexical 0.88, history``...)."""
    score: float | None = None
    """Hybrid relevance score where one applies (tiers 2 and 4; tier 3: reference weight)."""
    signals: dict[str, float] = field(default_factory=dict)
    """Normalised per-signal scores behind ``score`` (dense, lexical, path, history, cochange, recency)."""
    lines: tuple[int, int] | None = None
    """First and last line shown, for regions and excerpts."""
    symbols: tuple[str, ...] = ()
    """Symbols shown (tiers 3 and 4) or the symbol at the cursor (tier 1)."""
    text: str = field(default="", repr=False)
    """The rendered block."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "kind": self.kind, "tokens": self.tokens, "why": self.why}
        if self.score is not None:
            data["score"] = round(self.score, 4)
        if self.signals:
            data["signals"] = {k: round(v, 4) for k, v in self.signals.items()}
        if self.lines is not None:
            data["lines"] = list(self.lines)
        if self.symbols:
            data["symbols"] = list(self.symbols)
        return data


@dataclass(frozen=True, slots=True)
class Tier:
    id: TierId
    title: str
    items: tuple[TierItem, ...]
    tokens: int
    """Tokens of the tier's section: heading, blocks and the blank line after each."""
    budget: int
    """Tokens this tier was allowed (what it could not use flowed to later tiers)."""
    text: str = field(default="", repr=False)

    @property
    def files(self) -> tuple[str, ...]:
        """Paths in this tier, best first, each once."""
        return tuple(dict.fromkeys(item.path for item in self.items if item.path))

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for item in self.items for s in item.symbols))

    def to_dict(self, budget_tokens: int) -> dict[str, Any]:
        return {
            "tier": self.id,
            "title": self.title,
            "tokens": self.tokens,
            "share": round(self.tokens / budget_tokens, 4) if budget_tokens else 0.0,
            "budget": self.budget,
            "files": list(self.files),
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True, slots=True)
class HarvestStats:
    """Numbers about how the harvest was made (also on the harvest span)."""

    files_scanned: int
    """Files in the index after filtering (the population tier 2 ranks)."""
    files_selected: int
    """Files whose content (whole or excerpt) is in tiers 1-2."""
    similarity_threshold: float
    """Minimum hybrid score a file needed to enter tier 2."""
    embedding_cache_hits: int
    embedding_cache_misses: int
    skipped: dict[str, int]
    """Files left out of the index, by reason (vendored, generated, binary, huge, unreadable, symlink)."""
    seconds: float

    @property
    def selection_ratio(self) -> float:
        return self.files_selected / self.files_scanned if self.files_scanned else 0.0


@dataclass(frozen=True, slots=True)
class TieredContext:
    query: str
    repo: str
    """Absolute repository root."""
    model: str | None
    budget_tokens: int
    tiers: tuple[Tier, ...]
    total_tokens: int
    """Tokens of ``render()`` counted block by block (headings and separators included): the sum of
    ``tokens_by_tier``, never above ``budget_tokens``, and at most a token per block boundary above a
    count of the joined text (BPE may merge across a boundary, never split)."""
    stats: HarvestStats
    notes: tuple[str, ...] = ()
    """Limitations met on the way (not a git repo, files not UTF-8, ...)."""
    window_tokens: int | None = None
    """The model's context window, when known."""
    window_fill_ratio: float | None = None
    """``total_tokens`` / window, as measured by obs-core's context-window monitor."""
    estimated: bool = False
    """True when the model's exact tokenizer is not shipped and counts are cl100k estimates."""

    @property
    def tokens_by_tier(self) -> dict[str, int]:
        return {tier.id: tier.tokens for tier in self.tiers}

    @property
    def fill_ratio(self) -> float:
        """Share of the harvest budget used (0..1)."""
        return self.total_tokens / self.budget_tokens if self.budget_tokens else 0.0

    def tier(self, tier_id: str) -> Tier:
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier
        raise KeyError(tier_id)

    def render(self) -> str:
        """The context text, tier order kept."""
        return "\n\n".join(tier.text for tier in self.tiers if tier.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "repo": self.repo,
            "model": self.model,
            "budget_tokens": self.budget_tokens,
            "total_tokens": self.total_tokens,
            "fill_ratio": round(self.fill_ratio, 4),
            "window_tokens": self.window_tokens,
            "window_fill_ratio": None if self.window_fill_ratio is None else round(self.window_fill_ratio, 6),
            "estimated": self.estimated,
            "tokens_by_tier": self.tokens_by_tier,
            "tiers": [tier.to_dict(self.budget_tokens) for tier in self.tiers],
            "stats": {
                "files_scanned": self.stats.files_scanned,
                "files_selected": self.stats.files_selected,
                "selection_ratio": round(self.stats.selection_ratio, 4),
                "similarity_threshold": round(self.stats.similarity_threshold, 4),
                "embedding_cache_hits": self.stats.embedding_cache_hits,
                "embedding_cache_misses": self.stats.embedding_cache_misses,
                "skipped": dict(self.stats.skipped),
                "seconds": round(self.stats.seconds, 4),
            },
            "notes": list(self.notes),
        }


class ContextBudgetError(ValueError):
    """The budget cannot hold what must always be in (tier 1)."""

    def __init__(self, required: int, budget: int, detail: str) -> None:
        self.required = required
        self.budget = budget
        super().__init__(
            f"harvest budget too small: tier 1 ({detail}) needs {required:,} tokens but the budget is "
            f"{budget:,} tokens; raise the budget to at least {required:,} or open fewer/smaller files"
        )
