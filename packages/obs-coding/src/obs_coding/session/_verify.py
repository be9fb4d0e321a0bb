"""Running a verification command the way an agent's shell tool would.

A string runs through the shell (agents write ``ruff check . && pytest -q``), a
sequence runs directly. A command that cannot start or runs out of time is a
failed check with the shell's exit codes (127, 124), not an exception: to the
agent it is one more red result to react to.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from obs_core import internal_guard

from obs_coding.model import VerificationKind, VerificationResult, classify_command, count_failing_tests

EXIT_NOT_FOUND = 127
EXIT_TIMEOUT = 124


def run_verification(
    command: str | Sequence[str],
    *,
    cwd: str | os.PathLike[str],
    kind: VerificationKind | None = None,
    timeout_s: float | None = None,
    env: Mapping[str, str] | None = None,
) -> VerificationResult:
    """Run ``command`` in ``cwd``, capture its output, and read the failing-test count from it."""
    text = command if isinstance(command, str) else " ".join(command)
    resolved: VerificationKind = kind or "test"
    with internal_guard("coding.verify.classify"):
        resolved = kind or classify_command(text) or "test"
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            command,
            shell=isinstance(command, str),
            cwd=Path(cwd),
            env=dict(env) if env is not None else None,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout_s,
            check=False,
        )
        code, output = proc.returncode, (proc.stdout or "") + (proc.stderr or "")
    except FileNotFoundError as exc:
        code, output = EXIT_NOT_FOUND, str(exc)
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout if isinstance(exc.stdout, str) else ""
        code, output = EXIT_TIMEOUT, partial + f"\ntimed out after {timeout_s}s"
    duration = time.perf_counter() - started
    failing: int | None = None
    with internal_guard("coding.verify.failing_tests"):  # reading the output is obs's part, not the user's
        failing = count_failing_tests(output) if resolved == "test" else None
    return VerificationResult(text, resolved, code, duration, failing, output)
