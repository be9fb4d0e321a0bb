"""The handler never raises into the graph, never leaks a span, and keeps its memory flat."""

from __future__ import annotations

import gc
import tracemalloc
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables import RunnableConfig
from obs_core import internal_error_counts
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangGraphConfig, ObsCallbackHandler
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider

from .graphs import agent, make_tools, scripted
from .replay import EVENTS, Call, Recorder, replay


class Ledger(SpanProcessor):
    """Counts spans started and ended: every started span must end."""

    def __init__(self) -> None:
        self.started = 0
        self.ended = 0

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self.started += 1

    def on_end(self, span: ReadableSpan) -> None:
        self.ended += 1


def _recorded_run() -> list[Call]:
    recorder = Recorder()
    agent(scripted(), make_tools()[:1]).invoke(
        {"messages": [("user", "hi")]}, config=RunnableConfig(callbacks=[recorder])
    )
    return recorder.calls


RECORDED = _recorded_run()


def _handler(**config: Any) -> tuple[ObsCallbackHandler, Ledger]:
    ledger = Ledger()
    provider = TracerProvider()
    provider.add_span_processor(ledger)
    handler = ObsCallbackHandler(
        config=LangGraphConfig(**config), tracer_provider=provider, meter_provider=MeterProvider()
    )
    return handler, ledger


def test_replay_matches_a_real_run() -> None:
    handler, ledger = _handler()
    replay(RECORDED, handler)
    assert (ledger.started, ledger.ended, handler.live_runs) == (10, 10, 0)


RUN_IDS = [uuid.UUID(int=i) for i in range(1, 7)]
PAYLOADS: list[Any] = [
    None,
    {},
    {"__interrupt__": []},
    LLMResult(generations=[]),
    LLMResult(generations=[[ChatGeneration(message=AIMessage(content="x", response_metadata={"finish_reason": 3}))]]),
    ValueError("boom"),
    GeneratorExit(),
    "text",
]
METADATA: list[Any] = [
    None,
    {},
    {"langgraph_node": "n", "langgraph_step": 1, "langgraph_checkpoint_ns": "n:1"},
    {"langgraph_node": "n", "langgraph_step": "x", "langgraph_checkpoint_ns": 5},
    {"thread_id": object(), "user_id": 0, "ls_provider": None, "ls_model_name": 42},
    {"ls_integration": ["unhashable"], "langgraph_node": None, "obs_stage": 3},
]

event = st.tuples(
    st.sampled_from(EVENTS),
    st.sampled_from(RUN_IDS),
    st.one_of(st.none(), st.sampled_from(RUN_IDS)),
    st.sampled_from(PAYLOADS),
    st.sampled_from(METADATA),
)


def _send(
    handler: ObsCallbackHandler, name: str, run_id: uuid.UUID, parent: uuid.UUID | None, payload: Any, meta: Any
) -> None:
    common: dict[str, Any] = {"run_id": run_id, "parent_run_id": parent}
    if name.endswith("_start"):
        common |= {"metadata": meta, "tags": ["obs_stage:x"]}
    if name == "on_chain_start":
        handler.on_chain_start(None, payload, name="n", **common)
    elif name == "on_chat_model_start":
        handler.on_chat_model_start(
            {"id": ["ChatX"]}, [[HumanMessage("hi")]], invocation_params={"tools": [1]}, **common
        )
    elif name == "on_llm_start":
        handler.on_llm_start({}, ["hi"], **common)
    elif name == "on_tool_start":
        handler.on_tool_start({"name": "t"}, "{}", tool_call_id="c", inputs=payload, **common)
    elif name == "on_retriever_start":
        handler.on_retriever_start({}, "q", **common)
    elif name == "on_llm_new_token":
        handler.on_llm_new_token("t", run_id=run_id)
    elif name.endswith("_error"):
        error = payload if isinstance(payload, BaseException) else RuntimeError("x")
        getattr(handler, name)(error, run_id=run_id)
    elif name == "on_llm_end":
        handler.on_llm_end(payload if isinstance(payload, LLMResult) else LLMResult(generations=[]), run_id=run_id)
    elif name == "on_retriever_end":
        handler.on_retriever_end([], run_id=run_id)
    else:
        getattr(handler, name)(payload, run_id=run_id)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event, max_size=40))
def test_out_of_order_and_missing_callbacks_never_raise(events: list[tuple[Any, ...]]) -> None:
    handler, ledger = _handler(node_spans=True)
    before = internal_error_counts()
    for name, run_id, parent, payload, meta in events:
        _send(handler, name, run_id, parent, payload, meta)  # the guard re-raises under pytest
    for run_id in RUN_IDS:  # end whatever is left, like a host that finally finishes
        handler.on_chain_end({}, run_id=run_id)
        handler.on_llm_end(LLMResult(generations=[]), run_id=run_id)
    assert handler.live_runs == 0
    assert ledger.started == ledger.ended
    assert internal_error_counts() == before


def test_shuffled_real_run_never_raises() -> None:
    import random

    for seed in range(50):
        calls = list(RECORDED)
        random.Random(seed).shuffle(calls)
        handler, ledger = _handler()
        replay(calls[: len(calls) - seed % 5], handler)
        assert ledger.started >= ledger.ended


def test_a_bug_in_obs_is_swallowed_and_counted(
    guard_swallows: None, capture: TelemetryCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = ObsCallbackHandler(config=LangGraphConfig(), **capture.providers)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(handler._recorder, "tool_start", broken)
    before = internal_error_counts().get("langgraph.tool_start", 0)
    result = agent(scripted(), make_tools()[:1]).invoke({"messages": [("user", "hi")]}, config={"callbacks": [handler]})
    assert result["messages"][-1].content == "The answer is 21."
    assert internal_error_counts()["langgraph.tool_start"] == before + 3


def test_runs_that_never_end_are_capped() -> None:
    handler, ledger = _handler(max_live_runs=20)
    for _ in range(100):
        handler.on_chain_start(None, {}, run_id=uuid.uuid4(), name="forever")
    assert handler.live_runs <= 21
    assert ledger.ended >= 79


@pytest.mark.slow
def test_memory_is_flat_over_10000_runs() -> None:
    handler, _ = _handler()
    for _ in range(500):  # warm caches, instruments and the learned-node table
        replay(RECORDED, handler)
    gc.collect()
    objects_before = len(gc.get_objects())
    for _ in range(9_000):
        replay(RECORDED, handler)
    gc.collect()
    object_growth = len(gc.get_objects()) - objects_before
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(1_000):
            replay(RECORDED, handler)
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert handler.live_runs == 0
    recorder = handler._recorder
    assert len(recorder.tree._roots) == 0
    assert len(recorder.tree._learned) == 1
    assert object_growth < 100, f"{object_growth} more live objects after 9,000 runs"
    assert after - before < 64 * 1024, f"memory grew by {after - before} bytes over the last 1,000 runs"
