"""Small numeric and time helpers shared by the queries and their JSON form.

SQLite has no percentile function, so percentiles are computed in Python over
the durations the query returns. Linear interpolation between closest ranks
(numpy's default, "type 7") is used: with few samples p99 lies between the two
slowest calls instead of jumping to the maximum.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) of ``values``; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def iso_utc(ns: int | None) -> str | None:
    """ISO-8601 UTC with milliseconds, the form every JSON timestamp takes."""
    if ns is None:
        return None
    # Integer arithmetic: ns / 1e9 as a float can land a hair below a millisecond boundary.
    moment = datetime.fromtimestamp(ns // 1_000_000_000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{(ns // 1_000_000) % 1000:03d}Z"


def seconds(start_ns: int, end_ns: int) -> float:
    return max(0, end_ns - start_ns) / 1e9


def parse_reasons(raw: object) -> list[str]:
    """Finish reasons from the stored attribute: a JSON array, or one plain string.

    Reasons are lower-cased so providers' spellings (``MAX_TOKENS``,
    ``max_tokens``) count together.
    """
    if raw is None:
        return []
    if isinstance(raw, str) and raw.startswith("["):
        try:
            decoded: Any = json.loads(raw)
        except json.JSONDecodeError:
            return [raw.lower()]
        return [str(r).lower() for r in decoded] if isinstance(decoded, list) else [str(decoded).lower()]
    return [str(raw).lower()]


def loads_object(text: str | None) -> dict[str, Any]:
    """Decode a JSON attributes column; anything else becomes an empty mapping."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
