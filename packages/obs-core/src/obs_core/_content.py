"""Whether message content may be captured, and how much of it.

Content is off by default. The standard switch
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` takes ``NO_CONTENT``
(default), ``SPAN_ONLY``, ``EVENT_ONLY``, ``SPAN_AND_EVENT``, and ``true`` (=
``SPAN_AND_EVENT``, the older boolean form). ``OBS_CONTENT_MAX_CHARS`` caps
each captured payload (default 16384 characters).
"""

from __future__ import annotations

import enum
import os

DEFAULT_MAX_CHARS = 16384
TRUNCATION_MARKER = "…[truncated {dropped} chars]"


class CaptureMode(enum.Enum):
    NO_CONTENT = "NO_CONTENT"
    SPAN_ONLY = "SPAN_ONLY"
    EVENT_ONLY = "EVENT_ONLY"
    SPAN_AND_EVENT = "SPAN_AND_EVENT"

    @property
    def on_span(self) -> bool:
        return self in (CaptureMode.SPAN_ONLY, CaptureMode.SPAN_AND_EVENT)

    @property
    def on_event(self) -> bool:
        return self in (CaptureMode.EVENT_ONLY, CaptureMode.SPAN_AND_EVENT)


def capture_mode(environ: dict[str, str] | None = None) -> CaptureMode:
    """The content capture mode the environment asks for."""
    raw = (os.environ if environ is None else environ).get("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "")
    value = raw.strip().upper()
    if value in ("TRUE", "1", "YES"):
        return CaptureMode.SPAN_AND_EVENT
    try:
        return CaptureMode(value)
    except ValueError:
        return CaptureMode.NO_CONTENT


def max_content_chars(environ: dict[str, str] | None = None) -> int:
    raw = (os.environ if environ is None else environ).get("OBS_CONTENT_MAX_CHARS", "")
    try:
        value = int(raw)
    except ValueError:
        return DEFAULT_MAX_CHARS
    return value if value > 0 else DEFAULT_MAX_CHARS


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, saying how much was dropped."""
    if len(text) <= limit:
        return text
    return text[:limit] + TRUNCATION_MARKER.format(dropped=len(text) - limit)
