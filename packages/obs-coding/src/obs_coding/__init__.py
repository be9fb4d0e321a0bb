"""obs-coding: observability for coding agents.

Tiered context harvesting, a trace per coding task with harvest / plan /
execute / outcome phases (:class:`CodingSession`), the edit → verify loop,
edit outcomes from git (accepted, modified, reverted; line survival), Claude
Code hooks and a JSON-lines ingest format for any other client.

This facade is lazy (PEP 562): a name's module is imported on first use. The
Claude Code hook process imports ``obs_coding.hooks`` through this package and
has a budget of tens of milliseconds, which an eager import of OpenTelemetry,
GitPython or tree-sitter would blow many times over. To export a new name, add
it to ``_EXPORTS``, to the ``TYPE_CHECKING`` block and to ``__all__``.
"""

from obs_coding._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from obs_coding.export import export_spans, flush_pending, preset_tracer_provider
    from obs_coding.hooks import ClaudeCodeHook
    from obs_coding.ingest import Ingestor
    from obs_coding.ledger import Ledger, default_ledger_path
    from obs_coding.model import (
        FileEdit,
        Hunk,
        Plan,
        PlannedEdit,
        VerificationResult,
        classify_command,
        count_failing_tests,
        edit_from_patch,
        edit_from_texts,
    )
    from obs_coding.outcome import (
        DEFAULT_HORIZONS_DAYS,
        DEFAULT_WINDOW_S,
        EditOutcome,
        RateRow,
        ScanReport,
        SurvivalRow,
        scan_repository,
    )
    from obs_coding.recorder import Recorder
    from obs_coding.session import CodingSession, ExecutePhase, PlanPhase, record_user_outcome, run_verification

_EXPORTS = {
    "CodingSession": "obs_coding.session",
    "ExecutePhase": "obs_coding.session",
    "PlanPhase": "obs_coding.session",
    "record_user_outcome": "obs_coding.session",
    "run_verification": "obs_coding.session",
    "FileEdit": "obs_coding.model",
    "Hunk": "obs_coding.model",
    "Plan": "obs_coding.model",
    "PlannedEdit": "obs_coding.model",
    "VerificationResult": "obs_coding.model",
    "classify_command": "obs_coding.model",
    "count_failing_tests": "obs_coding.model",
    "edit_from_patch": "obs_coding.model",
    "edit_from_texts": "obs_coding.model",
    "DEFAULT_HORIZONS_DAYS": "obs_coding.outcome",
    "DEFAULT_WINDOW_S": "obs_coding.outcome",
    "EditOutcome": "obs_coding.outcome",
    "RateRow": "obs_coding.outcome",
    "ScanReport": "obs_coding.outcome",
    "SurvivalRow": "obs_coding.outcome",
    "scan_repository": "obs_coding.outcome",
    "Ledger": "obs_coding.ledger",
    "default_ledger_path": "obs_coding.ledger",
    "Recorder": "obs_coding.recorder",
    "ClaudeCodeHook": "obs_coding.hooks",
    "Ingestor": "obs_coding.ingest",
    "export_spans": "obs_coding.export",
    "flush_pending": "obs_coding.export",
    "preset_tracer_provider": "obs_coding.export",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "DEFAULT_HORIZONS_DAYS",
    "DEFAULT_WINDOW_S",
    "ClaudeCodeHook",
    "CodingSession",
    "EditOutcome",
    "ExecutePhase",
    "FileEdit",
    "Hunk",
    "Ingestor",
    "Ledger",
    "Plan",
    "PlanPhase",
    "PlannedEdit",
    "RateRow",
    "Recorder",
    "ScanReport",
    "SurvivalRow",
    "VerificationResult",
    "classify_command",
    "count_failing_tests",
    "default_ledger_path",
    "edit_from_patch",
    "edit_from_texts",
    "export_spans",
    "flush_pending",
    "preset_tracer_provider",
    "record_user_outcome",
    "run_verification",
    "scan_repository",
]
