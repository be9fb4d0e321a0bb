"""Tool breakers at the client's tools/call boundary (in-process and over stdio, with a manual clock)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import TextContent
from obs_core import semconv as sc
from obs_core.breaker import BreakerConfig, BreakerRegistry, BreakerState, ManualClock
from obs_core.testing import TelemetryCapture
from obs_mcp import BREAKER_META_KEY, ObsTransport, instrument_client
from opentelemetry.trace import SpanKind

from .apps import DemoState, demo_server
from .conftest import STEP_TIMEOUT_S, fault_server_command, providers, server_env, stdio_params

WALL0 = 1_700_000_000.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_wall=WALL0)


def _registry(capture: TelemetryCapture, clock: ManualClock, **overrides: Any) -> BreakerRegistry:
    config = BreakerConfig(
        **{"window_size": 10, "minimum_calls": 4, "consecutive_failures": 3, "open_duration_s": 30, **overrides}
    )
    return BreakerRegistry(config, clock=clock, **providers(capture))


def _transitions(capture: TelemetryCapture) -> dict[tuple[str, str, str], float]:
    return {
        (
            str((p.attributes or {})[sc.OBS_BREAKER_NAME]),
            str((p.attributes or {})[sc.OBS_BREAKER_PREVIOUS_STATE]),
            str((p.attributes or {})[sc.OBS_BREAKER_STATE]),
        ): getattr(p, "value", 0)
        for p in capture.metric_points(sc.OBS_BREAKER_TRANSITIONS)
    }


def _text(result: Any) -> str:
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # direct dispatcher / JSON-RPC with the refusal wrapper
async def test_open_breaker_answers_with_a_degraded_result_then_recovers(
    capture: TelemetryCapture, clock: ManualClock, mode: str
) -> None:
    state = DemoState()
    registry = _registry(capture, clock)
    client = instrument_client(Client(demo_server(state), mode=mode), breakers=registry, **providers(capture))
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            for _ in range(3):
                assert (await client.call_tool("broken", {})).is_error
            assert registry.get("demo/broken").state is BreakerState.OPEN
            clock.advance(10)
            refused = await client.call_tool("broken", {})
            assert (await client.call_tool("add", {"a": 1, "b": 1})).structured_content == {"result": 2}
            clock.advance(20)
            state.failing = False
            probe = await client.call_tool("broken", {})
            after = await client.call_tool("broken", {})
    assert state.calls["broken"] == 5  # 3 failures + probe + after; the refused call never reached the server
    assert refused.is_error
    assert _text(refused) == (
        "Tool 'broken' on MCP server 'demo' is temporarily unavailable and was not called: it failed several "
        "times in a row, so the circuit breaker is open. It will be retried after 2023-11-14T22:13:50Z (in 20s). "
        "Continue without it or try again later."
    )
    assert refused.meta == {
        BREAKER_META_KEY: {
            "name": "demo/broken",
            "state": "open",
            "retryAt": "2023-11-14T22:13:50Z",
            "retryInSeconds": 20,
        }
    }
    assert (probe.is_error, after.is_error) == (False, False)
    assert _transitions(capture) == {
        ("demo/broken", "closed", "open"): 1,
        ("demo/broken", "open", "half_open"): 1,
        ("demo/broken", "half_open", "closed"): 1,
    }
    assert capture.metric_sum(sc.OBS_BREAKER_REJECTED, obs__breaker__name="demo/broken") == 1
    assert capture.metric_sum(sc.OBS_MCP_CLIENT_ERRORS, error__type="circuit_open") == 1
    spans = [s for s in capture.spans() if s.name == "tools/call broken" and s.kind is SpanKind.CLIENT]
    assert [[(e.name, (e.attributes or {})[sc.OBS_BREAKER_STATE]) for e in s.events] for s in spans] == [
        [],
        [],
        [("obs.breaker.transition", "open")],
        [],
        [("obs.breaker.transition", "half_open"), ("obs.breaker.transition", "closed")],
        [],
    ]
    assert (spans[3].attributes or {})[sc.ERROR_TYPE] == "circuit_open"


async def test_tool_errors_can_be_left_out_of_the_count(capture: TelemetryCapture, clock: ManualClock) -> None:
    registry = _registry(capture, clock)
    client = instrument_client(Client(demo_server()), breakers=registry, count_tool_errors=False, **providers(capture))
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            for _ in range(6):
                assert (await client.call_tool("broken", {})).is_error
    assert registry.get("demo/broken").state is BreakerState.CLOSED
    assert _transitions(capture) == {}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_timeouts_count_and_half_open_admits_one_probe(
    capture: TelemetryCapture, clock: ManualClock, mode: str
) -> None:
    state = DemoState()
    registry = _registry(capture, clock, consecutive_failures=2)
    client = instrument_client(Client(demo_server(state), mode=mode), breakers=registry, **providers(capture))
    results: list[bool] = []
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            for _ in range(2):
                with pytest.raises(MCPError):
                    await client.call_tool("slow", {"seconds": 30}, read_timeout_seconds=0.05)
            assert registry.get("demo/slow").snapshot().state is BreakerState.OPEN
            clock.advance(30)

            async def call() -> None:
                results.append((await client.call_tool("slow", {"seconds": 0.2})).is_error)

            async with anyio.create_task_group() as tg:
                for _ in range(3):
                    tg.start_soon(call)
    assert sorted(results) == [False, True, True]  # one probe went through, two were refused while it ran
    assert state.calls["slow"] == 3
    assert registry.get("demo/slow").state is BreakerState.CLOSED
    opened = next(
        e for s in capture.spans() for e in s.events if (e.attributes or {}).get(sc.OBS_BREAKER_STATE) == "open"
    )
    assert (opened.attributes or {})[sc.OBS_BREAKER_FAILURE_REASON] == "timeout"


async def test_fault_server_over_stdio_drives_the_full_cycle(
    capture: TelemetryCapture, clock: ManualClock, tmp_path: Path
) -> None:
    """A real server process: failures at a set rate open the breaker, a hang times out, a crash is a transport error."""
    registry = _registry(capture, clock, consecutive_failures=0, window_size=4, failure_rate_threshold=0.5)
    params = stdio_params(fault_server_command(), server_env(tmp_path))
    transport = ObsTransport.stdio(params, breakers=registry, **providers(capture))
    outcomes: list[str] = []
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(transport) as client:
            await client.call_tool("set_fault_rate", {"rate": 0.5})
            for _ in range(5):  # ok, fail, ok, fail -> 50% of 4: open; the 5th is refused
                result = await client.call_tool("flaky", {})
                outcomes.append("refused" if result.meta and BREAKER_META_KEY in result.meta else str(result.is_error))
            clock.advance(30)
            await client.call_tool("set_fault_rate", {"rate": 0})
            probe = await client.call_tool("flaky", {})
            with pytest.raises(MCPError):
                await client.call_tool("hang", {"seconds": 30}, read_timeout_seconds=0.1)
            with pytest.raises(MCPError):
                await client.call_tool("crash", {})
    assert outcomes == ["False", "True", "False", "True", "refused"]
    assert _text(probe) == "ok 1"
    assert _transitions(capture) == {
        ("fault-server/flaky", "closed", "open"): 1,
        ("fault-server/flaky", "open", "half_open"): 1,
        ("fault-server/flaky", "half_open", "closed"): 1,
    }
    errors = {
        s.name: (s.attributes or {}).get(sc.ERROR_TYPE) for s in capture.spans() if s.name.startswith("tools/call h")
    }
    crash = capture.spans_named("tools/call crash")
    assert errors == {"tools/call hang": "timeout"}
    assert [(s.attributes or {}).get(sc.ERROR_TYPE) for s in crash] == ["transport_error"]
    (session,) = capture.metric_points(sc.METRIC_MCP_CLIENT_SESSION_DURATION)
    assert (session.attributes or {})[sc.ERROR_TYPE] == "transport_error"


async def test_refusal_on_the_sdks_own_span(sdk_spans: TelemetryCapture, clock: ManualClock) -> None:
    """JSON-RPC path with the SDK's spans recorded: the refused call is that one span, marked, with no exception."""
    registry = _registry(sdk_spans, clock, consecutive_failures=1)
    client = instrument_client(Client(demo_server(), mode="legacy"), breakers=registry, **providers(sdk_spans))
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.call_tool("broken", {})
            refused = await client.call_tool("broken", {})
    assert refused.is_error
    assert refused.meta is not None
    assert BREAKER_META_KEY in refused.meta
    spans = [s for s in sdk_spans.spans() if s.kind is SpanKind.CLIENT and s.name == "tools/call broken"]
    assert [s.instrumentation_scope.name for s in spans if s.instrumentation_scope] == ["mcp-python-sdk"] * 2
    assert [(s.attributes or {})[sc.ERROR_TYPE] for s in spans] == ["tool_error", "circuit_open"]
    assert [e.name for e in spans[1].events] == []
