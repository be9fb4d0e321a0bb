"""The stream wrappers ``ObsTransport`` puts between the SDK's dispatcher and a transport.

Outgoing messages are observed in the caller's task, inside the SDK's span.
Incoming ones are observed either inline, in the dispatcher's read loop, or
by a relay task; the relay exists only so a refused call can be answered on
the read side as if the server had sent the answer (a blocked read cannot be
interrupted safely otherwise). ``instrument_client`` avoids the relay: its
dispatcher wrapper turns :class:`Refusal` into the result instead.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCError, JSONRPCNotification, JSONRPCRequest, JSONRPCResponse
from obs_core import internal_guard

from ._attrs import ERROR_CANCELLED, ERROR_TRANSPORT
from ._wire import WireClient

if TYPE_CHECKING:  # the SDK's private module: needed by the type checker only, never at run time
    from mcp.shared._stream_protocols import ReadStream, WriteStream

Relayed = tuple[contextvars.Context | None, SessionMessage | Exception]


class Refusal(BaseException):
    """The breaker refused a request; carries the result to answer with.

    A ``BaseException`` so nothing on its way up to obs's dispatcher wrapper
    (the SDK's span context manager records ``Exception`` only) mistakes it for
    a failure of the call.
    """

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__("circuit breaker open")
        self.result = result


async def relay(
    read: ReadStream[SessionMessage | Exception],
    out: MemoryObjectSendStream[Relayed],
    wire: WireClient,
    failed: list[str],
) -> None:
    """Move inbound messages to the dispatcher, noting responses and notifications on the way."""
    try:
        async with out:
            async for item in read:
                if isinstance(item, SessionMessage):
                    observe_inbound(wire, item)
                await out.send((getattr(read, "last_context", None), item))
            # EOF with requests in flight: fail them while the SDK's spans are still open.
            if len(wire):
                failed.append(ERROR_TRANSPORT)
                wire.fail_all(ERROR_TRANSPORT, "the server closed the connection")
    except (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream):
        pass


def observe_inbound(wire: WireClient, item: SessionMessage) -> None:
    """Responses end their calls; notifications are counted and put on their request's span."""
    msg = item.message
    if isinstance(msg, JSONRPCResponse):
        wire.response(msg.id, msg.result)
    elif isinstance(msg, JSONRPCError):
        wire.error(msg.id, msg.error.code, msg.error.message)
    elif isinstance(msg, JSONRPCNotification):
        wire.server_notification(msg.method, msg.params)


class _Closeable:
    """``async with`` support for the stream wrappers, as the SDK's streams have it."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        await self.aclose()
        return None


class _ReceiveStream(_Closeable):
    """The read-stream surface the SDK's dispatcher iterates: ``receive``, ``async for``, ``async with``."""

    async def receive(self) -> SessionMessage | Exception:
        raise NotImplementedError

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None


class ObservedWriteStream(_Closeable):
    """The dispatcher's write side: observe, maybe answer locally, else forward."""

    def __init__(
        self, inner: WriteStream[SessionMessage], wire: WireClient, relay: MemoryObjectSendStream[Relayed] | None
    ) -> None:
        self._inner = inner
        self._wire = wire
        self._relay = relay

    async def send(self, item: SessionMessage, /) -> None:
        msg = item.message
        if isinstance(msg, JSONRPCRequest):
            params, answer = self._wire.request(msg.id, msg.method, msg.params)
            if answer is not None:
                if self._relay is None:
                    raise Refusal(answer)
                reply = SessionMessage(JSONRPCResponse(jsonrpc="2.0", id=msg.id, result=answer))
                await self._relay.send((None, reply))
                return
            item = _with_params(item, msg, params)
            try:
                await self._inner.send(item)
            except anyio.get_cancelled_exc_class():
                self._wire.fail(msg.id, ERROR_CANCELLED, "cancelled while being written")
                raise
            except BaseException:
                self._wire.fail(msg.id, ERROR_TRANSPORT, "the request could not be written")
                raise
            return
        if isinstance(msg, JSONRPCNotification):
            item = _with_params(item, msg, self._wire.notification(msg.method, msg.params))
        await self._inner.send(item)

    async def aclose(self) -> None:
        if self._relay is not None:
            self._relay.close()
        await self._inner.aclose()


def _with_params(
    item: SessionMessage, msg: JSONRPCRequest | JSONRPCNotification, params: Mapping[str, Any] | None
) -> SessionMessage:
    """``item`` carrying ``params`` (the original when obs changed nothing, or when the copy fails)."""
    if params is msg.params:
        return item
    out = item
    with internal_guard("mcp.client.request"):
        updated = msg.model_copy(update={"params": cast("dict[str, Any] | None", params)})
        out = SessionMessage(updated, item.metadata)
    return out  # noqa: RET504 - assigned inside the guard, which may swallow and leave the original


class RelayReceiveStream(_ReceiveStream):
    """The dispatcher's read side; carries the sender's contextvars like the SDK's context streams."""

    def __init__(self, inner: MemoryObjectReceiveStream[Relayed]) -> None:
        self._inner = inner
        self.last_context: contextvars.Context | None = None

    async def receive(self) -> SessionMessage | Exception:
        ctx, item = await self._inner.receive()
        self.last_context = ctx
        return item

    async def aclose(self) -> None:
        await self._inner.aclose()


class InlineReceiveStream(_ReceiveStream):
    """The dispatcher's read side without a relay: observes each message as the dispatcher takes it."""

    def __init__(self, inner: ReadStream[SessionMessage | Exception], wire: WireClient, failed: list[str]) -> None:
        self._inner = inner
        self._wire = wire
        self._failed = failed

    @property
    def last_context(self) -> contextvars.Context | None:
        """The sender's contextvars, when the wrapped stream carries them (the SDK's context streams)."""
        context: contextvars.Context | None = getattr(self._inner, "last_context", None)
        return context

    async def receive(self) -> SessionMessage | Exception:
        try:
            item = await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._ended()
            raise
        if isinstance(item, SessionMessage):
            observe_inbound(self._wire, item)
        return item

    def _ended(self) -> None:
        # EOF with requests in flight: fail them while the SDK's spans are still open.
        if len(self._wire):
            self._failed.append(ERROR_TRANSPORT)
            self._wire.fail_all(ERROR_TRANSPORT, "the server closed the connection")

    async def aclose(self) -> None:
        await self._inner.aclose()
