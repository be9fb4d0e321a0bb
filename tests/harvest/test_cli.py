"""``obs harvest`` and ``obs index`` through typer, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from obs_coding.harvest.cli import register
from typer.testing import CliRunner

from .conftest import SMALL_PROJECT, RepoFactory


def app() -> typer.Typer:
    root = typer.Typer()
    register(root)
    return root


def test_harvest_json_shape(make_repo: RepoFactory) -> None:
    repo = make_repo(SMALL_PROJECT)
    result = CliRunner().invoke(
        app(),
        [
            "harvest",
            "retry with backoff",
            "--repo",
            str(repo),
            "--open",
            "app/render.py:3",
            "--budget",
            "2500",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sorted(data) == [
        "budget_tokens",
        "estimated",
        "fill_ratio",
        "model",
        "notes",
        "query",
        "repo",
        "stats",
        "tiers",
        "tokens_by_tier",
        "total_tokens",
        "window_fill_ratio",
        "window_tokens",
    ]
    assert (data["query"], data["budget_tokens"], data["model"]) == ("retry with backoff", 2500, "claude-sonnet-4-5")
    assert [t["tier"] for t in data["tiers"]] == ["1", "2", "3", "4", "history"]
    tier1, tier2 = data["tiers"][0], data["tiers"][1]
    assert tier1["files"] == ["app/render.py"]
    assert tier1["items"][0]["why"] == "open file with the cursor"
    assert tier2["files"][0] == "app/retry.py"
    assert sorted(tier2) == ["budget", "files", "items", "share", "tier", "title", "tokens"]
    assert tier2["share"] == round(tier2["tokens"] / 2500, 4)
    first = tier2["items"][0]
    assert sorted(first) == ["kind", "path", "score", "signals", "tokens", "why"]
    assert first["why"].startswith("rank 2: ")  # rank 1 is the open file, already in tier 1
    tier_sum = sum(t["tokens"] for t in data["tiers"])
    assert abs(data["total_tokens"] - tier_sum) <= 2 * len(data["tiers"])  # blank lines joining the tiers
    assert data["tokens_by_tier"] == {t["tier"]: t["tokens"] for t in data["tiers"]}
    assert sorted(data["stats"]) == [
        "embedding_cache_hits",
        "embedding_cache_misses",
        "files_scanned",
        "files_selected",
        "seconds",
        "selection_ratio",
        "similarity_threshold",
        "skipped",
    ]


def test_harvest_table(make_repo: RepoFactory) -> None:
    repo = make_repo(SMALL_PROJECT)
    result = CliRunner().invoke(app(), ["harvest", "render a table", "--repo", str(repo)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Harvest for 'render a table'" in result.stdout
    assert "relevant files for the query" in result.stdout
    assert "app/render.py" in result.stdout
    assert "of 32,000 tokens" in result.stdout


def test_harvest_table_keeps_paths_whole_on_a_narrow_terminal(make_repo: RepoFactory) -> None:
    repo = make_repo(SMALL_PROJECT)
    query = "render a [bold]table"  # brackets are text, not rich markup
    chosen = CliRunner().invoke(app(), ["harvest", query, "--repo", str(repo), "--json"])
    paths = {item["path"] for tier in json.loads(chosen.stdout)["tiers"] for item in tier["items"] if item["path"]}
    assert paths
    result = CliRunner().invoke(app(), ["harvest", query, "--repo", str(repo)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert f"Harvest for {query!r}" in result.stdout
    for path in paths:
        assert path in result.stdout
    assert "…" not in result.stdout


def test_harvest_budget_below_tier1_exits_2_with_the_numbers(make_repo: RepoFactory) -> None:
    repo = make_repo(SMALL_PROJECT)
    result = CliRunner().invoke(
        app(), ["harvest", "x", "--repo", str(repo), "--open", "app/policy.py", "--budget", "50"]
    )
    assert result.exit_code == 2
    assert "obs harvest: harvest budget too small: tier 1 (app/policy.py " in result.stderr
    assert "but the budget is 50 tokens" in result.stderr


def test_harvest_missing_repo_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app(), ["harvest", "x", "--repo", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr


def test_index_json_and_text(make_repo: RepoFactory) -> None:
    repo = make_repo({**SMALL_PROJECT, "logo.png": b"\x89PNG\x00"})
    first = CliRunner().invoke(app(), ["index", "--repo", str(repo), "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert (summary["files"], summary["skipped"], summary["embedding_cache_misses"]) == (5, {"binary": 1}, 5)
    assert summary["index"] == str(repo / ".git" / "obs-harvest")
    second = CliRunner().invoke(app(), ["index", "--repo", str(repo)])
    assert second.exit_code == 0
    assert "indexed 5 files" in second.stdout
    assert "0 embedded, 5 from cache; skipped: 1 binary" in second.stdout
