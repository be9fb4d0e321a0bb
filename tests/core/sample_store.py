"""A realistic store written through the real SDK and the real store exporter (shared by store and CLI tests)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obs_core import prompt_hash
from obs_core._batch import DroppingBatchSpanProcessor
from obs_core.store import SpanStoreExporter, StoreWriter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import Span, Status, StatusCode, set_span_in_context

T0 = 1_700_000_000_000_000_000
"""2023-11-14T22:13:20Z in ns: every sample span starts at T0 + an offset."""
S = 1_000_000_000


class FixedIds(IdGenerator):
    """Trace ids chosen by the test, so prefixes (unique or shared) are known in advance."""

    def __init__(self, trace_ids: list[int]) -> None:
        self._trace_ids = list(trace_ids)
        self._random = random.Random(7)

    def generate_trace_id(self) -> int:
        return self._trace_ids.pop(0)

    def generate_span_id(self) -> int:
        return self._random.getrandbits(64)


TRACE_A = "aaaa0001" + "0" * 24
TRACE_B = "aaaa0002" + "0" * 24
TRACE_C = "bbbb0003" + "0" * 24
PROMPT_V1 = prompt_hash("You are a support agent. Answer briefly.")
PROMPT_V2 = prompt_hash("You are a support agent. Answer briefly and cite the docs.")
PROMPT_UNNAMED = prompt_hash("Summarise.")


@dataclass(frozen=True)
class SampleStore:
    path: Path


def _chat(model: str, **extra: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": extra.pop("provider", "openai"),
        "gen_ai.request.model": model,
    }
    attrs.update(extra)
    return attrs


def write_sample_store(path: Path) -> None:
    """Three traces through the real SDK and the real store exporter.

    A: agent run in session ``sess-1``: two gpt-4o calls (plan, answer; the
       second truncated at 85% fill with a threshold event) and a tool call;
       the agent span carries aggregate usage that must not be double counted.
    B: agent run in conversation ``conv-9``: a claude call at 90% fill and a
       claude call that timed out (prompt version 2).
    C: a lone call to an unpriced model with two choices, and an embeddings call.
    """
    writer = StoreWriter(path)
    provider = TracerProvider(
        resource=Resource.create({"service.name": "support-bot"}),
        id_generator=FixedIds([int(TRACE_A, 16), int(TRACE_B, 16), int(TRACE_C, 16)]),
    )
    processor = DroppingBatchSpanProcessor(SpanStoreExporter(writer), sink="store")
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("tests.sample")

    ends: dict[int, float] = {}

    def span(name: str, start: float, stop: float, attrs: dict[str, Any], parent: Span | None = None) -> Span:
        ctx = set_span_in_context(parent) if parent is not None else None
        s = tracer.start_span(name, context=ctx, start_time=T0 + round(start * S), attributes=attrs)
        ends[id(s)] = stop
        return s

    def end(s: Span) -> None:
        s.end(end_time=T0 + round(ends[id(s)] * S))

    v1 = {"obs.prompt.hash": PROMPT_V1, "gen_ai.prompt.name": "support-system", "gen_ai.prompt.version": "1"}
    v2 = {"obs.prompt.hash": PROMPT_V2, "gen_ai.prompt.name": "support-system", "gen_ai.prompt.version": "2"}

    # --- trace A
    root = span(
        "invoke_agent support",
        0,
        10,
        {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": "support",
            "obs.session.id": "sess-1",
            "gen_ai.usage.input_tokens": 999,
            "gen_ai.usage.output_tokens": 999,
        },
    )
    c1 = span(
        "chat gpt-4o",
        0.5,
        1.5,
        _chat(
            "gpt-4o",
            **{
                "gen_ai.response.model": "gpt-4o-2024-08-06",
                "gen_ai.usage.input_tokens": 1000,
                "gen_ai.usage.output_tokens": 200,
                "obs.gen_ai.usage.cost": 0.0045,
                "obs.pipeline.stage": "plan",
                "gen_ai.response.finish_reasons": ("stop",),
                "obs.context.fill_ratio": 0.5,
                **v1,
            },
        ),
        root,
    )
    end(c1)
    tool = span(
        "execute_tool search",
        2,
        2.5,
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"},
        root,
    )
    end(tool)
    c2 = span(
        "chat gpt-4o",
        3,
        5,
        _chat(
            "gpt-4o",
            **{
                "gen_ai.usage.input_tokens": 3000,
                "gen_ai.usage.output_tokens": 500,
                "obs.gen_ai.usage.cost": 0.0125,
                "obs.pipeline.stage": "answer",
                "gen_ai.response.finish_reasons": ("length",),
                "obs.context.fill_ratio": 0.85,
                **v1,
            },
        ),
        root,
    )
    c2.add_event(
        "obs.context.threshold_exceeded",
        {"obs.context.fill_ratio": 0.85, "obs.context.threshold": 0.8},
        timestamp=T0 + 3 * S,
    )
    end(c2)
    end(root)

    # --- trace B
    root = span(
        "invoke_agent support",
        60,
        70,
        {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support", "gen_ai.conversation.id": "conv-9"},
    )
    c3 = span(
        "chat claude-sonnet-4-5",
        61,
        64,
        _chat(
            "claude-sonnet-4-5",
            provider="anthropic",
            **{
                "gen_ai.usage.input_tokens": 2000,
                "gen_ai.usage.output_tokens": 100,
                "obs.gen_ai.usage.cost": 0.0075,
                "obs.pipeline.stage": "answer",
                "gen_ai.response.finish_reasons": ("end_turn",),
                "obs.context.fill_ratio": 0.9,
                **v2,
            },
        ),
        root,
    )
    end(c3)
    c4 = span(
        "chat claude-sonnet-4-5",
        65,
        69,
        _chat(
            "claude-sonnet-4-5", provider="anthropic", **{"obs.pipeline.stage": "answer", "error.type": "timeout", **v2}
        ),
        root,
    )
    c4.set_status(Status(StatusCode.ERROR, "request timed out"))
    end(c4)
    end(root)

    # --- trace C
    c5 = span(
        "chat mystery-model",
        120,
        120.25,
        _chat(
            "mystery-model",
            **{
                "gen_ai.usage.input_tokens": 10,
                "gen_ai.usage.output_tokens": 5,
                "gen_ai.response.finish_reasons": ("stop", "stop"),
                "obs.context.fill_ratio": 0.2,
                "obs.prompt.hash": PROMPT_UNNAMED,
            },
        ),
    )
    emb = span(
        "embeddings text-embedding-3-small",
        120.05,
        120.15,
        {
            "gen_ai.operation.name": "embeddings",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "text-embedding-3-small",
            "gen_ai.usage.input_tokens": 50,
            "obs.gen_ai.usage.cost": 0.000001,
            "obs.pipeline.stage": "retrieve",
        },
        c5,
    )
    end(emb)
    end(c5)

    assert processor.force_flush()
    provider.shutdown()
    writer.close()
