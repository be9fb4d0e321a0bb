"""``obs-hook claude-code``: the hook process, built to be fast and to never fail the agent.

Claude Code runs the hook on every tool call and waits for it. So this process
imports only the standard library and obs-coding's stdlib-only modules (no
OpenTelemetry, git or typer: each would cost more than the whole budget), writes
one short ledger transaction and exits 0 whatever happens, printing any problem
on stderr and nothing on stdout (for prompt and session events, stdout would
be added to the model's context). Export happens when a task ends: the Stop
hook starts ``python -m obs_coding.export`` detached, so it returns at once.

This process is obs's own, so the top-level ``except`` below plays the part of
``obs_core.internal_guard`` (which would import the SDK). ``OBS_GUARD_RAISE=1``
makes it re-raise, for debugging.

Environment: ``OBS_STORE`` / ``OBS_CODING_DB`` choose the files (default
``<project>/.obs/``, the project being ``CLAUDE_PROJECT_DIR`` or the payload's
``cwd``); ``OBS_HOOK_EXPORT`` = ``background`` (default), ``inline`` or ``off``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from obs_coding.ledger import Ledger, default_ledger_path
from obs_coding.recorder import Recorder

from ._claude_code import CLIENT, ClaudeCodeHook

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Any

CLIENTS = (CLIENT,)
EXPORT_LOG_MAX_BYTES = 256 * 1024
"""The background exporters' stderr goes to ``export.log``; past this size it is rotated to ``export.log.1``."""


def project_dir(payload: dict[str, Any]) -> Path:
    explicit = os.environ.get("CLAUDE_PROJECT_DIR")
    cwd = payload.get("cwd")
    return Path(explicit or (cwd if isinstance(cwd, str) and cwd else os.getcwd()))


def store_path(project: Path) -> Path:
    explicit = os.environ.get("OBS_STORE")
    return Path(explicit) if explicit else project / ".obs" / "telemetry.db"


def run_hook(client: str, raw: bytes, *, now_ns: int | None = None, export: str | None = None) -> int:
    """Record one payload; return the exit code (always 0 unless ``OBS_GUARD_RAISE`` asks to re-raise)."""
    try:
        if client not in CLIENTS:
            raise ValueError(f"unknown hook client {client!r} (known: {', '.join(CLIENTS)})")
        payload = json.loads(raw.decode("utf-8", "replace") or "{}")
        if not isinstance(payload, dict):
            raise ValueError("hook payload is not a JSON object")
        project = project_dir(payload)
        ledger_path = default_ledger_path(project)
        with Ledger(ledger_path) as ledger:
            hook = ClaudeCodeHook(Recorder(ledger, client=CLIENT, agent=CLIENT), project_dir=project)
            result = hook.handle(payload, now_ns=now_ns if now_ns is not None else time.time_ns())
        if result.flush:
            start_export(ledger_path, store_path(project), mode=export or os.environ.get("OBS_HOOK_EXPORT"))
    except Exception as exc:
        if os.environ.get("OBS_GUARD_RAISE", "") in ("1", "true", "yes"):
            raise
        print(
            f"obs hook {client}: {type(exc).__name__}: {exc} (recorded nothing; the agent is unaffected)",
            file=sys.stderr,
        )
    return 0


def start_export(ledger_path: Path, store: Path, *, mode: str | None) -> None:
    """Export finished spans: detached in the background (default), in this process, or not at all."""
    mode = (mode or "background").lower()
    if mode == "off":
        return
    if mode == "inline":
        from obs_coding.export import run_export

        run_export(ledger_path, store_path=store, service_name=CLIENT)
        return
    args = [sys.executable, "-m", "obs_coding.export", "--ledger", str(ledger_path), "--store", str(store)]
    log = str(export_log(ledger_path.parent))
    if hasattr(os, "posix_spawn"):
        # posix_spawn leaves no Popen object to wait for; the child outlives this process by design.
        os.posix_spawn(
            sys.executable,
            args,
            dict(os.environ),
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_OPEN, 2, log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644),
            ],
            setsid=True,
        )
        return
    import subprocess

    with open(log, "ab") as err:
        flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, creationflags=flags)


def export_log(directory: Path) -> Path:
    """``export.log`` in ``directory``, first rotated when it grew past :data:`EXPORT_LOG_MAX_BYTES`.

    Every Stop hook appends a detached exporter's stderr to it for months, so it
    keeps one previous generation and at most about twice the limit on disk.
    Concurrent hooks may both rotate: ``os.replace`` is atomic and a lost race
    only means the other one did it.
    """
    log = directory / "export.log"
    try:
        if log.stat().st_size > EXPORT_LOG_MAX_BYTES:
            os.replace(log, log.with_name("export.log.1"))
    except OSError:
        pass
    return log


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print("usage: obs-hook claude-code < payload.json   (see `obs hook --help`)", file=sys.stderr)
        return 0
    client = args[0] if args else CLIENT
    try:
        raw = sys.stdin.buffer.read()
    except (OSError, ValueError):
        raw = b""
    return run_hook(client, raw)


if __name__ == "__main__":
    raise SystemExit(main())
