"""How blocks look in the rendered context, and counting their tokens once.

Every block is Markdown: a ``###`` heading naming the path and why it is there,
then a fenced code block in the file's language, so a model can tell files
apart and cite them. Outlines (tiers 3-4) show signatures nested as in the
source, with the first line of each docstring, and no bodies.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime

from obs_core import count_tokens

from ._history import Commit
from ._tags import Definition

_FENCE_LANG = {"python": "python", "javascript": "javascript", "typescript": "typescript", "tsx": "tsx"}
_FENCE_LANG |= {"go": "go", "rust": "rust", "java": "java", "text": ""}
OUTLINE_DOC_CHARS = 100
_BACKTICKS = re.compile(r"`{3,}")


class TokenCounter:
    """Exact token counts for one model, cached by a caller-chosen key (path, blob, part)."""

    def __init__(self, model: str | None, capacity: int = 50_000) -> None:
        self.model = model
        self.estimated = count_tokens("", model).estimated
        self._cache: OrderedDict[tuple[str, ...], int] = OrderedDict()
        self._capacity = capacity

    def count(self, text: str, key: tuple[str, ...] | None = None) -> int:
        if key is not None:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        tokens = count_tokens(text, self.model).tokens
        if key is not None:
            self._cache[key] = tokens
            if len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return tokens


def fence(text: str, language: str) -> str:
    """A fenced block whose fence is longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0) if "```" in text else 0
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{ticks}{_FENCE_LANG.get(language, '')}\n{body}{ticks}"


def file_block(path: str, note: str, text: str, language: str) -> str:
    return f"### {path}{f' ({note})' if note else ''}\n{fence(text, language)}"


def tier_heading(tier_id: str, title: str) -> str:
    label = "History" if tier_id == "history" else f"Tier {tier_id}"
    return f"## {label}: {title}"


def outline(
    definitions: Sequence[Definition],
    show: Sequence[int],
    language: str,
    *,
    with_ancestors: bool = True,
    doc_chars: int = OUTLINE_DOC_CHARS,
) -> str:
    """Signatures of ``show`` (indices into ``definitions``), nested under their ancestors' signatures."""
    wanted: set[int] = set(show)
    context: set[int] = set()
    if with_ancestors:
        for i in show:
            parent = definitions[i].parent
            while parent >= 0 and parent not in wanted and parent not in context:
                context.add(parent)
                parent = definitions[parent].parent
    comment = "#" if language == "python" else "//"
    lines: list[str] = []
    depth_of: dict[int, int] = {}
    for i in sorted(wanted | context):
        definition = definitions[i]
        depth = depth_of.get(definition.parent, -1) + 1 if definition.parent >= 0 else 0
        depth_of[i] = depth
        indent = "    " * depth
        doc = _short(definition.doc, doc_chars) if i in wanted else ""
        if doc and language != "python":
            lines.append(f"{indent}{comment} {doc}")
        lines.append(f"{indent}{definition.signature}{'' if i in wanted else '  ' + comment + ' ...'}")
        if doc and language == "python":
            lines.append(f'{indent}    """{doc}"""')
    return "\n".join(lines)


def _short(doc: str, limit: int) -> str:
    if not doc:
        return ""
    end = doc.find(". ")
    first = doc[: end + 1] if 0 < end < limit else doc
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def commits_block(commits: Sequence[Commit], root_note: str = "") -> str:
    lines = []
    for commit in commits:
        day = datetime.fromtimestamp(commit.timestamp, tz=UTC).strftime("%Y-%m-%d")
        files = ", ".join(commit.files[:4]) + (f" +{len(commit.files) - 4}" if len(commit.files) > 4 else "")
        lines.append(f"- {commit.sha[:10]} {day} {commit.author}: {commit.subject} ({files})")
    return "\n".join(lines) + (f"\n{root_note}" if root_note else "")
