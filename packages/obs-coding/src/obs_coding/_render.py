"""Tables for ``obs outcome scan``: acceptance by group, then line survival by horizon."""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from obs_coding.outcome import ScanReport


def _console() -> Console:
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(width=160 if wide else None, highlight=False, soft_wrap=False)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def print_scan(report: ScanReport, *, emitted: int = 0) -> None:
    out = _console()
    counts = report.counts()
    frameworks = ", ".join(f"{eco}: {fw}" for eco, fw in sorted(report.frameworks.items())) or "none detected"
    # The repository path and the groups (model names) are data: they go to rich as Text, so "[...]" in
    # them is printed as it is instead of being parsed as markup.
    out.print(Text(f"{report.repo}: {len(report.outcomes)} AI edits; frameworks: {frameworks}"))
    out.print("  " + "  ".join(f"{k} {v}" for k, v in counts.items()))
    table = Table(title="Acceptance (accepted / (accepted + modified + reverted))", title_justify="left")
    for header in ("by", "group"):
        table.add_column(header)
    for header in ("accepted", "modified", "reverted", "pending", "superseded", "acceptance", "kept"):
        table.add_column(header, justify="right")
    for dimension, rows in report.rates.items():
        for row in rows:
            table.add_row(
                dimension,
                Text(row.group),
                str(row.accepted),
                str(row.modified),
                str(row.reverted),
                str(row.pending),
                str(row.superseded),
                _pct(row.acceptance_rate),
                _pct(row.kept_rate),
            )
    out.print(table)
    survival = Table(title="Line survival after the commit (blame -M -C -C)", title_justify="left")
    for header in ("horizon", "lines", "survived", "censored", "survival"):
        survival.add_column(header, justify="right")
    for s in report.survival:
        survival.add_row(f"{s.horizon_days}d", str(s.lines), str(s.survived), str(s.censored), _pct(s.rate))
    out.print(survival)
    if emitted:
        out.print(f"{emitted} edits changed class: outcome spans emitted into their task traces.")
