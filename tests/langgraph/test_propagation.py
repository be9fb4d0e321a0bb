"""Spans that user code and HTTP clients open inside a tool, node or model call nest under ours.

Both ways of tracing are covered: a bare handler (context attached in start
callbacks, detached only in the same context) and the instrumentor (context
set at LangChain's execution boundaries). Under ``ainvoke`` nothing may split
a trace or log "Failed to detach context", and after a run the caller's
context must be exactly what it was.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableConfig
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangChainInstrumentor, LangGraphConfig, ObsCallbackHandler
from obs_langgraph.testing import Reply, ScriptedChatModel, react_policy
from opentelemetry import trace

from .graphs import SpanTree, agent, handbuilt, make_tools

TWO_TOOLS = [[{"name": "add", "args": {"a": 1, "b": 2}}, {"name": "aadd", "args": {"a": 3, "b": 4}}]]
SYNC_ONLY = [[{"name": "add", "args": {"a": 1, "b": 2}}, {"name": "add", "args": {"a": 3, "b": 4}}]]


@pytest.fixture(params=["handler", "instrumentor"])
def run_config(request: pytest.FixtureRequest, capture: TelemetryCapture) -> Iterator[RunnableConfig]:
    if request.param == "handler":
        yield RunnableConfig(callbacks=[ObsCallbackHandler(config=LangGraphConfig(), **capture.providers)])
        return
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(config=LangGraphConfig(), **capture.providers)
    try:
        yield RunnableConfig()
    finally:
        instrumentor.uninstrument()


def _model(capture: TelemetryCapture, script: Sequence[Sequence[dict[str, Any]]]) -> ScriptedChatModel:
    """A model whose "HTTP request" is a client span opened inside the model call."""
    tracer = capture.tracer_provider.get_tracer("http-client")
    policy = react_policy(script)

    def traced(messages: Sequence[BaseMessage]) -> Reply:
        with tracer.start_as_current_span("POST /v1/chat/completions"):
            return policy(messages)

    return ScriptedChatModel(policy=traced)


def _parent_name(tree: SpanTree, name: str) -> list[str]:
    return [p.name if (p := tree.parent(s)) else "-" for s in tree.named(name)]


def test_sync_agent(capture: TelemetryCapture, tree: SpanTree, run_config: RunnableConfig) -> None:
    graph = agent(_model(capture, SYNC_ONLY), make_tools(capture.tracer_provider.get_tracer("user"))[:1])
    graph.invoke({"messages": [("user", "hi")]}, config=run_config)
    assert _parent_name(tree, "user.add") == ["execute_tool add", "execute_tool add"]
    assert _parent_name(tree, "POST /v1/chat/completions") == ["chat gpt-4o-mini", "chat gpt-4o-mini"]
    assert len(tree.trace_ids()) == 1
    assert not trace.get_current_span().get_span_context().is_valid


def test_async_agent_with_sync_and_async_tools(
    capture: TelemetryCapture, tree: SpanTree, run_config: RunnableConfig, caplog: pytest.LogCaptureFixture
) -> None:
    graph = agent(_model(capture, TWO_TOOLS), make_tools(capture.tracer_provider.get_tracer("user")))
    with caplog.at_level(logging.ERROR):
        asyncio.run(graph.ainvoke({"messages": [("user", "hi")]}, config=run_config))
    assert _parent_name(tree, "user.add") == ["execute_tool add"]
    assert _parent_name(tree, "user.aadd") == ["execute_tool aadd"]
    assert _parent_name(tree, "POST /v1/chat/completions") == ["chat gpt-4o-mini", "chat gpt-4o-mini"]
    assert len(tree.trace_ids()) == 1
    assert "Failed to detach context" not in caplog.text


@pytest.mark.parametrize("asynchronous", [False, True])
def test_node_body_spans_nest_under_the_iteration(
    capture: TelemetryCapture, tree: SpanTree, run_config: RunnableConfig, asynchronous: bool
) -> None:
    user = capture.tracer_provider.get_tracer("user")
    graph = handbuilt(_model(capture, SYNC_ONLY), make_tools(user)[:1], name=f"loop-{asynchronous}", tracer=user)
    for _ in range(2):  # the first run teaches which node calls the model
        capture.clear()
        if asynchronous:
            asyncio.run(graph.ainvoke({"messages": [("user", "hi")]}, config=run_config))
        else:
            graph.invoke({"messages": [("user", "hi")]}, config=run_config)
    assert tree.outline() == [
        f"invoke_agent loop-{asynchronous}",
        "  obs.agent.iteration",
        "    user.node",
        "    chat gpt-4o-mini",
        "      POST /v1/chat/completions",
        "    execute_tool add",
        "      user.add",
        "    execute_tool add",
        "      user.add",
        "  obs.agent.iteration",
        "    user.node",
        "    chat gpt-4o-mini",
        "      POST /v1/chat/completions",
    ]


def test_the_agent_span_nests_under_the_callers_span(
    capture: TelemetryCapture, tree: SpanTree, run_config: RunnableConfig
) -> None:
    graph = agent(_model(capture, SYNC_ONLY), make_tools()[:1])
    with capture.tracer_provider.get_tracer("app").start_as_current_span("POST /ask"):
        graph.invoke({"messages": [("user", "hi")]}, config=run_config)
    assert tree.outline()[:2] == ["POST /ask", "  invoke_agent adder"]


def test_concurrent_ainvokes_do_not_cross_talk(
    capture: TelemetryCapture, tree: SpanTree, run_config: RunnableConfig
) -> None:
    user = capture.tracer_provider.get_tracer("user")
    graph = agent(_model(capture, TWO_TOOLS), make_tools(user))

    async def main() -> None:
        await asyncio.gather(
            *(
                graph.ainvoke(
                    {"messages": [("user", f"q{i}")]}, config=RunnableConfig(**run_config, run_name=f"run-{i}")
                )
                for i in range(100)
            )
        )

    asyncio.run(main())
    roots = tree.roots()
    assert sorted(r.name for r in roots) == sorted(f"invoke_agent run-{i}" for i in range(100))
    assert len(tree.trace_ids()) == 100
    expected = [
        "invoke_agent",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "      POST /v1/chat/completions",
        "    execute_tool add",
        "      user.add",
        "    execute_tool aadd",
        "      user.aadd",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "      POST /v1/chat/completions",
    ]
    for root in roots:
        outline = tree.outline(root)
        # parallel tool calls may start in either order
        assert outline[0] == root.name
        assert sorted(outline[1:]) == sorted(expected[1:])
    for span in tree.spans():
        parent = tree.parent(span)
        if parent is not None:
            assert parent.context is not None
            assert span.context is not None
            assert parent.context.trace_id == span.context.trace_id


def test_threads_sharing_one_handler(capture: TelemetryCapture, tree: SpanTree) -> None:
    import threading

    handler = ObsCallbackHandler(config=LangGraphConfig(), **capture.providers)
    user = capture.tracer_provider.get_tracer("user")
    graph = agent(_model(capture, SYNC_ONLY), make_tools(user)[:1])
    threads = [
        threading.Thread(
            target=graph.invoke,
            args=({"messages": [("user", f"t{i}")]},),
            kwargs={"config": {"callbacks": [handler], "run_name": f"t{i}"}},
        )
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.name for r in tree.roots()) == sorted(f"invoke_agent t{i}" for i in range(8))
    for root in tree.roots():
        assert sorted(tree.outline(root)[1:]) == sorted(
            [
                "  obs.agent.iteration",
                "    chat gpt-4o-mini",
                "      POST /v1/chat/completions",
                "    execute_tool add",
                "      user.add",
                "    execute_tool add",
                "      user.add",
                "  obs.agent.iteration",
                "    chat gpt-4o-mini",
                "      POST /v1/chat/completions",
            ]
        )
    assert handler.live_runs == 0


def test_astream_messages(capture: TelemetryCapture, tree: SpanTree, run_config: RunnableConfig) -> None:
    graph = agent(_model(capture, TWO_TOOLS), make_tools(capture.tracer_provider.get_tracer("user")))

    async def main() -> None:
        async for _ in graph.astream({"messages": [("user", "hi")]}, config=run_config, stream_mode="messages"):
            pass

    asyncio.run(main())
    assert _parent_name(tree, "user.add") == ["execute_tool add"]
    assert _parent_name(tree, "user.aadd") == ["execute_tool aadd"]
    assert _parent_name(tree, "POST /v1/chat/completions") == ["chat gpt-4o-mini", "chat gpt-4o-mini"]
    assert len(tree.trace_ids()) == 1
