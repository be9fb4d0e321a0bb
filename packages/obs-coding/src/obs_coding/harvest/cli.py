"""``obs harvest`` and ``obs index``: the harvester from the command line.

``obs harvest "QUERY" --repo PATH`` shows what an agent would get for a task:
a table of tiers (files, tokens, share of the budget) and the selected files
with the reason each was chosen; ``--json`` prints the same structure for
scripts (paths relative to the repository root, best first). ``obs index``
builds or refreshes the on-disk index with a progress bar, so the first
harvest in an editor is warm. Both exit with status 2 and a one-line message
on bad input (no such repository, open file missing, budget below tier 1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

RepoOption = Annotated[
    Path, typer.Option("--repo", help="Repository root (a git work tree, or any directory).", file_okay=False)
]


def register(app: typer.Typer) -> None:
    """Add ``harvest`` and ``index`` to the ``obs`` app (called from ``obs_coding.cli``)."""
    app.command("harvest", help="Show the tiered context an agent would get for QUERY.")(harvest_command)
    app.command("index", help="Build or refresh the harvest index of a repository.")(index_command)


def harvest_command(
    query: Annotated[str, typer.Argument(help="The task, in words.")],
    repo: RepoOption = Path("."),
    open_files: Annotated[
        list[str] | None,
        typer.Option("--open", help="Open file, repeatable; FILE:LINE also places the cursor there."),
    ] = None,
    budget: Annotated[int | None, typer.Option("--budget", help="Token budget (default 32000).", min=1)] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model whose tokenizer and window apply.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    from ._harvester import DEFAULT_BUDGET_TOKENS, DEFAULT_MODEL, ContextHarvester
    from ._inputs import parse_location
    from ._model import ContextBudgetError

    paths: list[str] = []
    cursor: tuple[str, int] | None = None
    for value in open_files or []:
        path, line = parse_location(value)
        paths.append(path)
        if line is not None and cursor is None:
            cursor = (path, line)
    try:
        with ContextHarvester(
            repo, model=model or DEFAULT_MODEL, budget_tokens=budget or DEFAULT_BUDGET_TOKENS
        ) as harvester:
            context = harvester.harvest(query, open_files=paths, cursor=cursor)
    except (ContextBudgetError, OSError, ValueError) as exc:
        print(f"obs harvest: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(context.to_dict(), indent=2))
        return
    from ._cli_render import print_context

    print_context(context)


def index_command(
    repo: RepoOption = Path("."),
    workers: Annotated[int | None, typer.Option("--workers", help="Processes for a cold index.", min=1)] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Drop cached blobs no file uses any more.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ._harvester import ContextHarvester

    console = Console(stderr=True)
    try:
        harvester = ContextHarvester(repo, workers=workers)
    except (OSError, ValueError) as exc:
        print(f"obs index: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with harvester, Progress(*columns, console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task("parsing and embedding", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        stats = harvester.index(prune=prune, progress=advance)
        summary = {
            "repo": str(harvester.root),
            "index": str(harvester.index_dir),
            "files": stats.files,
            "skipped": dict(stats.skipped),
            "changed": stats.changed,
            "analysed": stats.analysed,
            "embedding_cache_hits": stats.embedding_hits,
            "embedding_cache_misses": stats.embedding_misses,
            "chunks_embedded": stats.chunks_embedded,
            "seconds": round(stats.scan_seconds + stats.embed_seconds, 3),
            "notes": harvester.notes,
        }
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(stats.skipped.items())) or "none"
    Console().print(
        f"indexed [bold]{stats.files}[/] files in {summary['seconds']}s "
        f"({stats.embedding_misses} embedded, {stats.embedding_hits} from cache; skipped: {skipped})\n"
        f"index: {harvester.index_dir}"
    )
    for note in harvester.notes:
        Console().print(f"[yellow]note:[/] {note}")
