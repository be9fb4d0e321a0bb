"""``obs ingest``: the documented JSON-lines event format (docs/ingest-format.md) for any coding client."""

from ._events import DECISIONS, EVENT_TYPES, FORMAT_VERSION, Event, EventError, parse_event, parse_time
from ._ingest import Ingestor, IngestStats

__all__ = [
    "DECISIONS",
    "EVENT_TYPES",
    "FORMAT_VERSION",
    "Event",
    "EventError",
    "IngestStats",
    "Ingestor",
    "parse_event",
    "parse_time",
]
