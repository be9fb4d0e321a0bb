"""Line fingerprints: how an edit's lines are recognised later in git without storing code.

Outcome classification asks "are the lines the agent wrote still there?". The
ledger answers it from short hashes of each non-blank line, so no source code is
written next to the telemetry store. Trailing whitespace is ignored (editors and
formatters strip it without anyone changing the code); leading whitespace is
kept, because re-indenting a block is a real change. Blank lines carry no
signal and are skipped.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable


def line_key(line: str) -> str | None:
    """The fingerprint of one line, or None for a blank line."""
    text = line.rstrip()
    if not text.strip():
        return None
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def line_counts(lines: Iterable[str]) -> Counter[str]:
    """Multiset of fingerprints: identical lines (``}``, ``return None``) are counted, not merged."""
    counts: Counter[str] = Counter()
    for line in lines:
        key = line_key(line)
        if key is not None:
            counts[key] += 1
    return counts


def text_lines(text: str | None) -> list[str]:
    """Split file content into lines the way diffs count them (no line endings)."""
    return [] if text is None else text.splitlines()
