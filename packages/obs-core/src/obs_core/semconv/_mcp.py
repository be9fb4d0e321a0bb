"""MCP and JSON-RPC semantic-convention names (spec origin)."""

from __future__ import annotations

from typing import Final

from opentelemetry.semconv._incubating.attributes import jsonrpc_attributes as _rpc
from opentelemetry.semconv._incubating.attributes import mcp_attributes as _mcp
from opentelemetry.semconv._incubating.attributes import network_attributes as _net

from ._registry import declare

MCP_METHOD_NAME: Final = declare(
    _mcp.MCP_METHOD_NAME, "attribute", "JSON-RPC method of the MCP message (tools/call, notifications/progress, ...)."
)
MCP_SESSION_ID: Final = declare(_mcp.MCP_SESSION_ID, "attribute", "MCP session id (not set on protocol 2026-07-28+).")
MCP_PROTOCOL_VERSION: Final = declare(_mcp.MCP_PROTOCOL_VERSION, "attribute", "Negotiated MCP protocol version.")
MCP_RESOURCE_URI: Final = declare(_mcp.MCP_RESOURCE_URI, "attribute", "URI of the resource read or subscribed.")
JSONRPC_REQUEST_ID: Final = declare(
    _rpc.JSONRPC_REQUEST_ID, "attribute", "JSON-RPC request id (absent on notifications)."
)
JSONRPC_PROTOCOL_VERSION: Final = declare(_rpc.JSONRPC_PROTOCOL_VERSION, "attribute", "JSON-RPC version (2.0).")
NETWORK_TRANSPORT: Final = declare(_net.NETWORK_TRANSPORT, "attribute", "pipe for stdio, tcp for HTTP.")

SPAN_MCP_REQUEST: Final = declare(
    "{mcp.method.name} {target}", "span", "One MCP request or notification (CLIENT or SERVER)."
)

MCP_BUCKETS_S: Final = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

METRIC_MCP_CLIENT_OPERATION_DURATION: Final = declare(
    "mcp.client.operation.duration",
    "metric",
    "Duration of one MCP request seen by the client.",
    unit="s",
    instrument="histogram",
)
METRIC_MCP_SERVER_OPERATION_DURATION: Final = declare(
    "mcp.server.operation.duration",
    "metric",
    "Duration of one MCP request handled by the server.",
    unit="s",
    instrument="histogram",
)
METRIC_MCP_CLIENT_SESSION_DURATION: Final = declare(
    "mcp.client.session.duration", "metric", "Lifetime of one MCP client session.", unit="s", instrument="histogram"
)
METRIC_MCP_SERVER_SESSION_DURATION: Final = declare(
    "mcp.server.session.duration", "metric", "Lifetime of one MCP server session.", unit="s", instrument="histogram"
)
RPC_RESPONSE_STATUS_CODE: Final = declare(
    "rpc.response.status_code", "attribute", "JSON-RPC error code of a failed MCP request, as a string."
)
EVENT_MCP_NOTIFICATION: Final = declare(
    "{mcp.method.name}",
    "event",
    "Span event named after a notification (notifications/progress, notifications/message, ...) on the span "
    "of the request it belongs to.",
)
