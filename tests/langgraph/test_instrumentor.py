"""``LangChainInstrumentor``: traces every run once, restores everything on ``uninstrument()``."""

from __future__ import annotations

import importlib
import threading
from importlib.metadata import entry_points
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.tracers import context as tracer_context
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangChainInstrumentor, LangGraphConfig, ObsCallbackHandler

from .graphs import SpanTree, agent, make_tools, scripted

HI = {"messages": [("user", "hi")]}
MODULES = (
    "langchain_core.tools.base",
    "langchain_core.runnables.base",
    "langchain_core.runnables.fallbacks",
    "langgraph._internal._runnable",
)


def _originals() -> dict[str, Any]:
    found: dict[str, Any] = {name: importlib.import_module(name).set_config_context for name in MODULES}
    found["generate"] = BaseChatModel.__dict__["_generate_with_cache"]
    found["agenerate"] = BaseChatModel.__dict__["_agenerate_with_cache"]
    found["hooks"] = list(tracer_context._configure_hooks)
    return found


def test_traces_runs_without_passing_callbacks(instrumented: LangChainInstrumentor, tree: SpanTree) -> None:
    agent(scripted(), make_tools()[:1]).invoke(HI)
    assert tree.outline()[:3] == ["invoke_agent adder", "  obs.agent.iteration", "    chat gpt-4o-mini"]
    assert instrumented.handler is not None
    assert instrumented.handler.live_runs == 0


def test_an_explicit_handler_is_not_doubled(instrumented: LangChainInstrumentor, tree: SpanTree) -> None:
    assert instrumented.handler is not None
    agent(scripted(), make_tools()[:1]).invoke(HI, config={"callbacks": [instrumented.handler]})
    assert len(tree.named("invoke_agent adder")) == 1
    assert len(tree.named("chat gpt-4o-mini")) == 3


def test_uninstrument_restores_everything(capture: TelemetryCapture, tree: SpanTree) -> None:
    before = _originals()
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(config=LangGraphConfig(), **capture.providers)
    assert instrumentor.is_instrumented
    assert _originals() != before
    LangChainInstrumentor().uninstrument()  # any instance undoes it, as with contrib instrumentors
    assert LangChainInstrumentor().is_instrumented is False
    assert _originals() == before
    agent(scripted(), make_tools()[:1]).invoke(HI)
    assert tree.spans() == []


def test_instrument_twice_is_harmless(capture: TelemetryCapture, tree: SpanTree) -> None:
    instrumentor = LangChainInstrumentor()
    try:
        instrumentor.instrument(config=LangGraphConfig(), **capture.providers)
        LangChainInstrumentor().instrument(config=LangGraphConfig(), **capture.providers)
        agent(scripted(), make_tools()[:1]).invoke(HI)
        assert len(tree.named("invoke_agent adder")) == 1
    finally:
        instrumentor.uninstrument()
    instrumentor.uninstrument()


def test_threads_started_after_instrument_are_traced(instrumented: LangChainInstrumentor, tree: SpanTree) -> None:
    graph = agent(scripted(), make_tools()[:1])
    workers = [threading.Thread(target=graph.invoke, args=(HI,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(tree.named("invoke_agent adder")) == 4
    assert len(tree.trace_ids()) == 4


def test_opentelemetry_instrument_entry_point(capture: TelemetryCapture) -> None:
    [entry] = [
        e for e in entry_points(group="opentelemetry_instrumentor") if e.name == "langchain" and "obs" in e.value
    ]
    cls = entry.load()
    assert cls is LangChainInstrumentor
    instrumentor = cls()
    assert instrumentor.instrumentation_dependencies() == ("langchain-core >= 1.0",)
    instrumentor.instrument(skip_dep_check=True, tracer_provider=capture.tracer_provider)
    try:
        assert isinstance(instrumentor.handler, ObsCallbackHandler)
    finally:
        instrumentor.uninstrument()
