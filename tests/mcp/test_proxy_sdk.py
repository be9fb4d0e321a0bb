"""An SDK client through the proxy to the Python fault server: trace continuity, content fidelity, breakers."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client
from obs_core import semconv as sc
from obs_core.testing import TelemetryCapture
from obs_mcp import BREAKER_META_KEY, ObsTransport

from .conftest import (
    STEP_TIMEOUT_S,
    fault_server_command,
    providers,
    proxy_command,
    read_server_spans,
    server_env,
    stdio_params,
)
from .test_reference_servers import _Host, _text

pytestmark = pytest.mark.slow


def _trace_of(result: types.CallToolResult) -> str:
    assert result.structured_content is not None
    return str(result.structured_content["trace_id"])


async def test_trace_continues_in_the_server_process_in_process_client(
    capture: TelemetryCapture, tmp_path: Path
) -> None:
    """ObsTransport puts the client span in _meta; the server's spans (another process) join its trace."""
    transport = ObsTransport.stdio(stdio_params(fault_server_command(), server_env(tmp_path)), **providers(capture))
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(transport) as client:
            with capture.tracer_provider.get_tracer("agent").start_as_current_span("agent turn") as turn:
                seen = await client.call_tool("trace_info", {})
    trace_id = f"{turn.get_span_context().trace_id:032x}"
    (client_span,) = capture.spans_named("tools/call trace_info")
    (server_span,) = [s for s in read_server_spans(tmp_path) if s["name"] == "tools/call trace_info"]
    assert _trace_of(seen) == trace_id
    assert (server_span["trace_id"], server_span["parent_id"], server_span["kind"]) == (
        trace_id,
        f"{client_span.context.span_id:016x}",
        "SERVER",
    )


async def test_trace_continues_through_the_proxy(capture: TelemetryCapture, tmp_path: Path) -> None:
    """A plain SDK client (no obs) -> obs proxy -> server: one trace, the proxy's span in the middle."""
    command = proxy_command(*fault_server_command(), options=("--name", "fault"))
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(stdio_params(command, server_env(tmp_path))) as client:
            with capture.tracer_provider.get_tracer("agent").start_as_current_span("agent turn") as turn:
                seen = await client.call_tool("trace_info", {})
    trace_id = f"{turn.get_span_context().trace_id:032x}"
    assert _trace_of(seen) == trace_id
    with sqlite3.connect(tmp_path / "proxy.db") as db:
        ((proxy_span_id, proxy_parent),) = db.execute(
            "SELECT span_id, parent_span_id FROM spans WHERE name = 'tools/call trace_info' AND trace_id = ?",
            (trace_id,),
        ).fetchall()
    (server_span,) = [s for s in read_server_spans(tmp_path) if s["name"] == "tools/call trace_info"]
    assert proxy_parent == f"{turn.get_span_context().span_id:016x}"
    assert (server_span["trace_id"], server_span["parent_id"]) == (trace_id, proxy_span_id)


async def test_large_and_binary_content_and_server_requests_pass_intact(tmp_path: Path) -> None:
    host = _Host()
    command = proxy_command(*fault_server_command())
    size = 2_000_000
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with host.client(command, server_env(tmp_path), mode="legacy") as client:
            big = await client.call_tool("big", {"size": size})
            image = await client.call_tool("image", {"size": 70_000})
            sampled = await client.call_tool("sample", {"prompt": "hello"})
            roots = await client.call_tool("roots", {})
            elicited = await client.call_tool("elicit", {"question": "favourite colour?"})
            chatty = await client.call_tool("chatty", {"steps": 3}, progress_callback=host.on_progress)
    unit = "aé€😀"
    assert _text(big) == (unit * (size // len(unit) + 1))[:size]
    (png,) = [b for b in image.content if isinstance(b, types.ImageContent)]
    assert base64.b64decode(png.data) == bytes(i % 256 for i in range(70_000))
    assert _text(sampled) == "sampled by the host"
    assert roots.structured_content == {"result": ["file:///work/project"]}
    assert _text(elicited) == "accept: blue"
    assert _text(chatty) == "done 3"
    assert host.progress == [1, 2, 3]
    assert host.notifications.count("notifications/message") == 3
    assert host.requests == ["sampling/createMessage", "roots/list", "elicitation/create"]


def _metric(db: sqlite3.Connection, name: str) -> dict[str, float]:
    """Last exported value of a counter per attribute set (the proxy exports cumulative points at exit)."""
    rows = db.execute("SELECT attributes, value FROM metric_points WHERE name = ? ORDER BY time_ns", (name,))
    values: dict[str, float] = {}
    for attributes, value in rows:
        values[attributes] = value
    return values


async def test_breaker_cycle_through_the_proxy(tmp_path: Path) -> None:
    """Failures at a set rate open the breaker, the proxy answers for the tool, then one probe closes it."""
    options = (
        "--name", "fault",
        "--breaker-window", "4",
        "--breaker-min-calls", "4",
        "--breaker-failure-rate", "0.5",
        "--breaker-consecutive", "0",
        "--breaker-open-seconds", "0.5",
    )  # fmt: skip
    command = proxy_command(*fault_server_command(), options=options)
    outcomes: list[str] = []
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(stdio_params(command, server_env(tmp_path))) as client:
            await client.call_tool("set_fault_rate", {"rate": 0.5})
            for _ in range(6):
                result = await client.call_tool("flaky", {})
                refused = bool(result.meta and BREAKER_META_KEY in result.meta)
                outcomes.append("refused" if refused else ("error" if result.is_error else "ok"))
            refusal = _text(result)
            await anyio.sleep(0.6)  # the open period; waiting is the behaviour under test, nothing is timed
            await client.call_tool("set_fault_rate", {"rate": 0})
            probe = await client.call_tool("flaky", {})
            after = await client.call_tool("flaky", {})
    assert outcomes == ["ok", "error", "ok", "error", "refused", "refused"]
    assert "Tool 'flaky' on MCP server 'fault' is temporarily unavailable" in refusal
    assert (_text(probe), _text(after)) == ("ok 1", "ok 2")
    with sqlite3.connect(tmp_path / "proxy.db") as db:
        transitions = {
            (json.loads(a)[sc.OBS_BREAKER_PREVIOUS_STATE], json.loads(a)[sc.OBS_BREAKER_STATE]): v
            for a, v in _metric(db, sc.OBS_BREAKER_TRANSITIONS).items()
        }
        rejected = sum(_metric(db, sc.OBS_BREAKER_REJECTED).values())
        events = db.execute(
            "SELECT s.name, e.attributes FROM span_events e JOIN spans s USING (trace_id, span_id) "
            "WHERE e.name = 'obs.breaker.transition' ORDER BY e.time_ns"
        ).fetchall()
    assert transitions == {("closed", "open"): 1, ("open", "half_open"): 1, ("half_open", "closed"): 1}
    assert rejected == 2
    assert [(name, json.loads(attrs)[sc.OBS_BREAKER_STATE]) for name, attrs in events] == [
        ("tools/call flaky", "open"),
        ("tools/call flaky", "half_open"),
        ("tools/call flaky", "closed"),
    ]


def test_local_json_rpc_codes_match_the_sdk() -> None:
    from obs_mcp import _attrs

    codes: dict[str, Any] = {
        name: getattr(types, name)
        for name in ("PARSE_ERROR", "INVALID_REQUEST", "CONNECTION_CLOSED", "REQUEST_TIMEOUT")
    }
    assert {name: getattr(_attrs, name) for name in codes} == codes
    assert min(types.version.MODERN_PROTOCOL_VERSIONS) == _attrs.MODERN_PROTOCOL_SINCE
