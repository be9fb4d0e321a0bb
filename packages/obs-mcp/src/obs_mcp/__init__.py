"""obs-mcp: OpenTelemetry for MCP clients, servers and any stdio MCP server through a proxy.

Client side: :func:`instrument_client` (any ``mcp.Client``) or
:class:`ObsTransport` (any ``Transport``) puts trace context in
``params._meta`` of every request and notification, completes or creates
client spans, records ``mcp.client.*`` metrics and guards each tool with a
circuit breaker (``obs_core.breaker``). Server side: :func:`instrument_server`
swaps the SDK's tracing middleware for :class:`ObsServerMiddleware`.
Out of process: ``obs mcp proxy -- <server command>`` wraps any stdio server.

Names load on first use, so the proxy (which needs none of the SDK's client
or server machinery) starts in a fraction of the time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import instrument_client, uninstrument_client
    from ._degraded import BREAKER_META_KEY
    from ._direct import ObservedDispatcher
    from ._observer import ClientObserver
    from ._proxy import ProxyConfig, run_proxy
    from ._server import ObsServerMiddleware, instrument_server, uninstrument_server
    from ._transport import ObsTransport

_HOMES = {
    "BREAKER_META_KEY": "._degraded",
    "ClientObserver": "._observer",
    "ObsServerMiddleware": "._server",
    "ObsTransport": "._transport",
    "ObservedDispatcher": "._direct",
    "ProxyConfig": "._proxy",
    "instrument_client": "._client",
    "instrument_server": "._server",
    "run_proxy": "._proxy",
    "uninstrument_client": "._client",
    "uninstrument_server": "._server",
}

__all__ = [
    "BREAKER_META_KEY",
    "ClientObserver",
    "ObsServerMiddleware",
    "ObsTransport",
    "ObservedDispatcher",
    "ProxyConfig",
    "instrument_client",
    "instrument_server",
    "run_proxy",
    "uninstrument_client",
    "uninstrument_server",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'obs_mcp' has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
