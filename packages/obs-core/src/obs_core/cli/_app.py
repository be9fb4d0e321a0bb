"""The ``obs`` command and its plugin mechanism.

Other packages add commands through the ``obs.cli`` entry-point group. An
entry point may name a ``typer.Typer`` (added as a sub-command group under the
entry point's name) or a callable ``register(app)`` that adds commands itself.
A plugin that fails to load is reported on stderr and skipped; the rest of the
CLI keeps working.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import typer

ENTRY_POINT_GROUP = "obs.cli"

app = typer.Typer(
    name="obs",
    help="Observability for LLM agents, MCP servers and coding agents: inspect what obs recorded.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: typer's rich formatting costs `obs --help` ~250 ms of imports, and a
    # usage error should read as the one line click prints, not a box.
    rich_markup_mode=None,
)


def load_plugins(root: typer.Typer) -> list[str]:
    """Attach every ``obs.cli`` entry point; return the names that failed to load."""
    failed: list[str] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            target = ep.load()
            if isinstance(target, typer.Typer):
                root.add_typer(target, name=ep.name)
            elif callable(target):
                target(root)
            else:
                raise TypeError(f"{ep.value} is neither a typer.Typer nor a register(app) callable")
        except Exception as exc:  # noqa: BLE001 - one broken plugin must not break the CLI
            failed.append(ep.name)
            print(f"obs: plugin {ep.name!r} ({ep.value}) failed to load: {exc}", file=sys.stderr)
    return failed


def main() -> None:
    """Console-script entry point."""
    from . import _commands  # noqa: F401  (registers the core commands on app)

    load_plugins(app)
    app()
