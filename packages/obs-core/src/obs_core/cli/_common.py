"""What every core command shares: the store option, error exits, JSON and formatting.

Exit codes (documented in the obs-core README): 0 success; 1 the store cannot
answer (missing, not an obs store, too new or too old a schema, unknown trace);
2 the request itself is wrong (malformed or ambiguous trace id, conflicting
flags; click's own usage errors also exit 2). Errors are one line on stderr
that says what to do, never a traceback, and never change the store file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from obs_core.store import StoreCorruptError, StoreError, StoreUsageError, TelemetryStore, default_store_path

EXIT_FAILURE = 1
EXIT_USAGE = 2

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar="OBS_STORE",
        help="Store file to read (default: $OBS_STORE or .obs/telemetry.db).",
        show_default=False,
        dir_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys (see the obs-core README).")]


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print one line on stderr and exit with ``code``."""
    typer.echo(f"obs: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def open_store(path: Path | None) -> Iterator[TelemetryStore]:
    """The store, read-only; every store problem becomes a one-line exit."""
    resolved = path if path is not None else default_store_path()
    try:
        with TelemetryStore.open(resolved) as store:
            yield store
    except StoreUsageError as exc:
        fail(str(exc), EXIT_USAGE)
    except StoreError as exc:
        fail(str(exc))
    except sqlite3.DatabaseError as exc:  # damage the read API did not translate
        fail(str(StoreCorruptError(resolved, str(exc))))


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def console() -> Console:
    """A console on the current stdout; wide when piped so ids and names are not cut."""
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(width=160 if wide else None, highlight=False, soft_wrap=False)


def titled(title: str) -> Table:
    """A table whose title never wraps (rich wraps titles to the table's width).

    The title is plain text, never rich markup: titles can carry data (a plugin section's title).
    """
    return Table(title=Text(title, style="table.title"), title_justify="left", min_width=len(title))


def fmt_cost(usd: float | None) -> str:
    if usd is None:
        return "-"
    if usd == 0:
        return "$0"
    if usd >= 100:
        return f"${usd:,.2f}"
    return f"${usd:.4f}" if usd >= 0.0001 else f"${usd:.6f}"


def fmt_duration(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 0.001:
        return "<1ms"
    if s < 1:
        return f"{s * 1000:.0f}ms"
    if s < 60:
        return f"{s:.2f}s"
    minutes, rest = divmod(s, 60)
    return f"{int(minutes)}m{rest:04.1f}s"


def fmt_int(n: int | float | None) -> str:
    if n is None:
        return "-"
    return f"{n:,.0f}"


def fmt_share(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def fmt_time(iso: str | None) -> str:
    """``2025-01-02T03:04:05.678Z`` as ``2025-01-02 03:04:05``: second precision reads better in tables."""
    return "-" if iso is None else iso[:19].replace("T", " ")
