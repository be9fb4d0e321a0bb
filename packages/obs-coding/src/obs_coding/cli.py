"""obs-coding's commands on the ``obs`` CLI: ``outcome scan``, ``hook claude-code|install|flush``, ``ingest``.

Registered through the ``obs.cli`` entry point (``coding = "obs_coding.cli:register"``),
together with the harvester's commands when ``obs_coding.harvest.cli`` exists.
Heavy imports (git, the SDK) happen inside the commands, so ``obs --help``
stays fast and a broken optional piece cannot take the other commands down.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import importlib.util
import io
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from obs_coding.ledger import LEDGER_FILE

if TYPE_CHECKING:
    from obs_coding.ledger import Ledger

outcome_app = typer.Typer(
    help="What became of AI edits: accepted, modified, reverted; survival over time.", rich_markup_mode=None
)
hook_app = typer.Typer(
    help="CLI-agent integration: record Claude Code hook events; install the hooks.", rich_markup_mode=None
)

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", envvar="OBS_STORE", help="Telemetry store (default: .obs/telemetry.db).", dir_okay=False),
]
LedgerOption = Annotated[
    Path | None,
    typer.Option(
        "--ledger", envvar="OBS_CODING_DB", help="Coding ledger (default: coding.db beside the store).", dir_okay=False
    ),
]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def register(app: typer.Typer) -> None:
    """Add obs-coding's command groups (and the harvester's, when installed) to the ``obs`` app."""
    app.add_typer(outcome_app, name="outcome")
    app.add_typer(hook_app, name="hook")
    app.command("ingest")(ingest)
    if importlib.util.find_spec("obs_coding.harvest.cli") is not None:
        try:
            importlib.import_module("obs_coding.harvest.cli").register(app)
        except Exception as exc:  # noqa: BLE001 - the harvester's commands failing must not hide these
            print(f"obs: harvest commands failed to load: {exc}", file=sys.stderr)


def parse_duration(text: str) -> int:
    """``90``, ``45m``, ``72h``, ``14d``, ``2w`` → seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise typer.BadParameter(f"{text!r} is not a duration like 72h or 14d")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def parse_since(text: str, *, now_s: float | None = None) -> int:
    """An ISO date/time (UTC when no offset) or a duration back from now (``14d``) → nanoseconds."""
    try:
        seconds = parse_duration(text)
    except typer.BadParameter:
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise typer.BadParameter(f"{text!r} is neither a date (2025-03-01) nor a duration (14d)") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return int(moment.timestamp()) * 1_000_000_000
    return int(((time.time() if now_s is None else now_s) - seconds) * 1e9)


def _fail(message: str) -> NoReturn:
    """One line on stderr that says what to do, exit 1: the CLI never shows a traceback for bad input."""
    typer.echo(f"obs: {message}", err=True)
    raise typer.Exit(1)


@contextlib.contextmanager
def _open_ledger(path: Path, *, must_exist: bool) -> Iterator[Ledger]:
    """The coding ledger at ``path``; a missing (when required), unreadable or foreign file ends the command."""
    from obs_coding.ledger import Ledger, LedgerError

    if must_exist and not path.exists():
        _fail(
            f"no coding ledger at {path}: record some edits first (Claude Code hooks: `obs hook install"
            " --claude-code`; `obs ingest`; CodingSession), or point --ledger / OBS_CODING_DB at one"
        )
    try:
        ledger = Ledger(path)
    except (LedgerError, OSError) as exc:
        _fail(str(exc))
    with ledger:
        yield ledger


def _store(store: Path | None) -> Path:
    from obs_core.store import default_store_path

    return store if store is not None else default_store_path()


def _ledger_path(ledger: Path | None, store: Path, repo: Path | None = None) -> Path:
    if ledger is not None:
        return ledger
    beside = store.parent / LEDGER_FILE
    if not beside.exists() and repo is not None and (repo / ".obs" / LEDGER_FILE).exists():
        return repo / ".obs" / LEDGER_FILE
    return beside


@outcome_app.command("scan")
def outcome_scan(
    repo: Annotated[Path, typer.Option("--repo", help="Repository to scan.", file_okay=False)] = Path("."),
    since: Annotated[str | None, typer.Option(help="Only edits after this (2025-03-01, or 14d back).")] = None,
    window: Annotated[str, typer.Option(help="Changes this long after the commit count as modified.")] = "72h",
    horizons: Annotated[str, typer.Option(help="Survival horizons in days.")] = "1,7,14,30",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    emit: Annotated[bool, typer.Option(help="Emit spans/metrics for edits whose class changed.")] = True,
    store: StoreOption = None,
    ledger: LedgerOption = None,
) -> None:
    """Recompute every AI edit's outcome from git; print acceptance and survival tables."""
    from obs_coding.outcome import record_outcome_spans, scan_repository

    store_path = _store(store)
    ledger_path = _ledger_path(ledger, store_path, repo.resolve())
    try:
        days = tuple(int(h) for h in horizons.split(",") if h.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"--horizons {horizons!r}: comma-separated whole days") from exc
    with _open_ledger(ledger_path, must_exist=True) as db:
        try:
            report = scan_repository(
                repo,
                db,
                since_ns=parse_since(since) if since else None,
                window_s=parse_duration(window),
                horizons_days=days,
            )
        except ValueError as exc:
            _fail(str(exc))
        emitted = record_outcome_spans(db, report, now_ns=time.time_ns()) if emit else 0
    if emitted:
        from obs_coding.export import run_export

        run_export(ledger_path, store_path=store_path, service_name="obs-outcome", kinds=("outcome", "edit_outcome"))
    if as_json:
        sys.stdout.write(json.dumps({**report.to_json(), "emitted": emitted}, indent=2) + "\n")
        return
    from ._render import print_scan

    print_scan(report, emitted=emitted)


@hook_app.command("claude-code")
def hook_claude_code() -> None:
    """Record one Claude Code hook payload from stdin (always exits 0; install with `obs hook install`)."""
    from obs_coding.hooks import run_hook

    raise typer.Exit(run_hook("claude-code", sys.stdin.buffer.read()))


@hook_app.command("install")
def hook_install(
    claude_code: Annotated[bool, typer.Option("--claude-code", help="Install the Claude Code hooks.")] = False,
    project: Annotated[bool, typer.Option("--project", help=".claude/settings.json (default).")] = False,
    local: Annotated[bool, typer.Option("--local", help=".claude/settings.local.json (not committed).")] = False,
    user: Annotated[bool, typer.Option("--user", help="~/.claude/settings.json.")] = False,
    uninstall: Annotated[bool, typer.Option("--uninstall", help="Remove exactly the entries obs added.")] = False,
    directory: Annotated[Path, typer.Option("--dir", help="Project directory.", exists=True, file_okay=False)] = Path(
        "."
    ),
    command: Annotated[str | None, typer.Option(help="Hook command (default: obs-hook claude-code).")] = None,
) -> None:
    """Merge obs's hook entries into Claude Code's settings (or take them out with --uninstall)."""
    from obs_coding.hooks import Scope, SettingsError, install, settings_path
    from obs_coding.hooks import uninstall as remove

    if not claude_code:
        typer.echo("obs: say which client: --claude-code", err=True)
        raise typer.Exit(2)
    if sum((project, local, user)) > 1:
        typer.echo("obs: choose one of --project, --local, --user", err=True)
        raise typer.Exit(2)
    scope: Scope = "user" if user else "local" if local else "project"
    path = settings_path(scope, directory.resolve())
    try:
        result = remove(path) if uninstall else install(path, command)
    except SettingsError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot update {path}: {exc.strerror or exc}")
    verb = "removed" if uninstall else "added"
    typer.echo(f"{path}: {verb} {result.changed} obs hook entr{'y' if result.changed == 1 else 'ies'}")


@hook_app.command("flush")
def hook_flush(store: StoreOption = None, ledger: LedgerOption = None) -> None:
    """Export recorded spans that are finished but not exported yet (e.g. after a crash)."""
    from obs_coding.export import run_export

    store_path = _store(store)
    ledger_path = _ledger_path(ledger, store_path)
    with _open_ledger(ledger_path, must_exist=True):
        pass  # refuse a missing or unusable ledger here, before the exporter creates files
    count = run_export(ledger_path, store_path=store_path, service_name="claude-code")
    typer.echo(f"exported {count} spans to {store_path}")


def ingest(
    source: Annotated[str, typer.Argument(help="JSON-lines file, or - for stdin (docs/ingest-format.md).")],
    repo: Annotated[Path | None, typer.Option(help="Repository for relative edit paths.", file_okay=False)] = None,
    export: Annotated[bool, typer.Option(help="Export each task to the store as it ends.")] = True,
    store: StoreOption = None,
    ledger: LedgerOption = None,
) -> None:
    """Record coding-agent events from any client; prints a traceparent line per prompt."""
    from obs_coding.export import ExportSession
    from obs_coding.ingest import Ingestor, IngestStats
    from obs_coding.recorder import Recorder

    store_path = _store(store)
    exported = 0
    try:
        # Undecodable bytes become U+FFFD: that line is then reported as bad JSON instead of ending the run.
        handle = None if source == "-" else Path(source).open(encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror or exc}; give a JSON-lines file, or - for stdin")
    if handle is None and isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    with handle or contextlib.nullcontext(), _open_ledger(_ledger_path(ledger, store_path), must_exist=False) as db:
        exporter = ExportSession(db, store_path=store_path, service_name="obs-ingest") if export else None
        try:
            ingestor = Ingestor(
                Recorder(db, client="ingest"),
                out=sys.stdout,
                default_repo=repo,
                on_task_done=exporter.flush if exporter is not None else None,
            )
            stats: IngestStats = ingestor.ingest_lines(handle or sys.stdin)
        finally:
            if exporter is not None:
                exporter.close()
                exported = exporter.exported
    for error in stats.errors:
        typer.echo(f"obs ingest: {error}", err=True)
    summary: dict[str, Any] = {"events": stats.events, "skipped": stats.skipped, "errors": len(stats.errors)}
    summary["tasks"], summary["exported_spans"] = stats.tasks, exported
    typer.echo(f"obs ingest: {json.dumps(summary)}", err=True)
    if stats.errors and not stats.events:
        raise typer.Exit(1)
