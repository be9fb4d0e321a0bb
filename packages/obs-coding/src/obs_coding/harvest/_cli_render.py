"""Rich tables for ``obs harvest``: tiers with their share of the budget, then the selected blocks."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ._model import TieredContext


def print_context(context: TieredContext, console: Console | None = None) -> None:
    out = console or Console()
    # Text, not markup: a query or a path may contain "[...]".
    tiers = Table(title=Text(f"Harvest for {context.query!r}"), title_justify="left")
    tiers.add_column("tier")
    tiers.add_column("what")
    tiers.add_column("files", justify="right")
    tiers.add_column("tokens", justify="right")
    tiers.add_column("share of budget", justify="right")
    for tier in context.tiers:
        share = tier.tokens / context.budget_tokens if context.budget_tokens else 0.0
        tiers.add_row(tier.id, tier.title, str(len(tier.files)), f"{tier.tokens:,}", f"{share:.1%}")
    window = (
        f", {context.window_fill_ratio:.1%} of the {context.window_tokens:,}-token window"
        if (context.window_fill_ratio is not None and context.window_tokens)
        else ""
    )
    tiers.caption = (
        f"{context.total_tokens:,} of {context.budget_tokens:,} tokens ({context.fill_ratio:.1%} of budget{window}); "
        f"{context.stats.files_selected} of {context.stats.files_scanned} files selected"
    )
    out.print(tiers)
    files = Table(title="Selected", title_justify="left")
    files.add_column("tier")
    # The path is what a reader acts on, so it gets the width (folded, never cut short); the reason it
    # was chosen goes under it rather than in a column of its own that squeezes it on a narrow terminal.
    files.add_column("path and why", overflow="fold", ratio=1)
    files.add_column("kind")
    files.add_column("tokens", justify="right")
    for tier in context.tiers:
        for item in tier.items:
            cell = Text(item.path or "-")
            if item.why:
                cell.append("\n" + item.why, style="dim")
            files.add_row(tier.id, cell, item.kind, f"{item.tokens:,}")
    out.print(files)
    for note in context.notes:
        out.print(Text.assemble(("note: ", "yellow"), note))
