"""The embedded SQLite store: obs's default sink and what the CLI reads.

A single file (WAL mode) with spans, span events, logs, metric points and the
prompt-version registry. Exporters write it from background threads;
:class:`TelemetryStore` opens it read-only, so the CLI can run while an
application is writing. Other packages extend ``obs report`` with
:class:`ReportSection` providers registered under the ``obs.report``
entry-point group.

Names resolve lazily (see ``obs_core._lazy``): the CLI reads the store without
importing the SDK, which only the exporters need.
"""

from obs_core._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "connect": "._db",
        "migrate": "._db",
        "AmbiguousTraceIdError": "._errors",
        "InvalidTraceIdError": "._errors",
        "StoreCorruptError": "._errors",
        "StoreError": "._errors",
        "StoreNeedsMigrationError": "._errors",
        "StoreNotFoundError": "._errors",
        "StoreTooNewError": "._errors",
        "StoreUsageError": "._errors",
        "TraceNotFoundError": "._errors",
        "LogStoreExporter": "._exporters",
        "MetricStoreExporter": "._exporters",
        "SpanStoreExporter": "._exporters",
        "SpanEvent": "._models",
        "SpanNode": "._models",
        "TraceDetail": "._models",
        "TraceSummary": "._models",
        "DEFAULT_RELATIVE_PATH": "._paths",
        "default_store_path": "._paths",
        "TelemetryStore": "._reader",
        "CONTEXT_ALERT_FILL": "._report_models",
        "TRUNCATION_ALERT_SHARE": "._report_models",
        "TRUNCATION_REASONS": "._report_models",
        "ContextFill": "._report_models",
        "FillBucket": "._report_models",
        "FinishReasons": "._report_models",
        "ModelStats": "._report_models",
        "PromptVersion": "._report_models",
        "ReasonShare": "._report_models",
        "Report": "._report_models",
        "SessionFill": "._report_models",
        "StageCost": "._report_models",
        "READABLE_FROM_VERSION": "._schema",
        "SCHEMA_VERSION": "._schema",
        "REPORT_ENTRY_POINT_GROUP": "._sections",
        "NamedSection": "._sections",
        "ReportSection": "._sections",
        "ReportSectionProvider": "._sections",
        "SectionError": "._sections",
        "report_entry_points": "._sections",
        "run_sections": "._sections",
        "StoreWriter": "._writer",
    },
)

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
