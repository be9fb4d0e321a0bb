"""The answer a caller gets while a tool's breaker is open: a well-formed error result, not an exception.

An agent loop hands tool results to the model. An ``isError`` result that
says which tool is unavailable and when it will be tried again lets the model
pick another route (degraded mode); an exception or a hang would make the
agent retry the broken tool in a storm instead.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, Final

from obs_core.breaker import BreakerDecision

BREAKER_META_KEY: Final = "obs/breaker"
"""``_meta`` key of a refused call's result, for programs that want the details without parsing text."""

_REASONS = {
    "consecutive_failures": "it failed several times in a row",
    "failure_rate": "too many of its recent calls failed",
    "probe_failed": "a trial call after the last pause failed too",
}


def refusal_result(tool: str, server: str, decision: BreakerDecision, *, modern: bool) -> dict[str, Any]:
    """The ``CallToolResult`` wire dict for a call the breaker refused."""
    retry_at = decision.retry_at or 0.0
    when = datetime.fromtimestamp(retry_at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    wait = math.ceil(decision.retry_in_s or 0.0)
    if decision.open_reason is None:  # half-open: another caller's trial call is in flight
        why = "a trial call to it is in progress"
    else:
        why = _REASONS.get(decision.open_reason, decision.open_reason)
    text = (
        f"Tool '{tool}' on MCP server '{server}' is temporarily unavailable and was not called: "
        f"{why}, so the circuit breaker is {decision.state.value.replace('_', '-')}. "
        f"It will be retried after {when} (in {wait}s). Continue without it or try again later."
    )
    result: dict[str, Any] = {
        "content": [{"type": "text", "text": text}],
        "isError": True,
        "_meta": {
            BREAKER_META_KEY: {
                "name": decision.name,
                "state": decision.state.value,
                "retryAt": when,
                "retryInSeconds": wait,
            }
        },
    }
    if modern:
        result["resultType"] = "complete"
    return result
