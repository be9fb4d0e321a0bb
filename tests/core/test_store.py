"""The store's read API against spans written by the real SDK."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from obs_core.store import (
    AmbiguousTraceIdError,
    InvalidTraceIdError,
    StoreWriter,
    TelemetryStore,
    TraceNotFoundError,
)

from .sample_store import PROMPT_UNNAMED, PROMPT_V1, PROMPT_V2, T0, TRACE_A, TRACE_B, TRACE_C, SampleStore


def rounded(value: Any) -> Any:
    """Floats rounded to 9 places so whole JSON documents compare exactly."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


@pytest.fixture
def store(sample_store: SampleStore) -> Iterator[TelemetryStore]:
    with TelemetryStore.open(sample_store.path) as opened:
        yield opened


def test_recent_traces(store: TelemetryStore) -> None:
    assert rounded([t.to_json() for t in store.recent_traces()]) == [
        {
            "trace_id": TRACE_C,
            "root_name": "chat mystery-model",
            "service": "support-bot",
            "start_ns": T0 + 120 * 10**9,
            "start": "2023-11-14T22:15:20.000Z",
            "duration_s": 0.25,
            "span_count": 2,
            "input_tokens": 60,
            "output_tokens": 5,
            "cost_usd": 0.000001,
            "error_count": 0,
        },
        {
            "trace_id": TRACE_B,
            "root_name": "invoke_agent support",
            "service": "support-bot",
            "start_ns": T0 + 60 * 10**9,
            "start": "2023-11-14T22:14:20.000Z",
            "duration_s": 10.0,
            "span_count": 3,
            "input_tokens": 2000,
            "output_tokens": 100,
            "cost_usd": 0.0075,
            "error_count": 1,
        },
        {
            "trace_id": TRACE_A,
            "root_name": "invoke_agent support",
            "service": "support-bot",
            "start_ns": T0,
            "start": "2023-11-14T22:13:20.000Z",
            "duration_s": 10.0,
            "span_count": 4,
            "input_tokens": 4000,  # the agent span's aggregate 999 is not counted again
            "output_tokens": 700,
            "cost_usd": 0.017,
            "error_count": 0,
        },
    ]
    assert [t.trace_id for t in store.recent_traces(limit=1)] == [TRACE_C]


def test_trace_tree_with_events(store: TelemetryStore) -> None:
    detail = store.trace("AAAA0001")  # case-insensitive unique prefix
    assert detail.summary.trace_id == TRACE_A
    (root,) = detail.roots
    assert root.name == "invoke_agent support"
    assert [(c.name, c.duration_s) for c in root.children] == [
        ("chat gpt-4o", 1.0),
        ("execute_tool search", 0.5),
        ("chat gpt-4o", 2.0),
    ]
    answer = root.children[2]
    assert (answer.model, answer.input_tokens, answer.output_tokens, answer.cost_usd) == ("gpt-4o", 3000, 500, 0.0125)
    assert (answer.finish_reasons, answer.context_fill_ratio) == (["length"], 0.85)
    assert [e.to_json() for e in answer.events] == [
        {
            "name": "obs.context.threshold_exceeded",
            "time_ns": T0 + 3 * 10**9,
            "time": "2023-11-14T22:13:23.000Z",
            "attributes": {"obs.context.fill_ratio": 0.85, "obs.context.threshold": 0.8},
        }
    ]
    assert answer.attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 3000,
        "gen_ai.usage.output_tokens": 500,
        "obs.gen_ai.usage.cost": 0.0125,
        "obs.pipeline.stage": "answer",
        "gen_ai.response.finish_reasons": ["length"],
        "obs.context.fill_ratio": 0.85,
        "obs.prompt.hash": PROMPT_V1,
        "gen_ai.prompt.name": "support-system",
        "gen_ai.prompt.version": "1",
    }
    assert len(detail.spans()) == 4
    error = store.trace(TRACE_B).roots[0].children[1]
    assert (error.status_code, error.status_message) == ("ERROR", "request timed out")


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ("aaaa", AmbiguousTraceIdError, "matches several traces"),
        ("cccc", TraceNotFoundError, "no trace whose id starts with 'cccc'"),
        ("not-hex", InvalidTraceIdError, "is not a trace id"),
        ("a" * 33, InvalidTraceIdError, "is not a trace id"),
        ("", InvalidTraceIdError, "is not a trace id"),
    ],
)
def test_trace_lookup_errors(store: TelemetryStore, given: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        store.trace(given)


def test_report_aggregates(store: TelemetryStore) -> None:
    report = rounded(store.report(sections=[]).to_json())
    assert report["models"] == [
        {
            "model": "gpt-4o",
            "calls": 2,
            "errors": 0,
            "input_tokens": 4000,
            "output_tokens": 700,
            "cost_usd": 0.017,
            "latency_calls": 2,
            "p50_s": 1.5,
            "p95_s": 1.95,
            "p99_s": 1.99,
        },
        {
            "model": "claude-sonnet-4-5",
            "calls": 2,
            "errors": 1,
            "input_tokens": 2000,
            "output_tokens": 100,
            "cost_usd": 0.0075,
            "latency_calls": 2,
            "p50_s": 3.5,
            "p95_s": 3.95,
            "p99_s": 3.99,
        },
        {
            "model": "text-embedding-3-small",
            "calls": 1,
            "errors": 0,
            "input_tokens": 50,
            "output_tokens": 0,
            "cost_usd": 0.000001,
            "latency_calls": 0,  # embeddings are not generation latency
            "p50_s": None,
            "p95_s": None,
            "p99_s": None,
        },
        {
            "model": "mystery-model",
            "calls": 1,
            "errors": 0,
            "input_tokens": 10,
            "output_tokens": 5,
            "cost_usd": None,
            "latency_calls": 1,
            "p50_s": 0.25,
            "p95_s": 0.25,
            "p99_s": 0.25,
        },
    ]
    assert report["stages"] == [
        {"stage": "answer", "calls": 3, "input_tokens": 5000, "output_tokens": 600, "cost_usd": 0.02},
        {"stage": "plan", "calls": 1, "input_tokens": 1000, "output_tokens": 200, "cost_usd": 0.0045},
        {"stage": "retrieve", "calls": 1, "input_tokens": 50, "output_tokens": 0, "cost_usd": 0.000001},
        {"stage": None, "calls": 1, "input_tokens": 10, "output_tokens": 5, "cost_usd": None},
    ]
    assert (report["model_calls"], report["unpriced_calls"], report["total_cost_usd"]) == (6, 2, 0.024501)
    assert report["finish_reasons"] == {
        "total": 5,
        "reasons": [
            {"reason": "stop", "count": 3, "share": 0.6},
            {"reason": "end_turn", "count": 1, "share": 0.2},
            {"reason": "length", "count": 1, "share": 0.2},
        ],
        "truncation_share": 0.2,
        "truncation_threshold": 0.05,
        "truncation_flagged": True,
    }
    assert report["context"] == {
        "calls": 4,
        "p50": 0.675,
        "p95": 0.8925,
        "max": 0.9,
        "buckets": [
            {"label": "0%-50%", "lower": 0.0, "upper": 0.5, "count": 1},
            {"label": "50%-80%", "lower": 0.5, "upper": 0.8, "count": 1},
            {"label": "80%-95%", "lower": 0.8, "upper": 0.95, "count": 2},
            {"label": "95%-100%", "lower": 0.95, "upper": 1.0, "count": 0},
            {"label": ">=100%", "lower": 1.0, "upper": None, "count": 0},
        ],
        "threshold": 0.8,
        "sessions_over_threshold": [
            {
                "session": "conv-9",
                "kind": "conversation",
                "max_fill_ratio": 0.9,
                "calls": 1,
                "traces": 1,
                "last_seen_ns": T0 + 64 * 10**9,
                "last_seen": "2023-11-14T22:14:24.000Z",
            },
            {
                "session": "sess-1",  # the chat spans inherit the session id of their agent span
                "kind": "session",
                "max_fill_ratio": 0.85,
                "calls": 2,
                "traces": 1,
                "last_seen_ns": T0 + 5 * 10**9,
                "last_seen": "2023-11-14T22:13:25.000Z",
            },
        ],
    }
    assert (report["sections"], report["section_errors"]) == ([], [])


def test_context_sessions_fall_back_to_the_trace(store: TelemetryStore) -> None:
    assert [(s.session, s.kind) for s in store.context_fill(threshold=0.1).sessions] == [
        ("conv-9", "conversation"),
        ("sess-1", "session"),
        (TRACE_C, "trace"),
    ]


def test_prompt_versions_side_by_side(store: TelemetryStore) -> None:
    assert rounded([v.to_json() for v in store.prompt_versions()]) == [
        {
            "hash": PROMPT_V1,
            "name": "support-system",
            "version": "1",
            "first_seen_ns": T0 + 500_000_000,
            "first_seen": "2023-11-14T22:13:20.500Z",
            "last_seen_ns": T0 + 3 * 10**9,
            "last_seen": "2023-11-14T22:13:23.000Z",
            "calls": 2,
            "errors": 0,
            "error_rate": 0.0,
            "finish_reasons": [
                {"reason": "length", "count": 1, "share": 0.5},
                {"reason": "stop", "count": 1, "share": 0.5},
            ],
            "mean_input_tokens": 2000.0,
            "mean_output_tokens": 350.0,
            "cost_usd": 0.017,
            "cost_per_call_usd": 0.0085,
            "p95_latency_s": 1.95,
            "models": ["gpt-4o"],
            "previous_hash": None,
        },
        {
            "hash": PROMPT_V2,
            "name": "support-system",
            "version": "2",
            "first_seen_ns": T0 + 61 * 10**9,
            "first_seen": "2023-11-14T22:14:21.000Z",
            "last_seen_ns": T0 + 65 * 10**9,
            "last_seen": "2023-11-14T22:14:25.000Z",
            "calls": 2,
            "errors": 1,
            "error_rate": 0.5,
            "finish_reasons": [{"reason": "end_turn", "count": 1, "share": 1.0}],
            "mean_input_tokens": 2000.0,
            "mean_output_tokens": 100.0,
            "cost_usd": 0.0075,
            "cost_per_call_usd": 0.00375,
            "p95_latency_s": 3.95,
            "models": ["claude-sonnet-4-5"],
            "previous_hash": PROMPT_V1,
        },
        {
            "hash": PROMPT_UNNAMED,
            "name": None,
            "version": None,
            "first_seen_ns": T0 + 120 * 10**9,
            "first_seen": "2023-11-14T22:15:20.000Z",
            "last_seen_ns": T0 + 120 * 10**9,
            "last_seen": "2023-11-14T22:15:20.000Z",
            "calls": 1,
            "errors": 0,
            "error_rate": 0.0,
            "finish_reasons": [{"reason": "stop", "count": 2, "share": 1.0}],
            "mean_input_tokens": 10.0,
            "mean_output_tokens": 5.0,
            "cost_usd": None,
            "cost_per_call_usd": None,
            "p95_latency_s": 0.25,
            "models": ["mystery-model"],
            "previous_hash": None,
        },
    ]


def test_empty_store_answers_with_empty_results(tmp_path: Path) -> None:
    StoreWriter(tmp_path / "t.db").close()
    with TelemetryStore.open(tmp_path / "t.db") as store:
        assert store.recent_traces() == []
        assert store.prompt_versions() == []
        report = store.report(sections=[])
        assert (report.model_calls, report.total_cost_usd, report.finish_reasons.truncation_flagged) == (0, None, False)
        assert report.context.max is None


def test_reader_sees_committed_data_while_a_writer_is_open(tmp_path: Path, sample_store: SampleStore) -> None:
    path = tmp_path / "live.db"
    shutil.copy(sample_store.path, path)
    writer = StoreWriter(path)  # holds the file open in WAL mode, as a running app does
    try:
        with TelemetryStore.open(path) as store:
            assert len(store.recent_traces()) == 3
    finally:
        writer.close()


def test_non_finite_attribute_values_keep_the_store_queryable(tmp_path: Path) -> None:
    """One NaN (a ratio over an empty window, a user's own attribute) must not break every report query."""
    from obs_core.store import SpanStoreExporter, StoreWriter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    writer = StoreWriter(tmp_path / "telemetry.db")
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SpanStoreExporter(writer)))
    attributes: dict[str, str | float] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o",
        "obs.context.fill_ratio": 0.5,
    }
    with provider.get_tracer("t").start_as_current_span("chat gpt-4o", attributes=attributes) as span:
        span.set_attributes({"app.score": float("nan"), "app.limit": float("inf"), "app.raw": b"\x01\xff"})
    provider.shutdown()
    writer.close()
    with TelemetryStore.open(tmp_path / "telemetry.db") as store:
        [summary] = store.recent_traces()
        [root] = store.trace(summary.trace_id).spans()
        assert {k: v for k, v in root.attributes.items() if k.startswith("app.")} == {
            "app.score": "NaN",
            "app.limit": "Infinity",
            "app.raw": "01ff",
        }
        report = store.report(sections=[])
        assert report.model_calls == 1
        assert report.context.calls == 1


def test_cumulative_points_of_several_processes_add_up(tmp_path: Path) -> None:
    """Every coding exporter is a process of its own: its counters start at zero and must be told apart."""
    import sqlite3

    from obs_core.store import MetricStoreExporter, StoreWriter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    writer = StoreWriter(tmp_path / "telemetry.db")
    for instance, edits in (("exporter-1", (1, 2)), ("exporter-2", (4,))):
        reader = PeriodicExportingMetricReader(MetricStoreExporter(writer), export_interval_millis=3_600_000)
        resource = Resource.create({"service.name": "claude-code", "service.instance.id": instance})
        provider = MeterProvider(resource=resource, metric_readers=[reader])
        counter = provider.get_meter("obs.coding").create_counter("obs.coding.edits")
        for n in edits:
            counter.add(n)
            reader.collect()  # one cumulative row per collection
        provider.shutdown()
    writer.close()
    conn = sqlite3.connect(tmp_path / "telemetry.db")
    rows = conn.execute(
        "SELECT json_extract(resource, '$.\"service.instance.id\"'), start_ns, value, service_name"
        " FROM metric_points WHERE name = 'obs.coding.edits' ORDER BY time_ns"
    ).fetchall()
    conn.close()
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("exporter-1", 1.0, "claude-code"),
        ("exporter-1", 3.0, "claude-code"),
        ("exporter-1", 3.0, "claude-code"),  # collected again at shutdown
        ("exporter-2", 4.0, "claude-code"),
        ("exporter-2", 4.0, "claude-code"),
    ]
    latest: dict[tuple[str, int], float] = {}
    for instance, start_ns, value, _ in rows:
        assert isinstance(start_ns, int)
        latest[(instance, start_ns)] = value
    assert sum(latest.values()) == 7.0  # the series' totals, summed across processes
