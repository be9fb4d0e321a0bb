"""The model a Claude Code session used, read from the tail of its transcript.

Hook payloads do not say which model answered; the transcript (JSON lines at
``transcript_path``) does, on every assistant message. Only the last few
hundred kilobytes are read, once per task (at ``Stop``), so a long session
costs the same as a short one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

_TAIL_BYTES = 256 * 1024


def model_from_transcript(path: str | os.PathLike[str] | None) -> str | None:
    """The model of the latest assistant message, None when unreadable."""
    if not path:
        return None
    try:
        with Path(path).open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(size - _TAIL_BYTES, 0))
            tail = handle.read()
    except OSError:
        return None
    for raw in reversed(tail.splitlines()):
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        message = record.get("message")
        model = message.get("model") if isinstance(message, dict) else None
        if isinstance(model, str) and model and not model.startswith("<"):
            return model
    return None
