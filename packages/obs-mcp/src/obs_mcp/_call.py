"""One request in flight on the client side: how it ends, on its span, its metrics and its breaker.

Created by :meth:`ClientObserver.begin`; exactly one of ``succeed`` /
``fail_response`` / ``fail`` ends it (later calls are ignored, as a response
racing a timeout would otherwise end it twice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from obs_core import semconv as sc
from obs_core.breaker import BreakerDecision, BreakerState, CircuitBreaker
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, StatusCode
from opentelemetry.util.types import AttributeValue

from ._attrs import (
    ERROR_CANCELLED,
    ERROR_CIRCUIT_OPEN,
    ERROR_TOOL,
    TOOLS_CALL,
    is_modern,
    is_tool_error,
    notification_event_attributes,
)
from ._degraded import refusal_result
from ._retries import arguments_digest

if TYPE_CHECKING:
    from ._observer import ClientObserver

T = TypeVar("T")
_LEARNED_FROM = frozenset({"initialize", "server/discover"})


@dataclass(frozen=True, slots=True)
class Refused:
    """The breaker refused the call: answer the caller with ``result`` and do not send the request."""

    result: dict[str, Any]


class PendingCall:
    """One request in flight; exactly one of ``succeed`` / ``fail_response`` / ``fail`` ends it."""

    __slots__ = (
        "_digest",
        "_done",
        "_observer",
        "_permit",
        "_start",
        "attrs",
        "method",
        "owns_span",
        "params",
        "span",
        "target",
    )

    def __init__(
        self,
        observer: ClientObserver,
        method: str,
        target: str | None,
        params: Mapping[str, Any] | None,
        span: Span,
        owns_span: bool,
        attrs: Mapping[str, AttributeValue],
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
        """Attributes of the call's metric points (shared with other calls: never mutated)."""
        self._start = start
        self._permit: tuple[CircuitBreaker, BreakerDecision] | None = None
        self._done = False
        self._digest: int | None = None

    def digest(self) -> int:
        """Hash of the call's arguments, for retry detection (computed once, and only when needed)."""
        if self._digest is None:
            self._digest = arguments_digest(self.params)
        return self._digest

    def ask_breaker(self, breaker: CircuitBreaker) -> Refused | None:
        # A closed breaker cannot change state on acquire: no span needs to be current for it.
        closed = breaker.state is BreakerState.CLOSED
        decision = breaker.acquire() if closed else self._in_span(breaker.acquire)
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
        observer = self._observer
        if self.method in _LEARNED_FROM or not observer.server_name:
            observer.learn(result)
        if self.method == TOOLS_CALL and is_tool_error(result):
            self._end(ERROR_TOOL, None)
        else:
            self._end(None, None)

    def fail_response(self, code: int, message: str) -> None:
        """The server answered with a JSON-RPC error: ``error.type`` is its code, whatever the code."""
        status = str(code)
        self._end(status, message, status_code=status)

    def fail(self, error_type: str, description: str | None = None) -> None:
        """The call ended without an answer (timeout, cancellation, broken connection)."""
        self._end(error_type, description)

    def _in_span(self, fn: Callable[..., T], *args: Any) -> T:
        """Call ``fn`` with the span current, so breaker transition events land on it."""
        if trace.get_current_span() is self.span:
            return fn(*args)
        token = otel_context.attach(trace.set_span_in_context(self.span))
        try:
            return fn(*args)
        finally:
            otel_context.detach(token)

    def _end(
        self,
        error_type: str | None,
        description: str | None,
        *,
        status_code: str | None = None,
        record_duration: bool = True,
    ) -> None:
        if self._done:
            return
        self._done = True
        observer = self._observer
        duration = observer.clock() - self._start  # first: obs's own work below is not the call's time
        span = self.span
        if error_type is not None and span.is_recording():
            span.set_attribute(sc.ERROR_TYPE, error_type)
            if status_code is not None:
                span.set_attribute(sc.RPC_RESPONSE_STATUS_CODE, status_code)
            span.set_status(StatusCode.ERROR, description)
        if self._permit is not None:
            self._report_to_breaker(error_type)
        # The span's context, so metric exemplars point at this call (None: nothing to point at).
        context = trace.set_span_in_context(span) if span.is_recording() else None
        if record_duration:
            observer.metrics.record_operation(duration, self.attrs, error_type, status_code, context)
        else:
            observer.metrics.record_refused(self.attrs, error_type or ERROR_CIRCUIT_OPEN, context)
        target = self.target
        if self.method == TOOLS_CALL and target is not None and error_type != ERROR_CIRCUIT_OPEN:
            # A refused call never reached the server: the last real outcome still stands.
            if error_type is None:
                observer.retries.succeeded(target)
            else:
                observer.retries.failed(target, self.digest(), error_type)
        if self.owns_span:
            span.end()

    def _report_to_breaker(self, error_type: str | None) -> None:
        assert self._permit is not None
        breaker, decision = self._permit
        if error_type == ERROR_CANCELLED:
            breaker.release(decision)  # no outcome, and never a transition
        elif error_type is None or (error_type == ERROR_TOOL and not self._observer.count_tool_errors):
            if decision.state is BreakerState.CLOSED:
                breaker.record_success(decision)  # a success in a closed breaker changes nothing
            else:
                self._in_span(breaker.record_success, decision)
        else:
            self._in_span(breaker.record_failure, error_type, decision)
