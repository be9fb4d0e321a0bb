"""``_meta`` trace context: added without trampling, read without trusting (including fuzzed input)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from obs_core.testing import TelemetryCapture
from obs_mcp._meta import extract_parent, format_traceparent, is_valid_traceparent, with_trace_context
from opentelemetry import baggage, propagate, trace
from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter, Setter, TextMapPropagator, default_getter, default_setter
from opentelemetry.trace import Span

VALID = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def span(capture: TelemetryCapture) -> Iterator[Span]:
    with capture.tracer_provider.get_tracer("t").start_as_current_span("caller") as current:
        yield current


def test_adds_traceparent_to_params_without_meta(span: Span) -> None:
    params, written = with_trace_context({"name": "t", "arguments": {"a": 1}})
    assert params == {
        "name": "t",
        "arguments": {"a": 1},
        "_meta": {"traceparent": format_traceparent(span.get_span_context())},
    }
    assert written == ("traceparent",)


def test_keeps_every_key_the_caller_set(span: Span) -> None:
    original = {"_meta": {"progressToken": 7, "traceparent": VALID, "tracestate": "a=1", "x": {"y": [1]}}}
    params, written = with_trace_context(original)
    assert params is original
    assert written == ()


def test_caller_meta_is_copied_not_mutated(span: Span) -> None:
    meta = {"progressToken": 3}
    original = {"_meta": meta}
    params, _ = with_trace_context(original)
    assert meta == {"progressToken": 3}
    assert params is not None
    assert params["_meta"]["progressToken"] == 3


def test_replaces_only_an_unusable_or_named_traceparent(span: Span) -> None:
    ours = format_traceparent(span.get_span_context())
    for bad in ("garbage", 42, "00-" + "0" * 32 + "-" + "0" * 16 + "-01", "x" * 10_000):
        params, written = with_trace_context({"_meta": {"traceparent": bad, "tracestate": "stale=1"}})
        assert params is not None
        assert params["_meta"] == {"traceparent": ours, "tracestate": "stale=1"}
        assert written == ("traceparent",)
    params, _ = with_trace_context({"_meta": {"traceparent": VALID}}, replaceable=VALID)
    assert params == {"_meta": {"traceparent": ours}}


def test_baggage_and_tracestate_travel_with_the_context(capture: TelemetryCapture) -> None:
    token = otel_context.attach(baggage.set_baggage("tenant", "acme"))
    try:
        with capture.tracer_provider.get_tracer("t").start_as_current_span("caller"):
            params, written = with_trace_context(None)
    finally:
        otel_context.detach(token)
    assert params is not None
    assert params["_meta"]["baggage"] == "tenant=acme"
    assert written == ("traceparent", "baggage")


def test_no_current_trace_changes_nothing() -> None:
    original = {"name": "t"}
    assert with_trace_context(original) == (original, ())
    assert with_trace_context(None) == (None, ())


def test_non_mapping_meta_is_left_alone(span: Span) -> None:
    original = {"_meta": ["not", "a", "mapping"]}
    assert with_trace_context(original) == (original, ())


def test_extract_reads_a_valid_parent() -> None:
    ctx = extract_parent({"_meta": {"traceparent": VALID, "tracestate": "k=v"}})
    assert ctx is not None
    parent = trace.get_current_span(ctx).get_span_context()
    assert (parent.trace_id, parent.span_id, parent.is_remote) == (
        0x0AF7651916CD43DD8448EB211C80319C,
        0xB7AD6B7169203331,
        True,
    )


@pytest.mark.parametrize(
    "params",
    [
        None,
        {},
        {"_meta": None},
        {"_meta": "traceparent"},
        {"_meta": {"traceparent": 12}},
        {"_meta": {"traceparent": "nope"}},
        {"_meta": {"traceparent": VALID.replace("-01", "-zz")}},
        {"_meta": {"traceparent": VALID + "-" + "f" * 400}},
        {"_meta": {"tracestate": "k=v"}},
    ],
)
def test_extract_falls_back_on_anything_unusable(params: dict[str, Any] | None) -> None:
    assert extract_parent(params) is None


def test_validity_check() -> None:
    assert is_valid_traceparent(VALID)
    assert not is_valid_traceparent(None)
    assert not is_valid_traceparent(VALID.upper().replace("00-", "ff-", 1))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
_trace_values = st.one_of(
    _json,
    st.just(VALID),
    st.text(alphabet="0123456789abcdef-", min_size=50, max_size=60),
    st.text(min_size=300, max_size=2000),
)
_metas = st.one_of(
    _json,
    st.fixed_dictionaries(
        {},
        optional={"traceparent": _trace_values, "tracestate": _trace_values, "baggage": _trace_values, "x": _json},
    ),
)


@settings(max_examples=300, deadline=None)
@given(meta=_metas)
def test_fuzzed_meta_never_raises_and_always_yields_a_valid_trace(meta: Any) -> None:
    capture = TelemetryCapture()
    try:
        params = {"name": "t", "_meta": meta}
        parent = extract_parent(params)
        tracer = capture.tracer_provider.get_tracer("t")
        with tracer.start_as_current_span("hop", context=parent) as hop:
            out, _ = with_trace_context(params)
        assert hop.get_span_context().is_valid
        if parent is not None:
            assert hop.get_span_context().trace_id == trace.get_current_span(parent).get_span_context().trace_id
        assert out is not None
        if isinstance(meta, dict):
            sent = out["_meta"]
            assert is_valid_traceparent(sent["traceparent"])
            assert {k: v for k, v in sent.items() if k not in ("traceparent", "tracestate", "baggage")} == {
                k: v for k, v in meta.items() if k not in ("traceparent", "tracestate", "baggage")
            }
    finally:
        capture.shutdown()


def test_our_tracestate_never_joins_a_traceparent_the_caller_kept(capture: TelemetryCapture) -> None:
    tracer = capture.tracer_provider.get_tracer("t")
    remote = trace.SpanContext(
        0x0AF7651916CD43DD8448EB211C80319C,
        0xB7AD6B7169203331,
        is_remote=True,
        trace_flags=trace.TraceFlags(1),
        trace_state=trace.TraceState([("vendor", "ours")]),
    )
    with tracer.start_as_current_span("caller", context=trace.set_span_in_context(trace.NonRecordingSpan(remote))):
        other = "00-11111111111111111111111111111111-2222222222222222-01"
        kept, written = with_trace_context({"_meta": {"traceparent": other}})
        replaced, _ = with_trace_context({"_meta": {"traceparent": "junk", "tracestate": "vendor=stale"}})
    assert (kept, written) == ({"_meta": {"traceparent": other}}, ())
    assert replaced is not None
    assert replaced["_meta"]["tracestate"] == "vendor=ours"  # replaced along with the traceparent it belonged to


class _HeaderPropagator(TextMapPropagator):
    """A non-W3C propagator (one key, like B3 single-header) to prove extraction reads configured fields."""

    def extract(self, carrier: Any, context: Context | None = None, getter: Getter[Any] = default_getter) -> Context:
        values = getter.get(carrier, "x-trace")
        if not values:
            return context or Context()
        trace_id, span_id = values[0].split(":")
        span_context = trace.SpanContext(int(trace_id, 16), int(span_id, 16), True, trace.TraceFlags(1))
        return trace.set_span_in_context(trace.NonRecordingSpan(span_context), context)

    def inject(self, carrier: Any, context: Context | None = None, setter: Setter[Any] = default_setter) -> None:
        span_context = trace.get_current_span(context).get_span_context()
        if span_context.is_valid:
            setter.set(carrier, "x-trace", f"{span_context.trace_id:032x}:{span_context.span_id:016x}")

    @property
    def fields(self) -> set[str]:
        return {"x-trace"}


@pytest.fixture
def header_propagator() -> Iterator[None]:
    previous = propagate.get_global_textmap()
    propagate.set_global_textmap(_HeaderPropagator())
    yield
    propagate.set_global_textmap(previous)


@pytest.mark.usefixtures("header_propagator")
def test_extraction_reads_the_keys_of_the_configured_propagators() -> None:
    ctx = extract_parent({"_meta": {"x-trace": "0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331"}})
    assert ctx is not None
    parent = trace.get_current_span(ctx).get_span_context()
    assert (parent.trace_id, parent.span_id) == (0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331)
    assert extract_parent({"_meta": {"x-trace": "0af7651916cd43dd8448eb211c80319c:" + "f" * 2000}}) is None
