"""JSON-RPC correlation for the client side: which response ends which call.

The ``Transport`` wrapper and the stdio proxy see messages, not calls. This
layer keeps the in-flight requests by id (and by progress token, so progress
notifications land on the right span), turns responses and errors into
``PendingCall`` outcomes, and classifies a caller's ``notifications/cancelled``
as a timeout or a cancellation. Every entry point guards obs's own logic and
falls back to "forward the message unchanged".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from obs_core import internal_guard
from opentelemetry.context import Context

from ._attrs import ERROR_CANCELLED, ERROR_TIMEOUT
from ._call import PendingCall, Refused
from ._meta import meta_of
from ._observer import ClientObserver

RequestKey = str | int | float


def correlation_key(request_id: object) -> RequestKey | None:
    """Ids correlate as the SDK does: ``"7"`` and ``7`` are one id. JSON-RPC also allows (discourages)
    fractional ids; null, booleans, objects and arrays cannot be matched to a response."""
    if isinstance(request_id, bool) or not isinstance(request_id, str | int | float):
        return None
    if isinstance(request_id, str):
        try:
            return int(request_id)
        except ValueError:
            return request_id
    if isinstance(request_id, float) and not math.isfinite(request_id):
        return None
    return request_id


class WireClient:
    """In-flight requests of one connection, seen from the client side."""

    def __init__(self, observer: ClientObserver) -> None:
        self.observer = observer
        self._pending: dict[RequestKey, tuple[PendingCall, RequestKey | None]] = {}
        self._by_token: dict[RequestKey, PendingCall] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def request(
        self, request_id: object, method: str, params: Mapping[str, Any] | None, *, parent: Context | None = None
    ) -> tuple[Mapping[str, Any] | None, dict[str, Any] | None]:
        """Params to send (maybe with ``_meta`` added), or a result to answer with instead of sending."""
        decided: tuple[Mapping[str, Any] | None, dict[str, Any] | None] = (params, None)
        with internal_guard("mcp.client.request"):
            key = correlation_key(request_id)
            if key is None:  # no response could ever end its span or report to the breaker: pass it on as is
                return decided
            # The span carries the id as sent ("007" stays "007"); only correlation uses the coerced key.
            outcome = self.observer.begin(method, params, request_id=request_id, parent=parent)
            if isinstance(outcome, Refused):
                decided = (params, outcome.result)
            else:
                token = _progress_token(params)
                self._pending[key] = (outcome, token)
                if token is not None:
                    self._by_token[token] = outcome
                decided = (outcome.params, None)
        return decided

    def notification(self, method: str, params: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """Params of an outgoing notification to send; a cancellation also ends its call."""
        out = params
        with internal_guard("mcp.client.notification"):
            if method == "notifications/cancelled" and params is not None:
                reason = params.get("reason")
                text = reason if isinstance(reason, str) else "cancelled"
                # The SDKs give up with "timed out after Ns" / "Request timeout": the only hint there is.
                timed_out = "timed out" in text.lower() or "timeout" in text.lower()
                call = self._pop(params.get("requestId"))
                if call is not None:
                    call.add_event(method, params)
                    call.fail(ERROR_TIMEOUT if timed_out else ERROR_CANCELLED, text)
            out = self.observer.outbound_notification(method, params)
        return out  # noqa: RET504 - assigned inside the guard, which may swallow and leave the original

    def response(self, request_id: object, result: Mapping[str, Any]) -> None:
        with internal_guard("mcp.client.response"):
            call = self._pop(request_id)
            if call is not None:
                call.succeed(result)

    def error(self, request_id: object, code: int, message: str) -> None:
        with internal_guard("mcp.client.response"):
            call = self._pop(request_id)
            if call is not None:
                call.fail_response(code, message)

    def fail(self, request_id: object, error_type: str, description: str | None = None) -> None:
        """End one call without a response (timeout, cancellation, failed write)."""
        with internal_guard("mcp.client.response"):
            call = self._pop(request_id)
            if call is not None:
                call.fail(error_type, description)

    def fail_all(self, error_type: str, description: str) -> None:
        """The connection ended: every call still waiting failed with it."""
        with internal_guard("mcp.client.close"):
            for key in list(self._pending):
                call = self._pop(key)
                if call is not None:
                    call.fail(error_type, description)

    def server_notification(self, method: str, params: Mapping[str, Any] | None) -> None:
        """A notification from the server: counted, and an event on its request's span when known."""
        with internal_guard("mcp.client.notification"):
            call: PendingCall | None = None
            if params is not None:
                if method == "notifications/progress":
                    token = correlation_key(params.get("progressToken"))
                    call = self._by_token.get(token) if token is not None else None
                elif method == "notifications/cancelled":
                    entry = self._pending.get(correlation_key(params.get("requestId")) or "")
                    call = entry[0] if entry is not None else None
            self.observer.inbound_notification(method, call, params)

    def _pop(self, request_id: object) -> PendingCall | None:
        key = correlation_key(request_id)
        entry = self._pending.pop(key, None) if key is not None else None
        if entry is None:
            return None
        call, token = entry
        if token is not None:
            self._by_token.pop(token, None)
        return call


def _progress_token(params: Mapping[str, Any] | None) -> RequestKey | None:
    meta = meta_of(params)
    return correlation_key(meta.get("progressToken")) if meta is not None else None
