"""instrument_client on the in-process paths: spans, error types, metrics, notifications, restore."""

from __future__ import annotations

from typing import Any, cast

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import RequestParamsMeta
from obs_core import internal_error_counts
from obs_core import semconv as sc
from obs_core.testing import TelemetryCapture
from obs_mcp import instrument_client, instrument_server, uninstrument_client
from obs_mcp._meta import format_traceparent
from opentelemetry import trace
from opentelemetry.sdk.metrics.export import HistogramDataPoint
from opentelemetry.trace import SpanKind, StatusCode

from .apps import DemoState, demo_server
from .conftest import STEP_TIMEOUT_S, providers

MODERN, LEGACY = "2026-07-28", "2025-11-25"


def _client(capture: TelemetryCapture, state: DemoState, mode: str = "auto", **kwargs: Any) -> Client:
    client = Client(demo_server(state), mode=mode, **kwargs)
    return instrument_client(client, breakers=None, **providers(capture))


def _tool_span_attributes(version: str, tool: str = "add", **extra: Any) -> dict[str, Any]:
    return {
        sc.MCP_METHOD_NAME: "tools/call",
        sc.GEN_AI_TOOL_NAME: tool,
        sc.GEN_AI_OPERATION_NAME: "execute_tool",
        sc.OBS_MCP_SERVER_NAME: "demo",
        sc.NETWORK_TRANSPORT: "inproc",
        sc.MCP_PROTOCOL_VERSION: version,
        **extra,
    }


async def test_direct_path_gets_client_spans_under_the_callers_span(capture: TelemetryCapture) -> None:
    client = _client(capture, DemoState())
    tracer = capture.tracer_provider.get_tracer("app")
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            with tracer.start_as_current_span("agent") as agent:
                result = await client.call_tool("add", {"a": 1, "b": 2})
    assert result.structured_content == {"result": 3}
    (span,) = capture.spans_named("tools/call add")
    assert span.kind is SpanKind.CLIENT
    assert span.parent is not None
    assert span.parent.span_id == agent.get_span_context().span_id
    assert dict(span.attributes or {}) == _tool_span_attributes(MODERN)
    assert span.status.status_code is StatusCode.UNSET


async def test_direct_path_puts_trace_context_in_meta_without_dropping_caller_keys(capture: TelemetryCapture) -> None:
    state = DemoState()
    client = _client(capture, state)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            with capture.tracer_provider.get_tracer("app").start_as_current_span("agent"):
                caller_meta = cast(RequestParamsMeta, {"progressToken": "p1", "custom/key": "kept"})
                await client.call_tool("seen_meta", {}, meta=caller_meta)
    (span,) = capture.spans_named("tools/call seen_meta")
    (meta,) = state.metas
    assert meta["custom/key"] == "kept"
    assert meta["traceparent"] == format_traceparent(span.context)


async def test_legacy_in_memory_without_sdk_spans_creates_its_own(capture: TelemetryCapture) -> None:
    state = DemoState()
    client = _client(capture, state, mode="legacy")
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.call_tool("seen_meta", {})
    (span,) = capture.spans_named("tools/call seen_meta")
    assert dict(span.attributes or {}) == _tool_span_attributes(LEGACY, "seen_meta", **{sc.JSONRPC_REQUEST_ID: "2"})
    assert state.metas[0]["traceparent"] == format_traceparent(span.context)


async def test_sdk_span_is_completed_not_duplicated(sdk_spans: TelemetryCapture) -> None:
    client = _client(sdk_spans, DemoState(), mode="legacy")
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.call_tool("broken", {})
    client_spans = [s for s in sdk_spans.spans() if s.kind is SpanKind.CLIENT and "broken" in s.name]
    assert [(s.name, s.instrumentation_scope and s.instrumentation_scope.name) for s in client_spans] == [
        ("tools/call broken", "mcp-python-sdk")
    ]
    assert dict(client_spans[0].attributes or {}) == _tool_span_attributes(
        LEGACY, "broken", **{sc.JSONRPC_REQUEST_ID: "2", sc.ERROR_TYPE: "tool_error"}
    )
    assert client_spans[0].status.status_code is StatusCode.ERROR


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_error_types(capture: TelemetryCapture, mode: str) -> None:
    client = _client(capture, DemoState(), mode=mode)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            assert (await client.call_tool("broken", {})).is_error
            with pytest.raises(MCPError):
                await client.call_tool("rpc_error", {})
            with pytest.raises(MCPError):
                await client.call_tool("slow", {"seconds": 30}, read_timeout_seconds=0.05)
    errors = {s.name: (s.attributes or {}).get(sc.ERROR_TYPE) for s in capture.spans() if s.kind is SpanKind.CLIENT}
    assert {k: v for k, v in errors.items() if k.startswith("tools/call")} == {
        "tools/call broken": "tool_error",
        "tools/call rpc_error": "-32602",
        "tools/call slow": "timeout",
    }
    (rpc,) = capture.spans_named("tools/call rpc_error")
    assert (rpc.attributes or {})[sc.RPC_RESPONSE_STATUS_CODE] == "-32602"
    assert rpc.status.description == "arguments rejected"


async def test_metrics_use_spec_buckets_and_count_errors_and_retries(capture: TelemetryCapture) -> None:
    client = _client(capture, DemoState())
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.call_tool("add", {"a": 1, "b": 2})
            await client.call_tool("broken", {})
            await client.call_tool("broken", {})
    assert capture.histogram_bounds(sc.METRIC_MCP_CLIENT_OPERATION_DURATION) == sc.MCP_BUCKETS_S
    base = {sc.OBS_MCP_SERVER_NAME: "demo", sc.NETWORK_TRANSPORT: "inproc", sc.MCP_PROTOCOL_VERSION: MODERN}
    durations = {
        tuple(sorted((p.attributes or {}).items())): p.count
        for p in capture.metric_points(sc.METRIC_MCP_CLIENT_OPERATION_DURATION)
        if isinstance(p, HistogramDataPoint) and (p.attributes or {}).get(sc.MCP_METHOD_NAME) == "tools/call"
    }
    tool = {**base, sc.MCP_METHOD_NAME: "tools/call", sc.GEN_AI_OPERATION_NAME: "execute_tool"}
    add = {**tool, sc.GEN_AI_TOOL_NAME: "add"}
    broken = {**tool, sc.GEN_AI_TOOL_NAME: "broken", sc.ERROR_TYPE: "tool_error"}
    assert durations == {tuple(sorted(add.items())): 1, tuple(sorted(broken.items())): 2}
    assert capture.metric_sum(sc.OBS_MCP_CLIENT_ERRORS, error__type="tool_error") == 2
    assert capture.metric_sum(sc.OBS_MCP_CLIENT_RETRIES, obs__retry__reason="tool_error") == 1
    (session,) = capture.metric_points(sc.METRIC_MCP_CLIENT_SESSION_DURATION)
    assert dict(session.attributes or {}) == {
        sc.NETWORK_TRANSPORT: "inproc",
        **{k: v for k, v in base.items() if k != sc.NETWORK_TRANSPORT},
    }


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_progress_notifications_become_span_events(capture: TelemetryCapture, mode: str) -> None:
    client = _client(capture, DemoState(), mode=mode)
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.call_tool("chatty", {"steps": 2}, progress_callback=on_progress)
    (span,) = capture.spans_named("tools/call chatty")
    assert [(e.name, dict(e.attributes or {})) for e in span.events] == [
        (
            "notifications/progress",
            {sc.MCP_METHOD_NAME: "notifications/progress", "obs.mcp.progress": p, "obs.mcp.progress.total": 2},
        )
        for p in (1, 2)
    ]
    assert seen == [1, 2]


async def test_uninstrument_restores_the_sdk_connector(capture: TelemetryCapture) -> None:
    client = Client(demo_server())
    original = client._connect
    assert instrument_client(client, **providers(capture)) is client
    instrument_client(client)  # idempotent
    uninstrument_client(client)
    assert client._connect is original
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.call_tool("add", {"a": 1, "b": 1})
            with pytest.raises(RuntimeError, match="before"):
                instrument_client(client)
    assert capture.spans() == ()


class _ExplodingTracer(trace.NoOpTracer):
    def start_span(self, *args: Any, **kwargs: Any) -> trace.Span:
        raise RuntimeError("tracer bug")


class _ExplodingProvider(trace.NoOpTracerProvider):
    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return _ExplodingTracer()


@pytest.mark.usefixtures("guard_swallows")
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_telemetry_bug_never_breaks_the_call(capture: TelemetryCapture, mode: str) -> None:
    client = instrument_client(Client(demo_server(), mode=mode), tracer_provider=_ExplodingProvider())
    before = internal_error_counts().get("mcp.client.request", 0)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            result = await client.call_tool("add", {"a": 2, "b": 2})
    assert result.structured_content == {"result": 4}
    assert internal_error_counts()["mcp.client.request"] > before


def test_urls_get_the_http_transport_and_stdio_the_pipe() -> None:
    from mcp.client.stdio import StdioServerParameters
    from obs_mcp._client import _transport_for

    http = _transport_for("http://localhost:1/mcp", False, {"breakers": None})
    stdio = _transport_for(StdioServerParameters(command="true"), False, {"breakers": None})
    assert http is not None
    assert stdio is not None
    assert (http.observer.network_transport, stdio.observer.network_transport) == ("tcp", "pipe")


def _client_spans(capture: TelemetryCapture, name: str) -> list[Any]:
    return [s for s in capture.spans() if s.kind is SpanKind.CLIENT and s.name == name]


def _point_attributes(capture: TelemetryCapture, method: str) -> list[dict[str, Any]]:
    return [
        dict(p.attributes or {})
        for p in capture.metric_points(sc.METRIC_MCP_CLIENT_OPERATION_DURATION)
        if (p.attributes or {}).get(sc.MCP_METHOD_NAME) == method
    ]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_prompt_and_resource_requests_name_what_they_touch(capture: TelemetryCapture, mode: str) -> None:
    """gen_ai.prompt.name on prompts/get spans and points; the resource URI on the span only, never in its name."""
    client = _client(capture, DemoState(), mode=mode)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.get_prompt("greet", {"name": "Ada"})
            await client.read_resource("file:///notes.txt")
    base = {
        sc.OBS_MCP_SERVER_NAME: "demo",
        sc.NETWORK_TRANSPORT: "inproc",
        sc.MCP_PROTOCOL_VERSION: MODERN if mode == "auto" else LEGACY,
    }
    (prompt,) = _client_spans(capture, "prompts/get greet")
    (read,) = _client_spans(capture, "resources/read")
    prompt_attributes, read_attributes = dict(prompt.attributes or {}), dict(read.attributes or {})
    if mode == "legacy":  # JSON-RPC: the request ids the SDK chose
        assert str(prompt_attributes.pop(sc.JSONRPC_REQUEST_ID)).isdigit()
        assert str(read_attributes.pop(sc.JSONRPC_REQUEST_ID)).isdigit()
    assert prompt_attributes == {**base, sc.MCP_METHOD_NAME: "prompts/get", sc.GEN_AI_PROMPT_NAME: "greet"}
    assert read_attributes == {**base, sc.MCP_METHOD_NAME: "resources/read", sc.MCP_RESOURCE_URI: "file:///notes.txt"}
    assert _point_attributes(capture, "prompts/get") == [
        {**base, sc.MCP_METHOD_NAME: "prompts/get", sc.GEN_AI_PROMPT_NAME: "greet"}
    ]
    assert _point_attributes(capture, "resources/read") == [{**base, sc.MCP_METHOD_NAME: "resources/read"}]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("code", [-32000, -32001, -32603])
async def test_an_error_the_server_answered_keeps_its_code(capture: TelemetryCapture, mode: str, code: int) -> None:
    """-32000 / -32001 from a server are its answer, not a local transport error or timeout."""
    client = _client(capture, DemoState(), mode=mode)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            with pytest.raises(MCPError):
                await client.call_tool("server_error", {"code": code})
    (span,) = _client_spans(capture, "tools/call server_error")
    attributes = dict(span.attributes or {})
    assert (attributes[sc.ERROR_TYPE], attributes[sc.RPC_RESPONSE_STATUS_CODE]) == (str(code), str(code))
    assert (span.status.status_code, span.status.description) == (StatusCode.ERROR, "database down")
    (point,) = _point_attributes(capture, "tools/call")
    assert (point[sc.ERROR_TYPE], point[sc.RPC_RESPONSE_STATUS_CODE]) == (str(code), str(code))


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_local_timeout_has_no_response_code(capture: TelemetryCapture, mode: str) -> None:
    client = _client(capture, DemoState(), mode=mode)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            with pytest.raises(MCPError):
                await client.call_tool("slow", {"seconds": 30}, read_timeout_seconds=0.05)
    (span,) = _client_spans(capture, "tools/call slow")
    attributes = dict(span.attributes or {})
    assert attributes[sc.ERROR_TYPE] == "timeout"
    assert sc.RPC_RESPONSE_STATUS_CODE not in attributes  # nothing answered
    (point,) = _point_attributes(capture, "tools/call")
    assert (point[sc.ERROR_TYPE], sc.RPC_RESPONSE_STATUS_CODE in point) == ("timeout", False)
    if mode == "legacy":  # the SDK's courtesy cancellation went out: an event on the call it cancelled
        assert [(e.name, dict(e.attributes or {})) for e in span.events] == [
            ("notifications/cancelled", {sc.MCP_METHOD_NAME: "notifications/cancelled"})
        ]


async def test_retries_are_a_repeat_of_the_same_failed_call(capture: TelemetryCapture) -> None:
    """The documented heuristic: same tool, same arguments, right after that tool failed."""
    client = _client(capture, DemoState(), mode="legacy")
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            for code in (-32602, -32603, -32603):  # different arguments, then the same ones again
                with pytest.raises(MCPError):
                    await client.call_tool("server_error", {"code": code})
            await client.call_tool("add", {"a": 1, "b": 2})  # another tool: does not reset this one
            with pytest.raises(MCPError):
                await client.call_tool("server_error", {"code": -32603})
    spans = _client_spans(capture, "tools/call server_error")
    assert [(s.attributes or {}).get(sc.OBS_RETRY_REASON) for s in spans] == [None, None, "-32603", "-32603"]
    assert capture.metric_sum(sc.OBS_MCP_CLIENT_RETRIES, obs__retry__reason="-32603") == 2


async def test_duration_exemplars_point_at_the_spans_that_were_timed(capture: TelemetryCapture) -> None:
    """Each side's histogram exemplar links to its own span, not to whatever was current when it was recorded."""
    server = demo_server()
    instrument_server(server, **providers(capture))
    client = instrument_client(Client(server, mode="legacy"), breakers=None, **providers(capture))
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.call_tool("add", {"a": 1, "b": 2})
    spans = {s.kind: s for s in capture.spans() if s.name == "tools/call add"}
    kinds = {
        sc.METRIC_MCP_CLIENT_OPERATION_DURATION: SpanKind.CLIENT,
        sc.METRIC_MCP_SERVER_OPERATION_DURATION: SpanKind.SERVER,
    }
    data = capture.metric_reader.get_metrics_data()  # one collection: each one hands out the exemplars once
    assert data is not None
    exemplars = {
        kinds[metric.name]: [(e.trace_id, e.span_id) for e in point.exemplars]
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
        if metric.name in kinds
        for point in metric.data.data_points
        if (point.attributes or {}).get(sc.MCP_METHOD_NAME) == "tools/call"
    }
    assert exemplars == {kind: [(span.context.trace_id, span.context.span_id)] for kind, span in spans.items()}
