"""What the server side learns from the SDK's per-request session: notification events, session lifetime.

A handler reaches the client through ``ctx.session``. The middleware hands
the handler a session built (with the SDK's public constructor) on a
recording view of the same request-scoped channel, so progress, log
messages and sampling / elicitation / roots requests sent while handling a
request show up on that request's span, in order, without touching the
handler.

The session keeps that channel and its ``Connection`` in private attributes
(``_request_outbound``, ``_connection``; SDK 2.3). :class:`SessionSeams`
reads them defensively: when another SDK version lacks them, the features
built on them are lost, counted once on ``obs.internal.errors``, and the
request goes on with the original session.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any, cast

import anyio
from mcp.server.context import ServerRequestContext
from mcp.server.session import ServerSession
from mcp.shared.dispatcher import CallOptions, DispatchContext
from mcp.shared.message import MessageMetadata
from mcp.shared.transport_context import TransportContext
from mcp_types import RequestId
from obs_core import internal_guard

from ._compat import sdk_changed

Recorder = Callable[[str, Mapping[str, Any] | None], None]
Channel = DispatchContext[TransportContext]
_CHANNEL_METHODS = ("notify", "send_raw_request", "progress")


class RecordingOutbound:
    """A ``DispatchContext`` that reports what the handler sends before passing it on."""

    def __init__(self, inner: Channel, record: Recorder) -> None:
        self._inner = inner
        self._record = record

    @property
    def transport(self) -> TransportContext:
        return self._inner.transport

    @property
    def can_send_request(self) -> bool:
        return self._inner.can_send_request

    @property
    def request_id(self) -> RequestId | None:
        return self._inner.request_id

    @property
    def message_metadata(self) -> MessageMetadata:
        return self._inner.message_metadata

    @property
    def cancel_requested(self) -> anyio.Event:
        return self._inner.cancel_requested

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None) -> None:
        self._note(method, params)
        await self._inner.notify(method, params, opts)

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> dict[str, Any]:
        self._note(method, params)
        return await self._inner.send_raw_request(method, params, opts)

    async def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        self._note("notifications/progress", {"progress": progress, "total": total})
        await self._inner.progress(progress, total, message)

    def _note(self, method: str, params: Mapping[str, Any] | None) -> None:
        with internal_guard("mcp.server.event"):
            self._record(method, params)


class SessionSeams:
    """The SDK-private parts of ``ServerSession`` obs uses, each checked once and lost softly."""

    def __init__(self) -> None:
        self._events_lost = False
        self._sessions_lost = False
        self._tracked: weakref.WeakSet[Any] = weakref.WeakSet()
        self._channel_types: set[type] = set()
        """Channel classes already checked for the methods ``RecordingOutbound`` forwards to."""

    def channel(self, session: ServerSession) -> Channel | None:
        """The request-scoped channel the session was built on; None once the SDK stopped keeping it."""
        if self._events_lost:
            return None
        channel = getattr(session, "_request_outbound", None)
        if getattr(session, "_connection", None) is not None and self._usable(channel):
            return cast("Channel", channel)
        self._events_lost = True
        sdk_changed(
            "mcp.server.events",
            "ServerSession keeps no _request_outbound / _connection: server spans get no notification events",
        )
        return None

    def _usable(self, channel: object) -> bool:
        """Whether it has what ``RecordingOutbound`` forwards to; checked once per class (this runs per request)."""
        kind = type(channel)
        if kind in self._channel_types:
            return True
        if channel is None or not all(callable(getattr(channel, name, None)) for name in _CHANNEL_METHODS):
            return False
        self._channel_types.add(kind)
        return True

    def recording(
        self, ctx: ServerRequestContext[Any, Any], channel: Channel, record: Recorder
    ) -> ServerRequestContext[Any, Any]:
        """``ctx`` whose session reports its request-scoped traffic to ``record``."""
        session = ServerSession(RecordingOutbound(channel, record), ctx.session._connection, request_meta=ctx.meta)
        return replace(ctx, session=session)

    def on_session_end(self, session: ServerSession, ended: Callable[[Any], None]) -> None:
        """Call ``ended(connection)`` when the session's connection closes (once per connection).

        ``Connection.exit_stack`` is the SDK's documented per-connection
        teardown hook; only reaching the connection goes through a private
        attribute.
        """
        if self._sessions_lost:
            return
        connection = getattr(session, "_connection", None)
        exit_stack = getattr(connection, "exit_stack", None)
        if connection is None or not callable(getattr(exit_stack, "callback", None)):
            self._sessions_lost = True
            sdk_changed(
                "mcp.server.session", "ServerSession keeps no _connection.exit_stack: no server session duration"
            )
            return
        if connection in self._tracked:
            return
        self._tracked.add(connection)
        cast("AsyncExitStack", exit_stack).callback(ended, connection)
