"""``obs demo``: a scripted LangGraph coding agent, observed end to end (see ``_run``).

``register`` imports nothing heavy: the ``obs`` CLI loads every plugin on each
start (including the latency-sensitive ``obs hook``), so LangGraph and the
harvester are imported only when the demo actually runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ._run import DemoError, DemoResult, run_demo

__all__ = ["DemoError", "DemoResult", "register", "run_demo"]


def __getattr__(name: str) -> Any:
    if name in ("DemoError", "DemoResult", "run_demo"):
        from . import _run

        return getattr(_run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(app: typer.Typer) -> None:
    """Add ``obs demo`` to the ``obs`` command."""

    @app.command("demo")
    def demo(
        store: Annotated[
            Path | None, typer.Option("--store", help="Store to write (default: OBS_STORE or .obs/telemetry.db).")
        ] = None,
        workdir: Annotated[
            Path | None, typer.Option("--workdir", help="Where to create the demo repository (default: a temp dir).")
        ] = None,
    ) -> None:
        """Run a scripted coding agent on a throw-away repo, record everything, print the trace and the report."""
        from obs_core.cli import print_report, show_trace

        from ._run import DemoError, run_demo

        try:
            result = run_demo(store, workdir)
        except DemoError as exc:
            typer.echo(f"obs demo: {exc}", err=True)
            raise typer.Exit(1) from None
        show_trace(result.trace_id, result.store)
        print_report(result.store)
        typer.echo(
            f"\nobs demo: task trace {result.trace_id} in {result.store}\n"
            f"  verification attempts: {result.verification_attempts} "
            f"(first attempt passed: {result.first_attempt_passed}); edit outcomes: {result.outcomes}\n"
            f"  the throw-away repository is kept at {result.repo}"
            f" (try: obs outcome scan --repo {result.repo})\n"
            f"  next: obs traces · obs show {result.trace_id[:12]} · obs report · obs prompts"
        )
