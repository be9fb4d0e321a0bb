"""Export of recorded coding spans with their original ids and times (imports the SDK; not the hook path)."""

from ._export import export_spans, flush_pending, preset_tracer_provider
from ._ids import PresetIdGenerator
from ._run import ExportSession, run_export

__all__ = [
    "ExportSession",
    "PresetIdGenerator",
    "export_spans",
    "flush_pending",
    "preset_tracer_provider",
    "run_export",
]
