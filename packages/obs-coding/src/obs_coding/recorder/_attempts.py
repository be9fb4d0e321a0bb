"""Counting verification attempts: an edit batch followed by its checks.

An attempt is one turn of the edit → verify loop. Checks run back to back with
no edit in between (ruff, then mypy, then pytest) belong to the same attempt;
the next edit opens a new one. Checks before the first edit are a baseline
(attempt 0), not an attempt. The first attempt passes only if every check in it
passed, which is what the first-attempt pass rate counts.
"""

from __future__ import annotations


class AttemptTracker:
    """Per-task loop state; persisted in the ledger's task row between hook processes.

    A plain ``__slots__`` class: ``dataclasses`` costs the hook process too much to import.
    """

    __slots__ = ("attempts", "edits", "edits_since_check", "first_attempt_passed")

    def __init__(
        self,
        edits: int = 0,
        attempts: int = 0,
        edits_since_check: bool = False,
        first_attempt_passed: bool | None = None,
    ) -> None:
        self.edits = edits
        self.attempts = attempts
        self.edits_since_check = edits_since_check
        self.first_attempt_passed = first_attempt_passed

    def on_edit(self) -> None:
        self.edits += 1
        self.edits_since_check = True

    def on_check(self, passed: bool) -> int:
        """Account one verification command; return its attempt number (0 = baseline)."""
        if self.edits == 0:
            return 0
        if self.attempts == 0 or self.edits_since_check:
            self.attempts += 1
            self.edits_since_check = False
            if self.attempts == 1:
                self.first_attempt_passed = passed
        elif self.attempts == 1 and not passed:
            self.first_attempt_passed = False
        return self.attempts
