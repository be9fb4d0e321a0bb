"""The coding-agent domain, in the standard library only.

Edits and hunks, plans, verification commands, line fingerprints and ids.
Everything on the Claude Code hook path imports from here, and nothing here
imports OpenTelemetry, git or tree-sitter, so a hook process starts in tens of
milliseconds.
"""

from obs_coding._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from ._edits import (
        EDIT_TYPES,
        EditType,
        FileEdit,
        Hunk,
        LineFingerprint,
        diff_hunks,
        edit_from_patch,
        edit_from_texts,
        fingerprint,
        parse_edit_type,
    )
    from ._head import head_commit
    from ._ids import format_traceparent, new_span_id, new_trace_id, parse_traceparent
    from ._language import language_of
    from ._lines import line_counts, line_key, text_lines
    from ._paths import find_repo_root, repo_relative
    from ._plan import Plan, PlannedEdit, parse_confidence
    from ._verification import VerificationKind, VerificationResult, classify_command, count_failing_tests

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "EDIT_TYPES": "._edits",
        "EditType": "._edits",
        "FileEdit": "._edits",
        "Hunk": "._edits",
        "LineFingerprint": "._edits",
        "diff_hunks": "._edits",
        "edit_from_patch": "._edits",
        "edit_from_texts": "._edits",
        "fingerprint": "._edits",
        "parse_edit_type": "._edits",
        "head_commit": "._head",
        "format_traceparent": "._ids",
        "new_span_id": "._ids",
        "new_trace_id": "._ids",
        "parse_traceparent": "._ids",
        "language_of": "._language",
        "line_counts": "._lines",
        "line_key": "._lines",
        "text_lines": "._lines",
        "find_repo_root": "._paths",
        "repo_relative": "._paths",
        "Plan": "._plan",
        "PlannedEdit": "._plan",
        "parse_confidence": "._plan",
        "VerificationKind": "._verification",
        "VerificationResult": "._verification",
        "classify_command": "._verification",
        "count_failing_tests": "._verification",
    },
)

__all__ = [
    "EDIT_TYPES",
    "EditType",
    "FileEdit",
    "Hunk",
    "LineFingerprint",
    "Plan",
    "PlannedEdit",
    "VerificationKind",
    "VerificationResult",
    "classify_command",
    "count_failing_tests",
    "diff_hunks",
    "edit_from_patch",
    "edit_from_texts",
    "find_repo_root",
    "fingerprint",
    "format_traceparent",
    "head_commit",
    "language_of",
    "line_counts",
    "line_key",
    "new_span_id",
    "new_trace_id",
    "parse_confidence",
    "parse_edit_type",
    "parse_traceparent",
    "repo_relative",
    "text_lines",
]
