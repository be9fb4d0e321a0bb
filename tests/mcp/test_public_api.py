"""The public surface of obs_mcp and obs_core.breaker is pinned: changing it is a deliberate act."""

from __future__ import annotations

import obs_core.breaker
import obs_mcp
import typer
from obs_mcp.cli import app


def test_obs_mcp_public_api() -> None:
    assert sorted(obs_mcp.__all__) == [
        "BREAKER_META_KEY",
        "ClientObserver",
        "ObsServerMiddleware",
        "ObsTransport",
        "ObservedDispatcher",
        "ProxyConfig",
        "instrument_client",
        "instrument_server",
        "run_proxy",
        "uninstrument_client",
        "uninstrument_server",
    ]
    for name in obs_mcp.__all__:
        assert getattr(obs_mcp, name) is not None


def test_breaker_public_api() -> None:
    assert sorted(obs_core.breaker.__all__) == [
        "BreakerConfig",
        "BreakerDecision",
        "BreakerObserver",
        "BreakerRegistry",
        "BreakerSnapshot",
        "BreakerState",
        "BreakerTelemetry",
        "BreakerTransition",
        "CircuitBreaker",
        "Clock",
        "ManualClock",
        "SYSTEM_CLOCK",
        "SystemClock",
    ]


def test_cli_entry_point_is_a_typer_group_with_proxy() -> None:
    assert isinstance(app, typer.Typer)
    assert [c.name or (c.callback.__name__ if c.callback else None) for c in app.registered_commands] == ["proxy"]
