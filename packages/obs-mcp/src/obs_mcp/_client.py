"""``instrument_client``: one call that instruments an ``mcp.Client`` on every path it can take.

The SDK resolves how to reach the server when the ``Client`` is built (a
URL, stdio parameters, a ``Transport``, or an in-process server) and keeps
the result as its private ``_connect`` connector. obs swaps that connector
for one that puts :class:`ObsTransport` under the JSON-RPC paths and
:class:`ObservedDispatcher` on the in-process direct path, and keeps the
original so :func:`uninstrument_client` restores it. On the JSON-RPC paths a
thin dispatcher wrapper answers refused tool calls, which spares the
transport wrapper its relay task.

The connector is SDK-internal (2.3), so every use of it fails soft: if the
attribute is missing, is called differently, or ``InMemoryTransport`` moved,
the client connects exactly as the SDK would, uninstrumented, and the lost
feature is counted once on ``obs.internal.errors``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from typing import Any

from mcp import Client
from mcp.client import Transport
from mcp.client.stdio import StdioServerParameters
from mcp.server import Server
from mcp.server.mcpserver import MCPServer
from mcp.shared.dispatcher import CallOptions, Dispatcher
from mcp.shared.jsonrpc_dispatcher import JSONRPCDispatcher
from obs_core import internal_guard
from obs_core.breaker import BreakerConfig, BreakerRegistry
from opentelemetry import metrics, trace

from ._attrs import TRANSPORT_INPROC
from ._compat import SdkChanged, sdk_changed
from ._direct import DelegatingDispatcher, ObservedDispatcher
from ._observer import ClientObserver
from ._streams import Refusal
from ._transport import ObsTransport

_ORIGINAL = "_obs_original_connect"
Connector = Callable[..., Awaitable[Dispatcher[Any]]]


def instrument_client(
    client: Client,
    *,
    server_name: str | None = None,
    breakers: BreakerRegistry | BreakerConfig | None = BreakerConfig(),  # noqa: B008 - frozen, shared safely
    count_tool_errors: bool = True,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
) -> Client:
    """Instrument ``client`` before it is entered; returns it for chaining.

    ``breakers``: a registry shared with other clients, a config for a
    registry of this client's own, or None for no breaker. A
    :class:`BreakerConfig` builds one registry per ``instrument_client``
    call, shared by every connection the client makes.
    """
    if getattr(client, "_entered", False):
        raise RuntimeError("instrument_client() must be called before `async with client`")
    with internal_guard("mcp.client.instrument"):
        if _ORIGINAL in vars(client):
            return client
        original: Connector | None = getattr(client, "_connect", None)
        if not callable(original):
            raise SdkChanged("mcp.Client has no _connect connector: the client is left uninstrumented")
        if isinstance(breakers, BreakerConfig):
            breakers = BreakerRegistry(breakers, meter_provider=meter_provider, tracer_provider=tracer_provider)
        options: dict[str, Any] = {
            "server_name": server_name,
            "breakers": breakers,
            "count_tool_errors": count_tool_errors,
            "tracer_provider": tracer_provider,
            "meter_provider": meter_provider,
        }
        vars(client)[_ORIGINAL] = original
        client._connect = _instrumented_connector(original, client.server, options)
    return client


def uninstrument_client(client: Client) -> Client:
    """Restore the connector ``instrument_client`` replaced (takes effect on the next ``async with``)."""
    original = vars(client).pop(_ORIGINAL, None)
    if original is not None:
        client._connect = original
    return client


def _instrumented_connector(original: Connector, server: object, options: dict[str, Any]) -> Connector:
    async def connect(*args: Any, **kwargs: Any) -> Dispatcher[Any]:
        known = _known_arguments(args, kwargs)
        if known is None:
            sdk_changed("mcp.client.connect", "Client._connect was called with arguments obs does not know")
            return await original(*args, **kwargs)
        exit_stack, mode, raise_exceptions = known
        in_process = isinstance(server, Server | MCPServer)
        if in_process and mode != "legacy":
            dispatcher = await original(*args, **kwargs)
            return _observed_direct(dispatcher, exit_stack, options)
        transport = _transport_for(server, raise_exceptions, options)
        if transport is None:  # obs cannot build the transport here: connect as the SDK would
            return await original(*args, **kwargs)
        read_stream, write_stream = await exit_stack.enter_async_context(transport)
        return RefusalAnsweringDispatcher(JSONRPCDispatcher(read_stream, write_stream))

    return connect


def _known_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[AsyncExitStack, str, bool] | None:
    """``(exit_stack, mode, raise_exceptions)`` when the SDK calls the connector as 2.3 does, else None."""
    if kwargs or len(args) != 3:
        return None
    exit_stack, mode, raise_exceptions = args
    if not isinstance(exit_stack, AsyncExitStack) or not isinstance(mode, str):
        return None
    return exit_stack, mode, bool(raise_exceptions)


def _observed_direct(
    dispatcher: Dispatcher[Any], exit_stack: AsyncExitStack, options: dict[str, Any]
) -> Dispatcher[Any]:
    wrapped: Dispatcher[Any] = dispatcher
    with internal_guard("mcp.client.session"):
        observer = ClientObserver(network_transport=TRANSPORT_INPROC, **options)
        observer.session_started()
        exit_stack.callback(_guarded_session_end, observer)
        wrapped = ObservedDispatcher(dispatcher, observer)
    return wrapped  # noqa: RET504 - assigned inside the guard, which may swallow and leave the original


def _guarded_session_end(observer: ClientObserver) -> None:
    with internal_guard("mcp.client.session"):
        observer.session_ended()


def _transport_for(server: object, raise_exceptions: bool, options: dict[str, Any]) -> ObsTransport | None:
    """The instrumented transport for ``server``; None (counted) when obs cannot build one."""
    transport: ObsTransport | None = None
    with internal_guard("mcp.client.instrument"):
        if isinstance(server, Server | MCPServer):
            transport = ObsTransport(
                _in_memory_transport(server, raise_exceptions), network_transport=TRANSPORT_INPROC, **options
            )
        elif isinstance(server, StdioServerParameters):
            transport = ObsTransport.stdio(server, **options)
        elif isinstance(server, str):
            transport = ObsTransport.http(server, **options)
        else:  # what the SDK treats as a Transport, so do we
            transport = ObsTransport(server, **options)  # type: ignore[arg-type]
        transport._raise_refusals = True
    return transport


def _in_memory_transport(server: Server[Any] | MCPServer, raise_exceptions: bool) -> Transport:
    """The SDK's in-memory transport (its only home is a private module; a move raises :class:`SdkChanged`)."""
    try:
        from mcp.client._memory import InMemoryTransport
    except ImportError as exc:
        raise SdkChanged("mcp.client._memory.InMemoryTransport is gone: the in-memory path is uninstrumented") from exc
    transport: Transport = InMemoryTransport(server, raise_exceptions=raise_exceptions)
    return transport


class RefusalAnsweringDispatcher(DelegatingDispatcher):
    """Answers a request the breaker refused (raised as :class:`Refusal` by the write side) with its result."""

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> dict[str, Any]:
        try:
            return await self._inner.send_raw_request(method, params, opts)
        except Refusal as refusal:
            return refusal.result
