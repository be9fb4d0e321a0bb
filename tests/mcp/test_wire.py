"""The client-side bookkeeping shared by the proxy and the Transport wrapper: ids, retries, memory bounds."""

from __future__ import annotations

from typing import Any

from obs_core import semconv as sc
from obs_core.testing import TelemetryCapture
from obs_mcp import ClientObserver
from obs_mcp._retries import MAX_TOOLS
from obs_mcp._wire import WireClient

from .conftest import providers


def _wire(capture: TelemetryCapture) -> WireClient:
    return WireClient(ClientObserver(server_name="s", network_transport="pipe", **providers(capture)))


def _call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def test_the_span_carries_the_request_id_as_sent(capture: TelemetryCapture) -> None:
    wire = _wire(capture)
    for request_id in ("007", "req-1", 7):
        wire.request(request_id, "tools/call", _call("t"))
        wire.response(request_id, {"content": []})
    assert [(s.attributes or {})[sc.JSONRPC_REQUEST_ID] for s in capture.spans()] == ["007", "req-1", "7"]


def test_an_id_no_response_can_match_passes_unobserved(capture: TelemetryCapture) -> None:
    """A span nothing could ever end (and a breaker permit nothing could report) is worse than none."""
    wire = _wire(capture)
    for request_id in (None, {"odd": 1}, [1], True):
        params = {"name": "t", "_meta": {"progressToken": "p"}}
        assert wire.request(request_id, "tools/call", params) == (params, None)
    assert len(wire) == 0
    wire.request(1.5, "tools/call", _call("t"))  # fractional: discouraged, but an id
    wire.response(1.5, {"content": []})
    (span,) = capture.spans()
    assert (span.attributes or {})[sc.JSONRPC_REQUEST_ID] == "1.5"


def test_retry_memory_is_bounded_whatever_the_tool_names(capture: TelemetryCapture) -> None:
    wire = _wire(capture)
    for n in range(MAX_TOOLS * 4):
        wire.request(n, "tools/call", _call(f"tool-{n}", blob="x" * 10_000))
        wire.error(n, -32602, "unknown tool")
    assert len(wire.observer.retries) == MAX_TOOLS
    # the most recent failures are the ones remembered
    last = MAX_TOOLS * 4 - 1
    wire.request("again", "tools/call", _call(f"tool-{last}", blob="x" * 10_000))
    wire.response("again", {"content": []})
    first, again = capture.spans_named(f"tools/call tool-{last}")
    assert (sc.OBS_RETRY_REASON in (first.attributes or {}), (again.attributes or {})[sc.OBS_RETRY_REASON]) == (
        False,
        "-32602",
    )
