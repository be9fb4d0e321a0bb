"""The public surface of obs-coding's facades, pinned; lazy facades resolve every name they list."""

from __future__ import annotations

import subprocess
import sys

import obs_coding


def test_top_level_api() -> None:
    assert obs_coding.__all__ == [
        "DEFAULT_HORIZONS_DAYS",
        "DEFAULT_WINDOW_S",
        "ClaudeCodeHook",
        "CodingSession",
        "EditOutcome",
        "ExecutePhase",
        "FileEdit",
        "Hunk",
        "Ingestor",
        "Ledger",
        "Plan",
        "PlanPhase",
        "PlannedEdit",
        "RateRow",
        "Recorder",
        "ScanReport",
        "SurvivalRow",
        "VerificationResult",
        "classify_command",
        "count_failing_tests",
        "default_ledger_path",
        "edit_from_patch",
        "edit_from_texts",
        "export_spans",
        "flush_pending",
        "preset_tracer_provider",
        "record_user_outcome",
        "run_verification",
        "scan_repository",
    ]


def test_importing_the_package_imports_nothing_heavy() -> None:
    code = "import sys, obs_coding; print(sorted(m for m in ('opentelemetry', 'git', 'obs_core') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
