"""Facts → span name and declared attribute names: the one translation every producer shares.

Live spans (``CodingSession``) and recorded spans (hooks, ingest) pass the same
fact dictionaries through :func:`span_shape`, so a span looks the same in
``obs show`` whoever produced it, and every name comes from the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from obs_core import default_redactor
from obs_core import semconv as sc
from opentelemetry.util.types import AttributeValue

from obs_coding.recorder import mask_secret_assignments

Attributes = dict[str, AttributeValue]

PHASE_SPANS: dict[str, str] = {
    "harvest": sc.SPAN_CODING_HARVEST,
    "plan": sc.SPAN_CODING_PLAN,
    "execute": sc.SPAN_CODING_EXECUTE,
    "outcome": sc.SPAN_CODING_OUTCOME,
}
OUTCOME_CLASSES = ("accepted", "modified", "reverted", "pending", "superseded")


def _put(attrs: Attributes, name: str, facts: Mapping[str, Any], key: str) -> None:
    value = facts.get(key)
    if value is None:
        return
    if isinstance(value, (list, tuple)):
        attrs[name] = [str(v) for v in value]
    elif isinstance(value, (str, bool, int, float)):
        attrs[name] = value
    else:
        attrs[name] = str(value)


Pairs = tuple[tuple[str, str], ...]
"""``(attribute name, fact key)``: which fact becomes which declared attribute."""

_TASK: Pairs = (
    (sc.OBS_CODING_CLIENT, "client"),
    (sc.GEN_AI_AGENT_NAME, "agent"),
    (sc.GEN_AI_REQUEST_MODEL, "model"),
    (sc.GEN_AI_CONVERSATION_ID, "session_id"),
    (sc.OBS_CODING_TASK_ID, "task_key"),
    (sc.OBS_CODING_REPO, "repo"),
    (sc.OBS_CODING_TASK_STATUS, "status"),
    (sc.OBS_CODING_TASK_EDITS, "edits"),
    (sc.OBS_VERIFICATION_ATTEMPTS_ATTR, "attempts"),
    (sc.OBS_VERIFICATION_FIRST_ATTEMPT_PASSED, "first_attempt_passed"),
    (sc.OBS_CODING_PROMPT_CHARS, "prompt_chars"),
    (sc.OBS_CODING_REGENERATIONS, "regenerations"),
)
_EXECUTE: Pairs = (
    (sc.OBS_CODING_TASK_EDITS, "edits"),
    (sc.OBS_VERIFICATION_ATTEMPTS_ATTR, "attempts"),
    (sc.OBS_VERIFICATION_FIRST_ATTEMPT_PASSED, "first_attempt_passed"),
)
_OUTCOME_COUNTS: Pairs = tuple((sc.OBS_CODING_OUTCOME_COUNT.replace("<outcome>", o), o) for o in OUTCOME_CLASSES)
_PLAN: Pairs = (
    (sc.OBS_CODING_PLAN_EDITS, "planned_edits"),
    (sc.OBS_CODING_PLAN_FILES, "files"),
    (sc.OBS_CODING_PLAN_ESTIMATED_FILES, "estimated_files"),
    (sc.OBS_CODING_PLAN_ESTIMATED_LINES, "estimated_lines"),
    (sc.OBS_SIGNAL_CONFIDENCE, "confidence"),
    (sc.OBS_REVIEW_REQUIRED, "review_required"),
    (sc.OBS_REVIEW_THRESHOLD, "threshold"),
)
_SPECULATION: Pairs = (
    (sc.OBS_SIGNAL_CONFIDENCE, "confidence"),
    (sc.OBS_REVIEW_THRESHOLD, "threshold"),
    (sc.OBS_CODING_PLAN_FILES, "files"),
)
_TOOL: Pairs = ((sc.GEN_AI_TOOL_CALL_ID, "call_id"), (sc.OBS_CODING_PHASE, "phase"))
_EDIT: Pairs = (
    (sc.OBS_EDIT_ID, "edit_id"),
    (sc.OBS_EDIT_FILE, "path"),
    (sc.OBS_EDIT_PREVIOUS_FILE, "old_path"),
    (sc.OBS_EDIT_LANGUAGE, "language"),
    (sc.OBS_EDIT_TYPE, "edit_type"),
    (sc.OBS_EDIT_LINES_ADDED, "lines_added"),
    (sc.OBS_EDIT_LINES_REMOVED, "lines_removed"),
    (sc.OBS_EDIT_HUNKS, "hunks"),
)
_VERIFICATION: Pairs = (
    (sc.OBS_VERIFICATION_KIND, "kind"),
    (sc.OBS_VERIFICATION_EXIT_CODE, "exit_code"),
    (sc.OBS_VERIFICATION_PASSED, "passed"),
    (sc.OBS_VERIFICATION_FAILING_TESTS, "failing_tests"),
    (sc.OBS_VERIFICATION_ATTEMPT, "attempt"),
)
_USER_OUTCOME: Pairs = (
    (sc.OBS_USER_OUTCOME, "outcome"),
    (sc.OBS_USER_OUTCOME_SOURCE, "source"),
    (sc.OBS_CODING_TTGO, "ttgo_s"),
    (sc.OBS_CODING_REGENERATIONS, "regenerations"),
)
_EDIT_OUTCOME: Pairs = (
    (sc.OBS_EDIT_OUTCOME, "outcome"),
    (sc.OBS_EDIT_ID, "edit_id"),
    (sc.OBS_EDIT_FILE, "path"),
    (sc.OBS_EDIT_LANGUAGE, "language"),
    (sc.OBS_EDIT_TYPE, "edit_type"),
    (sc.OBS_EDIT_FRAMEWORK, "framework"),
    (sc.GEN_AI_REQUEST_MODEL, "model"),
    (sc.OBS_EDIT_COMMIT, "commit"),
    (sc.OBS_EDIT_KEPT_FRACTION, "kept"),
    (sc.OBS_EDIT_SUPERSEDED_FRACTION, "superseded"),
)


def _copy(attrs: Attributes, facts: Mapping[str, Any], pairs: Pairs) -> Attributes:
    """Add every present fact of ``pairs`` to ``attrs`` under its declared name."""
    for name, key in pairs:
        _put(attrs, name, facts, key)
    return attrs


def _phase(phase: str) -> Callable[[Mapping[str, Any]], tuple[str, Attributes]]:
    pairs = {"plan": _PLAN, "execute": _EXECUTE, "outcome": _OUTCOME_COUNTS}.get(phase, ())

    def shape(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
        return PHASE_SPANS[phase], _copy({sc.OBS_CODING_PHASE: phase}, facts, pairs)

    return shape


def _tool(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    name = str(facts.get("tool_name") or "unknown")
    attrs: Attributes = {
        sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL,
        sc.GEN_AI_TOOL_NAME: name,
        sc.GEN_AI_TOOL_TYPE: "extension" if name.startswith("mcp__") else "function",
    }
    return f"{sc.OP_EXECUTE_TOOL} {name}", _copy(attrs, facts, _TOOL)


def redact_command(command: str) -> str:
    """A command line is content: secrets passed as ``NAME=value`` or shaped like keys never leave obs."""
    return default_redactor().redact(mask_secret_assignments(command)).text


def _verification(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    attrs: Attributes = {sc.OBS_CODING_PHASE: "execute"}
    command = facts.get("command")
    if isinstance(command, str):
        attrs[sc.OBS_VERIFICATION_COMMAND] = redact_command(command)
    return sc.SPAN_CODING_VERIFICATION, _copy(attrs, facts, _VERIFICATION)


def _fixed(name: str, base: Attributes, pairs: Pairs) -> Callable[[Mapping[str, Any]], tuple[str, Attributes]]:
    """A kind whose span is ``name`` with ``base`` attributes plus the facts ``pairs`` name."""

    def shape(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
        return name, _copy(dict(base), facts, pairs)

    return shape


_SHAPES: dict[str, Callable[[Mapping[str, Any]], tuple[str, Attributes]]] = {
    "task": _fixed(sc.SPAN_CODING_TASK, {}, _TASK),
    "tool": _tool,
    "edit": _fixed(sc.SPAN_CODING_EDIT, {sc.OBS_CODING_PHASE: "execute"}, _EDIT),
    "verification": _verification,
    "speculation": _fixed(
        sc.SPAN_CODING_SPECULATION, {sc.OBS_CODING_PHASE: "plan", sc.OBS_REVIEW_REQUIRED: True}, _SPECULATION
    ),
    "user_outcome": _fixed(sc.SPAN_CODING_USER_OUTCOME, {}, _USER_OUTCOME),
    "edit_outcome": _fixed(sc.SPAN_CODING_EDIT_OUTCOME, {sc.OBS_CODING_PHASE: "outcome"}, _EDIT_OUTCOME),
    **{phase: _phase(phase) for phase in PHASE_SPANS},
}


def span_shape(kind: str, facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    """Span name and attributes for a recorded kind; unknown kinds keep their name and no attributes."""
    shape = _SHAPES.get(kind)
    if shape is None:
        return f"obs.coding.{kind}", {}
    return shape(facts)
