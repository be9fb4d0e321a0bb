"""Core commands: traces, show, report, prompts (registered on import)."""

from __future__ import annotations
