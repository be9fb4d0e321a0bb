"""Span names, targets and ``error.type`` values shared by the client, server and proxy sides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from obs_core import semconv as sc
from opentelemetry.util.types import AttributeValue

# JSON-RPC codes the proxy and the client side need. Kept here rather than imported from mcp_types so the
# proxy starts without loading the SDK's pydantic models (a test pins them equal to the SDK's).
PARSE_ERROR: Final = -32700
INVALID_REQUEST: Final = -32600
CONNECTION_CLOSED: Final = -32000
REQUEST_TIMEOUT: Final = -32001
MODERN_PROTOCOL_SINCE: Final = "2026-07-28"
"""First protocol revision whose results carry ``resultType`` (dates compare as strings)."""

ERROR_TOOL: Final = "tool_error"
"""A tools/call whose result carried ``isError: true``."""
ERROR_TIMEOUT: Final = "timeout"
"""The caller gave up waiting (SDK read timeout, proxy timeout): no answer came, so no JSON-RPC code applies."""
ERROR_TRANSPORT: Final = "transport_error"
"""The connection failed or closed while the request was in flight (again no answer, so no code).

A JSON-RPC error the server did send is always its code as a string, even -32000 / -32001, which the SDKs
also use for their own local conditions: a server answering -32000 "database down" is no transport error."""
ERROR_CANCELLED: Final = "cancelled"
"""The caller cancelled the request for another reason than a timeout."""
ERROR_CIRCUIT_OPEN: Final = "circuit_open"
"""obs's breaker refused the call; the server was never asked."""

TRANSPORT_PIPE: Final = "pipe"
TRANSPORT_TCP: Final = "tcp"
TRANSPORT_INPROC: Final = "inproc"
"""Client and server in one process (no network.transport value in the spec fits)."""

SERVER_INFO_META_KEY: Final = "io.modelcontextprotocol/serverInfo"
PROTOCOL_VERSION_META_KEY: Final = "io.modelcontextprotocol/protocolVersion"

TOOLS_CALL: Final = "tools/call"
PROMPTS_GET: Final = "prompts/get"
_URI_METHODS = frozenset({"resources/read", "resources/subscribe", "resources/unsubscribe"})


def target_of(method: str, params: Mapping[str, Any] | None) -> str | None:
    """The ``{target}`` of the span name: the tool or prompt name; None when the method has none.

    A resource URI is never a target: the spec keeps it out of span names by
    default (unbounded cardinality) and puts it in ``mcp.resource.uri`` instead.
    """
    if params is None or (method != TOOLS_CALL and method != PROMPTS_GET):
        return None
    value = params.get("name")
    return value if isinstance(value, str) else None


def resource_uri_of(method: str, params: Mapping[str, Any] | None) -> str | None:
    """``mcp.resource.uri`` of a resources/read, subscribe or unsubscribe request (span attribute only)."""
    if params is None or method not in _URI_METHODS:
        return None
    value = params.get("uri")
    return value if isinstance(value, str) else None


def span_name(method: str, target: str | None) -> str:
    """``{mcp.method.name} {target}`` as the MCP semantic conventions name request spans."""
    return f"{method} {target}" if target else method


def operation_attributes(method: str, target: str | None) -> dict[str, AttributeValue]:
    """What names the operation on its span and on its metric points alike (all low-cardinality).

    ``mcp.method.name``; ``gen_ai.tool.name`` plus ``gen_ai.operation.name=execute_tool`` for tools/call (so
    tool dashboards built on GenAI names see MCP calls too); ``gen_ai.prompt.name`` for prompts/get.
    """
    attrs: dict[str, AttributeValue] = {sc.MCP_METHOD_NAME: method}
    if method == TOOLS_CALL:
        if target:
            attrs[sc.GEN_AI_TOOL_NAME] = target
        attrs[sc.GEN_AI_OPERATION_NAME] = "execute_tool"
    elif method == PROMPTS_GET and target:
        attrs[sc.GEN_AI_PROMPT_NAME] = target
    return attrs


def is_modern(protocol_version: str | None) -> bool:
    """True for 2026-07-28 and later protocol revisions."""
    return protocol_version is not None and protocol_version >= MODERN_PROTOCOL_SINCE


def is_tool_error(result: Mapping[str, Any]) -> bool:
    """True for a tools/call result that reached the wire as an error (``isError`` literally true)."""
    return result.get("isError") is True


def server_name_in(result: Mapping[str, Any]) -> str | None:
    """The server's announced name: ``serverInfo`` of an initialize result or the 2026 ``_meta`` stamp."""
    info = result.get("serverInfo")
    if not isinstance(info, Mapping):
        meta = result.get("_meta")
        info = meta.get(SERVER_INFO_META_KEY) if isinstance(meta, Mapping) else None
    if isinstance(info, Mapping):
        name = info.get("name")
        if isinstance(name, str) and name:
            return name
    return None


def notification_event_attributes(method: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The attributes of a notification's span event: method plus the few fields worth a glance."""
    attrs: dict[str, Any] = {sc.MCP_METHOD_NAME: method}
    if params is None:
        return attrs
    if method == "notifications/progress":
        for key, name in (("progress", sc.OBS_MCP_PROGRESS), ("total", sc.OBS_MCP_PROGRESS_TOTAL)):
            value = params.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                attrs[name] = value
    elif method == "notifications/message":
        level = params.get("level")
        if isinstance(level, str):
            attrs[sc.OBS_MCP_LOGGING_LEVEL] = level
    return attrs
