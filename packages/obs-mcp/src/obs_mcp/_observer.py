"""The client side of one MCP connection: a span, metrics and the breaker around every request.

Transport-neutral: the stdio proxy, the ``Transport`` wrapper and the
in-process dispatcher wrapper all translate their messages into
``begin`` / ``PendingCall.succeed`` / ``fail`` calls here, so the three paths
emit the same telemetry. Every method runs under the internal guard at its
call site; nothing here ever wraps the request itself.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from obs_core import semconv as sc
from obs_core.breaker import BreakerConfig, BreakerDecision, BreakerRegistry, BreakerState, CircuitBreaker
from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.util.types import AttributeValue

from ._attrs import (
    ERROR_CANCELLED,
    ERROR_CIRCUIT_OPEN,
    ERROR_TOOL,
    PROTOCOL_VERSION_META_KEY,
    error_type_for_code,
    is_modern,
    is_tool_error,
    notification_event_attributes,
    server_name_in,
    span_name,
    target_of,
)
from ._degraded import refusal_result
from ._meta import format_traceparent, meta_of, with_trace_context
from ._metrics import ClientMetrics

_SDK_SPAN_PREFIX = "MCP send "
_ATTRS_CACHE_SIZE = 512
"""Distinct (method, tool) attribute sets kept; a server with more tools than that just rebuilds them."""
_TOOLS_CALL = "tools/call"
_SDK_SET = frozenset({sc.MCP_METHOD_NAME, sc.JSONRPC_REQUEST_ID})
"""Attributes the SDK's own client span already carries."""


@dataclass(frozen=True, slots=True)
class Refused:
    """The breaker refused the call: answer the caller with ``result`` and do not send the request."""

    result: dict[str, Any]


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
        self.server_name = server_name
        self._named = server_name is not None
        self.network_transport = network_transport
        self.protocol_version: str | None = None
        if isinstance(breakers, BreakerConfig):
            breakers = BreakerRegistry(breakers, meter_provider=meter_provider, tracer_provider=tracer_provider)
        self.breakers = breakers
        self.count_tool_errors = count_tool_errors
        self._adopt_sdk_spans = adopt_sdk_spans
        self._tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("obs.mcp")
        self.metrics = ClientMetrics(meter_provider)
        self._clock = clock
        self._session_start: float | None = None
        self._failed_calls: dict[str, tuple[str, str]] = {}
        self._attrs_cache: dict[tuple[str | None, ...], dict[str, AttributeValue]] = {}

    # --- attributes ------------------------------------------------------------------------

    @property
    def server_label(self) -> str:
        """The server part of breaker keys: the given name, the announced one, else ``mcp``."""
        return self.server_name or "mcp"

    def attributes(self, method: str | None = None, target: str | None = None) -> dict[str, AttributeValue]:
        """Low-cardinality attributes shared by spans and metric points (a fresh dict the caller may change)."""
        key = (method, target, self.server_name, self.protocol_version)
        cached = self._attrs_cache.get(key)
        if cached is None:
            cached = self._attrs_cache[key] = self._build_attributes(method, target)
            if len(self._attrs_cache) > _ATTRS_CACHE_SIZE:
                self._attrs_cache.clear()
        return dict(cached)

    def _build_attributes(self, method: str | None, target: str | None) -> dict[str, AttributeValue]:
        attrs: dict[str, AttributeValue] = {}
        if method is not None:
            attrs[sc.MCP_METHOD_NAME] = method
        if method == _TOOLS_CALL and target:
            attrs[sc.GEN_AI_TOOL_NAME] = target
        if self.server_name:
            attrs[sc.OBS_MCP_SERVER_NAME] = self.server_name
        if self.network_transport:
            attrs[sc.NETWORK_TRANSPORT] = self.network_transport
        if self.protocol_version:
            attrs[sc.MCP_PROTOCOL_VERSION] = self.protocol_version
        return attrs

    def learn(self, result: Mapping[str, Any]) -> None:
        """Pick up the server's name and protocol version from an initialize / discover result."""
        if not self._named:
            name = server_name_in(result)
            if name:
                self.server_name = name
        version = result.get("protocolVersion")
        if isinstance(version, str):
            self.protocol_version = version

    # --- requests --------------------------------------------------------------------------

    def begin(
        self,
        method: str,
        params: Mapping[str, Any] | None,
        *,
        request_id: str | int | None = None,
        parent: Context | None = None,
    ) -> PendingCall | Refused:
        """Open the span for an outgoing request, inject ``_meta`` and ask the breaker."""
        meta = meta_of(params)
        if meta is not None:
            version = meta.get(PROTOCOL_VERSION_META_KEY)
            if isinstance(version, str):
                self.protocol_version = version
        target = target_of(method, params)
        attrs = self.attributes(method, target)
        span_attrs = dict(attrs)
        if request_id is not None:
            span_attrs[sc.JSONRPC_REQUEST_ID] = str(request_id)
        if method == _TOOLS_CALL:
            span_attrs[sc.GEN_AI_OPERATION_NAME] = "execute_tool"
        name = span_name(method, target)
        span, owns, params = self._open_span(name, span_attrs, params, meta, parent)
        call = PendingCall(self, method, target, params, span, owns, attrs, self._clock())
        if method == _TOOLS_CALL and target is not None:
            self._note_retry(call)
            if self.breakers is not None:
                refused = call.ask_breaker(self.breakers.get(f"{self.server_label}/{target}"))
                if refused is not None:
                    return refused
        return call

    def _open_span(
        self,
        name: str,
        attrs: dict[str, AttributeValue],
        params: Mapping[str, Any] | None,
        meta: Mapping[str, Any] | None,
        parent: Context | None,
    ) -> tuple[Span, bool, Mapping[str, Any] | None]:
        ambient = trace.get_current_span(parent)
        ambient_ctx = ambient.get_span_context()
        if (
            self._adopt_sdk_spans
            and parent is None
            and ambient.is_recording()
            and getattr(ambient, "name", "").startswith(_SDK_SPAN_PREFIX)
            and meta is not None
            and meta.get("traceparent") == format_traceparent(ambient_ctx)
        ):
            # The SDK already opened a client span for this request and injected it:
            # make that span complete instead of nesting a second one under it.
            ambient.update_name(name)
            ambient.set_attributes({k: v for k, v in attrs.items() if k not in _SDK_SET})
            return ambient, False, params
        span = self._tracer.start_span(name, context=parent, kind=SpanKind.CLIENT, attributes=attrs)
        replaceable = format_traceparent(ambient_ctx) if ambient_ctx.is_valid else None
        params, _ = with_trace_context(params, trace.set_span_in_context(span, parent), replaceable=replaceable)
        return span, True, params

    def _note_retry(self, call: PendingCall) -> None:
        previous = self._failed_calls.get(call.target or "")
        if previous is not None and previous[0] == call.arguments_key():
            self.metrics.record_retry(previous[1], call.attrs)
            if call.span.is_recording():
                call.span.set_attribute(sc.OBS_RETRY_REASON, previous[1])

    def _remember_outcome(self, call: PendingCall, error_type: str | None) -> None:
        if call.method != _TOOLS_CALL or call.target is None or error_type == ERROR_CIRCUIT_OPEN:
            return  # a refused call never reached the server: the last real outcome still stands
        if error_type is None:
            self._failed_calls.pop(call.target, None)
        else:
            self._failed_calls[call.target] = (call.arguments_key(), error_type)

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
        self._session_start = self._clock()

    def session_ended(self, error_type: str | None = None) -> None:
        if self._session_start is None:
            return
        attrs = self.attributes()
        if error_type is not None:
            attrs[sc.ERROR_TYPE] = error_type
        self.metrics.record_session(self._clock() - self._session_start, attrs)
        self._session_start = None


class PendingCall:
    """One request in flight; exactly one of ``succeed`` / ``fail`` / ``fail_code`` ends it."""

    __slots__ = ("_done", "_observer", "_permit", "_start", "attrs", "method", "owns_span", "params", "span", "target")

    def __init__(
        self,
        observer: ClientObserver,
        method: str,
        target: str | None,
        params: Mapping[str, Any] | None,
        span: Span,
        owns_span: bool,
        attrs: dict[str, AttributeValue],
        start: float,
    ) -> None:
        self._observer = observer
        self.method = method
        self.target = target
        self.params = params
        """The params to send: the caller's, or a copy with trace context added to ``_meta``."""
        self.span = span
        self.owns_span = owns_span
        self.attrs = attrs
        self._start = start
        self._permit: tuple[CircuitBreaker, BreakerDecision] | None = None
        self._done = False

    def arguments_key(self) -> str:
        arguments = self.params.get("arguments") if self.params is not None else None
        try:
            return json.dumps(arguments, sort_keys=True, default=repr)
        except (TypeError, ValueError):
            return repr(arguments)

    def ask_breaker(self, breaker: CircuitBreaker) -> Refused | None:
        # A closed breaker cannot change state on acquire: skip making the span current then.
        with self._current(needed=breaker.state is not BreakerState.CLOSED):
            decision = breaker.acquire()
        if decision.allowed:
            self._permit = (breaker, decision)
            return None
        modern = is_modern(self._observer.protocol_version)
        result = refusal_result(self.target or "", self._observer.server_label, decision, modern=modern)
        self._end(ERROR_CIRCUIT_OPEN, "circuit breaker open", record_duration=False)
        return Refused(result)

    def add_event(self, method: str, params: Mapping[str, Any] | None) -> None:
        if self.span.is_recording():
            self.span.add_event(method, notification_event_attributes(method, params))

    def succeed(self, result: Mapping[str, Any]) -> None:
        if self.method in ("initialize", "server/discover") or not self._observer.server_name:
            self._observer.learn(result)
        if self.method == _TOOLS_CALL and is_tool_error(result):
            self._end(ERROR_TOOL, None)
        else:
            self._end(None, None)

    def fail_code(self, code: int, message: str) -> None:
        self._end(error_type_for_code(code), message, code=code)

    def fail(self, error_type: str, description: str | None = None) -> None:
        self._end(error_type, description)

    @contextlib.contextmanager
    def _current(self, *, needed: bool = True) -> Iterator[None]:
        """Make the span current so breaker transition events land on it (when it is not already)."""
        if not needed or trace.get_current_span() is self.span:
            yield
            return
        token = otel_context.attach(trace.set_span_in_context(self.span))
        try:
            yield
        finally:
            otel_context.detach(token)

    def _end(
        self, error_type: str | None, description: str | None, *, code: int | None = None, record_duration: bool = True
    ) -> None:
        if self._done:
            return
        self._done = True
        observer = self._observer
        if self.span.is_recording() and error_type is not None:
            self.span.set_attribute(sc.ERROR_TYPE, error_type)
            if code is not None:
                self.span.set_attribute(sc.RPC_RESPONSE_STATUS_CODE, str(code))
            self.span.set_status(StatusCode.ERROR, description)
        if self._permit is not None:
            breaker, decision = self._permit
            success = error_type is None or (error_type == ERROR_TOOL and not observer.count_tool_errors)
            # A success in a closed breaker changes nothing: no span needs to be current for it.
            with self._current(needed=not (success and decision.state is BreakerState.CLOSED)):
                if error_type == ERROR_CANCELLED:
                    breaker.release(decision)
                elif success:
                    breaker.record_success(decision)
                else:
                    breaker.record_failure(error_type or "error", decision)
        if record_duration:
            observer.metrics.record_call(observer._clock() - self._start, self.attrs, error_type)
        else:
            observer.metrics.record_refused(self.attrs, error_type or ERROR_CIRCUIT_OPEN)
        observer._remember_outcome(self, error_type)
        if self.owns_span:
            self.span.end()
