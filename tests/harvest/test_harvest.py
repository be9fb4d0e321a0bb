"""Harvest behaviour: tiers, budget, open files and cursor, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from obs_coding.harvest import ContextBudgetError, TieredContext
from obs_core import count_tokens

from .conftest import SMALL_PROJECT, HarvesterFactory, RepoFactory, commit, git, write


def tier_files(context: TieredContext) -> dict[str, tuple[str, ...]]:
    return {tier.id: tier.files for tier in context.tiers}


def test_tiers_for_a_query(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    context = harvester_for(root).harvest("retry the request with backoff on timeout", budget_tokens=3000)
    files = tier_files(context)
    assert files["1"] == ()
    assert files["2"][0] == "app/retry.py"
    assert "app/policy.py" not in files["2"] or files["3"] == ()  # tier 3 only names files outside tiers 1-2
    assert [tier.id for tier in context.tiers] == ["1", "2", "3", "4", "history"]
    assert count_tokens(context.render(), context.model).tokens <= context.total_tokens <= 3000
    assert context.tokens_by_tier == {tier.id: tier.tokens for tier in context.tiers}
    rendered = context.render()
    assert rendered.index("## Tier 2") < rendered.index("## Tier 4") < rendered.index("## History")


def test_tier3_gives_signatures_of_symbols_defined_outside_the_selection(
    tmp_path: Path, harvester_for: HarvesterFactory
) -> None:
    write(tmp_path, SMALL_PROJECT)  # no git: no co-change pulling policy.py into tier 2
    context = harvester_for(tmp_path).harvest("render an html table", open_files=["app/retry.py"], budget_tokens=900)
    assert "app/policy.py" not in context.tier("2").files
    tier3 = context.tier("3")
    assert tier3.files == ("app/policy.py",)
    assert set(tier3.symbols) == {"BackoffPolicy", "jitter", "delays"}
    text = tier3.items[0].text
    assert "class BackoffPolicy:" in text
    assert "def jitter(delay: float) -> float:" in text
    assert '"""Exponential backoff between attempts."""' in text
    assert "return delay * 1.1" not in text  # structure, not bodies
    assert tier3.items[0].why == "referenced from app/retry.py"


@pytest.mark.parametrize("budget", [300, 700, 1500, 4000, 30000])
def test_rendered_context_never_exceeds_the_budget(
    make_repo: RepoFactory, harvester_for: HarvesterFactory, budget: int
) -> None:
    files = dict(SMALL_PROJECT)
    files.update(
        {
            f"lib/module_{i}.py": f'"""Helpers {i} for retry and render."""\n\n'
            + "".join(
                f'def helper_{i}_{j}(value: int) -> int:\n    """Helper {j}."""\n    return value * {j}\n\n'
                for j in range(40)
            )
            for i in range(6)
        }
    )
    root = make_repo(files)
    context = harvester_for(root).harvest("retry render helpers", budget_tokens=budget)
    exact = count_tokens(context.render(), context.model).tokens
    assert exact <= context.total_tokens <= budget
    assert context.total_tokens - exact <= sum(len(t.items) + 1 for t in context.tiers)  # separators, no more
    assert all(tier.tokens <= tier.budget for tier in context.tiers if tier.id != "1")
    if 700 <= budget <= 1500:  # beyond that this small repository runs out of relevant content
        assert context.fill_ratio > 0.8, context.tokens_by_tier


def test_large_file_contributes_excerpts(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    body = "".join(f"def filler_{i}(x):\n    return x + {i}\n\n" for i in range(300))
    body += 'def parse_invoice_total(invoice):\n    """Sum invoice lines."""\n    return sum(invoice.lines)\n'
    root = make_repo({"big.py": body, "small.py": "def other():\n    pass\n"})
    context = harvester_for(root).harvest("parse invoice total", budget_tokens=1500)
    item = context.tier("2").items[0]
    assert (item.path, item.kind) == ("big.py", "excerpt")
    assert "def parse_invoice_total" in item.text
    assert item.lines is not None
    assert item.lines[1] == body.count("\n")


def test_open_file_and_cursor(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    harvester = harvester_for(root)
    context = harvester.harvest("render", open_files=["app/render.py"], cursor="app/policy.py:10")
    tier1 = context.tier("1")
    assert [(i.path, i.kind) for i in tier1.items] == [("app/render.py", "file"), ("app/policy.py", "region")]
    region = tier1.items[1]
    assert region.symbols == ("delays",)
    assert region.lines == (10, 12)
    assert "### app/policy.py (cursor region, lines 10-12, in delays)" in region.text
    opened = harvester.harvest("render", open_files=[root / "app/policy.py"], cursor=("app/policy.py", 7))
    assert opened.tier("1").items[0].text.startswith("### app/policy.py (open, cursor at line 7 in __init__)")
    assert "app/policy.py" not in opened.tier("2").files


def test_budget_smaller_than_tier1_is_a_clear_error(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    with pytest.raises(ContextBudgetError) as caught:
        harvester_for(root).harvest("x", open_files=["app/retry.py", "app/policy.py"], budget_tokens=100)
    error = caught.value
    assert error.budget == 100
    assert error.required > 100
    message = str(error)
    assert message.startswith("harvest budget too small: tier 1 (app/retry.py ")
    assert f"needs {error.required:,} tokens but the budget is 100 tokens" in message
    assert f"raise the budget to at least {error.required:,}" in message


def test_bad_open_files_are_named(make_repo: RepoFactory, harvester_for: HarvesterFactory, tmp_path: Path) -> None:
    harvester = harvester_for(make_repo(SMALL_PROJECT))
    with pytest.raises(FileNotFoundError, match=r"open file nope\.py does not exist"):
        harvester.harvest("x", open_files=["nope.py"])
    with pytest.raises(ValueError, match="is outside the repository"):
        harvester.harvest("x", open_files=[tmp_path])
    with pytest.raises(ValueError, match="needs a 1-based line number"):
        harvester.harvest("x", cursor="app/retry.py")
    with pytest.raises(ValueError, match="positive number of tokens"):
        harvester.harvest("x", budget_tokens=0)


def test_not_a_git_directory_works_without_history(tmp_path: Path, harvester_for: HarvesterFactory) -> None:
    write(tmp_path, SMALL_PROJECT)
    context = harvester_for(tmp_path).harvest("retry with backoff", budget_tokens=2000)
    assert context.notes == ("not a git repository: no history signals or commit section",)
    assert context.tier("2").files[0] == "app/retry.py"
    assert context.tier("history").items == ()
    assert (tmp_path / ".obs/harvest/index.sqlite3").is_file()


def test_empty_repository(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    context = harvester_for(make_repo()).harvest("anything")
    assert context.notes == (
        "git repository has no commits yet: no history signals",
        "no indexable files found: only open files can be included",
    )
    assert context.total_tokens == 0
    assert context.render() == ""
    assert context.stats.files_scanned == 0


def test_uncommitted_files_in_a_fresh_repository(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo()
    write(root, SMALL_PROJECT)
    context = harvester_for(root).harvest("render an html table", budget_tokens=800)
    assert context.tier("2").files[0] == "app/render.py"


def test_non_utf8_file_is_included_with_a_note(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo({"legacy.py": "# caf\xe9 menu\ndef menu_prices():\n    return 1\n".encode("latin-1")})
    context = harvester_for(root).harvest("menu prices")
    assert context.tier("2").files == ("legacy.py",)
    assert "caf\ufffd menu" in context.render()
    assert context.notes[-1] == "not valid UTF-8, shown with U+FFFD replacements: legacy.py"


def test_history_section_lists_commits_of_selected_files(
    make_repo: RepoFactory, harvester_for: HarvesterFactory
) -> None:
    root = make_repo(SMALL_PROJECT, message="Initial import")
    (root / "app/retry.py").write_text(SMALL_PROJECT["app/retry.py"] + "\n# retry jitter tweak\n")
    commit(root, "Retry: add jitter between attempts", date="2026-02-01T00:00:00Z")
    context = harvester_for(root).harvest("retry jitter", budget_tokens=3000)
    lines = context.tier("history").items[0].text.splitlines()
    sha = git(root, "rev-parse", "HEAD").strip()
    assert lines[0] == f"- {sha[:10]} 2026-02-01 Ada: Retry: add jitter between attempts (app/retry.py)"
    assert lines[1].endswith("Ada: Initial import (README.md, app/policy.py, app/render.py, app/retry.py +1)")


def test_commit_messages_are_a_ranking_signal(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    (root / "app/storage.py").write_text(SMALL_PROJECT["app/storage.py"] + "\n")
    commit(root, "Persist invoices in the archive database")
    ranked = harvester_for(root).rank_files("archive invoices")
    assert ranked[0].path == "app/storage.py"
    assert ranked[0].signals["history"] > 0
    assert ranked[0].signals["lexical"] == ranked[0].signals["dense"] == 0.0  # found through history alone


def test_subdirectory_of_a_work_tree(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo({**SMALL_PROJECT, "other/thing.py": "def retry_elsewhere():\n    pass\n"})
    context = harvester_for(root / "app").harvest("retry", budget_tokens=2000)
    assert context.repo == str((root / "app").resolve())
    assert set(context.tier("2").files) <= {"retry.py", "policy.py", "render.py", "storage.py"}
    assert context.tier("history").items[0].text.endswith("(policy.py, render.py, retry.py, storage.py)")
