"""Server-side instrumentation: a ``ServerMiddleware`` that replaces the SDK's tracing middleware.

The SDK's ``OpenTelemetryMiddleware`` opens one SERVER span per inbound
message. obs's middleware opens the same span (same name, kind, parent
rules and error mapping) and adds what the SDK leaves out: the operation
duration histogram, the session duration histogram, ``network.transport``,
``mcp.resource.uri``, ``mcp.session.id`` on HTTP, a link to the ambient span
when ``_meta`` chose a remote parent, notifications as span events, and a
defensive ``_meta`` reader. :func:`instrument_server` swaps it in place of
the SDK's middleware so a request gets one span, not two.

Per request, what depends only on the method, target, protocol version and
transport (span name, metric attributes) is built once and shared.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import anyio
from mcp.server import Server
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolResult
from obs_core import internal_guard
from obs_core import semconv as sc
from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, StatusCode
from opentelemetry.util.types import AttributeValue
from pydantic import ValidationError

from ._attrs import (
    ERROR_CANCELLED,
    ERROR_TOOL,
    TOOLS_CALL,
    TRANSPORT_INPROC,
    TRANSPORT_PIPE,
    TRANSPORT_TCP,
    operation_attributes,
    resource_uri_of,
    span_name,
    target_of,
)
from ._attrs import notification_event_attributes as event_attributes
from ._meta import TRACEPARENT, extract_parent, format_traceparent, meta_of
from ._metrics import ServerMetrics
from ._server_events import Channel, SessionSeams

_SESSION_HEADER = "mcp-session-id"
_SHAPES_MAX = 512
_SDK_MIDDLEWARE = "OpenTelemetryMiddleware"


class _Shape(NamedTuple):
    name: str
    metric: Mapping[str, AttributeValue]
    """Attributes of the metric points, and of the span before its per-request ones (shared: never mutated)."""


class _Opened(NamedTuple):
    span: Span
    context: Context
    """The span in a context: made current for the handler, and given to the metric for its exemplar."""
    metric: Mapping[str, AttributeValue]
    start: float
    ctx: ServerRequestContext[Any, Any]
    channel: Channel | None


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
        self._seams = SessionSeams()
        self._shapes: dict[tuple[str, str | None, str | None, str], _Shape] = {}
        self.replaced: ServerMiddleware[Any] | None = None
        """The SDK tracing middleware this one took the place of, put back by :func:`uninstrument_server`."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        started: list[_Opened] = []  # stays empty when the guard swallowed a failure of obs's own
        with internal_guard("mcp.server.begin"):
            started.append(self._open(ctx))
        if not started:
            return await call_next(ctx)
        opened = started[0]
        span, ctx = opened.span, opened.ctx
        # Current for the handler, so the server's own spans nest under it (plain attach: this is the
        # hot path, and the span's status is set below, not by a context manager).
        token = otel_context.attach(opened.context)
        try:
            result = await call_next(ctx)
        except MCPError as exc:
            code = str(exc.error.code)
            self._finish(opened, code, exc.error.message, code)
            raise
        except ValidationError:
            # The wire answer is sanitized; so is the span (pydantic's message echoes client input).
            code = str(INVALID_PARAMS)
            self._finish(opened, code, "Invalid request parameters", code)
            raise
        except anyio.get_cancelled_exc_class():
            self._cancelled(opened.channel, span)
            self._finish(opened, ERROR_CANCELLED, "cancelled")
            raise
        except Exception as exc:
            with internal_guard("mcp.server.finish"):
                span.record_exception(exc)
            self._finish(opened, type(exc).__qualname__, str(exc))
            raise
        finally:
            otel_context.detach(token)
        error_type = ERROR_TOOL if ctx.method == TOOLS_CALL and _is_tool_error(result) else None
        self._finish(opened, error_type, None)
        return result

    def _open(self, ctx: ServerRequestContext[Any, Any]) -> _Opened:
        method, params, session = ctx.method, ctx.params, ctx.session
        channel = self._seams.channel(session)
        transport = self._network_transport or _transport_of(ctx, channel)
        shape = self._shape(method, target_of(method, params), ctx.protocol_version, transport)
        attrs = {**shape.metric}
        if ctx.request_id is not None:
            attrs[sc.JSONRPC_REQUEST_ID] = str(ctx.request_id)
        uri = resource_uri_of(method, params)
        if uri is not None:
            attrs[sc.MCP_RESOURCE_URI] = uri
        session_id = _header(ctx, _SESSION_HEADER)
        if session_id:
            attrs[sc.MCP_SESSION_ID] = session_id
        parent, links = _parent_and_links(params)
        span = self._tracer.start_span(shape.name, context=parent, kind=SpanKind.SERVER, attributes=attrs, links=links)
        start = self._clock()
        if method == "initialize":  # a handshake-era session starts; the 2026 protocol has none
            self._seams.on_session_end(session, lambda connection: self._session_ended(connection, transport, start))
        context = trace.set_span_in_context(span)
        return _Opened(span, context, shape.metric, start, self._observe(ctx, channel, span), channel)

    def _shape(self, method: str, target: str | None, version: str | None, transport: str) -> _Shape:
        key = (method, target, version, transport)
        shape = self._shapes.get(key)
        if shape is None:
            metric = operation_attributes(method, target)
            if version:
                metric[sc.MCP_PROTOCOL_VERSION] = version
            metric[sc.NETWORK_TRANSPORT] = transport
            if len(self._shapes) >= _SHAPES_MAX:
                self._shapes.clear()
            shape = self._shapes[key] = _Shape(span_name(method, target), metric)
        return shape

    def _observe(
        self, ctx: ServerRequestContext[Any, Any], channel: Channel | None, span: Span
    ) -> ServerRequestContext[Any, Any]:
        """Count notifications; hand a request's handler a session that reports what it sends."""
        if ctx.request_id is None:
            self._metrics.record_notification(ctx.method, "client_to_server", {})
            return ctx
        if channel is None:
            return ctx
        metrics_ = self._metrics

        def record(method: str, params: Mapping[str, Any] | None) -> None:
            if method.startswith("notifications/"):
                metrics_.record_notification(method, "server_to_client", {})
            if span.is_recording():
                span.add_event(method, event_attributes(method, params))

        return self._seams.recording(ctx, channel, record)

    def _cancelled(self, channel: Channel | None, span: Span) -> None:
        """The dispatcher cancels the handler before it passes the client's notification on: record it here."""
        with internal_guard("mcp.server.finish"):
            if channel is not None and channel.cancel_requested.is_set() and span.is_recording():
                span.add_event("notifications/cancelled", {sc.MCP_METHOD_NAME: "notifications/cancelled"})

    def _finish(
        self, opened: _Opened, error_type: str | None, description: str | None, status_code: str | None = None
    ) -> None:
        with internal_guard("mcp.server.finish"):
            duration = self._clock() - opened.start
            span = opened.span
            if error_type is not None:
                span.set_attribute(sc.ERROR_TYPE, error_type)
                if status_code is not None:
                    span.set_attribute(sc.RPC_RESPONSE_STATUS_CODE, status_code)
                span.set_status(StatusCode.ERROR, description)
            span.end()
            if opened.ctx.request_id is not None:
                self._metrics.record_operation(duration, opened.metric, error_type, status_code, opened.context)

    def _session_ended(self, connection: Any, transport: str, start: float) -> None:
        with internal_guard("mcp.server.session"):
            attrs: dict[str, AttributeValue] = {sc.NETWORK_TRANSPORT: transport}
            version = getattr(connection, "protocol_version", None)  # the negotiated one, by now
            if isinstance(version, str):
                attrs[sc.MCP_PROTOCOL_VERSION] = version
            self._metrics.record_session(self._clock() - start, attrs)


def instrument_server(
    server: Server[Any] | MCPServer,
    *,
    network_transport: str | None = None,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
) -> ObsServerMiddleware:
    """Put :class:`ObsServerMiddleware` where the SDK's tracing middleware was (outermost if it is gone).

    The SDK's middleware is recognised by its class name, so no import of the
    SDK's private ``_otel`` module is needed (and none can break).
    """
    chain: list[ServerMiddleware[Any]] = server.middleware
    for existing in chain:
        if isinstance(existing, ObsServerMiddleware):
            return existing
    middleware = ObsServerMiddleware(
        network_transport=network_transport, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    sdk = [i for i, m in enumerate(chain) if _is_sdk_tracing(m)]
    if sdk:
        middleware.replaced = chain[sdk[0]]
        chain[sdk[0]] = middleware
        for index in reversed(sdk[1:]):
            del chain[index]
    else:
        chain.insert(0, middleware)
    return middleware


def uninstrument_server(server: Server[Any] | MCPServer) -> None:
    """Put back what :func:`instrument_server` replaced: the SDK's middleware, or nothing if there was none."""
    chain: list[ServerMiddleware[Any]] = server.middleware
    for index in reversed(range(len(chain))):
        existing = chain[index]
        if isinstance(existing, ObsServerMiddleware):
            if existing.replaced is not None:
                chain[index] = existing.replaced
            else:
                del chain[index]


def _is_sdk_tracing(middleware: object) -> bool:
    cls = type(middleware)
    return cls.__name__ == _SDK_MIDDLEWARE and cls.__module__.startswith("mcp.")


def _parent_and_links(params: Mapping[str, Any] | None) -> tuple[Context | None, list[Link] | None]:
    """The parent ``_meta`` names (None: the ambient context) and, when it is not the ambient span, a link to it.

    The spec parents server spans on ``_meta`` and links the ambient context (an HTTP server span, a worker).
    In one process the ambient span often *is* the one ``_meta`` names (the client's context travels with the
    message): then it simply stays the parent, with nothing to parse and nothing to link.
    """
    ambient = trace.get_current_span().get_span_context()
    meta = meta_of(params)
    if ambient.is_valid and meta is not None and meta.get(TRACEPARENT) == format_traceparent(ambient):
        return None, None
    parent = extract_parent(params)
    if parent is None or not ambient.is_valid:
        return parent, None
    remote = trace.get_current_span(parent).get_span_context()
    if (remote.trace_id, remote.span_id) == (ambient.trace_id, ambient.span_id):
        return parent, None
    return parent, [Link(ambient)]


def _transport_of(ctx: ServerRequestContext[Any, Any], channel: Channel | None) -> str:
    if ctx.request is not None:
        return TRANSPORT_TCP
    if channel is not None and getattr(channel.transport, "kind", None) == "direct":
        return TRANSPORT_INPROC
    return TRANSPORT_PIPE


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
