"""Test support: real git repositories with controlled commit times, and Claude Code hook payloads.

Payloads follow what Claude Code sends to command hooks: the common fields
(``session_id``, ``transcript_path``, ``cwd``, ``hook_event_name``) plus
``tool_name`` / ``tool_input`` / ``tool_use_id`` / ``tool_response`` for tool
events. The ``structuredPatch`` hunks are built here with ``difflib`` the way
Claude Code reports them (camelCase keys, prefixed lines), independently of
obs-coding's own diff code.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import git

T0 = 1_740_823_200
"""2025-03-01T10:00:00Z: the moment the scripted agent starts working."""
HOUR = 3600
DAY = 86_400


def ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


class Repo:
    """A git repository in a temp dir whose commits carry the times a test gives them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = git.Repo.init(root, initial_branch="main")
        with self.repo.config_writer() as config:
            config.set_value("user", "name", "Dev")
            config.set_value("user", "email", "dev@example.com")
            config.set_value("commit", "gpgsign", "false")

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, text: str) -> None:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def commit(self, message: str, at_s: int, *paths: str) -> str:
        """Stage ``paths`` (everything when none) with the git CLI and commit at ``at_s``."""
        args = ["git", "add", "--all"] if not paths else ["git", "add", "--all", "--", *paths]
        subprocess.run(args, cwd=self.root, check=True, capture_output=True)
        stamp = f"{at_s} +0000"
        env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        subprocess.run(["git", "commit", "-q", "-m", message], cwd=self.root, check=True, env=env, capture_output=True)
        return self.repo.head.commit.hexsha


def structured_patch(before: str, after: str) -> list[dict[str, Any]]:
    """Claude Code's ``structuredPatch`` for a change (3 lines of context, camelCase keys)."""
    hunks: list[dict[str, Any]] = []
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), n=3, lineterm=""))[2:]
    current: dict[str, Any] | None = None
    for line in lines:
        if line.startswith("@@"):
            old, new = line.split()[1:3]
            old_start, _, old_len = old[1:].partition(",")
            new_start, _, new_len = new[1:].partition(",")
            current = {
                "oldStart": int(old_start),
                "oldLines": int(old_len or 1),
                "newStart": int(new_start),
                "newLines": int(new_len or 1),
                "lines": [],
            }
            hunks.append(current)
        elif current is not None:
            current["lines"].append(line)
    return hunks


class ClaudeCode:
    """Builds the payload sequence Claude Code would send while editing files in ``repo``."""

    def __init__(self, repo: Repo, session_id: str = "5f2b7c1e-0d4a-4c8e-9b1a-3e6f7a8b9c0d") -> None:
        self.repo = repo
        self.session_id = session_id
        self.transcript = repo.root.parent / f"{session_id}.jsonl"
        self._n = 0

    def base(self, event: str) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "transcript_path": str(self.transcript),
            "cwd": str(self.repo.root),
            "permission_mode": "default",
            "hook_event_name": event,
        }

    def session_start(self) -> dict[str, Any]:
        return {**self.base("SessionStart"), "source": "startup"}

    def prompt(self, text: str) -> dict[str, Any]:
        return {**self.base("UserPromptSubmit"), "prompt": text}

    def stop(self) -> dict[str, Any]:
        return {**self.base("Stop"), "stop_hook_active": False}

    def write_transcript(self, model: str) -> None:
        records = [
            {"type": "user", "message": {"role": "user", "content": "fix it"}},
            {"type": "assistant", "message": {"role": "assistant", "model": model, "content": []}},
        ]
        self.transcript.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    def _id(self) -> str:
        self._n += 1
        return f"toulu_01{self._n:04d}AbCdEf"

    def tool(self, name: str, tool_input: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        call = self._id()
        return {**self.base("PreToolUse"), "tool_name": name, "tool_input": dict(tool_input), "tool_use_id": call}, call

    def post(self, pre: Mapping[str, Any], response: Any, *, failure: str | None = None) -> dict[str, Any]:
        event = "PostToolUseFailure" if failure is not None else "PostToolUse"
        payload = {
            **self.base(event),
            "tool_name": pre["tool_name"],
            "tool_input": pre["tool_input"],
            "tool_use_id": pre["tool_use_id"],
        }
        if failure is not None:
            payload["error"] = failure
            payload["is_interrupt"] = False
        else:
            payload["tool_response"] = response
        return payload

    def edit(self, rel: str, old: str, new: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """An Edit call replacing ``old`` by ``new`` in ``rel``: applies it to disk like Claude Code would."""
        path = str(self.repo.path(rel))
        pre, _ = self.tool("Edit", {"file_path": path, "old_string": old, "new_string": new, "replace_all": False})
        original = self.repo.read(rel)
        assert original.count(old) == 1, "the edit must be unambiguous"
        updated = original.replace(old, new)
        self.repo.write(rel, updated)
        response = {
            "filePath": path,
            "oldString": old,
            "newString": new,
            "originalFile": original,
            "structuredPatch": structured_patch(original, updated),
            "userModified": False,
            "replaceAll": False,
        }
        return pre, self.post(pre, response)

    def multi_edit(self, rel: str, pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], dict[str, Any]]:
        path = str(self.repo.path(rel))
        edits = [{"old_string": o, "new_string": n, "replace_all": False} for o, n in pairs]
        pre, _ = self.tool("MultiEdit", {"file_path": path, "edits": edits})
        original = updated = self.repo.read(rel)
        for old, new in pairs:
            updated = updated.replace(old, new, 1)
        self.repo.write(rel, updated)
        response = {
            "filePath": path,
            "edits": edits,
            "originalFileContents": original,
            "structuredPatch": structured_patch(original, updated),
            "userModified": False,
        }
        return pre, self.post(pre, response)

    def write(self, rel: str, content: str) -> tuple[dict[str, Any], dict[str, Any]]:
        path = str(self.repo.path(rel))
        pre, _ = self.tool("Write", {"file_path": path, "content": content})
        existed = self.repo.path(rel).exists()
        original = self.repo.read(rel) if existed else None
        self.repo.write(rel, content)
        response = {
            "type": "update" if existed else "create",
            "filePath": path,
            "content": content,
            "structuredPatch": structured_patch(original, content) if original is not None else [],
            "originalFile": original,
        }
        return pre, self.post(pre, response)

    def bash(self, command: str, *, stdout: str = "", exit_code: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
        pre, _ = self.tool("Bash", {"command": command, "description": "Run the tests"})
        if exit_code == 0:
            return pre, self.post(pre, {"stdout": stdout, "stderr": "", "interrupted": False, "isImage": False})
        return pre, self.post(pre, None, failure=f"Exit code {exit_code}\n{stdout}")
