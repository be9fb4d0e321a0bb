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


def _task(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    attrs: Attributes = {}
    for name, key in (
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
    ):
        _put(attrs, name, facts, key)
    return sc.SPAN_CODING_TASK, attrs


def _phase(phase: str) -> Callable[[Mapping[str, Any]], tuple[str, Attributes]]:
    def shape(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
        attrs: Attributes = {sc.OBS_CODING_PHASE: phase}
        if phase == "plan":
            attrs.update(_plan_attrs(facts))
        elif phase == "execute":
            _put(attrs, sc.OBS_CODING_TASK_EDITS, facts, "edits")
            _put(attrs, sc.OBS_VERIFICATION_ATTEMPTS_ATTR, facts, "attempts")
            _put(attrs, sc.OBS_VERIFICATION_FIRST_ATTEMPT_PASSED, facts, "first_attempt_passed")
        elif phase == "outcome":
            for outcome in OUTCOME_CLASSES:
                _put(attrs, sc.OBS_CODING_OUTCOME_COUNT.replace("<outcome>", outcome), facts, outcome)
        return PHASE_SPANS[phase], attrs

    return shape


def _plan_attrs(facts: Mapping[str, Any]) -> Attributes:
    attrs: Attributes = {}
    for name, key in (
        (sc.OBS_CODING_PLAN_EDITS, "planned_edits"),
        (sc.OBS_CODING_PLAN_FILES, "files"),
        (sc.OBS_CODING_PLAN_ESTIMATED_FILES, "estimated_files"),
        (sc.OBS_CODING_PLAN_ESTIMATED_LINES, "estimated_lines"),
        (sc.OBS_SIGNAL_CONFIDENCE, "confidence"),
        (sc.OBS_REVIEW_REQUIRED, "review_required"),
        (sc.OBS_REVIEW_THRESHOLD, "threshold"),
    ):
        _put(attrs, name, facts, key)
    return attrs


def _speculation(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    attrs: Attributes = {sc.OBS_CODING_PHASE: "plan", sc.OBS_REVIEW_REQUIRED: True}
    _put(attrs, sc.OBS_SIGNAL_CONFIDENCE, facts, "confidence")
    _put(attrs, sc.OBS_REVIEW_THRESHOLD, facts, "threshold")
    _put(attrs, sc.OBS_CODING_PLAN_FILES, facts, "files")
    return sc.SPAN_CODING_SPECULATION, attrs


def _tool(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    name = str(facts.get("tool_name") or "unknown")
    attrs: Attributes = {
        sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL,
        sc.GEN_AI_TOOL_NAME: name,
        sc.GEN_AI_TOOL_TYPE: "extension" if name.startswith("mcp__") else "function",
    }
    _put(attrs, sc.GEN_AI_TOOL_CALL_ID, facts, "call_id")
    _put(attrs, sc.OBS_CODING_PHASE, facts, "phase")
    return f"{sc.OP_EXECUTE_TOOL} {name}", attrs


def _edit(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    attrs: Attributes = {sc.OBS_CODING_PHASE: "execute"}
    for name, key in (
        (sc.OBS_EDIT_ID, "edit_id"),
        (sc.OBS_EDIT_FILE, "path"),
        (sc.OBS_EDIT_PREVIOUS_FILE, "old_path"),
        (sc.OBS_EDIT_LANGUAGE, "language"),
        (sc.OBS_EDIT_TYPE, "edit_type"),
        (sc.OBS_EDIT_LINES_ADDED, "lines_added"),
        (sc.OBS_EDIT_LINES_REMOVED, "lines_removed"),
        (sc.OBS_EDIT_HUNKS, "hunks"),
    ):
        _put(attrs, name, facts, key)
    return sc.SPAN_CODING_EDIT, attrs


def redact_command(command: str) -> str:
    """A command line is content: secrets passed as ``NAME=value`` or shaped like keys never leave obs."""
    return default_redactor().redact(mask_secret_assignments(command)).text


def _verification(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    attrs: Attributes = {sc.OBS_CODING_PHASE: "execute"}
    command = facts.get("command")
    if isinstance(command, str):
        attrs[sc.OBS_VERIFICATION_COMMAND] = redact_command(command)
    for name, key in (
        (sc.OBS_VERIFICATION_KIND, "kind"),
        (sc.OBS_VERIFICATION_EXIT_CODE, "exit_code"),
        (sc.OBS_VERIFICATION_PASSED, "passed"),
        (sc.OBS_VERIFICATION_FAILING_TESTS, "failing_tests"),
        (sc.OBS_VERIFICATION_ATTEMPT, "attempt"),
    ):
        _put(attrs, name, facts, key)
    return sc.SPAN_CODING_VERIFICATION, attrs


def _user_outcome(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    attrs: Attributes = {}
    for name, key in (
        (sc.OBS_USER_OUTCOME, "outcome"),
        (sc.OBS_USER_OUTCOME_SOURCE, "source"),
        (sc.OBS_CODING_TTGO, "ttgo_s"),
        (sc.OBS_CODING_REGENERATIONS, "regenerations"),
    ):
        _put(attrs, name, facts, key)
    return sc.SPAN_CODING_USER_OUTCOME, attrs


def _edit_outcome(facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    attrs: Attributes = {sc.OBS_CODING_PHASE: "outcome"}
    for name, key in (
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
    ):
        _put(attrs, name, facts, key)
    return sc.SPAN_CODING_EDIT_OUTCOME, attrs


_SHAPES: dict[str, Callable[[Mapping[str, Any]], tuple[str, Attributes]]] = {
    "task": _task,
    "tool": _tool,
    "edit": _edit,
    "verification": _verification,
    "speculation": _speculation,
    "user_outcome": _user_outcome,
    "edit_outcome": _edit_outcome,
    **{phase: _phase(phase) for phase in PHASE_SPANS},
}


def span_shape(kind: str, facts: Mapping[str, Any]) -> tuple[str, Attributes]:
    """Span name and attributes for a recorded kind; unknown kinds keep their name and no attributes."""
    shape = _SHAPES.get(kind)
    if shape is None:
        return f"obs.coding.{kind}", {}
    return shape(facts)
