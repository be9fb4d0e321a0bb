from __future__ import annotations

import hashlib

import pytest
from obs_core.sampling import SamplingConfig, TailSamplingProcessor, UserHashSampler, unit_interval
from obs_core.testing import TelemetryCapture
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode


def _user(n: int) -> str:
    return hashlib.sha256(f"user-{n}".encode()).hexdigest()


def _provider(
    config: SamplingConfig, capture: TelemetryCapture | None = None
) -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=UserHashSampler(config.head_ratio, config.canary_ratio, record_all=config.tail))
    downstream = SimpleSpanProcessor(exporter)
    if config.tail:
        meter_provider = capture.meter_provider if capture else None
        provider.add_span_processor(TailSamplingProcessor([downstream], config, meter_provider=meter_provider))
    else:
        provider.add_span_processor(downstream)
    return provider, exporter


def test_head_sampling_keeps_whole_users() -> None:
    provider, exporter = _provider(SamplingConfig(head_ratio=0.5))
    tracer = provider.get_tracer("t")
    for n in range(200):
        for _ in range(3):  # three traces per user
            with (
                tracer.start_as_current_span("root", attributes={"obs.user.hash": _user(n)}),
                tracer.start_as_current_span("child"),
            ):
                pass
    kept_users = [
        s.attributes["obs.user.hash"] for s in exporter.get_finished_spans() if s.name == "root" and s.attributes
    ]
    per_user = {u: kept_users.count(u) for u in set(kept_users)}
    assert set(per_user.values()) == {3}, "a user's traces are all kept or all dropped"
    expected = {_user(n) for n in range(200) if unit_interval(_user(n)) < 0.5}
    assert set(per_user) == expected
    assert 60 < len(expected) < 140
    roots = sum(1 for s in exporter.get_finished_spans() if s.name == "root")
    children = sum(1 for s in exporter.get_finished_spans() if s.name == "child")
    assert roots == children, "children follow their root's decision"


def test_canary_users_are_always_kept_and_marked() -> None:
    provider, exporter = _provider(SamplingConfig(head_ratio=0.0, canary_ratio=0.1))
    tracer = provider.get_tracer("t")
    for n in range(300):
        with tracer.start_as_current_span("root", attributes={"obs.user.hash": _user(n)}):
            pass
    spans = exporter.get_finished_spans()
    assert spans, "some users fall in a 10% cohort"
    assert all((s.attributes or {}).get("obs.sampling.cohort") == "canary" for s in spans)
    assert {(s.attributes or {})["obs.user.hash"] for s in spans} == {
        _user(n) for n in range(300) if unit_interval(_user(n)) < 0.1
    }


def test_tail_keeps_errors_and_guardrail_hits_that_the_head_dropped(capture: TelemetryCapture) -> None:
    provider, exporter = _provider(SamplingConfig(head_ratio=0.0, tail=True), capture)
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("ok-root"), tracer.start_as_current_span("ok-child"):
        pass
    with tracer.start_as_current_span("err-root"), tracer.start_as_current_span("err-child") as child:
        child.set_status(Status(StatusCode.ERROR, "boom"))
    with tracer.start_as_current_span("guard-root"), tracer.start_as_current_span("guard") as guard:
        guard.set_attribute("obs.guardrail.verdict", "block")
    names = sorted(s.name for s in exporter.get_finished_spans())
    assert names == ["err-child", "err-root", "guard", "guard-root"]
    assert capture.metric_sum("obs.sampling.traces", obs__sampling__decision="kept", obs__sampling__reason="error") == 1
    assert (
        capture.metric_sum("obs.sampling.traces", obs__sampling__decision="kept", obs__sampling__reason="guardrail")
        == 1
    )
    assert capture.metric_sum("obs.sampling.traces", obs__sampling__decision="dropped") == 1


def test_tail_keeps_slow_roots() -> None:
    provider, exporter = _provider(SamplingConfig(head_ratio=0.0, tail=True, tail_latency_s=0.5))
    tracer = provider.get_tracer("t")
    span = tracer.start_span("slow", start_time=1_000_000_000)
    span.end(end_time=1_600_000_000)
    fast = tracer.start_span("fast", start_time=1_000_000_000)
    fast.end(end_time=1_100_000_000)
    assert [s.name for s in exporter.get_finished_spans()] == ["slow"]


def test_tail_memory_is_bounded() -> None:
    config = SamplingConfig(head_ratio=0.0, tail=True, tail_max_traces=4)
    exporter = InMemorySpanExporter()
    processor = TailSamplingProcessor([SimpleSpanProcessor(exporter)], config)
    provider = TracerProvider(sampler=UserHashSampler(0.0, record_all=True))
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("t")
    roots = [tracer.start_span(f"root{i}") for i in range(10)]
    for i, root in enumerate(roots):
        with tracer.start_as_current_span(f"child{i}", context=trace.set_span_in_context(root)):
            pass
    assert len(processor._buffers) <= 4
    # the overflowed traces were decided early and kept as incomplete rather than silently lost
    assert len(exporter.get_finished_spans()) == 6


def test_invalid_ratio_is_refused_with_the_field_name() -> None:
    with pytest.raises(ValueError, match="head_ratio"):
        SamplingConfig(head_ratio=1.5)


def test_env_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBS_SAMPLING_RATIO", "0.25")
    monkeypatch.setenv("OBS_SAMPLING_TAIL", "1")
    monkeypatch.setenv("OBS_SAMPLING_TAIL_LATENCY_S", "5")
    config = SamplingConfig.from_env()
    assert (config.head_ratio, config.tail, config.tail_latency_s, config.active) == (0.25, True, 5.0, True)
    monkeypatch.setenv("OBS_SAMPLING_RATIO", "half")
    with pytest.raises(ValueError, match="OBS_SAMPLING_RATIO"):
        SamplingConfig.from_env()
