"""The embedded SQLite store: obs's default sink and what the CLI reads.

A single file (WAL mode) with spans, span events, logs, metric points and the
prompt-version registry. Exporters write it from background threads;
:class:`TelemetryStore` opens it read-only, so the CLI can run while an
application is writing. Other packages extend ``obs report`` with
:class:`ReportSection` providers registered under the ``obs.report``
entry-point group.
"""

from ._db import connect, migrate
from ._errors import (
    AmbiguousTraceIdError,
    InvalidTraceIdError,
    StoreCorruptError,
    StoreError,
    StoreNeedsMigrationError,
    StoreNotFoundError,
    StoreTooNewError,
    StoreUsageError,
    TraceNotFoundError,
)
from ._exporters import LogStoreExporter, MetricStoreExporter, SpanStoreExporter
from ._models import SpanEvent, SpanNode, TraceDetail, TraceSummary
from ._paths import DEFAULT_RELATIVE_PATH, default_store_path
from ._reader import TelemetryStore
from ._report_models import (
    CONTEXT_ALERT_FILL,
    TRUNCATION_ALERT_SHARE,
    TRUNCATION_REASONS,
    ContextFill,
    FillBucket,
    FinishReasons,
    ModelStats,
    PromptVersion,
    ReasonShare,
    Report,
    SessionFill,
    StageCost,
)
from ._schema import READABLE_FROM_VERSION, SCHEMA_VERSION
from ._sections import (
    REPORT_ENTRY_POINT_GROUP,
    NamedSection,
    ReportSection,
    ReportSectionProvider,
    SectionError,
    report_entry_points,
    run_sections,
)
from ._writer import StoreWriter

__all__ = [
    "CONTEXT_ALERT_FILL",
    "DEFAULT_RELATIVE_PATH",
    "READABLE_FROM_VERSION",
    "REPORT_ENTRY_POINT_GROUP",
    "SCHEMA_VERSION",
    "TRUNCATION_ALERT_SHARE",
    "TRUNCATION_REASONS",
    "AmbiguousTraceIdError",
    "ContextFill",
    "FillBucket",
    "FinishReasons",
    "InvalidTraceIdError",
    "LogStoreExporter",
    "MetricStoreExporter",
    "ModelStats",
    "NamedSection",
    "PromptVersion",
    "ReasonShare",
    "Report",
    "ReportSection",
    "ReportSectionProvider",
    "SectionError",
    "SessionFill",
    "SpanEvent",
    "SpanNode",
    "SpanStoreExporter",
    "StageCost",
    "StoreCorruptError",
    "StoreError",
    "StoreNeedsMigrationError",
    "StoreNotFoundError",
    "StoreTooNewError",
    "StoreUsageError",
    "StoreWriter",
    "TelemetryStore",
    "TraceDetail",
    "TraceNotFoundError",
    "TraceSummary",
    "connect",
    "default_store_path",
    "migrate",
    "report_entry_points",
    "run_sections",
]
