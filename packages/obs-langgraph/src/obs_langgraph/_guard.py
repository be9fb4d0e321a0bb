"""obs-core's guard for code that produces a value.

``internal_guard`` is a context manager, so a value computed inside it has to
leave through a holder; this keeps that pattern in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from obs_core import internal_guard

R = TypeVar("R")


def guarded_value(site: str, compute: Callable[[], R]) -> R | None:
    """``compute()``, or None when it raised (counted on ``obs.internal.errors``; re-raised under tests)."""
    result: list[R] = []
    with internal_guard(site):
        result.append(compute())
    return result[0] if result else None
