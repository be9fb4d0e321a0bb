"""Outcome capture from git: accepted / modified / reverted per AI edit, survival, acceptance rates."""

from ._classify import ALL_OUTCOMES, FINAL_OUTCOMES, EditOutcome, classify_edits
from ._framework import detect_frameworks, framework_for
from ._git import BlameLine, CommitInfo, GitHistory, parse_line_porcelain
from ._rates import DIMENSIONS, RateRow, rate_tables
from ._scan import DEFAULT_WINDOW_S, ScanReport, outcome_facts, record_outcome_spans, scan_repository
from ._survival import DEFAULT_HORIZONS_DAYS, SurvivalRow, survival

__all__ = [
    "ALL_OUTCOMES",
    "DEFAULT_HORIZONS_DAYS",
    "DEFAULT_WINDOW_S",
    "DIMENSIONS",
    "FINAL_OUTCOMES",
    "BlameLine",
    "CommitInfo",
    "EditOutcome",
    "GitHistory",
    "RateRow",
    "ScanReport",
    "SurvivalRow",
    "classify_edits",
    "detect_frameworks",
    "framework_for",
    "outcome_facts",
    "parse_line_porcelain",
    "rate_tables",
    "record_outcome_spans",
    "scan_repository",
    "survival",
]
