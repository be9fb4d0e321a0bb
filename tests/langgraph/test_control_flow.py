"""Interrupts, commands, cancellation, errors and retries: which are failures, and how each attempt shows."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest
from langchain.agents.middleware import ModelRetryMiddleware, ToolRetryMiddleware
from langchain_core.tools import StructuredTool, ToolException, tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, RetryPolicy, interrupt
from obs_core.testing import TelemetryCapture
from obs_langgraph import ObsCallbackHandler
from opentelemetry.trace import StatusCode

from .graphs import SpanTree, agent, attrs, make_tools, scripted


class Notes(TypedDict):
    notes: Annotated[list[str], operator.add]


def _approval_graph() -> Any:
    def draft(state: Notes) -> dict[str, list[str]]:
        return {"notes": ["draft"]}

    def approve(state: Notes) -> dict[str, list[str]]:
        answer = interrupt("approve the draft?")
        return {"notes": [str(answer)]}

    builder = StateGraph(Notes)
    builder.add_node("draft", draft)
    builder.add_node("approve", approve)
    builder.add_edge(START, "draft")
    builder.add_edge("draft", "approve")
    return builder.compile(name="approval", checkpointer=InMemorySaver())


def test_interrupt_is_not_an_error_and_resume_continues_the_conversation(
    handler: ObsCallbackHandler, tree: SpanTree
) -> None:
    graph = _approval_graph()
    config: Any = {"callbacks": [handler], "configurable": {"thread_id": "doc-7"}}
    first = graph.invoke({"notes": []}, config=config)
    assert "__interrupt__" in first
    graph.invoke(Command(resume="yes"), config=config)
    paused, resumed = tree.roots()
    assert [attrs(paused), attrs(resumed)] == [
        {
            "gen_ai.operation.name": "invoke_workflow",
            "gen_ai.workflow.name": "approval",
            "gen_ai.conversation.id": "doc-7",
            "obs.agent.outcome": outcome,
        }
        for outcome in ("interrupted", "completed")
    ]
    assert all(s.status.status_code is StatusCode.UNSET for s in tree.spans())
    assert handler.live_runs == 0


def test_interrupt_inside_a_tool_is_not_a_tool_error(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    @tool
    def deploy(service: str) -> str:
        """Deploy a service after a human approves."""
        return str(interrupt(f"deploy {service}?"))

    script = [[{"name": "deploy", "args": {"service": "api"}}]]
    graph = agent(scripted(script), [deploy], name="deployer", checkpointer=InMemorySaver())
    config: Any = {"callbacks": [handler], "configurable": {"thread_id": "d-1"}}
    graph.invoke({"messages": [("user", "ship it")]}, config=config)
    tool_span = tree.one("execute_tool deploy")
    assert tool_span.status.status_code is StatusCode.UNSET
    assert "error.type" not in attrs(tool_span)
    assert attrs(tree.one("invoke_agent deployer"))["obs.agent.outcome"] == "interrupted"
    graph.invoke(Command(resume="approved"), config=config)
    assert [s.status.status_code for s in tree.named("execute_tool deploy")] == [StatusCode.UNSET] * 2
    assert handler.live_runs == 0


def test_a_failing_node_fails_the_run_with_its_error_type(
    handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture
) -> None:
    def broken(state: Notes) -> dict[str, list[str]]:
        raise KeyError("missing")

    builder = StateGraph(Notes)
    builder.add_node("broken", broken)
    builder.add_edge(START, "broken")
    graph = builder.compile(name="fragile")
    with pytest.raises(KeyError):
        graph.invoke({"notes": []}, config={"callbacks": [handler]})
    assert tree.outline() == ["invoke_workflow fragile", "  obs.langgraph.node broken"]
    root, node = tree.spans()
    assert root.status.status_code is StatusCode.ERROR
    assert attrs(root) == {
        "gen_ai.operation.name": "invoke_workflow",
        "gen_ai.workflow.name": "fragile",
        "obs.agent.outcome": "error",
        "error.type": "KeyError",
    }
    assert node.status.status_code is StatusCode.ERROR
    assert attrs(node) == {"obs.langgraph.node": "broken", "obs.langgraph.step": 1, "error.type": "KeyError"}
    assert handler.live_runs == 0


def test_retry_policy_attempts_each_get_a_span_and_are_counted(
    handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture
) -> None:
    calls = {"n": 0}

    def flaky(state: Notes) -> dict[str, list[str]]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("reset by peer")
        return {"notes": ["ok"]}

    builder = StateGraph(Notes)
    builder.add_node("flaky", flaky, retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.0, jitter=False))
    builder.add_edge(START, "flaky")
    builder.compile(name="retrying").invoke({"notes": []}, config={"callbacks": [handler]})
    assert tree.outline() == ["invoke_workflow retrying", "  obs.langgraph.node flaky", "  obs.langgraph.node flaky"]
    first, second = tree.named("obs.langgraph.node flaky")
    assert (first.status.status_code, attrs(first)) == (
        StatusCode.ERROR,
        {"obs.langgraph.node": "flaky", "obs.langgraph.step": 1, "error.type": "ConnectionError"},
    )
    assert (second.status.status_code, attrs(second)) == (
        StatusCode.UNSET,
        {
            "obs.langgraph.node": "flaky",
            "obs.langgraph.step": 1,
            "obs.retry.attempt": 2,
            "obs.retry.reason": "ConnectionError",
        },
    )
    assert attrs(tree.one("invoke_workflow retrying"))["obs.agent.outcome"] == "completed"
    assert capture.metric_sum("obs.agent.retries", obs__retry__reason="ConnectionError") == 1


def test_model_retry_middleware_attempts(
    handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture
) -> None:
    model = scripted(failures=[TimeoutError("upstream timeout")])
    retry = ModelRetryMiddleware(max_retries=2, initial_delay=0.0, jitter=False)
    graph = agent(model, make_tools()[:1], middleware=[retry])
    graph.invoke({"messages": [("user", "hi")]}, config={"callbacks": [handler]})
    first_turn = tree.outline()[:4]
    assert first_turn == ["invoke_agent adder", "  obs.agent.iteration", "    chat gpt-4o-mini", "    chat gpt-4o-mini"]
    failed, retried = tree.named("chat gpt-4o-mini")[:2]
    assert failed.status.status_code is StatusCode.ERROR
    assert attrs(failed)["error.type"] == "TimeoutError"
    assert (attrs(retried)["obs.retry.attempt"], attrs(retried)["obs.retry.reason"]) == (2, "TimeoutError")
    assert capture.metric_sum("obs.agent.retries", obs__retry__reason="TimeoutError") == 1
    assert capture.metric_sum("gen_ai.client.operation.duration", error__type="TimeoutError") == 1


def test_tool_retry_middleware_attempts(handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture) -> None:
    calls = {"n": 0}

    @tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("flaky backend")
        return a + b

    retry = ToolRetryMiddleware(max_retries=2, initial_delay=0.0, jitter=False)
    graph = agent(scripted([[{"name": "add", "args": {"a": 1, "b": 2}}]]), [add], middleware=[retry])
    graph.invoke({"messages": [("user", "hi")]}, config={"callbacks": [handler]})
    failed, retried = tree.named("execute_tool add")
    assert (failed.status.status_code, attrs(failed)["error.type"]) == (StatusCode.ERROR, "ConnectionError")
    assert {k: v for k, v in attrs(retried).items() if k.startswith("obs.retry")} == {
        "obs.retry.attempt": 2,
        "obs.retry.reason": "ConnectionError",
    }
    assert capture.metric_sum("obs.agent.retries", gen_ai__tool__name="add") == 1
    assert capture.metric_sum("gen_ai.execute_tool.duration", error__type="ConnectionError") == 1


def test_error_result_then_the_model_calls_the_tool_again(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    calls = {"n": 0}

    def look(key: str) -> str:
        """Look a key up."""
        calls["n"] += 1
        if calls["n"] == 1:
            raise ToolException("index not ready")
        return "value"

    lookup = StructuredTool.from_function(look, name="lookup", handle_tool_error=True)

    script = [[{"name": "lookup", "args": {"key": "k"}}], [{"name": "lookup", "args": {"key": "k"}}]]
    agent(scripted(script), [lookup], name="looker").invoke(
        {"messages": [("user", "hi")]}, config={"callbacks": [handler]}
    )
    failed, retried = tree.named("execute_tool lookup")
    assert (failed.status.status_code, attrs(failed)["error.type"]) == (StatusCode.ERROR, "tool_error")
    assert (attrs(retried)["obs.retry.attempt"], attrs(retried)["obs.retry.reason"]) == (2, "tool_error")
    assert [p.name for s in (failed, retried) if (p := tree.parent(s))] == ["obs.agent.iteration"] * 2


def test_command_to_the_parent_graph_is_a_hand_off(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    def escalate(state: Notes) -> Command[Any]:
        return Command(graph=Command.PARENT, goto="human", update={"notes": ["escalated"]})

    inner = StateGraph(Notes)
    inner.add_node("escalate", escalate)
    inner.add_edge(START, "escalate")
    triage = inner.compile(name="triage")

    def human(state: Notes) -> dict[str, list[str]]:
        return {"notes": ["handled"]}

    outer = StateGraph(Notes)
    outer.add_node("triage", triage, destinations=("human",))
    outer.add_node("human", human)
    outer.add_edge(START, "triage")
    result = outer.compile(name="desk").invoke({"notes": []}, config={"callbacks": [handler]})
    assert result["notes"] == ["escalated", "handled"]
    assert tree.outline() == ["invoke_workflow desk", "  invoke_workflow triage"]
    assert all(s.status.status_code is StatusCode.UNSET for s in tree.spans())
    assert attrs(tree.one("invoke_workflow triage"))["obs.agent.outcome"] == "handed_off"
    assert attrs(tree.one("invoke_workflow desk"))["obs.agent.outcome"] == "completed"
    assert handler.live_runs == 0
