"""``obs-hook claude-code`` as Claude Code runs it: a fresh process per event, JSON on stdin.

Checks what only a real process shows: state carried across processes in the
ledger, nothing printed on stdout (it would reach the model's context), exit 0
on garbage, the store filled at Stop (inline and by the detached exporter),
and that the hook path imports neither OpenTelemetry nor git.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from obs_coding.hooks._main import EXPORT_LOG_MAX_BYTES

from ._support import ClaudeCode, Repo

HOOK = [str(Path(sys.executable).parent / "obs-hook"), "claude-code"]


def run_hook(payload: Any, env: dict[str, str], *, raw: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    data = raw if raw is not None else json.dumps(payload).encode()
    return subprocess.run(HOOK, input=data, env=env, capture_output=True, timeout=120, check=False)


def hook_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OBS_", "CLAUDE_", "OTEL_", "PYTEST_"))}
    return {**env, "HOME": str(tmp_path), **extra}


def session_payloads(repo: Repo) -> list[dict[str, Any]]:
    repo.write("app.py", "def add(a, b):\n    return a - b\n")
    repo.commit("initial", 1_700_000_000)
    cc = ClaudeCode(repo)
    cc.write_transcript("claude-opus-4-1-20250805")
    edit = cc.edit("app.py", "return a - b", "return a + b")
    red = cc.bash("pytest -q", stdout="1 failed in 0.01s", exit_code=1)
    write = cc.write("test_app.py", "from app import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n")
    green = cc.bash("pytest -q", stdout="1 passed in 0.01s")
    return [cc.session_start(), cc.prompt("fix add"), *edit, *red, *write, *green, cc.stop()]


def spans_in(store: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True) as conn:
        return sorted(conn.execute("SELECT name, parent_span_id IS NULL FROM spans").fetchall())


def test_a_session_across_processes_lands_in_the_store_at_stop(tmp_path: Path, repo: Repo) -> None:
    env = hook_env(tmp_path, OBS_HOOK_EXPORT="inline")
    for payload in session_payloads(repo):
        done = run_hook(payload, env)
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b""), done.stderr.decode()
    store = repo.root / ".obs" / "telemetry.db"
    assert spans_in(store) == sorted(
        [("obs.coding.task", 1)]
        + [("execute_tool Edit", 0), ("execute_tool Write", 0), ("execute_tool Bash", 0), ("execute_tool Bash", 0)]
        + [("obs.coding.edit", 0)] * 2
        + [("obs.coding.verification", 0)] * 2
    )
    with sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True) as conn:
        [(attrs,)] = conn.execute("SELECT attributes FROM spans WHERE name = 'obs.coding.task'").fetchall()
        assert (conn.execute("SELECT count(DISTINCT trace_id) FROM spans").fetchone()[0]) == 1
    task = json.loads(attrs)
    assert task["gen_ai.request.model"] == "claude-opus-4-1-20250805"
    assert (task["obs.coding.verification.attempts"], task["obs.coding.verification.first_attempt_passed"]) == (
        2,
        False,
    )
    with sqlite3.connect(repo.root / ".obs" / "coding.db") as ledger:
        assert ledger.execute("SELECT count(*) FROM pending_spans").fetchone()[0] == 0
        assert ledger.execute("SELECT path, edit_type FROM edits ORDER BY time_ns").fetchall() == [
            ("app.py", "modify"),
            ("test_app.py", "create"),
        ]


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[1, 2]", b'{"hook_event_name": "PostToolUse", "tool_name": "Edit", "tool_input": 3}'],
)
def test_garbage_never_fails_the_agent(tmp_path: Path, raw: bytes) -> None:
    done = run_hook(None, hook_env(tmp_path, CLAUDE_PROJECT_DIR=str(tmp_path)), raw=raw)
    assert done.returncode == 0
    assert done.stdout == b""


def test_an_unwritable_ledger_is_reported_on_stderr_only(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    env = hook_env(tmp_path, OBS_CODING_DB=str(blocker / "coding.db"))
    done = run_hook({"hook_event_name": "SessionStart", "session_id": "s", "cwd": str(tmp_path)}, env)
    assert (done.returncode, done.stdout) == (0, b"")
    assert done.stderr.decode().startswith("obs hook claude-code: ")


def test_the_stop_hook_exports_in_a_detached_process(tmp_path: Path, repo: Repo) -> None:
    env = hook_env(tmp_path)  # default: background export
    log = repo.root / ".obs" / "export.log"
    log.parent.mkdir(parents=True)
    old = b"obs-coding export: an old failure\n" * (EXPORT_LOG_MAX_BYTES // 30)
    log.write_bytes(old)  # months of exporter stderr: rotated, not appended to forever
    for payload in session_payloads(repo):
        assert run_hook(payload, env).returncode == 0
    store = repo.root / ".obs" / "telemetry.db"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and ready(store) < 9:
        time.sleep(0.2)
    assert len(spans_in(store)) == 9
    assert (log.parent / "export.log.1").read_bytes() == old
    assert log.stat().st_size < len(old)


def ready(store: Path) -> int:
    """Spans in the store so far; 0 while the exporter has not created it (or its schema) yet."""
    try:
        return len(spans_in(store)) if store.exists() else 0
    except sqlite3.DatabaseError:
        return 0


def test_obs_hook_claude_code_via_the_obs_cli(tmp_path: Path, repo: Repo) -> None:
    payload = {"hook_event_name": "SessionStart", "session_id": "s-cli", "cwd": str(repo.root), "source": "startup"}
    obs = str(Path(sys.executable).parent / "obs")
    done = subprocess.run(
        [obs, "hook", "claude-code"], input=json.dumps(payload).encode(), env=hook_env(tmp_path),
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, b"")
    with sqlite3.connect(repo.root / ".obs" / "coding.db") as ledger:
        assert ledger.execute("SELECT session_id FROM sessions").fetchall() == [("s-cli",)]


def test_the_hook_path_imports_nothing_slow() -> None:
    heavy = "{'opentelemetry', 'git', 'typer', 'obs_core', 'rich', 'typing', 'dataclasses', 'inspect'}"
    code = (
        "import sys, obs_coding.hooks._main, obs_coding.hooks._payload, obs_coding.hooks._bash;"
        "from obs_coding.model import FileEdit, VerificationResult, classify_command, fingerprint;"
        f"print(sorted({{n.split('.')[0] for n in sys.modules}} & {heavy}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
