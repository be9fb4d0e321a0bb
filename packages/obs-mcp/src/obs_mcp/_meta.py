"""Trace context in ``params._meta`` (SEP-414): read it defensively, add it without trampling.

``_meta`` arrives from other processes and other SDKs, so nothing in it is
trusted: keys may be missing, values may be numbers or megabytes long. A
carrier that does not parse yields no parent (the caller falls back to the
ambient context), never an exception. When adding context, keys the caller
set are kept; the only value replaced is a ``traceparent`` that cannot
continue any trace (it does not parse) or that names the very span obs is
about to wrap (the hop's own parent, so the next hop nests under obs's span).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from opentelemetry import propagate
from opentelemetry.context import Context
from opentelemetry.trace import SpanContext, get_current_span
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT: Final = "traceparent"
TRACESTATE: Final = "tracestate"
BAGGAGE: Final = "baggage"

# W3C limits, with headroom: anything longer is noise or an attack, not a trace context.
_MAX_LEN = {TRACEPARENT: 256, TRACESTATE: 1024, BAGGAGE: 8192}
_MAX_OTHER_LEN = 1024
"""Limit for the keys of other configured propagators (B3, Jaeger, ...): their values are ids, not payloads."""
_W3C = TraceContextTextMapPropagator()
_W3C_KEYS = (TRACEPARENT, TRACESTATE, BAGGAGE)
_carrier_keys_of: list[Any] = [None, _W3C_KEYS]
"""The global propagator last seen and the ``_meta`` keys it reads (recomputed when it is replaced)."""


_last_formatted: tuple[SpanContext | None, str] = (None, "")


def format_traceparent(span_context: SpanContext) -> str:
    """The W3C ``traceparent`` string of a span context (version 00).

    Each call is compared against on both sides of an in-process call (the client checking the SDK's
    injection, the server checking its ambient parent), for the same span context: the last one is kept.
    """
    global _last_formatted
    last = _last_formatted  # one read: another thread may replace the pair, never half of it
    if last[0] is span_context:
        return last[1]
    value = f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{span_context.trace_flags:02x}"
    _last_formatted = (span_context, value)
    return value


def is_valid_traceparent(value: object) -> bool:
    """True when ``value`` is a W3C traceparent naming a valid span."""
    if not isinstance(value, str) or len(value) > _MAX_LEN[TRACEPARENT]:
        return False
    ctx = _W3C.extract({TRACEPARENT: value})
    return get_current_span(ctx).get_span_context().is_valid


def meta_of(params: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``params._meta`` when it is a mapping, else None."""
    if params is None:
        return None
    meta = params.get("_meta")
    return meta if isinstance(meta, Mapping) else None


def _carrier_keys() -> tuple[str, ...]:
    """The ``_meta`` keys the configured propagators read: W3C's, plus any others' (B3, Jaeger, ...)."""
    textmap = propagate.get_global_textmap()
    if _carrier_keys_of[0] is not textmap:
        fields = getattr(textmap, "fields", None) or ()
        others = sorted(f for f in fields if isinstance(f, str) and f not in _W3C_KEYS)
        _carrier_keys_of[:] = [textmap, (*_W3C_KEYS, *others)]
    keys: tuple[str, ...] = _carrier_keys_of[1]
    return keys


def extract_parent(params: Mapping[str, Any] | None) -> Context | None:
    """The remote parent carried in ``params._meta``, or None when absent or unusable.

    Only string values of the keys the configured propagators read, each within a size limit, reach
    the propagators: the rest of ``_meta`` is the caller's business, and a megabyte "traceparent" is not one.
    """
    meta = meta_of(params)
    if not meta:
        return None
    carrier: dict[str, str] = {}
    for key in _carrier_keys():
        value = meta.get(key)
        if isinstance(value, str) and len(value) <= _MAX_LEN.get(key, _MAX_OTHER_LEN):
            carrier[key] = value
    if not carrier or carrier.keys() == {BAGGAGE}:  # nothing that could name a parent
        return None
    try:
        ctx = propagate.extract(carrier)
    except Exception:  # noqa: BLE001 - a third-party propagator choking on junk means "no parent"
        return None
    return ctx if get_current_span(ctx).get_span_context().is_valid else None


def with_trace_context(
    params: Mapping[str, Any] | None,
    context: Context | None = None,
    *,
    replaceable: str | None = None,
) -> tuple[Mapping[str, Any] | None, tuple[str, ...]]:
    """``params`` with the context's propagation keys merged into ``_meta``, and the keys written.

    Returns the very same ``params`` object when nothing had to change, so
    callers can forward the original message untouched. ``replaceable`` is a
    traceparent value the caller may overwrite (the parent of the span being
    injected). A ``_meta`` that is not a mapping is left alone: merging into
    it would destroy the caller's data.
    """
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=context)
    if not carrier:
        return params, ()
    raw = params.get("_meta") if params is not None else None
    if raw is not None and not isinstance(raw, Mapping):
        return params, ()
    meta: dict[str, Any] = dict(raw or {})
    written: list[str] = []
    # tracestate belongs to the traceparent it travels with: ours replaces the caller's only along with
    # their traceparent, and never lands next to a traceparent of the caller's that is kept.
    kept_parent = replaced_parent = False
    for key, value in carrier.items():
        existing = meta.get(key)
        if existing == value:
            continue
        if key == TRACEPARENT and existing is not None:
            if existing != replaceable and is_valid_traceparent(existing):
                kept_parent = True  # the caller chose another parent: theirs stands
                continue
            replaced_parent = True
        elif key == TRACESTATE:
            if kept_parent or (existing is not None and not replaced_parent):
                continue
        elif existing is not None:
            continue
        meta[key] = value
        written.append(key)
    if not written:
        return params, ()
    out = dict(params or {})
    out["_meta"] = meta
    return out, tuple(written)
