"""Real graphs and tools the tests run, and a reader for the span tree they produce."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.tools import BaseTool, tool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from obs_core.testing import TelemetryCapture
from obs_langgraph.testing import ScriptedChatModel, react_policy
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import Tracer

ADD_TWICE_THEN_ONCE = [
    [{"name": "add", "args": {"a": 1, "b": 2}}, {"name": "add", "args": {"a": 3, "b": 4}}],
    [{"name": "add", "args": {"a": 5, "b": 6}}],
]
"""Two parallel tool calls, then one, then the answer: 3 model calls, 3 tool calls."""

BENCH_SCRIPT = [
    [{"name": "add", "args": {"a": 1, "b": 2}}],
    [{"name": "add", "args": {"a": 3, "b": 4}}],
    [{"name": "add", "args": {"a": 5, "b": 6}}],
]
"""The benchmark's ReAct run: 4 model calls, 3 tool calls."""


def scripted(
    script: Sequence[Sequence[dict[str, Any]]] = ADD_TWICE_THEN_ONCE, *, tool: str = "add", **kwargs: Any
) -> ScriptedChatModel:
    """A model following ``script``, calling ``tool`` wherever the script says ``add``."""
    renamed = [[{**call, "name": tool if call["name"] == "add" else call["name"]} for call in turn] for turn in script]
    return ScriptedChatModel(policy=react_policy(renamed, final_answer="The answer is 21."), **kwargs)


def make_tools(tracer: Tracer | None = None) -> list[BaseTool]:
    """``add`` (sync) and ``aadd`` (async); with a tracer, each opens a user span inside its body."""

    @tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        if tracer is None:
            return a + b
        with tracer.start_as_current_span("user.add"):
            return a + b

    @tool
    async def aadd(a: int, b: int) -> int:
        """Add two integers, asynchronously."""
        await asyncio.sleep(0)
        if tracer is None:
            return a + b
        with tracer.start_as_current_span("user.aadd"):
            await asyncio.sleep(0)
            return a + b

    return [add, aadd]


def agent(
    model: BaseChatModel, tools: Sequence[BaseTool], name: str = "adder", **kwargs: Any
) -> CompiledStateGraph[Any]:
    return create_agent(model, list(tools), system_prompt="You add numbers.", name=name, **kwargs)


def handbuilt(
    model: BaseChatModel, tools: Sequence[BaseTool], name: str = "loop", tracer: Tracer | None = None
) -> CompiledStateGraph[Any]:
    """The classic hand-built loop: ``agent`` node ⇄ ``ToolNode`` until the model stops calling tools."""
    bound = model.bind_tools(list(tools))

    def call_model(state: MessagesState) -> dict[str, list[BaseMessage]]:
        if tracer is not None:
            with tracer.start_as_current_span("user.node"):
                pass
        reply = bound.invoke(state["messages"])
        assert isinstance(reply, AIMessage)
        return {"messages": [reply]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", call_model)
    builder.add_node("tools", ToolNode(list(tools)))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(name=name)


def workflow(name: str = "pipeline") -> CompiledStateGraph[Any]:
    """Two plain nodes, no model: an ``invoke_workflow``."""

    def first(state: MessagesState) -> dict[str, Any]:
        return {"messages": [AIMessage(content="one")]}

    def second(state: MessagesState) -> dict[str, Any]:
        return {"messages": [AIMessage(content="two")]}

    builder = StateGraph(MessagesState)
    builder.add_node("first", first)
    builder.add_node("second", second)
    builder.add_edge(START, "first")
    builder.add_edge("first", "second")
    builder.add_edge("second", END)
    return builder.compile(name=name)


class SpanTree:
    """Finished spans as a tree: outlines for shape assertions, lookups for attribute assertions."""

    def __init__(self, capture: TelemetryCapture) -> None:
        self.capture = capture

    def spans(self) -> list[ReadableSpan]:
        return sorted(self.capture.spans(), key=lambda s: s.start_time or 0)

    def by_id(self) -> dict[int, ReadableSpan]:
        return {s.context.span_id: s for s in self.spans() if s.context is not None}

    def parent(self, span: ReadableSpan) -> ReadableSpan | None:
        if span.parent is None:
            return None
        return self.by_id().get(span.parent.span_id)

    def children(self, span: ReadableSpan) -> list[ReadableSpan]:
        sid = span.context.span_id if span.context else None
        return [s for s in self.spans() if s.parent is not None and s.parent.span_id == sid]

    def roots(self) -> list[ReadableSpan]:
        ids = self.by_id()
        return [s for s in self.spans() if s.parent is None or s.parent.span_id not in ids]

    def outline(self, root: ReadableSpan | None = None) -> list[str]:
        """``["invoke_agent adder", "  obs.agent.iteration", ...]``, children in start order."""
        lines: list[str] = []

        def walk(span: ReadableSpan, depth: int) -> None:
            lines.append("  " * depth + span.name)
            for child in self.children(span):
                walk(child, depth + 1)

        for top in [root] if root is not None else self.roots():
            walk(top, 0)
        return lines

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.name == name]

    def one(self, name: str) -> ReadableSpan:
        found = self.named(name)
        assert len(found) == 1, f"expected one {name!r}, found {len(found)}: {self.outline()}"
        return found[0]

    def trace_ids(self) -> set[int]:
        return {s.context.trace_id for s in self.spans() if s.context is not None}


def attrs(span: ReadableSpan) -> dict[str, Any]:
    """Attributes with tuples turned into lists, for whole-dict comparisons."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in (span.attributes or {}).items()}
