"""Which shell commands verify an edit, and how many tests they say failed.

A coding agent's execute phase is a loop: edit, run the tests (or linter, or
type checker), read the failures, edit again. Counting the turns of that loop
needs to recognise verification commands among all the shell commands an agent
runs, and the failing-test count needs the summary line each runner prints.
Unknown commands are simply not verifications; unknown output gives no count.
"""

from __future__ import annotations

import re

from ._value import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Literal

    VerificationKind = Literal["test", "lint", "typecheck", "build"]
else:
    VerificationKind = str  # the Literal is for type checkers

# Order matters: "cargo clippy" is lint before "cargo" anything else, "tsc" is typecheck, not build.
_COMMANDS: tuple[tuple[VerificationKind, re.Pattern[str]], ...] = (
    (
        "test",
        re.compile(
            r"\b(pytest|py\.test|tox|nox|jest|vitest|mocha|ava|rspec|phpunit|ctest|unittest)\b"
            r"|\b(go|cargo|dotnet|swift|mix|deno|bun)\s+test\b"
            r"|\b(npm|yarn|pnpm)\s+(run\s+)?test\b"
            r"|\b(mvn|mvnw|gradle|gradlew)\b.*\btest\b"
            r"|\bmake\s+(test|check)\b"
        ),
    ),
    ("lint", re.compile(r"\b(ruff|flake8|pylint|eslint|golangci-lint|clippy|rubocop|shellcheck|biome)\b")),
    ("lint", re.compile(r"\b(black|prettier|gofmt|rustfmt)\b.*(--check|-l\b)")),
    ("typecheck", re.compile(r"\b(mypy|pyright|basedpyright|pytype|tsc|vue-tsc|flow)\b|\bcargo\s+check\b")),
    (
        "build",
        re.compile(r"\b(go|cargo|dotnet|swift)\s+build\b|\b(npm|yarn|pnpm)\s+(run\s+)?build\b|\bmake\b\s*($|&&|;)"),
    ),
)

_FAILED = (
    re.compile(r"(\d+) failed"),  # pytest, cargo ("0 failed" too), vitest
    re.compile(r"Tests:\s+(\d+) failed"),  # jest
    re.compile(r"(\d+) failing"),  # mocha
    re.compile(r"\d+ examples?, (\d+) failures?"),  # rspec
)
_PASSED_ONLY = re.compile(r"\b\d+ passed\b|^OK(?: \(.*\))?\s*$|^ok\s", re.MULTILINE)
_UNITTEST_FAILED = re.compile(r"FAILED \((?:failures=(\d+))?(?:, )?(?:errors=(\d+))?")
_GO_FAIL = re.compile(r"^\s*--- FAIL:", re.MULTILINE)


def classify_command(command: str) -> VerificationKind | None:
    """The kind of verification a shell command runs, or None when it is not one."""
    for kind, pattern in _COMMANDS:
        if pattern.search(command):
            return kind
    return None


def count_failing_tests(output: str) -> int | None:
    """Failing tests from a runner's summary; 0 for a passing summary; None when nothing is recognised."""
    if not output:
        return None
    go_fails = len(_GO_FAIL.findall(output))
    if go_fails:
        return go_fails
    unittest = _UNITTEST_FAILED.search(output)
    if unittest and (unittest.group(1) or unittest.group(2)):
        return int(unittest.group(1) or 0) + int(unittest.group(2) or 0)
    for pattern in _FAILED:
        matches = pattern.findall(output)
        if matches:
            return int(matches[-1])
    if _PASSED_ONLY.search(output):
        return 0
    return None


class VerificationResult(Value):
    """One verification command run after an edit batch (an immutable value)."""

    __slots__ = ("command", "duration_s", "exit_code", "failing_tests", "kind", "output")
    _compared = ("command", "kind", "exit_code", "duration_s", "failing_tests")
    command: str
    """The command line as run."""
    kind: VerificationKind
    """test, lint, typecheck or build."""
    exit_code: int
    """Process exit code; 0 means the check passed."""
    duration_s: float
    """Wall time of the command."""
    failing_tests: int | None
    """Failing tests from the runner's summary, None when it printed none we recognise."""
    output: str
    """What the command printed, for the agent to read back; never recorded in telemetry (nor compared)."""

    def __init__(
        self,
        command: str,
        kind: VerificationKind,
        exit_code: int,
        duration_s: float,
        failing_tests: int | None = None,
        output: str = "",
    ) -> None:
        self._init(
            command=command,
            kind=kind,
            exit_code=exit_code,
            duration_s=duration_s,
            failing_tests=failing_tests,
            output=output,
        )

    @property
    def passed(self) -> bool:
        return self.exit_code == 0
