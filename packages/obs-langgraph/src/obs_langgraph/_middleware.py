"""``ToolBreakerMiddleware``: the tool circuit breaker as a LangChain v1 agent middleware.

For ``langchain.agents.create_agent(..., middleware=[ToolBreakerMiddleware()])``.
Its ``wrap_tool_call`` / ``awrap_tool_call`` also fit LangGraph's
``ToolNode(tools, wrap_tool_call=..., awrap_tool_call=...)`` in hand-built graphs.
This module imports the ``langchain`` package (the optional ``agents`` extra),
so the package facade loads it only when the middleware is asked for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware
from langchain_core.messages import ToolMessage
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command
from obs_core.breaker import BreakerDecision

from ._breaker import ToolBreaker


class ToolBreakerMiddleware(AgentMiddleware):
    """Refuse calls to a tool whose breaker is open, with a message that tells the model what to do."""

    def __init__(self, breaker: ToolBreaker | None = None, **breaker_kwargs: Any) -> None:
        """``breaker_kwargs`` build a :class:`ToolBreaker` (``registry``, ``config``, providers, ``clock``)."""
        super().__init__()
        self.breaker = breaker or ToolBreaker(**breaker_kwargs)

    def wrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]],
    ) -> ToolMessage | Command[Any]:
        name = str(request.tool_call["name"])
        permit = self.breaker.admit(name)
        if isinstance(permit, BreakerDecision):
            return self.breaker.refuse(name, request.tool_call.get("id"), permit)
        try:
            result = handler(request)
        except BaseException as exc:
            self.breaker.raised(permit, exc)
            raise
        self.breaker.succeeded_or_failed(permit, result)
        return result

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]],
    ) -> ToolMessage | Command[Any]:
        name = str(request.tool_call["name"])
        permit = self.breaker.admit(name)
        if isinstance(permit, BreakerDecision):
            return self.breaker.refuse(name, request.tool_call.get("id"), permit)
        try:
            result = await handler(request)
        except BaseException as exc:
            self.breaker.raised(permit, exc)
            raise
        self.breaker.succeeded_or_failed(permit, result)
        return result
