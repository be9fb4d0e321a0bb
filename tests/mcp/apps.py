"""In-process MCP servers for the client and breaker tests."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError


class DemoState:
    """What the server saw, so tests can tell "called" from "refused by the breaker"."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.failing = True
        self.metas: list[Any] = []

    def count(self, tool: str) -> None:
        self.calls[tool] = self.calls.get(tool, 0) + 1


def demo_server(state: DemoState | None = None) -> MCPServer:
    state = state or DemoState()
    server = MCPServer("demo")

    @server.tool()
    def add(a: int, b: int) -> int:
        state.count("add")
        return a + b

    @server.tool()
    def broken() -> str:
        """Fails with isError while ``state.failing``."""
        state.count("broken")
        if state.failing:
            raise ToolError("broken is broken")
        return "fixed"

    @server.tool()
    def rpc_error() -> str:
        state.count("rpc_error")
        raise MCPError(code=-32602, message="arguments rejected")

    @server.tool()
    async def slow(seconds: float) -> str:
        state.count("slow")
        await anyio.sleep(seconds)
        return "slept"

    @server.tool()
    async def chatty(steps: int, ctx: Context) -> str:
        state.count("chatty")
        for step in range(1, steps + 1):
            await ctx.report_progress(step, steps)
        return "done"

    @server.tool()
    def server_error(code: int) -> str:
        """Answer with a JSON-RPC error of the given code (-32000 and -32001 included: servers use them too)."""
        state.count("server_error")
        raise MCPError(code=code, message="database down")

    @server.prompt()
    def greet(name: str) -> str:
        return f"Hello, {name}"

    @server.resource("file:///notes.txt")
    def notes() -> str:
        return "remember the milk"

    @server.tool()
    def seen_meta(ctx: Context) -> str:
        """Record the raw ``_meta`` that reached the server."""
        params = ctx.request_context.params or {}
        state.metas.append(params.get("_meta"))
        return "ok"

    return server
