"""``obs mcp``: the command group the obs CLI loads through the ``obs.cli`` entry point."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated

import anyio
import typer
from obs_core import ObsRuntime
from obs_core.breaker import BreakerConfig

from ._proxy import SHUTDOWN_GRACE_S, ProxyConfig, run_proxy

app = typer.Typer(
    name="mcp",
    help="MCP instrumentation: run any stdio MCP server behind an instrumenting proxy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_DEFAULTS = BreakerConfig()


@app.callback()
def _group() -> None:
    """MCP instrumentation (traces, metrics and tool circuit breakers for MCP servers)."""


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def proxy(
    command: Annotated[
        list[str] | None, typer.Argument(help="The server command and its arguments, after `--`.", show_default=False)
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Server name in telemetry and breaker keys (default: the name it announces).")
    ] = None,
    breaker: Annotated[bool, typer.Option(help="Guard each tool with a circuit breaker.")] = True,
    breaker_window: Annotated[int, typer.Option(help="Sliding window: the last N calls.")] = _DEFAULTS.window_size,
    breaker_failure_rate: Annotated[
        float, typer.Option(help="Open when this share of the window failed (0-1).")
    ] = _DEFAULTS.failure_rate_threshold,
    breaker_min_calls: Annotated[
        int, typer.Option(help="Calls in the window before the rate rule applies.")
    ] = _DEFAULTS.minimum_calls,
    breaker_consecutive: Annotated[
        int, typer.Option(help="Open after K failures in a row (0: off).")
    ] = _DEFAULTS.consecutive_failures,
    breaker_open_seconds: Annotated[
        float, typer.Option(help="Seconds open before one probe call is let through.")
    ] = _DEFAULTS.open_duration_s,
    count_tool_errors: Annotated[
        bool, typer.Option(help="Count tool results with isError: true as breaker failures.")
    ] = True,
    timeout: Annotated[
        float | None, typer.Option(help="Answer a tools/call with a timeout error after this many seconds.")
    ] = None,
    shutdown_grace: Annotated[
        float,
        typer.Option(help="Seconds the server gets to exit after its stdin closes, and again after SIGTERM."),
    ] = SHUTDOWN_GRACE_S,
    store: Annotated[
        Path | None, typer.Option(help="Embedded store file (default: $OBS_STORE or ./.obs/telemetry.db).")
    ] = None,
    telemetry: Annotated[bool, typer.Option(help="Record telemetry (store, and OTLP via OTEL_* variables).")] = True,
) -> None:
    """Run an MCP server over stdio behind obs: spans, metrics, _meta trace context and tool breakers.

    Example: obs mcp proxy --name git -- uvx mcp-server-git --repository .
    """
    try:
        breaker_config = (
            BreakerConfig(
                window_size=breaker_window,
                failure_rate_threshold=breaker_failure_rate,
                minimum_calls=min(breaker_min_calls, breaker_window),
                consecutive_failures=breaker_consecutive,
                open_duration_s=breaker_open_seconds,
            )
            if breaker
            else None
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    for option, seconds in (("--timeout", timeout), ("--shutdown-grace", shutdown_grace)):
        if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
            raise typer.BadParameter(f"{option} must be a number of seconds > 0, got {seconds}")
    config = ProxyConfig(
        command=tuple(command or ()),
        name=name,
        breaker=breaker_config,
        count_tool_errors=count_tool_errors,
        call_timeout_s=timeout,
        shutdown_grace_s=shutdown_grace,
    )
    runtime = _configure(store) if telemetry else None
    try:
        code = anyio.run(lambda: run_proxy(config, handle_signals=True))
    finally:
        if runtime is not None:
            runtime.shutdown()
    raise typer.Exit(code)


def _configure(store: Path | None) -> ObsRuntime | None:
    """Telemetry to the store (and OTLP when the environment asks); a failure costs telemetry, not the server."""
    from obs_core import configure

    try:
        return configure(service_name="obs-mcp-proxy", store=store if store is not None else True)
    except Exception as exc:  # noqa: BLE001 - the proxy must serve even when telemetry cannot start
        print(f"obs mcp proxy: telemetry disabled ({exc})", file=sys.stderr, flush=True)
        return None
