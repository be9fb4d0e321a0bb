"""Tiered context harvesting: what of a repository goes into a coding agent's window, and why.

``ContextHarvester(repo).harvest(query, open_files=..., cursor=...)`` returns a
:class:`TieredContext`:

1. open files and the cursor region, always in;
2. files ranked for the query by dense similarity (FAISS over chunk vectors),
   BM25 over identifier sub-words and paths, and git history (commit messages,
   co-change, recency), the bulk of the budget;
3. signatures and docstrings of symbols tiers 1-2 use but do not contain,
   resolved through a tree-sitter def/ref graph;
4. a repository map of signatures for what budget is left;

plus the recent commits of the selected files. Every tier reports its tokens
(exact, offline tiktoken via obs-core) and why each block is there; the
rendered text never exceeds the budget. The facade is lazy (PEP 562), so the
``obs`` CLI and index worker processes do not import what they do not use.
"""

from typing import TYPE_CHECKING

from obs_coding._lazy import lazy_exports

if TYPE_CHECKING:
    from ._budget import TierShares
    from ._embedder import HashedEmbedder, embedder_key
    from ._harvester import DEFAULT_BUDGET_TOKENS, DEFAULT_MODEL, ContextHarvester
    from ._index import RefreshStats
    from ._inputs import Cursor, OpenPath, parse_location
    from ._languages import LANGUAGES, language_for_path
    from ._minilm import minilm_embedder
    from ._model import ContextBudgetError, HarvestStats, Tier, TieredContext, TierItem
    from ._rank import RankedFile, RankWeights
    from ._tags import Definition, FileTags, extract_tags

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "TierShares": "._budget",
        "HashedEmbedder": "._embedder",
        "embedder_key": "._embedder",
        "DEFAULT_BUDGET_TOKENS": "._harvester",
        "DEFAULT_MODEL": "._harvester",
        "ContextHarvester": "._harvester",
        "RefreshStats": "._index",
        "Cursor": "._inputs",
        "OpenPath": "._inputs",
        "parse_location": "._inputs",
        "LANGUAGES": "._languages",
        "language_for_path": "._languages",
        "minilm_embedder": "._minilm",
        "ContextBudgetError": "._model",
        "HarvestStats": "._model",
        "Tier": "._model",
        "TierItem": "._model",
        "TieredContext": "._model",
        "RankWeights": "._rank",
        "RankedFile": "._rank",
        "Definition": "._tags",
        "FileTags": "._tags",
        "extract_tags": "._tags",
    },
)

__all__ = [
    "DEFAULT_BUDGET_TOKENS",
    "DEFAULT_MODEL",
    "LANGUAGES",
    "ContextBudgetError",
    "ContextHarvester",
    "Cursor",
    "Definition",
    "FileTags",
    "HarvestStats",
    "HashedEmbedder",
    "OpenPath",
    "RankWeights",
    "RankedFile",
    "RefreshStats",
    "Tier",
    "TierItem",
    "TierShares",
    "TieredContext",
    "embedder_key",
    "extract_tags",
    "language_for_path",
    "minilm_embedder",
    "parse_location",
]
