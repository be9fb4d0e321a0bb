"""Reading Claude Code tool payloads: the edit an Edit / Write / MultiEdit call made.

Shapes (as sent to ``PostToolUse`` hooks; every field is optional here because
versions differ and unknown fields must not break anything):

- Edit: ``tool_input`` ``{file_path, old_string, new_string, replace_all}``;
  ``tool_response`` ``{filePath, oldString, newString, originalFile,
  structuredPatch: [{oldStart, oldLines, newStart, newLines, lines}],
  userModified, replaceAll}``.
- MultiEdit: ``tool_input`` ``{file_path, edits: [{old_string, new_string}]}``;
  ``tool_response`` ``{filePath, edits, originalFileContents, structuredPatch}``.
- Write: ``tool_input`` ``{file_path, content}``; ``tool_response``
  ``{type: "create"|"update", filePath, content, structuredPatch, originalFile}``
  (``structuredPatch`` is empty for a new file).
- Bash: see ``_bash``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from obs_coding.model import FileEdit, Hunk, edit_from_patch, edit_from_texts, find_repo_root, repo_relative

from ._fields import as_mapping, as_str

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Any

_MAX_READ_BYTES = 4 * 1024 * 1024


def edit_target(tool_input: Mapping[str, Any], tool_response: Mapping[str, Any]) -> str | None:
    return as_str(tool_response.get("filePath")) or as_str(tool_input.get("file_path"))


def file_edit(
    tool_name: str,
    tool_input: Mapping[str, Any],
    tool_response: Mapping[str, Any],
    *,
    cwd: Path,
) -> tuple[FileEdit, Path, str | None] | None:
    """The edit a successful Edit/Write/MultiEdit made, its repository root, and the file content after it."""
    target = edit_target(tool_input, tool_response)
    if target is None:
        return None
    absolute = Path(target) if Path(target).is_absolute() else cwd / target
    repo = find_repo_root(absolute.parent) or cwd
    path = repo_relative(absolute, repo, cwd=cwd)
    patch = tool_response.get("structuredPatch")
    patch_list: Sequence[Mapping[str, object]] = (
        [h for h in patch if isinstance(h, Mapping)] if isinstance(patch, list) else []
    )
    after: str | None
    if tool_name == "Write":
        content = as_str(tool_input.get("content")) or as_str(tool_response.get("content")) or ""
        after = content
        original = tool_response.get("originalFile")
        created = tool_response.get("type") == "create" or not isinstance(original, str)
        if patch_list and not created:
            edit = edit_from_patch(path, patch_list, edit_type="modify")
        else:
            edit = edit_from_texts(path, None if created else str(original), content)
    else:
        after = _read(absolute)
        if patch_list:
            edit = edit_from_patch(path, patch_list, edit_type="modify")
        else:
            edit = FileEdit(path=path, edit_type="modify", hunks=_fallback_hunks(tool_input))
    return edit, repo, after


def _fallback_hunks(tool_input: Mapping[str, Any]) -> tuple[Hunk, ...]:
    """Without a structured patch (older clients), the strings replaced are still the change."""
    pairs: list[tuple[str, str]] = []
    edits = tool_input.get("edits")
    if isinstance(edits, list):
        for item in edits:
            entry = as_mapping(item)
            pairs.append((str(entry.get("old_string", "")), str(entry.get("new_string", ""))))
    elif "old_string" in tool_input or "new_string" in tool_input:
        pairs.append((str(tool_input.get("old_string", "")), str(tool_input.get("new_string", ""))))
    hunks = []
    for old, new in pairs:
        removed = ["-" + line for line in old.splitlines()]
        added = ["+" + line for line in new.splitlines()]
        hunks.append(Hunk(0, len(removed), 0, len(added), tuple(removed + added)))
    return tuple(hunks)


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_READ_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
