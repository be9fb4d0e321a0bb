"""One Claude Code hook payload → ledger records.

Events: ``SessionStart`` remembers the session; ``UserPromptSubmit`` opens a task
(one trace per user request); ``PreToolUse`` opens a tool span keyed by
``tool_use_id``; ``PostToolUse`` / ``PostToolUseFailure`` close it and add what
the tool did (edits with their hunks for Edit/Write/MultiEdit, a verification
for a Bash test/lint/type-check run, a plan for ExitPlanMode); ``Stop`` closes
the task and asks for an export; ``SessionEnd`` closes whatever is still open.
Unknown events and fields are ignored, so a newer Claude Code never breaks the
hook. Tool calls that arrive without a prompt (hooks installed mid-session)
open a task of their own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from obs_coding import model as domain
from obs_coding.ledger import TaskRow
from obs_coding.recorder import Recorder

from ._fields import as_mapping, as_str

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Any

EDIT_TOOLS = frozenset({"Edit", "MultiEdit", "Write"})

CLIENT = "claude-code"
TOOL_PHASES: dict[str, str] = {
    "Read": "harvest",
    "Grep": "harvest",
    "Glob": "harvest",
    "LS": "harvest",
    "WebFetch": "harvest",
    "WebSearch": "harvest",
    "NotebookRead": "harvest",
    "TodoWrite": "plan",
    "ExitPlanMode": "plan",
}
"""Tools whose work is context gathering or planning; everything else is execution."""


class HookResult:
    """What the caller should do after recording: export now (the task ended) or not."""

    __slots__ = ("event", "flush")

    def __init__(self, event: str, flush: bool = False) -> None:
        self.event = event
        self.flush = flush


class ClaudeCodeHook:
    """Dispatches Claude Code hook payloads to a :class:`Recorder`."""

    def __init__(self, recorder: Recorder, *, project_dir: Path | None = None) -> None:
        self.recorder = recorder
        self.project_dir = project_dir

    def handle(self, payload: Mapping[str, Any], *, now_ns: int) -> HookResult:
        event = as_str(payload.get("hook_event_name")) or ""
        session_id = as_str(payload.get("session_id")) or "unknown"
        cwd = Path(as_str(payload.get("cwd")) or self.project_dir or os.getcwd())
        if event == "SessionStart":
            self.recorder.session_start(
                session_id,
                at_ns=now_ns,
                cwd=str(cwd),
                agent=CLIENT,
                model=as_str(payload.get("model")),
                transcript_path=as_str(payload.get("transcript_path")),
            )
        elif event == "UserPromptSubmit":
            self._ensure_session(payload, session_id, cwd, now_ns)
            prompt = payload.get("prompt")
            facts = {"prompt_chars": len(prompt)} if isinstance(prompt, str) else {}
            self.recorder.start_task(at_ns=now_ns, session_id=session_id, repo=_repo(cwd), agent=CLIENT, facts=facts)
        elif event == "PreToolUse":
            task = self._task(payload, session_id, cwd, now_ns)
            tool = as_str(payload.get("tool_name")) or "unknown"
            self.recorder.tool_start(
                task, call_id=_call_id(payload, tool), tool_name=tool, at_ns=now_ns, facts={"phase": _phase(tool)}
            )
        elif event in ("PostToolUse", "PostToolUseFailure"):
            self._post_tool(payload, event, session_id, cwd, now_ns)
        elif event == "Stop":
            current = self.recorder.current_task(session_id=session_id)
            if current is not None:
                from ._transcript import model_from_transcript  # only at Stop: reads the transcript tail

                used = model_from_transcript(as_str(payload.get("transcript_path")))
                self.recorder.end_task(current, at_ns=now_ns, status="completed", model=used)
            return HookResult(event, flush=True)
        elif event == "SessionEnd":
            current = self.recorder.current_task(session_id=session_id)
            if current is not None:
                self.recorder.end_task(current, at_ns=now_ns, status="interrupted")
            return HookResult(event, flush=True)
        return HookResult(event)

    def _ensure_session(self, payload: Mapping[str, Any], session_id: str, cwd: Path, now_ns: int) -> None:
        if self.recorder.ledger.session(session_id) is None:
            self.recorder.session_start(
                session_id,
                at_ns=now_ns,
                cwd=str(cwd),
                agent=CLIENT,
                transcript_path=as_str(payload.get("transcript_path")),
            )

    def _task(self, payload: Mapping[str, Any], session_id: str, cwd: Path, now_ns: int) -> TaskRow:
        task = self.recorder.current_task(session_id=session_id)
        if task is None:
            self._ensure_session(payload, session_id, cwd, now_ns)
            task = self.recorder.open_or_start_task(
                session_id, at_ns=now_ns, repo=_repo(cwd), agent=CLIENT, facts={"implicit": True}
            )
        return task

    def _post_tool(self, payload: Mapping[str, Any], event: str, session_id: str, cwd: Path, now_ns: int) -> None:
        task = self._task(payload, session_id, cwd, now_ns)
        tool = as_str(payload.get("tool_name")) or "unknown"
        failed = event == "PostToolUseFailure"
        error_text = str(payload.get("error") or "") if failed else None
        error = ("interrupted" if payload.get("is_interrupt") is True else "tool_error") if failed else None
        span = self.recorder.tool_end(
            task,
            call_id=_call_id(payload, tool),
            tool_name=tool,
            at_ns=now_ns,
            facts={"phase": _phase(tool)},
            error=error,
        )
        if tool not in EDIT_TOOLS and tool not in ("Bash", "ExitPlanMode"):
            return
        tool_input = as_mapping(payload.get("tool_input"))
        response = payload.get("tool_response")
        if tool in EDIT_TOOLS and not failed:
            from ._payload import file_edit  # only calls that did something worth reading pay for parsing

            found = file_edit(tool, tool_input, as_mapping(response), cwd=cwd)
            if found is not None:
                edit, repo, after = found
                self.recorder.edit(
                    task,
                    edit,
                    repo=repo,
                    at_ns=now_ns,
                    start_ns=span.start_ns,
                    parent_span_id=span.span_id,
                    after_text=after,
                    base_commit=domain.head_commit(repo),
                )
        elif tool == "Bash":
            command = as_str(tool_input.get("command")) or ""
            kind = domain.classify_command(command)
            if kind is not None:
                from ._bash import bash_outcome

                exit_code, output = bash_outcome(response, error_text)
                result = domain.VerificationResult(
                    command=command,
                    kind=kind,
                    exit_code=exit_code,
                    duration_s=max(now_ns - span.start_ns, 0) / 1e9,
                    failing_tests=domain.count_failing_tests(output) if kind == "test" else None,
                )
                self.recorder.verification(task, result, at_ns=now_ns, parent_span_id=span.span_id)
        elif tool == "ExitPlanMode":
            text = as_str(tool_input.get("plan"))
            if text is not None:
                self.recorder.plan(
                    task,
                    domain.Plan.from_markdown(text),
                    at_ns=now_ns,
                    start_ns=span.start_ns,
                    parent_span_id=span.span_id,
                )


def _phase(tool: str) -> str:
    return TOOL_PHASES.get(tool, "execute")


def _call_id(payload: Mapping[str, Any], tool: str) -> str:
    """``tool_use_id``; older clients lack it, so the tool input (the same in Pre and Post) stands in."""
    explicit = as_str(payload.get("tool_use_id"))
    if explicit is not None:
        return explicit
    import hashlib

    body = json.dumps(payload.get("tool_input"), sort_keys=True, default=str)
    return f"{tool}:{hashlib.blake2b(body.encode(), digest_size=8).hexdigest()}"


def _repo(cwd: Path) -> str:
    root = domain.find_repo_root(cwd)
    return str(root if root is not None else cwd)
