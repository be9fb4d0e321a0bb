"""``instrument_client``: one call that instruments an ``mcp.Client`` on every path it can take.

The SDK resolves how to reach the server when the ``Client`` is built (a
URL, stdio parameters, a ``Transport``, or an in-process server). obs
swaps that connector for one that puts :class:`ObsTransport` under the
JSON-RPC paths and :class:`ObservedDispatcher` on the in-process direct path,
and keeps the original so :func:`uninstrument_client` restores it. On the
JSON-RPC paths a thin dispatcher wrapper answers refused tool calls, which
spares the transport wrapper its relay task.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

import anyio
import anyio.abc
from mcp import Client
from mcp.client import Transport
from mcp.client._memory import InMemoryTransport  # public class; the module is the SDK's only home for it
from mcp.client.stdio import StdioServerParameters
from mcp.server import Server
from mcp.server.mcpserver import MCPServer
from mcp.shared.dispatcher import CallOptions, Dispatcher, OnNotify, OnNotifyIntercept, OnRequest
from mcp.shared.jsonrpc_dispatcher import JSONRPCDispatcher
from obs_core import internal_guard
from obs_core.breaker import BreakerConfig, BreakerRegistry
from opentelemetry import metrics, trace

from ._attrs import TRANSPORT_INPROC
from ._direct import ObservedDispatcher
from ._observer import ClientObserver
from ._streams import Refusal
from ._transport import ObsTransport

_ORIGINAL = "_obs_original_connect"


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
    if _ORIGINAL in vars(client):
        return client
    original = client._connect
    if isinstance(breakers, BreakerConfig):
        breakers = BreakerRegistry(breakers, meter_provider=meter_provider, tracer_provider=tracer_provider)
    options: dict[str, Any] = {
        "server_name": server_name,
        "breakers": breakers,
        "count_tool_errors": count_tool_errors,
        "tracer_provider": tracer_provider,
        "meter_provider": meter_provider,
    }
    server = client.server
    if isinstance(server, MCPServer):
        server = server._lowlevel_server

    async def connect(exit_stack: AsyncExitStack, mode: str, raise_exceptions: bool) -> Dispatcher[Any]:
        if isinstance(server, Server) and mode != "legacy":
            dispatcher = await original(exit_stack, mode, raise_exceptions)
            observer = ClientObserver(network_transport=TRANSPORT_INPROC, **options)
            with internal_guard("mcp.client.session"):
                observer.session_started()
                exit_stack.callback(observer.session_ended)
            return ObservedDispatcher(dispatcher, observer)
        transport = _transport_for(server, raise_exceptions, options)
        transport._raise_refusals = True
        read_stream, write_stream = await exit_stack.enter_async_context(transport)
        return RefusalAnsweringDispatcher(JSONRPCDispatcher(read_stream, write_stream))

    vars(client)[_ORIGINAL] = original
    client._connect = connect
    return client


class RefusalAnsweringDispatcher:
    """Answers a request the breaker refused (raised as :class:`Refusal` by the write side) with its result."""

    def __init__(self, inner: Dispatcher[Any]) -> None:
        self._inner = inner

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: CallOptions | None = None
    ) -> dict[str, Any]:
        try:
            return await self._inner.send_raw_request(method, params, opts)
        except Refusal as refusal:
            return refusal.result

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
        await self._inner.run(on_request, on_notify, on_notify_intercept, task_status=task_status)


def uninstrument_client(client: Client) -> Client:
    """Restore the connector ``instrument_client`` replaced (takes effect on the next ``async with``)."""
    original = vars(client).pop(_ORIGINAL, None)
    if original is not None:
        client._connect = original
    return client


def _transport_for(
    server: Server[Any] | Transport | StdioServerParameters | str, raise_exceptions: bool, options: dict[str, Any]
) -> ObsTransport:
    if isinstance(server, Server):
        return ObsTransport(
            InMemoryTransport(server, raise_exceptions=raise_exceptions), network_transport=TRANSPORT_INPROC, **options
        )
    if isinstance(server, StdioServerParameters):
        return ObsTransport.stdio(server, **options)
    if isinstance(server, str):
        return ObsTransport.http(server, **options)
    return ObsTransport(server, **options)
