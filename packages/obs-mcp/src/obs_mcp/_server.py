"""Server-side instrumentation: a ``ServerMiddleware`` that replaces the SDK's tracing middleware.

The SDK's ``OpenTelemetryMiddleware`` opens one SERVER span per inbound
message. obs's middleware opens the same span (same name, kind, parent
rules and error mapping) and adds what the SDK leaves out: the operation
duration histogram, ``network.transport``, ``mcp.session.id`` on HTTP, a
link to the ambient span when ``_meta`` chose a remote parent, notifications
as span events, and a defensive ``_meta`` reader. :func:`instrument_server`
swaps it in place of the SDK's middleware so a request gets one span, not two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import anyio
from mcp.server import Server
from mcp.server._otel import OpenTelemetryMiddleware
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolResult
from obs_core import internal_guard
from obs_core import semconv as sc
from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.trace import Link, Span, SpanKind, StatusCode
from opentelemetry.util.types import AttributeValue
from pydantic import ValidationError

from ._attrs import ERROR_CANCELLED, ERROR_TOOL, TRANSPORT_INPROC, TRANSPORT_PIPE, TRANSPORT_TCP, span_name, target_of
from ._attrs import notification_event_attributes as event_attributes
from ._meta import extract_parent
from ._metrics import ServerMetrics
from ._server_events import recording_session, request_channel

_SESSION_HEADER = "mcp-session-id"


class ObsServerMiddleware:
    """One SERVER span, metrics and events per inbound MCP message; see the module docstring."""

    def __init__(
        self,
        *,
        network_transport: str | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._network_transport = network_transport
        self._tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("obs.mcp")
        self._metrics = ServerMetrics(meter_provider)
        self._clock = clock

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        started: list[tuple[Span, dict[str, AttributeValue], float]] = []
        with internal_guard("mcp.server.begin"):
            span, attrs = self._open(ctx)
            started.append((span, attrs, self._clock()))
            ctx = self._observe(ctx, span)
        if not started:
            return await call_next(ctx)
        span, attrs, start = started[0]
        # Current for the handler, so the server's own spans nest under it (plain attach: this is the
        # hot path, and the span's status is set below, not by a context manager).
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            result = await call_next(ctx)
        except MCPError as exc:
            self._finish(ctx, span, attrs, start, str(exc.error.code), exc.error.message, code=exc.error.code)
            raise
        except ValidationError:
            # The wire answer is sanitized; so is the span (pydantic's message echoes client input).
            self._finish(ctx, span, attrs, start, str(INVALID_PARAMS), "Invalid request parameters", INVALID_PARAMS)
            raise
        except anyio.get_cancelled_exc_class():
            self._cancelled(ctx, span)
            self._finish(ctx, span, attrs, start, ERROR_CANCELLED, "cancelled")
            raise
        except Exception as exc:
            with internal_guard("mcp.server.finish"):
                span.record_exception(exc)
            self._finish(ctx, span, attrs, start, type(exc).__qualname__, str(exc))
            raise
        finally:
            otel_context.detach(token)
        error_type = ERROR_TOOL if ctx.method == "tools/call" and _is_tool_error(result) else None
        self._finish(ctx, span, attrs, start, error_type, None)
        return result

    def _open(self, ctx: ServerRequestContext[Any, Any]) -> tuple[Span, dict[str, AttributeValue]]:
        target = target_of(ctx.method, ctx.params)
        attrs: dict[str, AttributeValue] = {sc.MCP_METHOD_NAME: ctx.method}
        if ctx.protocol_version:
            attrs[sc.MCP_PROTOCOL_VERSION] = ctx.protocol_version
        transport = self._transport_of(ctx)
        if transport:
            attrs[sc.NETWORK_TRANSPORT] = transport
        if ctx.method == "tools/call" and target:
            attrs[sc.GEN_AI_TOOL_NAME] = target
        span_attrs = dict(attrs)
        if ctx.request_id is not None:
            span_attrs[sc.JSONRPC_REQUEST_ID] = str(ctx.request_id)
        if ctx.method == "tools/call":
            span_attrs[sc.GEN_AI_OPERATION_NAME] = "execute_tool"
        elif ctx.method == "prompts/get" and target:
            span_attrs[sc.GEN_AI_PROMPT_NAME] = target
        elif target and ctx.method.startswith("resources/"):
            span_attrs[sc.MCP_RESOURCE_URI] = target
        session_id = _header(ctx, _SESSION_HEADER)
        if session_id:
            span_attrs[sc.MCP_SESSION_ID] = session_id
        parent = extract_parent(ctx.params)
        ambient = trace.get_current_span().get_span_context()
        links = None
        if parent is not None and ambient.is_valid:
            remote = trace.get_current_span(parent).get_span_context()
            if (remote.trace_id, remote.span_id) != (ambient.trace_id, ambient.span_id):
                # _meta chose the parent; keep the in-process context (an HTTP server span, a worker) reachable.
                links = [Link(ambient)]
        span = self._tracer.start_span(
            span_name(ctx.method, target), context=parent, kind=SpanKind.SERVER, attributes=span_attrs, links=links
        )
        return span, attrs

    def _observe(self, ctx: ServerRequestContext[Any, Any], span: Span) -> ServerRequestContext[Any, Any]:
        """Count notifications; hand a request's handler a session that reports what it sends."""
        if ctx.request_id is None:
            self._metrics.record_notification(ctx.method, "client_to_server", {})
            return ctx
        channel = request_channel(ctx.session)
        if channel is None:
            return ctx
        metrics_ = self._metrics

        def record(method: str, params: Mapping[str, Any] | None) -> None:
            if method.startswith("notifications/"):
                metrics_.record_notification(method, "server_to_client", {})
            if span.is_recording():
                span.add_event(method, event_attributes(method, params))

        return replace(ctx, session=recording_session(ctx.session, channel, ctx.meta, record))

    def _cancelled(self, ctx: ServerRequestContext[Any, Any], span: Span) -> None:
        """The dispatcher cancels the handler before it passes the client's notification on: record it here."""
        with internal_guard("mcp.server.finish"):
            channel = request_channel(ctx.session)
            if channel is not None and channel.cancel_requested.is_set() and span.is_recording():
                span.add_event("notifications/cancelled", {sc.MCP_METHOD_NAME: "notifications/cancelled"})

    def _finish(
        self,
        ctx: ServerRequestContext[Any, Any],
        span: Span,
        attrs: dict[str, AttributeValue],
        start: float,
        error_type: str | None,
        description: str | None,
        code: int | None = None,
    ) -> None:
        with internal_guard("mcp.server.finish"):
            if error_type is not None:
                span.set_attribute(sc.ERROR_TYPE, error_type)
                if code is not None:
                    span.set_attribute(sc.RPC_RESPONSE_STATUS_CODE, str(code))
                span.set_status(StatusCode.ERROR, description)
                attrs = {**attrs, sc.ERROR_TYPE: error_type}
            span.end()
            if ctx.request_id is not None:
                self._metrics.record_operation(self._clock() - start, attrs)

    def _transport_of(self, ctx: ServerRequestContext[Any, Any]) -> str | None:
        if self._network_transport:
            return self._network_transport
        if ctx.request is not None:
            return TRANSPORT_TCP
        channel = request_channel(ctx.session)
        if channel is not None and channel.transport.kind == "direct":
            return TRANSPORT_INPROC
        return TRANSPORT_PIPE


def instrument_server(
    server: Server[Any] | MCPServer,
    *,
    network_transport: str | None = None,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
) -> ObsServerMiddleware:
    """Put :class:`ObsServerMiddleware` where the SDK's tracing middleware was (outermost if it is gone)."""
    chain: list[ServerMiddleware[Any]] = server.middleware
    for existing in chain:
        if isinstance(existing, ObsServerMiddleware):
            return existing
    middleware = ObsServerMiddleware(
        network_transport=network_transport, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    sdk = [i for i, m in enumerate(chain) if isinstance(m, OpenTelemetryMiddleware)]
    if sdk:
        chain[sdk[0]] = middleware
        for index in reversed(sdk[1:]):
            del chain[index]
    else:
        chain.insert(0, middleware)
    return middleware


def uninstrument_server(server: Server[Any] | MCPServer) -> None:
    """Put the SDK's tracing middleware back where obs's was."""
    chain: list[ServerMiddleware[Any]] = server.middleware
    for index, existing in enumerate(chain):
        if isinstance(existing, ObsServerMiddleware):
            chain[index] = OpenTelemetryMiddleware()


def _is_tool_error(result: HandlerResult) -> bool:
    if isinstance(result, CallToolResult):
        return result.is_error is True
    return isinstance(result, Mapping) and result.get("isError") is True


def _header(ctx: ServerRequestContext[Any, Any], name: str) -> str | None:
    headers = getattr(ctx.request, "headers", None)
    if headers is None:
        return None
    value = headers.get(name)
    return value if isinstance(value, str) else None
