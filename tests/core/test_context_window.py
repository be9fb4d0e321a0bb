from __future__ import annotations

import pytest
from obs_core import ContextWindowMonitor, count_tokens, section_attribute
from obs_core.testing import TelemetryCapture


def test_sections_are_counted_and_related_to_the_window(capture: TelemetryCapture) -> None:
    monitor = ContextWindowMonitor(meter_provider=capture.meter_provider)
    system = "You are a careful assistant. " * 20
    tracer = capture.tracer_provider.get_tracer("t")
    with tracer.start_as_current_span("chat gpt-4") as span:
        report = monitor.measure("gpt-4", {"system": system, "history": 3000, "input": "fix the bug"}, span=span)
    expected_system = count_tokens(system, "gpt-4").tokens
    expected_input = count_tokens("fix the bug", "gpt-4").tokens
    assert report.section_tokens == {"system": expected_system, "history": 3000, "input": expected_input}
    assert report.total_tokens == expected_system + 3000 + expected_input
    assert report.window_tokens == 8192
    assert report.fill_ratio == pytest.approx(report.total_tokens / 8192)
    assert report.threshold_crossed is False
    assert report.estimated is False
    (finished,) = capture.spans()
    assert dict(finished.attributes or {}) == {
        "obs.context.input.tokens": report.total_tokens,
        "obs.context.section.system.tokens": expected_system,
        "obs.context.section.history.tokens": 3000,
        "obs.context.section.input.tokens": expected_input,
        "obs.context.window.tokens": 8192,
        "obs.context.fill_ratio": round(report.total_tokens / 8192, 6),
    }
    assert finished.events == ()


def test_crossing_the_threshold_emits_event_and_counter(capture: TelemetryCapture) -> None:
    monitor = ContextWindowMonitor(meter_provider=capture.meter_provider)
    tracer = capture.tracer_provider.get_tracer("t")
    with tracer.start_as_current_span("chat") as span:
        report = monitor.measure("gpt-4", {"history": 7000}, span=span)
    assert report.threshold_crossed
    (finished,) = capture.spans()
    (event,) = finished.events
    assert event.name == "obs.context.threshold_exceeded"
    assert dict(event.attributes or {}) == {
        "obs.context.fill_ratio": round(7000 / 8192, 6),
        "obs.context.threshold": 0.8,
        "obs.context.window.tokens": 8192,
        "obs.context.input.tokens": 7000,
    }
    assert capture.metric_sum("obs.context.threshold_exceeded") == 1
    assert capture.metric_sum("obs.context.tokens", obs__context__section="history") == 1


def test_section_metrics_can_be_left_off_while_spans_keep_every_section(capture: TelemetryCapture) -> None:
    monitor = ContextWindowMonitor(meter_provider=capture.meter_provider, section_metrics=False)
    tracer = capture.tracer_provider.get_tracer("t")
    with tracer.start_as_current_span("chat") as span:
        monitor.measure("gpt-4", {"system": 500, "history": 7000}, span=span)
    assert capture.metric_points("obs.context.tokens") == []
    assert capture.metric_sum("obs.context.threshold_exceeded") == 1
    assert len(capture.metric_points("obs.context.fill")) == 1
    (finished,) = capture.spans()
    attributes = dict(finished.attributes or {})
    assert attributes["obs.context.section.system.tokens"] == 500
    assert attributes["obs.context.section.history.tokens"] == 7000


def test_growth_is_tracked_per_session_and_bounded() -> None:
    monitor = ContextWindowMonitor(max_sessions=2)
    assert monitor.measure("gpt-4", {"h": 100}, session_key="a").growth_tokens is None
    assert monitor.measure("gpt-4", {"h": 250}, session_key="a").growth_tokens == 150
    assert monitor.measure("gpt-4", {"h": 10}, session_key="b").growth_tokens is None
    monitor.measure("gpt-4", {"h": 10}, session_key="c")  # evicts "a", the least recent
    assert monitor.measure("gpt-4", {"h": 300}, session_key="a").growth_tokens is None


def test_unknown_model_has_no_ratio_but_counts_tokens() -> None:
    report = ContextWindowMonitor().measure("my-local-model", {"input": "hello there"})
    assert report.window_tokens is None
    assert report.fill_ratio is None
    assert report.total_tokens > 0
    assert report.estimated is True


def test_window_overrides_from_argument_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBS_CONTEXT_WINDOWS", "my-local-model=1000")
    monitor = ContextWindowMonitor(window_overrides={"gpt-4": 100})
    assert monitor.window_for("my-local-model") == 1000
    assert monitor.window_for("gpt-4") == 100
    assert monitor.measure("my-local-model", {"x": 900}).threshold_crossed


def test_invalid_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        ContextWindowMonitor(threshold=0)


def test_section_attribute_names() -> None:
    assert section_attribute("Tool Results") == "obs.context.section.tool_results.tokens"
    assert section_attribute("") == "obs.context.section.unnamed.tokens"
