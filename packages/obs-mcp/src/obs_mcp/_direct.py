"""Client spans for the in-process path, where the SDK makes none.

``Client(server)`` in its default mode skips JSON-RPC entirely: a
``DirectDispatcher`` awaits the server's handlers directly. No transport sees
those calls, so obs wraps the dispatcher instead. The client span is made
current around the call, so the server's spans (same process, same task)
nest under it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anyio
import anyio.abc
from mcp.shared.dispatcher import (
    CallOptions,
    DispatchContext,
    Dispatcher,
    OnNotify,
    OnNotifyIntercept,
    OnRequest,
    ProgressFnT,
)
from mcp.shared.exceptions import MCPError
from mcp.shared.transport_context import TransportContext
from obs_core import internal_guard
from opentelemetry import context as otel_context
from opentelemetry import trace

from ._attrs import CONNECTION_CLOSED, ERROR_CANCELLED, ERROR_TIMEOUT, ERROR_TRANSPORT, REQUEST_TIMEOUT
from ._call import PendingCall, Refused
from ._observer import ClientObserver


class DelegatingDispatcher:
    """A ``Dispatcher`` that hands everything to the one it wraps; wrappers override what they observe."""

    def __init__(self, inner: Dispatcher[Any]) -> None:
        self._inner = inner

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> dict[str, Any]:
        return await self._inner.send_raw_request(method, params, opts)

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None) -> None:
        await self._inner.notify(method, params, opts)

    async def run(
        self,
        on_request: OnRequest,
        on_notify: OnNotify,
        on_notify_intercept: OnNotifyIntercept | None = None,
        *,
        task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        await self._inner.run(on_request, self._inbound(on_notify), on_notify_intercept, task_status=task_status)

    def _inbound(self, on_notify: OnNotify) -> OnNotify:
        """The handler for the peer's notifications (the caller's, unless a wrapper observes them)."""
        return on_notify


class ObservedDispatcher(DelegatingDispatcher):
    """A ``Dispatcher`` that reports every outbound request of the one it wraps."""

    def __init__(self, inner: Dispatcher[Any], observer: ClientObserver) -> None:
        super().__init__(inner)
        self.observer = observer

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> dict[str, Any]:
        call: PendingCall | None = None
        refused: dict[str, Any] | None = None
        with internal_guard("mcp.client.request"):
            outcome = self.observer.begin(method, params)
            if isinstance(outcome, Refused):
                refused = outcome.result
            else:
                call = outcome
                params = call.params
                opts = _with_progress_events(opts, call)
        if refused is not None:
            return refused
        if call is None:
            return await self._inner.send_raw_request(method, params, opts)
        # Current for the call, so an in-process server's spans nest under it (plain attach: this is the
        # hot path, and the span's status is set by the call's outcome, not by a context manager).
        token = otel_context.attach(trace.set_span_in_context(call.span))
        try:
            result = await self._inner.send_raw_request(method, params, opts)
        except MCPError as exc:
            with internal_guard("mcp.client.response"):
                local = _local_error_type(exc)
                if local is None:
                    call.fail_response(exc.error.code, exc.error.message)
                else:
                    call.fail(local, exc.error.message)
            raise
        except anyio.get_cancelled_exc_class():
            with internal_guard("mcp.client.response"):
                call.fail(ERROR_CANCELLED, "caller cancelled")
            raise
        except Exception as exc:
            with internal_guard("mcp.client.response"):
                call.fail(type(exc).__qualname__, str(exc))
            raise
        finally:
            otel_context.detach(token)
        with internal_guard("mcp.client.response"):
            call.succeed(result)
        return result

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None) -> None:
        with internal_guard("mcp.client.notification"):
            params = self.observer.outbound_notification(method, params)
        await self._inner.notify(method, params, opts)

    def _inbound(self, on_notify: OnNotify) -> OnNotify:
        observer = self.observer

        async def counted(
            ctx: DispatchContext[TransportContext], method: str, params: Mapping[str, Any] | None
        ) -> None:
            with internal_guard("mcp.client.notification"):
                observer.inbound_notification(method, None, params)
            await on_notify(ctx, method, params)

        return counted


def _local_error_type(exc: MCPError) -> str | None:
    """``timeout`` / ``transport_error`` when the SDK raised ``exc`` itself, None when the server's handler did.

    On this path both reach the caller as ``MCPError``. The SDK's ``DirectDispatcher`` raises its timeout
    out of a ``TimeoutError`` and its closed-peer error with a fixed message; a handler raising the same
    codes is answered as the code, as on the wire.
    """
    if exc.error.code == REQUEST_TIMEOUT and isinstance(exc.__context__, TimeoutError):
        return ERROR_TIMEOUT
    if exc.error.code == CONNECTION_CLOSED and exc.error.message == "Connection closed":
        return ERROR_TRANSPORT
    return None


def _with_progress_events(opts: CallOptions | None, call: PendingCall) -> CallOptions | None:
    """Progress arrives as a callback on this path: record it on the call's span on its way through."""
    if opts is None or "on_progress" not in opts:
        return opts
    user_callback = opts["on_progress"]

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        with internal_guard("mcp.client.progress"):
            call.add_event("notifications/progress", {"progress": progress, "total": total})
        await user_callback(progress, total, message)

    recording: ProgressFnT = on_progress
    return {**opts, "on_progress": recording}
