"""Prompt identity: a hash that survives cosmetic edits but not real ones.

Two system prompts that differ only in trailing spaces, line endings or runs of
blank space are the same version; any change of words is a new version. The
store keeps a registry of versions (first/last seen, call count) fed from the
``obs.prompt.hash`` attribute of exported spans, and ``obs prompts`` compares
versions side by side.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WS = re.compile(r"[ \t\f\v]+")
_BLANK_LINES = re.compile(r"\n{2,}")


def normalise_prompt(text: str) -> str:
    """Canonical form used for hashing: NFC, LF line ends, collapsed blanks, trimmed lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def prompt_hash(text: str) -> str:
    """16 hex chars of SHA-256 over the normalised prompt (``obs.prompt.hash``)."""
    return hashlib.sha256(normalise_prompt(text).encode("utf-8")).hexdigest()[:16]
