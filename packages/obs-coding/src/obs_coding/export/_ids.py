"""An id generator that hands out ids chosen earlier, once, then random ones again.

A recorded span must be exported with the ids it was given when it was recorded
(children exported by earlier processes already point at them). The SDK takes
span ids, and a root span's trace id, from the provider's ``IdGenerator``;
presetting the next pair on a provider that obs-coding itself created is the
supported way to get exact ids without building ``ReadableSpan`` objects by hand.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator


class PresetIdGenerator(IdGenerator):
    """Random ids, except inside :meth:`preset`, where the next span gets the given ids."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._random = RandomIdGenerator()
        self._trace_id: int | None = None
        self._span_id: int | None = None

    @contextlib.contextmanager
    def preset(self, trace_id: int, span_id: int) -> Iterator[None]:
        """Start exactly one span inside this block; it gets ``span_id`` (and ``trace_id`` if it is a root)."""
        with self._lock:
            self._trace_id, self._span_id = trace_id, span_id
            try:
                yield
            finally:
                self._trace_id = self._span_id = None

    def generate_trace_id(self) -> int:
        with self._lock:  # another thread waits until the preset span has taken its ids
            value, self._trace_id = self._trace_id, None
        return value if value is not None else self._random.generate_trace_id()

    def generate_span_id(self) -> int:
        with self._lock:
            value, self._span_id = self._span_id, None
        return value if value is not None else self._random.generate_span_id()

    def is_trace_id_random(self) -> bool:
        return True
