"""``obs ingest FILE|-``: JSON-lines events from any coding client into tasks, spans and the edit ledger.

The events drive the same :class:`~obs_coding.recorder.Recorder` as the Claude
Code hooks, so a VS Code extension or another CLI gets the same traces, edit
outcomes, verification loop metrics and time to good output. For every
``prompt`` the ingestor writes one JSON line back (``task_id``, ``trace_id``,
``traceparent``): the handle a client keeps to send its user's decision later,
possibly in another ``obs ingest`` run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from obs_coding import model as domain
from obs_coding.ledger import TaskRow
from obs_coding.recorder import Recorder

from ._events import DECISIONS, Event, EventError, parse_event

if TYPE_CHECKING:
    from obs_coding.model import VerificationKind

_KINDS: dict[str, VerificationKind] = {"test": "test", "lint": "lint", "typecheck": "typecheck", "build": "build"}


@dataclass(slots=True)
class IngestStats:
    """What one run did with its lines."""

    events: int = 0
    skipped: int = 0
    """Lines with an event type this version does not know."""
    errors: list[str] = field(default_factory=list)
    """``line N: message`` for every line that could not be used."""
    tasks: int = 0


class Ingestor:
    """Applies events to a recorder; bad lines are reported and skipped, never fatal."""

    def __init__(
        self,
        recorder: Recorder,
        *,
        out: TextIO | None = None,
        default_repo: Path | None = None,
        on_task_done: Callable[[], object] | None = None,
    ) -> None:
        """``on_task_done`` runs after events that finish spans (end, decision, session end): the exporter's flush."""
        self.recorder = recorder
        self.out = out
        self.default_repo = default_repo
        self.on_task_done = on_task_done
        self.stats = IngestStats()

    def ingest_lines(self, lines: Iterable[str]) -> IngestStats:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                event = parse_event(json.loads(line), now_ns=time.time_ns())
                if event is None:
                    self.stats.skipped += 1
                    continue
                self.apply(event)
                self.stats.events += 1
                if self.on_task_done is not None and event.type in ("end", "decision", "session_end"):
                    self.on_task_done()
            except (EventError, ValueError, TypeError, ArithmeticError) as exc:
                # A line whose values have the right JSON types but impossible values (a time of 1e400,
                # Infinity) is one bad line, like malformed JSON: the rest of the stream still counts.
                self.stats.errors.append(f"line {number}: {exc}")
        return self.stats

    def apply(self, event: Event) -> None:
        rec = self.recorder
        if event.type == "session_start":
            assert event.session_id is not None
            rec.session_start(
                event.session_id,
                at_ns=event.time_ns,
                cwd=event.str_field("cwd") or event.str_field("repo"),
                agent=event.str_field("agent"),
                model=event.str_field("model"),
            )
            return
        if event.type == "session_end":
            open_task = rec.current_task(session_id=event.session_id)
            if open_task is not None:
                rec.end_task(open_task, at_ns=event.time_ns, status="interrupted")
            return
        if event.type == "prompt":
            self._prompt(event)
            return
        if event.type == "decision":
            self._decision(event)
            return
        task = self._task(event)
        if event.type == "end":
            status = event.str_field("status") or "completed"
            rec.end_task(task, at_ns=event.time_ns, status=status, model=event.str_field("model"))
        elif event.type == "plan":
            rec.plan(task, domain.Plan.from_mapping(event.body), at_ns=event.time_ns)
        elif event.type == "edit":
            self._edit(task, event)
        elif event.type == "verification":
            self._verification(task, event)
        elif event.type in ("tool_start", "tool_end"):
            call_id = str(event.str_field("call_id"))
            tool = event.str_field("tool_name") or "unknown"
            if event.type == "tool_start":
                phase = event.str_field("phase") or "execute"
                rec.tool_start(task, call_id=call_id, tool_name=tool, at_ns=event.time_ns, facts={"phase": phase})
            else:
                rec.tool_end(
                    task, call_id=call_id, tool_name=tool, at_ns=event.time_ns, facts={}, error=event.str_field("error")
                )

    def _prompt(self, event: Event) -> None:
        if event.task_id is not None and self.recorder.ledger.task_by_key(event.task_id) is not None:
            raise EventError(f"prompt: task_id {event.task_id!r} was already used")
        repo = event.str_field("repo") or self._session_cwd(event.session_id)
        root = domain.find_repo_root(repo) if repo else None
        prompt = event.body.get("prompt")
        chars = len(prompt) if isinstance(prompt, str) else event.int_field("prompt_chars")
        task = self.recorder.start_task(
            at_ns=event.time_ns,
            session_id=event.session_id,
            task_key=event.task_id,
            repo=str(root) if root else repo,
            agent=event.str_field("agent"),
            model=event.str_field("model"),
            traceparent=event.str_field("traceparent"),
            facts={"prompt_chars": chars} if chars is not None else {},
        )
        self.stats.tasks += 1
        if self.out is not None:
            handle = {
                "task_id": event.task_id,
                "session_id": event.session_id,
                "trace_id": task.trace_id,
                "traceparent": domain.format_traceparent(task.trace_id, task.span_id),
            }
            self.out.write(json.dumps(handle) + "\n")
            self.out.flush()

    def _task(self, event: Event) -> TaskRow:
        task = self.recorder.current_task(session_id=event.session_id, task_key=event.task_id)
        if task is None:
            parent = domain.parse_traceparent(event.body.get("traceparent"))
            task = self.recorder.ledger.task(parent[0]) if parent else None
        if task is None:
            raise EventError(
                f"{event.type}: no open task for task_id={event.task_id!r} session_id={event.session_id!r}"
            )
        return task

    def _decision(self, event: Event) -> None:
        outcome = DECISIONS[str(event.body.get("decision")).lower()]
        self.recorder.user_outcome(self._task(event), outcome, at_ns=event.time_ns, source="client")

    def _edit(self, task: TaskRow, event: Event) -> None:
        raw_path = str(event.str_field("path"))
        repo_hint = event.str_field("repo") or task.repo or (str(self.default_repo) if self.default_repo else None)
        base = Path(repo_hint) if repo_hint else Path.cwd()
        absolute = Path(raw_path) if Path(raw_path).is_absolute() else base / raw_path
        root = domain.find_repo_root(absolute.parent) or base
        path = domain.repo_relative(absolute, root, cwd=base)
        old_path = event.str_field("old_path")
        edit_type = domain.parse_edit_type(event.body.get("edit_type"))
        before, after = event.body.get("before"), event.body.get("after")
        hunks = event.body.get("hunks")
        if isinstance(before, str) or isinstance(after, str):
            after_text = after if isinstance(after, str) else None
            old_text = before if isinstance(before, str) else None
            edit = domain.edit_from_texts(path, old_text, after_text, old_path=old_path)
        else:
            patch: list[Any] = [h for h in hunks if isinstance(h, dict)] if isinstance(hunks, list) else []
            edit = domain.edit_from_patch(path, patch, edit_type=edit_type, old_path=old_path)
            after_text = _read(absolute) if edit_type != "delete" else None
        head = event.body.get("base_commit")
        self.recorder.edit(
            task,
            edit,
            repo=root,
            at_ns=event.time_ns,
            after_text=after_text,
            model=event.str_field("model"),
            # Only the client knows HEAD at the edit: a file ingested later may be replayed long after it moved.
            base_commit=head if isinstance(head, str) else None,
        )

    def _verification(self, task: TaskRow, event: Event) -> None:
        command = str(event.str_field("command"))
        named = event.str_field("kind")
        kind = _KINDS.get(named) if named is not None else (domain.classify_command(command) or "test")
        if kind is None:
            raise EventError(f"verification: kind {named!r} is not one of {sorted(_KINDS)}")
        duration_ms = event.body.get("duration_ms")
        duration_s = event.body.get("duration_s")
        seconds = 0.0
        if isinstance(duration_ms, (int, float)):
            seconds = float(duration_ms) / 1000
        elif isinstance(duration_s, (int, float)):
            seconds = float(duration_s)
        failing = event.int_field("failing_tests")
        if failing is None and kind == "test":
            failing = domain.count_failing_tests(event.str_field("output") or "")
        result = domain.VerificationResult(command, kind, int(event.int_field("exit_code") or 0), seconds, failing)
        self.recorder.verification(task, result, at_ns=event.time_ns)

    def _session_cwd(self, session_id: str | None) -> str | None:
        session = self.recorder.ledger.session(session_id) if session_id else None
        return session.cwd if session else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
