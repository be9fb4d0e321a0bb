"""``obs semconv`` (the telemetry catalogue) and ``obs migrate`` (schema upgrade)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from obs_core.semconv import catalogue, reference_markdown
from obs_core.store import StoreError, default_store_path, migrate

from ._app import app
from ._common import EXIT_USAGE, StoreOption, console, fail, print_json, titled


@app.command("semconv")
def semconv(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the README's reference table.")] = False,
) -> None:
    """Every span, attribute, metric and event name obs emits, with unit and meaning."""
    if as_json and markdown:
        fail("--json and --markdown are alternatives: give one of them (or neither for a table)", EXIT_USAGE)
    entries = catalogue()
    if as_json:
        print_json({"names": [asdict(e) for e in entries]})
        return
    if markdown:
        typer.echo(reference_markdown(), nl=False)
        return
    table = titled(f"Telemetry catalogue ({len(entries)} names)")
    for header in ("kind", "name", "unit", "instrument", "origin", "meaning"):
        table.add_column(header, no_wrap=header == "name")
    for e in entries:
        table.add_row(e.kind, e.name, e.unit or "-", e.instrument or "-", e.origin, e.brief)
    console().print(table)


@app.command("migrate")
def migrate_command(store: StoreOption = None) -> None:
    """Upgrade a store written by an older obs to this version's schema (readers never do it)."""
    path = store if store is not None else default_store_path()
    try:
        before, after = migrate(path)
    except StoreError as exc:
        fail(str(exc))
    if before == after:
        typer.echo(f"{path} is already at schema version {after}")
    else:
        typer.echo(f"{path} migrated from schema version {before} to {after}")
