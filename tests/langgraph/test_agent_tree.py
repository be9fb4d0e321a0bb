"""A ``create_agent`` run: the span tree, every attribute, and the metrics it records."""

from __future__ import annotations

import pytest
from obs_core import Usage, compute_cost
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangGraphConfig, ObsCallbackHandler
from opentelemetry.trace import SpanKind, StatusCode

from .graphs import SpanTree, agent, attrs, make_tools, scripted

QUESTION = {"messages": [("user", "What is 1+2+3+4+5+6?")]}
CONFIG_METADATA = {"user_id": "alice", "session_id": "s-9"}


def _run(handler: ObsCallbackHandler) -> None:
    graph = agent(scripted(), make_tools()[:1])
    graph.invoke(
        QUESTION,
        config={"callbacks": [handler], "configurable": {"thread_id": "t-1"}, "metadata": CONFIG_METADATA},
    )


def _cost(input_tokens: int, output_tokens: int, cache_read: int) -> float:
    usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens, cache_read_input_tokens=cache_read)
    cost = compute_cost("gpt-4o-mini-2024-07-18", usage)
    assert cost is not None
    return cost.total_usd


def test_tree_is_agent_iterations_chat_and_tools(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    _run(handler)
    assert tree.outline() == [
        "invoke_agent adder",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "    execute_tool add",
        "    execute_tool add",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "    execute_tool add",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
    ]
    assert len(tree.trace_ids()) == 1
    assert handler.live_runs == 0


def test_agent_span_attributes(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    _run(handler)
    root = tree.one("invoke_agent adder")
    assert root.kind is SpanKind.INTERNAL
    assert root.status.status_code is StatusCode.UNSET
    cost = _cost(17, 41, 8) + _cost(29, 21, 14) + _cost(38, 5, 19)
    got = attrs(root)
    assert got.pop("obs.gen_ai.usage.cost") == pytest.approx(cost)
    assert got == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "adder",
        "gen_ai.conversation.id": "t-1",
        "obs.user.hash": handler._recorder.user_hash("alice"),
        "obs.session.id": "s-9",
        "obs.agent.outcome": "completed",
        "gen_ai.usage.input_tokens": 17 + 29 + 38,
        "gen_ai.usage.output_tokens": 41 + 21 + 5,
    }
    assert "alice" not in str(root.attributes)


def test_iteration_attributes(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    _run(handler)
    assert [attrs(s) for s in tree.named("obs.agent.iteration")] == [
        {"obs.agent.iteration.index": 1, "obs.agent.iteration.nodes": ["model", "tools"]},
        {"obs.agent.iteration.index": 2, "obs.agent.iteration.nodes": ["model", "tools"]},
        {"obs.agent.iteration.index": 3, "obs.agent.iteration.nodes": ["model"]},
    ]


def test_second_chat_span_attributes(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    _run(handler)
    chat = tree.named("chat gpt-4o-mini")[1]
    assert chat.kind is SpanKind.CLIENT
    got = attrs(chat)
    assert got.pop("obs.gen_ai.usage.cost") == pytest.approx(_cost(29, 21, 14))
    assert got.pop("obs.prompt.hash") == attrs(tree.named("chat gpt-4o-mini")[0])["obs.prompt.hash"]
    assert got == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.max_tokens": 512,
        "obs.pipeline.stage": "model",
        "obs.context.input.tokens": 134,
        "obs.context.section.system.tokens": 7,
        "obs.context.section.tools.tokens": 66,
        "obs.context.section.history.tokens": 35,
        "obs.context.section.tool_results.tokens": 8,
        "obs.context.section.input.tokens": 18,
        "obs.context.window.tokens": 128000,
        "obs.context.fill_ratio": round(134 / 128000, 6),
        "obs.context.growth.tokens": 134 - 91,
        "gen_ai.response.id": "chatcmpl-scripted-2",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.response.finish_reasons": ["tool_calls"],
        "gen_ai.usage.input_tokens": 29,
        "gen_ai.usage.output_tokens": 21,
        "gen_ai.usage.cache_read.input_tokens": 14,
    }


def test_tool_span_attributes(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    _run(handler)
    assert [attrs(s) for s in tree.named("execute_tool add")] == [
        {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "add",
            "gen_ai.tool.type": "function",
            "gen_ai.tool.call.id": call_id,
        }
        for call_id in ("call_1_1", "call_1_2", "call_2_1")
    ]


def test_metrics(handler: ObsCallbackHandler, capture: TelemetryCapture) -> None:
    _run(handler)
    model = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    }
    [duration] = capture.metric_points("gen_ai.client.operation.duration")
    assert dict(duration.attributes or {}) == model
    assert capture.metric_sum("gen_ai.client.operation.duration") == 3
    assert capture.metric_sum("gen_ai.client.token.usage", gen_ai__token__type="input") == 3
    assert capture.metric_sum("gen_ai.invoke_agent.duration", gen_ai__agent__name="adder") == 1
    assert capture.metric_sum("gen_ai.execute_tool.duration", gen_ai__tool__name="add") == 3
    assert capture.metric_sum("obs.gen_ai.finish_reasons", gen_ai__response__finish_reason="tool_calls") == 2
    assert capture.metric_sum("obs.gen_ai.finish_reasons", gen_ai__response__finish_reason="stop") == 1
    total = _cost(17, 41, 8) + _cost(29, 21, 14) + _cost(38, 5, 19)
    assert capture.metric_sum("obs.gen_ai.cost", obs__pipeline__stage="model") == pytest.approx(total)
    assert capture.metric_sum("obs.context.fill", gen_ai__request__model="gpt-4o-mini") == 3
    assert "obs.context.tokens" not in capture.metric_names()  # per-section histogram is opt-in
    assert capture.histogram_bounds("gen_ai.client.operation.duration")[:3] == (0.01, 0.02, 0.04)


def test_async_run_gives_the_same_tree(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    import asyncio

    graph = agent(scripted(tool="aadd"), make_tools()[1:], name="async-adder")
    asyncio.run(graph.ainvoke(QUESTION, config={"callbacks": [handler]}))
    assert tree.outline() == [
        "invoke_agent async-adder",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "    execute_tool aadd",
        "    execute_tool aadd",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "    execute_tool aadd",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
    ]
    assert "gen_ai.conversation.id" not in attrs(tree.one("invoke_agent async-adder"))


def test_metric_exemplars_point_at_the_call_they_measure(
    handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture
) -> None:
    _run(handler)
    chat_ids = {s.context.span_id for s in tree.named("chat gpt-4o-mini") if s.context}
    tool_ids = {s.context.span_id for s in tree.named("execute_tool add") if s.context}
    [duration] = capture.metric_points("gen_ai.client.operation.duration")
    [tool_duration] = capture.metric_points("gen_ai.execute_tool.duration")
    assert duration.exemplars
    assert {e.span_id for e in duration.exemplars} <= chat_ids
    assert {e.span_id for e in tool_duration.exemplars} <= tool_ids


def test_section_token_metrics_on_request(capture: TelemetryCapture) -> None:
    handler = ObsCallbackHandler(config=LangGraphConfig(context_section_metrics=True), **capture.providers)
    _run(handler)
    assert capture.metric_sum("obs.context.tokens", obs__context__section="tool_results") == 3
