"""The client side of one MCP connection: a span, metrics and the breaker around every request.

Transport-neutral: the stdio proxy, the ``Transport`` wrapper and the
in-process dispatcher wrapper all translate their messages into
``begin`` / ``PendingCall.succeed`` / ``fail_response`` / ``fail`` calls here,
so the three paths emit the same telemetry. Every method runs under the
internal guard at its call site; nothing here ever wraps the request itself.

This runs on every tool call an agent makes, so what depends only on the
method, the target and the connection (span name, attribute dicts, breaker
key) is built once per pair and shared, and the span is made current only
around breaker calls that can change state (their span events must land on it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from obs_core import semconv as sc
from obs_core.breaker import BreakerConfig, BreakerRegistry
from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind
from opentelemetry.util.types import AttributeValue

from ._attrs import (
    PROTOCOL_VERSION_META_KEY,
    TOOLS_CALL,
    operation_attributes,
    resource_uri_of,
    server_name_in,
    span_name,
    target_of,
)
from ._call import PendingCall, Refused
from ._meta import format_traceparent, meta_of, with_trace_context
from ._metrics import ClientMetrics
from ._retries import RetryTracker

_SDK_SPAN_PREFIX = "MCP send "
_SHAPES_MAX = 512
"""Distinct (method, target) pairs kept; a server with more tools than that just rebuilds some."""
_SDK_SET = frozenset({sc.MCP_METHOD_NAME, sc.JSONRPC_REQUEST_ID})
"""Attributes the SDK's own client span already carries."""


@dataclass(frozen=True, slots=True)
class _Shape:
    """What one kind of request (method, target) looks like on this connection; shared, never mutated."""

    name: str
    """The span name."""
    metric: Mapping[str, AttributeValue]
    """Attributes of its metric points, and of its span before the per-call request id and resource URI."""
    adopted: Mapping[str, AttributeValue]
    """What an SDK client span, which already names the method and request id, lacks."""
    breaker_key: str | None
    """``server/tool`` for tools/call, else None."""


class ClientObserver:
    """Telemetry and breakers for the requests one client sends to one server."""

    def __init__(
        self,
        *,
        server_name: str | None = None,
        network_transport: str | None = None,
        breakers: BreakerRegistry | BreakerConfig | None = None,
        count_tool_errors: bool = True,
        adopt_sdk_spans: bool = False,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._server_name = server_name
        self._named = server_name is not None
        self._network_transport = network_transport
        self._protocol_version: str | None = None
        if isinstance(breakers, BreakerConfig):
            breakers = BreakerRegistry(breakers, meter_provider=meter_provider, tracer_provider=tracer_provider)
        self.breakers = breakers
        self.count_tool_errors = count_tool_errors
        self._adopt_sdk_spans = adopt_sdk_spans
        self._tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("obs.mcp")
        self.metrics = ClientMetrics(meter_provider)
        self.retries = RetryTracker()
        self.clock = clock
        self._session_start: float | None = None
        self._shapes: dict[tuple[str, str | None], _Shape] = {}

    # --- who we talk to ----------------------------------------------------------------------
    # Setters drop the prebuilt shapes: every attribute dict carries these values.

    @property
    def server_name(self) -> str | None:
        return self._server_name

    @server_name.setter
    def server_name(self, value: str | None) -> None:
        self._server_name = value
        self._shapes.clear()

    @property
    def network_transport(self) -> str | None:
        return self._network_transport

    @property
    def protocol_version(self) -> str | None:
        return self._protocol_version

    @protocol_version.setter
    def protocol_version(self, value: str | None) -> None:
        self._protocol_version = value
        self._shapes.clear()

    @property
    def server_label(self) -> str:
        """The server part of breaker keys: the given name, the announced one, else ``mcp``."""
        return self._server_name or "mcp"

    def attributes(self, method: str | None = None, target: str | None = None) -> dict[str, AttributeValue]:
        """Low-cardinality attributes for spans and metric points (a fresh dict the caller may change)."""
        attrs = operation_attributes(method, target) if method is not None else {}
        if self._server_name:
            attrs[sc.OBS_MCP_SERVER_NAME] = self._server_name
        if self._network_transport:
            attrs[sc.NETWORK_TRANSPORT] = self._network_transport
        if self._protocol_version:
            attrs[sc.MCP_PROTOCOL_VERSION] = self._protocol_version
        return attrs

    def _shape(self, method: str, target: str | None) -> _Shape:
        key = (method, target)
        shape = self._shapes.get(key)
        if shape is None:
            metric = self.attributes(method, target)
            adopted = {k: v for k, v in metric.items() if k not in _SDK_SET}
            breaker_key = f"{self.server_label}/{target}" if method == TOOLS_CALL and target is not None else None
            shape = _Shape(span_name(method, target), metric, adopted, breaker_key)
            if len(self._shapes) >= _SHAPES_MAX:
                self._shapes.clear()
            self._shapes[key] = shape
        return shape

    def learn(self, result: Mapping[str, Any]) -> None:
        """Pick up the server's name and protocol version from an initialize / discover result."""
        if not self._named:
            name = server_name_in(result)
            if name and name != self._server_name:
                self.server_name = name
        version = result.get("protocolVersion")
        if isinstance(version, str) and version != self._protocol_version:
            self.protocol_version = version

    # --- requests --------------------------------------------------------------------------

    def begin(
        self,
        method: str,
        params: Mapping[str, Any] | None,
        *,
        request_id: object = None,
        parent: Context | None = None,
    ) -> PendingCall | Refused:
        """Open the span for an outgoing request, inject ``_meta`` and ask the breaker.

        ``request_id`` is the id as sent (``jsonrpc.request.id`` is its string form); None for no id.
        """
        meta = meta_of(params)
        if meta is not None:
            version = meta.get(PROTOCOL_VERSION_META_KEY)
            if isinstance(version, str) and version != self._protocol_version:
                self.protocol_version = version
        target = target_of(method, params)
        shape = self._shape(method, target)
        per_call: dict[str, AttributeValue] = {}
        if request_id is not None:
            per_call[sc.JSONRPC_REQUEST_ID] = str(request_id)
        uri = resource_uri_of(method, params)
        if uri is not None:
            per_call[sc.MCP_RESOURCE_URI] = uri
        span, owns, params = self._open_span(shape, per_call, params, meta, parent)
        call = PendingCall(self, method, target, params, span, owns, shape.metric, self.clock())
        if shape.breaker_key is not None and target is not None:
            if self.retries.has_failed(target):
                self._note_retry(call, target)
            if self.breakers is not None:
                refused = call.ask_breaker(self.breakers.get(shape.breaker_key))
                if refused is not None:
                    return refused
        return call

    def _open_span(
        self,
        shape: _Shape,
        per_call: dict[str, AttributeValue],
        params: Mapping[str, Any] | None,
        meta: Mapping[str, Any] | None,
        parent: Context | None,
    ) -> tuple[Span, bool, Mapping[str, Any] | None]:
        ambient = trace.get_current_span(parent)
        if (
            self._adopt_sdk_spans
            and parent is None
            and meta is not None
            and ambient.is_recording()
            and getattr(ambient, "name", "").startswith(_SDK_SPAN_PREFIX)
            and meta.get("traceparent") == format_traceparent(ambient.get_span_context())
        ):
            # The SDK already opened a client span for this request and injected it:
            # make that span complete instead of nesting a second one under it.
            ambient.update_name(shape.name)
            uri = per_call.get(sc.MCP_RESOURCE_URI)
            ambient.set_attributes(shape.adopted if uri is None else {**shape.adopted, sc.MCP_RESOURCE_URI: uri})
            return ambient, False, params
        attrs = {**shape.metric, **per_call} if per_call else shape.metric
        span = self._tracer.start_span(shape.name, context=parent, kind=SpanKind.CLIENT, attributes=attrs)
        ambient_ctx = ambient.get_span_context()
        replaceable = format_traceparent(ambient_ctx) if ambient_ctx.is_valid else None
        params, _ = with_trace_context(params, trace.set_span_in_context(span, parent), replaceable=replaceable)
        return span, True, params

    def _note_retry(self, call: PendingCall, tool: str) -> None:
        reason = self.retries.retry_reason(tool, call.digest())
        if reason is not None:
            self.metrics.record_retry(reason, call.attrs)
            if call.span.is_recording():
                call.span.set_attribute(sc.OBS_RETRY_REASON, reason)

    # --- notifications and sessions --------------------------------------------------------

    def outbound_notification(self, method: str, params: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """Count a client notification and give it the current trace context."""
        self.metrics.record_notification(method, "client_to_server", self.attributes())
        return with_trace_context(params)[0]

    def inbound_notification(self, method: str, call: PendingCall | None, params: Mapping[str, Any] | None) -> None:
        """Count a server notification; put it on the span of the request it belongs to, when known."""
        self.metrics.record_notification(method, "server_to_client", self.attributes())
        if call is not None:
            call.add_event(method, params)

    def session_started(self) -> None:
        self._session_start = self.clock()

    def session_ended(self, error_type: str | None = None) -> None:
        if self._session_start is None:
            return
        attrs = self.attributes()
        if error_type is not None:
            attrs[sc.ERROR_TYPE] = error_type
        self.metrics.record_session(self.clock() - self._session_start, attrs)
        self._session_start = None
