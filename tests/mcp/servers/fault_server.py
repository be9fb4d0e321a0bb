"""A Python MCP server for obs's tests: traced with obs, and able to fail on purpose.

Run as a script (``python fault_server.py``) over stdio. Environment:

- ``FAULT_SPANS_FILE``: JSON lines of every span the server records (trace ids, parents, attributes, events).
- ``FAULT_RATE``: share of ``flaky`` calls that fail, deterministically spread (default 0).

Tools: ``echo``, ``flaky`` (fails at the set rate), ``set_fault_rate``, ``hang`` (sleeps past any timeout),
``crash`` (the process exits mid-call), ``trace_info`` (the trace the handler runs in), ``chatty``
(progress and log notifications), ``big`` (a large text result), ``image`` (binary content),
``sample`` / ``roots`` / ``elicit`` (server-initiated requests to the client).
"""

from __future__ import annotations

import base64
import json
import math
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ImageContent, SamplingMessage, TextContent
from obs_mcp import instrument_server
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from pydantic import BaseModel


class JsonLinesExporter(SpanExporter):
    """Appends each span as one JSON line, flushed at once, so the test reads it while we run."""

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the process

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with self._lock:
            for span in spans:
                ctx = span.get_span_context()
                assert ctx is not None
                record = {
                    "name": span.name,
                    "kind": span.kind.name,
                    "trace_id": f"{ctx.trace_id:032x}",
                    "span_id": f"{ctx.span_id:016x}",
                    "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
                    "attributes": dict(span.attributes or {}),
                    "events": [e.name for e in span.events],
                    "status": span.status.status_code.name,
                }
                self._file.write(json.dumps(record, default=str) + "\n")
            self._file.flush()
        return SpanExportResult.SUCCESS


def _provider() -> TracerProvider:
    provider = TracerProvider()
    path = os.environ.get("FAULT_SPANS_FILE")
    if path:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(path)))
    trace.set_tracer_provider(provider)
    return provider


server = MCPServer("fault-server")
_state: dict[str, float] = {"rate": float(os.environ.get("FAULT_RATE", "0")), "calls": 0}


@server.tool()
def echo(text: str) -> str:
    """Return the text."""
    return text


@server.tool()
def flaky() -> str:
    """Fail on an exact, evenly spread share of calls (the configured rate)."""
    n = int(_state["calls"])
    _state["calls"] = n + 1
    rate = _state["rate"]
    if math.floor((n + 1) * rate) > math.floor(n * rate):
        raise ToolError(f"flaky failed on call {n + 1}")
    return f"ok {n + 1}"


@server.tool()
def set_fault_rate(rate: float) -> str:
    """Change the failure rate of ``flaky`` and restart its call count."""
    _state["rate"], _state["calls"] = rate, 0
    return f"rate {rate}"


@server.tool()
async def hang(seconds: float) -> str:
    """Sleep, to outlast a caller's timeout."""
    await anyio.sleep(seconds)
    return "woke up"


@server.tool()
def crash() -> str:
    """Exit the process in the middle of the call."""
    sys.stderr.write("fault_server: crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool()
def trace_info() -> dict[str, str]:
    """The trace and span the handler runs in, as the server's OpenTelemetry sees them."""
    ctx = trace.get_current_span().get_span_context()
    return {"trace_id": f"{ctx.trace_id:032x}", "span_id": f"{ctx.span_id:016x}"}


@server.tool()
async def chatty(steps: int, ctx: Context) -> str:
    """Report progress and log a line per step."""
    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step}")
        await ctx.info(f"did step {step}")
    return f"done {steps}"


@server.tool()
def big(size: int) -> str:
    """A text result of ``size`` characters (with multi-byte ones, to test byte-exact forwarding)."""
    unit = "aé€😀"
    return (unit * (size // len(unit) + 1))[:size]


@server.tool()
def image(size: int) -> list[Any]:
    """Binary content: ``size`` bytes covering every byte value, base64 in an image block."""
    raw = bytes(i % 256 for i in range(size))
    return [ImageContent(type="image", data=base64.b64encode(raw).decode(), mime_type="image/png")]


@server.tool()
async def sample(prompt: str, ctx: Context) -> str:
    """Ask the client's model (sampling/createMessage)."""
    result = await ctx.session.create_message(
        [SamplingMessage(role="user", content=TextContent(type="text", text=prompt))], max_tokens=20
    )
    content = result.content
    return content.text if isinstance(content, TextContent) else str(content)


@server.tool()
async def roots(ctx: Context) -> list[str]:
    """The client's roots (roots/list)."""
    listed = await ctx.session.list_roots()
    return [str(root.uri) for root in listed.roots]


class Answer(BaseModel):
    answer: str


@server.tool()
async def elicit(question: str, ctx: Context) -> str:
    """Ask the user through the client (elicitation/create)."""
    result = await ctx.elicit(question, Answer)
    return f"{result.action}: {result.data.answer if result.action == 'accept' else ''}"


if __name__ == "__main__":
    instrument_server(server, tracer_provider=_provider())
    server.run("stdio")
