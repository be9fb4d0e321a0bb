"""Behavioural signals: guardrail verdicts and false positives, confidence, drift vs a golden baseline.

PII counts come from the redactor (``obs.pii.entities``), prompt-token growth
from the context-window monitor, regenerations and time-to-good-output from
obs-coding's outcome events.
"""

from ._confidence import ConfidenceRecorder
from ._drift import DriftBaseline, DriftMonitor, population_stability_index
from ._guardrails import ACTIONS, VERDICTS, GuardrailRecorder

__all__ = [
    "ACTIONS",
    "VERDICTS",
    "ConfidenceRecorder",
    "DriftBaseline",
    "DriftMonitor",
    "GuardrailRecorder",
    "population_stability_index",
]
