"""A circuit breaker at the tool boundary, so a broken tool costs an agent one message, not a retry storm.

The breaker is obs-core's (the same state machine obs-mcp uses); this module
decides what it means for a LangChain tool: an exception or an error
``ToolMessage`` is a failure, a ``GraphInterrupt`` or cancellation is no
outcome at all, and a refused call returns an error ``ToolMessage`` telling
the model when the tool will be back and to use another approach. A refused
call still shows up: an ``execute_tool`` span with ``error.type=circuit_open``
and a point on ``gen_ai.execute_tool.duration``; state changes arrive as span
events and metrics from the registry's telemetry.

:class:`ToolBreaker` holds the logic; :class:`ToolBreakerMiddleware` (in
``_middleware``) plugs it into ``create_agent`` or a ``ToolNode``, and
:func:`breaker_tool` wraps a single tool for graphs that call tools directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from langgraph.errors import GraphBubbleUp
from obs_core import GenAIMetrics, internal_guard
from obs_core import semconv as sc
from obs_core.breaker import BreakerConfig, BreakerDecision, BreakerRegistry, CircuitBreaker, Clock
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue
from pydantic import ConfigDict

from ._guard import guarded_value

FailureRule = Callable[[Any], str | None]
"""Given a tool's result, the failure reason to record, or None when the call succeeded."""

CIRCUIT_OPEN = "circuit_open"


def default_failure_rule(result: Any) -> str | None:
    """An error ``ToolMessage`` (a tool that reported failure as its result) counts as a failure."""
    if isinstance(result, ToolMessage) and result.status == "error":
        return "tool_error"
    return None


def unavailable_message(tool: str, decision: BreakerDecision) -> str:
    """What the model reads instead of the tool's result while the breaker is open."""
    if decision.retry_at is None:
        return f"Tool '{tool}' is temporarily unavailable. Do not call it again now; use another approach."
    until = time.strftime("%H:%M:%S UTC", time.gmtime(decision.retry_at))
    wait = max(1, round(decision.retry_in_s or 0.0))
    return (
        f"Tool '{tool}' is unavailable until {until} (about {wait}s) because it failed repeatedly. "
        "Do not call it again before then; use another approach or another tool."
    )


@dataclass(frozen=True, slots=True)
class Permit:
    """An admitted call: the breaker to report to and the decision that admitted it."""

    breaker: CircuitBreaker
    decision: BreakerDecision


class ToolBreaker:
    """One breaker per tool (by name), shared by every agent and graph that uses this object."""

    def __init__(
        self,
        registry: BreakerRegistry | None = None,
        *,
        config: BreakerConfig | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        clock: Clock | None = None,
        key: Callable[[str], str] | None = None,
        failure_rule: FailureRule = default_failure_rule,
    ) -> None:
        """Pass ``registry`` to share breakers (e.g. with obs-mcp); ``key`` maps a tool name to a breaker name."""
        self.registry = registry or BreakerRegistry(
            config, clock=clock, meter_provider=meter_provider, tracer_provider=tracer_provider
        )
        self._tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("obs.langgraph")
        self._metrics = GenAIMetrics(meter_provider, scope="obs.langgraph")
        self._key = key or (lambda name: name)
        self._failure_rule = failure_rule

    def admit(self, tool: str) -> Permit | BreakerDecision | None:
        """A permit to call, the refusal, or None when obs failed (then the call simply goes ahead)."""
        return guarded_value("langgraph.breaker.admit", lambda: self._acquire(tool))

    def _acquire(self, tool: str) -> Permit | BreakerDecision:
        breaker = self.registry.get(self._key(tool))
        decision = breaker.acquire()
        return Permit(breaker, decision) if decision.allowed else decision

    def refuse(self, tool: str, call_id: str | None, decision: BreakerDecision) -> ToolMessage:
        """The error result the agent gets instead of calling an open breaker's tool."""
        message = unavailable_message(tool, decision)
        with internal_guard("langgraph.breaker.refuse"):
            attrs: dict[str, AttributeValue] = {
                sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL,
                sc.GEN_AI_TOOL_NAME: tool,
                sc.GEN_AI_TOOL_TYPE: "function",
                sc.ERROR_TYPE: CIRCUIT_OPEN,
                sc.OBS_BREAKER_NAME: decision.name,
                sc.OBS_BREAKER_STATE: decision.state.value,
            }
            if call_id:
                attrs[sc.GEN_AI_TOOL_CALL_ID] = call_id
            if decision.retry_at is not None:
                attrs[sc.OBS_BREAKER_RETRY_AT] = decision.retry_at
            span = self._tracer.start_span(f"{sc.OP_EXECUTE_TOOL} {tool}", kind=SpanKind.INTERNAL, attributes=attrs)
            span.set_status(Status(StatusCode.ERROR, "circuit breaker open"))
            span.end()
            metric: dict[str, AttributeValue] = {
                sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL,
                sc.GEN_AI_TOOL_NAME: tool,
                sc.ERROR_TYPE: CIRCUIT_OPEN,
            }
            self._metrics.record_tool(0.0, metric)
        return ToolMessage(content=message, tool_call_id=call_id or "", name=tool, status="error")

    def succeeded_or_failed(self, permit: Permit | BreakerDecision | None, result: Any) -> None:
        if not isinstance(permit, Permit):
            return
        with internal_guard("langgraph.breaker.record"):
            reason = self._failure_rule(result)
            if reason is None:
                permit.breaker.record_success(permit.decision)
            else:
                permit.breaker.record_failure(reason, permit.decision)

    def raised(self, permit: Permit | BreakerDecision | None, error: BaseException) -> None:
        if not isinstance(permit, Permit):
            return
        with internal_guard("langgraph.breaker.record"):
            if isinstance(error, (GraphBubbleUp, asyncio.CancelledError, GeneratorExit, KeyboardInterrupt)):
                permit.breaker.release(permit.decision)  # control flow or cancellation: no outcome
            else:
                permit.breaker.record_failure(type(error).__qualname__, permit.decision)


class BreakerTool(BaseTool):
    """A tool whose calls go through a :class:`ToolBreaker`; the wrapped tool does the work and the tracing."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tool: BaseTool
    breaker: ToolBreaker

    def run(
        self,
        tool_input: str | dict[str, Any],
        verbose: bool | None = None,
        start_color: str | None = "green",
        color: str | None = "green",
        callbacks: Any = None,
        *,
        tool_call_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        permit = self.breaker.admit(self.tool.name)
        if isinstance(permit, BreakerDecision):
            return self._refusal(tool_call_id, permit)
        try:
            result = self.tool.run(
                tool_input, verbose, start_color, color, callbacks, tool_call_id=tool_call_id, **kwargs
            )
        except BaseException as exc:
            self.breaker.raised(permit, exc)
            raise
        self.breaker.succeeded_or_failed(permit, result)
        return result

    async def arun(
        self,
        tool_input: str | dict[str, Any],
        verbose: bool | None = None,
        start_color: str | None = "green",
        color: str | None = "green",
        callbacks: Any = None,
        *,
        tool_call_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        permit = self.breaker.admit(self.tool.name)
        if isinstance(permit, BreakerDecision):
            return self._refusal(tool_call_id, permit)
        try:
            result = await self.tool.arun(
                tool_input, verbose, start_color, color, callbacks, tool_call_id=tool_call_id, **kwargs
            )
        except BaseException as exc:
            self.breaker.raised(permit, exc)
            raise
        self.breaker.succeeded_or_failed(permit, result)
        return result

    def _refusal(self, tool_call_id: str | None, decision: BreakerDecision) -> Any:
        message = self.breaker.refuse(self.tool.name, tool_call_id, decision)
        return message if tool_call_id else message.content

    def _run(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - run() is overridden
        return self.tool._run(*args, **kwargs)


def breaker_tool(tool: BaseTool, breaker: ToolBreaker | None = None, **breaker_kwargs: Any) -> BaseTool:
    """Wrap ``tool`` so its calls pass the breaker; name, description and schema stay the tool's own."""
    guard = breaker or ToolBreaker(**breaker_kwargs)
    return BreakerTool(
        name=tool.name,
        description=tool.description,
        args_schema=tool.args_schema,
        return_direct=tool.return_direct,
        tool=tool,
        breaker=guard,
    )
