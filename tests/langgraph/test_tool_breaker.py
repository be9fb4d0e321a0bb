"""The tool circuit breaker: a broken tool costs the agent a clear message, not an unbounded retry loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from langgraph.errors import GraphInterrupt
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from obs_core.breaker import BreakerConfig, BreakerState, ManualClock
from obs_core.testing import TelemetryCapture
from obs_langgraph import BreakerTool, ObsCallbackHandler, ToolBreaker, ToolBreakerMiddleware, breaker_tool
from opentelemetry.trace import StatusCode

from .graphs import SpanTree, agent, attrs, scripted

WALL0 = 1_700_000_000.0
FLAKY_FOUR_TIMES = [[{"name": "fetch", "args": {"url": f"https://x/{i}"}}] for i in range(4)]


def _fetch(fail: bool = True) -> BaseTool:
    def fetch(url: str) -> str:
        """Fetch a URL."""
        if fail:
            raise ToolException("upstream 503")
        return "<html/>"

    return StructuredTool.from_function(fetch, name="fetch", handle_tool_error=True)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_wall=WALL0)


@pytest.fixture
def breaker(capture: TelemetryCapture, clock: ManualClock) -> ToolBreaker:
    config = BreakerConfig(consecutive_failures=2, minimum_calls=10, window_size=10, open_duration_s=60)
    return ToolBreaker(
        config=config, clock=clock, tracer_provider=capture.tracer_provider, meter_provider=capture.meter_provider
    )


def _tool_messages(result: dict[str, Any]) -> list[str]:
    return [str(m.content) for m in result["messages"] if isinstance(m, ToolMessage)]


def test_open_breaker_answers_with_a_message_instead_of_calling(
    breaker: ToolBreaker, handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture
) -> None:
    graph = agent(scripted(FLAKY_FOUR_TIMES), [_fetch()], name="browser", middleware=[ToolBreakerMiddleware(breaker)])
    result = graph.invoke({"messages": [("user", "fetch it")]}, config={"callbacks": [handler]})
    messages = _tool_messages(result)
    assert messages[:2] == ["upstream 503", "upstream 503"]
    assert (
        messages[2:]
        == [
            "Tool 'fetch' is unavailable until 22:14:20 UTC (about 60s) because it failed repeatedly. "
            "Do not call it again before then; use another approach or another tool."
        ]
        * 2
    )
    spans = tree.named("execute_tool fetch")
    assert [attrs(s).get("error.type") for s in spans] == ["tool_error", "tool_error", "circuit_open", "circuit_open"]
    assert all(s.status.status_code is StatusCode.ERROR for s in spans)
    assert attrs(spans[2]) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "fetch",
        "gen_ai.tool.type": "function",
        "gen_ai.tool.call.id": "call_3_1",
        "error.type": "circuit_open",
        "obs.breaker.name": "fetch",
        "obs.breaker.state": "open",
        "obs.breaker.retry_at": WALL0 + 60,
    }
    assert [p.name for s in spans if (p := tree.parent(s))] == ["obs.agent.iteration"] * 4
    [transition] = [e for s in tree.spans() for e in s.events if e.name == "obs.breaker.transition"]
    assert dict(transition.attributes or {})["obs.breaker.state"] == "open"
    assert capture.metric_sum("obs.breaker.transitions", obs__breaker__state="open") == 1
    assert capture.metric_sum("obs.breaker.rejected", obs__breaker__name="fetch") == 2
    assert capture.metric_sum("gen_ai.execute_tool.duration", error__type="circuit_open") == 2


def test_after_the_open_period_a_probe_closes_it(breaker: ToolBreaker, clock: ManualClock) -> None:
    for _ in range(2):
        breaker.succeeded_or_failed(breaker.admit("fetch"), ToolMessage("x", tool_call_id="1", status="error"))
    assert breaker.registry.get("fetch").state is BreakerState.OPEN
    clock.advance(61)
    graph = agent(scripted(FLAKY_FOUR_TIMES[:1]), [_fetch(fail=False)], middleware=[ToolBreakerMiddleware(breaker)])
    assert _tool_messages(graph.invoke({"messages": [("user", "go")]})) == ["<html/>"]
    assert breaker.registry.get("fetch").state is BreakerState.CLOSED


def test_toolnode_wrapper_in_a_handbuilt_graph(breaker: ToolBreaker, handler: ObsCallbackHandler) -> None:
    middleware = ToolBreakerMiddleware(breaker)
    tools = [_fetch()]
    bound = scripted(FLAKY_FOUR_TIMES).bind_tools(tools)
    builder = StateGraph(MessagesState)
    builder.add_node("agent", lambda state: {"messages": [bound.invoke(state["messages"])]})
    builder.add_node(
        "tools", ToolNode(tools, wrap_tool_call=middleware.wrap_tool_call, awrap_tool_call=middleware.awrap_tool_call)
    )
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    graph = builder.compile(name="handbuilt")
    question: Any = {"messages": [("user", "go")]}
    result = asyncio.run(graph.ainvoke(question, config={"callbacks": [handler]}))
    assert [m.startswith("Tool 'fetch' is unavailable") for m in _tool_messages(result)] == [False, False, True, True]


def test_breaker_tool_wrapper(breaker: ToolBreaker) -> None:
    calls = {"n": 0}

    def ping(host: str) -> str:
        """Ping a host."""
        calls["n"] += 1
        raise ConnectionError(host)

    wrapped = breaker_tool(StructuredTool.from_function(ping), breaker)
    assert isinstance(wrapped, BreakerTool)
    assert (wrapped.name, wrapped.description, wrapped.args) == (
        "ping",
        "Ping a host.",
        {"host": {"title": "Host", "type": "string"}},
    )
    for _ in range(2):
        with pytest.raises(ConnectionError):
            wrapped.invoke({"host": "db"})
    refused = wrapped.invoke({"name": "ping", "args": {"host": "db"}, "id": "c9", "type": "tool_call"})
    assert isinstance(refused, ToolMessage)
    assert (refused.tool_call_id, refused.status) == ("c9", "error")
    assert str(wrapped.invoke({"host": "db"})).startswith("Tool 'ping' is unavailable until")
    assert asyncio.run(wrapped.ainvoke({"host": "db"})).startswith("Tool 'ping' is unavailable until")
    assert calls["n"] == 2


def test_interrupt_is_no_outcome(breaker: ToolBreaker) -> None:
    def approve(action: str) -> str:
        """Ask a human (outside a graph, the pause is raised by hand)."""
        raise GraphInterrupt(())

    wrapped = breaker_tool(StructuredTool.from_function(approve), breaker)
    for _ in range(3):
        with pytest.raises(GraphInterrupt):
            wrapped.invoke({"action": "deploy"})
    assert breaker.registry.get("approve").snapshot().failures == 0


def test_a_broken_breaker_never_blocks_the_tool(guard_swallows: None, capture: TelemetryCapture) -> None:
    def explode(name: str) -> str:
        raise RuntimeError("bug in obs")

    breaker = ToolBreaker(key=explode, meter_provider=capture.meter_provider)

    def echo(text: str) -> str:
        """Echo."""
        return text

    assert breaker_tool(StructuredTool.from_function(echo), breaker).invoke({"text": "hi"}) == "hi"
