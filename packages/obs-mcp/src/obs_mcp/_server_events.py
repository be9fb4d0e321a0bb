"""Server-side notifications and server-initiated requests as events on the request's span.

A handler reaches the client through ``ctx.session``. The middleware hands
the handler a session built (with the SDK's public constructor) on a
recording view of the same request-scoped channel, so progress, log
messages and sampling / elicitation / roots requests sent while handling a
request show up on that request's span, in order, without touching the
handler. If the SDK's session ever stops exposing that channel, the
original session is used and only the events are lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import anyio
from mcp.server.session import ServerSession
from mcp.shared.dispatcher import CallOptions, DispatchContext
from mcp.shared.message import MessageMetadata
from mcp.shared.transport_context import TransportContext
from mcp_types import RequestId, RequestParamsMeta
from obs_core import internal_guard

Recorder = Callable[[str, Mapping[str, Any] | None], None]


class RecordingOutbound:
    """A ``DispatchContext`` that reports what the handler sends before passing it on."""

    def __init__(self, inner: DispatchContext[TransportContext], record: Recorder) -> None:
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


def request_channel(session: ServerSession) -> DispatchContext[TransportContext] | None:
    """The request-scoped channel a session was built on, if the SDK still keeps it where 2.3 does."""
    channel = getattr(session, "_request_outbound", None)
    if channel is None or not hasattr(channel, "transport") or not hasattr(channel, "progress"):
        return None
    return cast("DispatchContext[TransportContext]", channel)


def recording_session(
    session: ServerSession, channel: DispatchContext[TransportContext], meta: RequestParamsMeta | None, record: Recorder
) -> ServerSession:
    """A session equal to ``session`` whose request-scoped traffic is reported to ``record``."""
    connection = getattr(session, "_connection", None)
    if connection is None:
        return session
    return ServerSession(RecordingOutbound(channel, record), connection, request_meta=meta)
