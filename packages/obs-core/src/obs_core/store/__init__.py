"""The embedded SQLite store: obs's default sink and what the CLI reads.

A single file (WAL mode) with spans, span events, logs, metric points and the
prompt-version registry. Exporters write it from background threads; readers
open it read-only, so the CLI can run while an application is writing.
"""

from ._db import connect
from ._errors import StoreCorruptError, StoreError, StoreNotFoundError, StoreTooNewError
from ._exporters import LogStoreExporter, MetricStoreExporter, SpanStoreExporter
from ._paths import DEFAULT_RELATIVE_PATH, default_store_path
from ._schema import SCHEMA_VERSION
from ._writer import StoreWriter

__all__ = [
    "DEFAULT_RELATIVE_PATH",
    "SCHEMA_VERSION",
    "LogStoreExporter",
    "MetricStoreExporter",
    "SpanStoreExporter",
    "StoreCorruptError",
    "StoreError",
    "StoreNotFoundError",
    "StoreTooNewError",
    "StoreWriter",
    "connect",
    "default_store_path",
]
