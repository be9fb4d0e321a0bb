"""``ObsTransport``: wrap any MCP client ``Transport`` so every message passes obs on its way.

``Client(ObsTransport(stdio_client(params)))`` sees the same server, with
trace context in ``_meta`` on every request and notification, client spans
(or the SDK's own span completed with ``error.type``, ``network.transport``
and the semconv name), metrics and the per-tool breaker.

Outgoing messages are handled in the caller's task, inside the SDK's span.
Standalone, incoming ones pass a relay task, which is also how a refused call
is answered: the breaker's result is put on the read side as if the server
had sent it, so the SDK's request/response machinery stays untouched. Under
``instrument_client`` the relay is skipped (one task hop less per response):
its dispatcher wrapper answers refusals instead (see ``_streams``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

import anyio
from mcp.client import Transport
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from obs_core import internal_guard
from obs_core.breaker import BreakerConfig, BreakerRegistry
from opentelemetry import metrics, trace

from ._attrs import ERROR_TRANSPORT, TRANSPORT_PIPE, TRANSPORT_TCP
from ._observer import ClientObserver
from ._streams import InlineReceiveStream, ObservedWriteStream, Relayed, RelayReceiveStream, relay
from ._wire import WireClient

if TYPE_CHECKING:  # the SDK's private modules: needed by the type checker only, never at run time
    from mcp.client._transport import TransportStreams
    from mcp.shared._stream_protocols import ReadStream, WriteStream
    from mcp.shared.message import SessionMessage


class ObsTransport:
    """A ``Transport`` that instruments the transport it wraps; see the module docstring."""

    def __init__(
        self,
        transport: Transport,
        *,
        server_name: str | None = None,
        network_transport: str | None = None,
        breakers: BreakerRegistry | BreakerConfig | None = BreakerConfig(),  # noqa: B008 - frozen, shared safely
        count_tool_errors: bool = True,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._inner = transport
        self.observer = ClientObserver(
            server_name=server_name,
            network_transport=network_transport,
            breakers=breakers,
            count_tool_errors=count_tool_errors,
            adopt_sdk_spans=True,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
        )
        self._cm: AbstractAsyncContextManager[TransportStreams] | None = None
        self._raise_refusals = False
        """Set by ``instrument_client``, whose dispatcher wrapper answers a :class:`Refusal`: no relay needed."""

    @classmethod
    def stdio(cls, params: StdioServerParameters, **kwargs: Any) -> ObsTransport:
        """Spawn a server over stdio (``network.transport`` = ``pipe``)."""
        kwargs.setdefault("network_transport", TRANSPORT_PIPE)
        return cls(stdio_client(params), **kwargs)

    @classmethod
    def http(cls, url: str, **kwargs: Any) -> ObsTransport:
        """Connect over Streamable HTTP (``network.transport`` = ``tcp``)."""
        kwargs.setdefault("network_transport", TRANSPORT_TCP)
        return cls(streamable_http_client(url), **kwargs)

    @property
    def breakers(self) -> BreakerRegistry | None:
        return self.observer.breakers

    async def __aenter__(self) -> TransportStreams:
        self._cm = self._connect()
        return await self._cm.__aenter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        cm, self._cm = self._cm, None
        if cm is not None:
            return await cm.__aexit__(exc_type, exc, tb)
        return None

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[TransportStreams]:
        wire = WireClient(self.observer)
        async with self._inner as (read, write):
            with internal_guard("mcp.client.session"):
                self.observer.session_started()
            failed: list[str] = []
            try:
                if self._raise_refusals:
                    yield InlineReceiveStream(read, wire, failed), ObservedWriteStream(write, wire, None)
                else:
                    async with self._relayed(read, write, wire, failed) as streams:
                        yield streams
            finally:
                with internal_guard("mcp.client.session"):
                    wire.fail_all(ERROR_TRANSPORT, "connection closed with the request in flight")
                    self.observer.session_ended(failed[0] if failed else None)

    @asynccontextmanager
    async def _relayed(
        self,
        read: ReadStream[SessionMessage | Exception],
        write: WriteStream[SessionMessage],
        wire: WireClient,
        failed: list[str],
    ) -> AsyncIterator[TransportStreams]:
        relay_send, relay_receive = anyio.create_memory_object_stream[Relayed](0)
        async with anyio.create_task_group() as tg:
            # One send side shared by the relay and the refusals: when the relay closes it
            # at EOF, the dispatcher sees EOF too.
            tg.start_soon(relay, read, relay_send, wire, failed)
            try:
                yield RelayReceiveStream(relay_receive), ObservedWriteStream(write, wire, relay_send)
            finally:
                tg.cancel_scope.cancel()
