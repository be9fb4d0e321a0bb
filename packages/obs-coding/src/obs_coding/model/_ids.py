"""Trace and span ids chosen before any span exists.

A task's trace outlives the process that opened it (each Claude Code hook is a
new process; an ingest file may be replayed later), so its ids are chosen when
the task starts and kept in the ledger. They are random like the SDK's own, so
samplers that read the trace id stay consistent (``os.urandom``: importing
``secrets`` alone would cost the hook process a few milliseconds).
"""

from __future__ import annotations

import os
import re

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def new_trace_id() -> str:
    while True:
        value = os.urandom(16).hex()
        if int(value, 16):
            return value


def new_span_id() -> str:
    while True:
        value = os.urandom(8).hex()
        if int(value, 16):
            return value


def format_traceparent(trace_id: str, span_id: str, *, sampled: bool = True) -> str:
    """W3C ``traceparent`` header value that a client can hand back with its decisions."""
    return f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}"


def parse_traceparent(value: object) -> tuple[str, str] | None:
    """(trace_id, span_id) from a ``traceparent`` value, None when malformed or all-zero."""
    if not isinstance(value, str):
        return None
    match = _TRACEPARENT.match(value.strip().lower())
    if match is None or not int(match.group(1), 16) or not int(match.group(2), 16):
        return None
    return match.group(1), match.group(2)
