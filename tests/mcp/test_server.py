"""ObsServerMiddleware: one SERVER span per message, with metrics, links and notification events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.server._otel import OpenTelemetryMiddleware
from mcp.server.connection import Connection
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.session import ServerSession
from mcp.shared.exceptions import MCPError
from mcp.shared.transport_context import TransportContext
from mcp_types import RequestParamsMeta
from obs_core import semconv as sc
from obs_core.testing import TelemetryCapture
from obs_mcp import ObsServerMiddleware, instrument_client, instrument_server, uninstrument_server
from opentelemetry.sdk.metrics.export import HistogramDataPoint
from opentelemetry.trace import SpanKind, StatusCode

from .apps import DemoState, demo_server
from .conftest import STEP_TIMEOUT_S, providers

VALID = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _instrumented(capture: TelemetryCapture, state: DemoState | None = None) -> MCPServer:
    server = demo_server(state)
    instrument_server(server, **providers(capture))
    return server


def test_instrument_server_replaces_the_sdk_middleware_in_place() -> None:
    server = demo_server()
    before = list(server.middleware)
    assert isinstance(before[0], OpenTelemetryMiddleware)
    middleware = instrument_server(server)
    assert server.middleware == [middleware, *before[1:]]
    assert instrument_server(server) is middleware
    uninstrument_server(server)
    assert isinstance(server.middleware[0], OpenTelemetryMiddleware)
    assert server.middleware == before  # the very middleware it replaced is back


async def test_server_span_continues_the_client_trace(capture: TelemetryCapture) -> None:
    server = _instrumented(capture)
    client = instrument_client(Client(server), breakers=None, **providers(capture))
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            await client.call_tool("add", {"a": 1, "b": 2})
    client_span = next(s for s in capture.spans() if s.name == "tools/call add" and s.kind is SpanKind.CLIENT)
    server_span = next(s for s in capture.spans() if s.name == "tools/call add" and s.kind is SpanKind.SERVER)
    assert server_span.parent is not None
    assert server_span.parent.span_id == client_span.context.span_id
    assert server_span.context.trace_id == client_span.context.trace_id
    assert server_span.links == ()  # the remote parent is the ambient span: nothing to link
    attributes = dict(server_span.attributes or {})
    assert str(attributes.pop(sc.JSONRPC_REQUEST_ID)).isdigit()
    assert attributes == {
        sc.MCP_METHOD_NAME: "tools/call",
        sc.MCP_PROTOCOL_VERSION: "2026-07-28",
        sc.NETWORK_TRANSPORT: "inproc",
        sc.GEN_AI_TOOL_NAME: "add",
        sc.GEN_AI_OPERATION_NAME: "execute_tool",
    }


async def test_remote_parent_from_meta_and_a_link_to_the_ambient_span(capture: TelemetryCapture) -> None:
    server = _instrumented(capture)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(server) as client:
            with capture.tracer_provider.get_tracer("app").start_as_current_span("ambient") as ambient:
                await client.call_tool("add", {"a": 1, "b": 2}, meta=cast(RequestParamsMeta, {"traceparent": VALID}))
    server_span = next(s for s in capture.spans() if s.kind is SpanKind.SERVER and s.name == "tools/call add")
    assert server_span.parent is not None
    assert (server_span.context.trace_id, server_span.parent.span_id) == (
        0x0AF7651916CD43DD8448EB211C80319C,
        0xB7AD6B7169203331,
    )
    assert [link.context.span_id for link in server_span.links] == [ambient.get_span_context().span_id]


@pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")  # logging, deprecated in 2026
async def test_outbound_notifications_are_events_on_the_request_span(capture: TelemetryCapture) -> None:
    server = _instrumented(capture)

    @server.tool()
    async def narrate(ctx: Context) -> str:
        await ctx.report_progress(1, 2)
        await ctx.info("half way")
        await ctx.report_progress(2, 2)
        return "done"

    async def on_log(params: Any) -> None:
        pass

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        pass

    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(server, mode="legacy", logging_callback=on_log) as client:
            await client.call_tool("narrate", {}, progress_callback=on_progress)
    span = next(s for s in capture.spans() if s.name == "tools/call narrate")
    assert [(e.name, dict(e.attributes or {})) for e in span.events] == [
        (
            "notifications/progress",
            {sc.MCP_METHOD_NAME: "notifications/progress", "obs.mcp.progress": 1, "obs.mcp.progress.total": 2},
        ),
        ("notifications/message", {sc.MCP_METHOD_NAME: "notifications/message", "obs.mcp.logging.level": "info"}),
        (
            "notifications/progress",
            {sc.MCP_METHOD_NAME: "notifications/progress", "obs.mcp.progress": 2, "obs.mcp.progress.total": 2},
        ),
    ]
    assert capture.metric_sum(sc.OBS_MCP_NOTIFICATIONS, obs__mcp__direction="server_to_client") == 3
    (initialized,) = capture.spans_named("notifications/initialized")
    assert (initialized.kind, dict(initialized.attributes or {})) == (
        SpanKind.SERVER,
        {
            sc.MCP_METHOD_NAME: "notifications/initialized",
            sc.MCP_PROTOCOL_VERSION: "2025-11-25",
            sc.NETWORK_TRANSPORT: "pipe",
        },
    )


async def test_cancelled_requests_are_marked_and_get_the_cancellation_event(capture: TelemetryCapture) -> None:
    server = _instrumented(capture)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(server, mode="legacy") as client:
            with pytest.raises(MCPError):
                await client.call_tool("slow", {"seconds": 30}, read_timeout_seconds=0.05)
            await client.call_tool("add", {"a": 1, "b": 1})  # the server is still serving
            while not capture.spans_named("tools/call slow"):
                await anyio.sleep(0.01)
    (span,) = capture.spans_named("tools/call slow")
    assert (span.attributes or {})[sc.ERROR_TYPE] == "cancelled"
    assert [e.name for e in span.events] == ["notifications/cancelled"]


async def test_errors_and_duration_metric(capture: TelemetryCapture) -> None:
    server = _instrumented(capture)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(server) as client:
            await client.call_tool("broken", {})
            with pytest.raises(MCPError):
                await client.call_tool("rpc_error", {})
    broken = next(s for s in capture.spans() if s.name == "tools/call broken")
    rpc = next(s for s in capture.spans() if s.name == "tools/call rpc_error")
    assert ((broken.attributes or {})[sc.ERROR_TYPE], broken.status.status_code) == ("tool_error", StatusCode.ERROR)
    assert ((rpc.attributes or {})[sc.ERROR_TYPE], (rpc.attributes or {})[sc.RPC_RESPONSE_STATUS_CODE]) == (
        "-32602",
        "-32602",
    )
    assert capture.histogram_bounds(sc.METRIC_MCP_SERVER_OPERATION_DURATION) == sc.MCP_BUCKETS_S
    points = {
        ((p.attributes or {}).get(sc.GEN_AI_TOOL_NAME), (p.attributes or {}).get(sc.ERROR_TYPE)): p.count
        for p in capture.metric_points(sc.METRIC_MCP_SERVER_OPERATION_DURATION)
        if isinstance(p, HistogramDataPoint)
    }
    assert points[("broken", "tool_error")] == 1
    assert points[("rpc_error", "-32602")] == 1


class _Channel:
    """The request-scoped channel under a real ``ServerSession``, where the middleware is driven directly."""

    transport = TransportContext(kind="jsonrpc", can_send_request=False)
    can_send_request = False
    request_id = 1
    message_metadata = None

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> None:
        pass

    async def send_raw_request(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> dict[str, Any]:
        return {}

    async def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        pass


def _session() -> ServerSession:
    return ServerSession(cast(Any, _Channel()), Connection.for_loop(cast(Any, _Channel())))


_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=st.one_of(_junk, st.dictionaries(st.sampled_from(["traceparent", "tracestate", "baggage"]), _junk)))
def test_fuzzed_meta_never_breaks_the_server(capture: TelemetryCapture, meta: Any) -> None:
    middleware = ObsServerMiddleware(**providers(capture))
    ctx: ServerRequestContext[Any, Any] = ServerRequestContext(
        session=_session(),
        lifespan_context={},
        protocol_version="2025-11-25",
        method="tools/call",
        params={"name": "t", "_meta": meta},
        request_id=1,
    )

    async def handler(_ctx: ServerRequestContext[Any, Any]) -> dict[str, Any]:
        return {"content": []}

    assert anyio.run(middleware, ctx, handler) == {"content": []}
    span = capture.spans()[-1]
    assert span.context.is_valid


class _HttpRequest:
    def __init__(self) -> None:
        self.headers = {"mcp-session-id": "sess-42"}


def test_http_requests_get_tcp_and_the_session_id(capture: TelemetryCapture) -> None:
    middleware = ObsServerMiddleware(**providers(capture))
    ctx: ServerRequestContext[Any, Any] = ServerRequestContext(
        session=_session(),
        lifespan_context={},
        protocol_version="2025-11-25",
        method="resources/read",
        params={"uri": "file:///a.txt"},
        request_id="r-1",
        request=_HttpRequest(),
    )

    async def handler(_ctx: ServerRequestContext[Any, Any]) -> dict[str, Any]:
        return {"contents": []}

    anyio.run(middleware, ctx, handler)
    (span,) = capture.spans()
    assert (span.name, dict(span.attributes or {})) == (
        "resources/read",  # the spec keeps URIs (unbounded) out of span names; mcp.resource.uri carries it
        {
            sc.MCP_METHOD_NAME: "resources/read",
            sc.MCP_PROTOCOL_VERSION: "2025-11-25",
            sc.NETWORK_TRANSPORT: "tcp",
            sc.JSONRPC_REQUEST_ID: "r-1",
            sc.MCP_RESOURCE_URI: "file:///a.txt",
            sc.MCP_SESSION_ID: "sess-42",
        },
    )


def _server_points(capture: TelemetryCapture, name: str) -> list[dict[str, Any]]:
    return [dict(p.attributes or {}) for p in capture.metric_points(name)]


async def test_operation_points_name_the_tool_prompt_and_error_code(capture: TelemetryCapture) -> None:
    server = _instrumented(capture)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(server, mode="legacy") as client:
            await client.call_tool("add", {"a": 1, "b": 2})
            await client.get_prompt("greet", {"name": "Ada"})
            with pytest.raises(MCPError):
                await client.call_tool("rpc_error", {})
    base = {sc.MCP_PROTOCOL_VERSION: "2025-11-25", sc.NETWORK_TRANSPORT: "pipe"}
    tool = {**base, sc.MCP_METHOD_NAME: "tools/call", sc.GEN_AI_OPERATION_NAME: "execute_tool"}
    points = _server_points(capture, sc.METRIC_MCP_SERVER_OPERATION_DURATION)
    assert {**tool, sc.GEN_AI_TOOL_NAME: "add"} in points
    assert {**base, sc.MCP_METHOD_NAME: "prompts/get", sc.GEN_AI_PROMPT_NAME: "greet"} in points
    assert {
        **tool,
        sc.GEN_AI_TOOL_NAME: "rpc_error",
        sc.ERROR_TYPE: "-32602",
        sc.RPC_RESPONSE_STATUS_CODE: "-32602",
    } in points


async def test_a_handshake_session_records_its_duration_when_the_connection_closes(capture: TelemetryCapture) -> None:
    server = _instrumented(capture)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(server, mode="legacy") as client:
            await client.call_tool("add", {"a": 1, "b": 2})
            assert capture.metric_points(sc.METRIC_MCP_SERVER_SESSION_DURATION) == []
    (session,) = capture.metric_points(sc.METRIC_MCP_SERVER_SESSION_DURATION)
    assert dict(session.attributes or {}) == {sc.MCP_PROTOCOL_VERSION: "2025-11-25", sc.NETWORK_TRANSPORT: "pipe"}
    assert isinstance(session, HistogramDataPoint)
    assert session.count == 1
    assert capture.histogram_bounds(sc.METRIC_MCP_SERVER_SESSION_DURATION) == sc.MCP_BUCKETS_S


async def test_the_2026_protocol_has_no_server_sessions(capture: TelemetryCapture) -> None:
    server = _instrumented(capture)
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(server) as client:
            await client.call_tool("add", {"a": 1, "b": 2})
    assert capture.metric_points(sc.METRIC_MCP_SERVER_SESSION_DURATION) == []


def test_uninstrument_leaves_no_sdk_middleware_where_there_was_none() -> None:
    server = demo_server()
    server.middleware[:] = [m for m in server.middleware if not isinstance(m, OpenTelemetryMiddleware)]
    before = list(server.middleware)
    middleware = instrument_server(server)
    assert server.middleware == [middleware, *before]
    uninstrument_server(server)
    assert server.middleware == before
