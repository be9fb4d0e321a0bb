"""The commit a repository's HEAD points at, read from ``.git`` files without running git.

An edit's outcome is judged at the first commit made after it. Git stores commit
times in whole seconds and an agent, its tests and a ``git commit`` can all land
in the same second, so "after" cannot be decided from timestamps alone; the
commit HEAD pointed at when the edit was made can: every commit reachable from
HEAD later but not from that one came after the edit. This runs on the hook
path, so it reads a few small files instead of starting a git process.
"""

from __future__ import annotations

import os
from pathlib import Path

_MAX_SYMREF_DEPTH = 5


def head_commit(repo_root: str | os.PathLike[str]) -> str | None:
    """HEAD's commit id; ``""`` on a branch with no commit yet; None when it cannot be read.

    None means "unknown" (callers fall back to timestamps); a missing ref means
    the branch is unborn, so every later commit is after the edit.
    """
    try:
        git_dir = _git_dir(Path(repo_root))
        if git_dir is None:
            return None
        common = _common_dir(git_dir)
        value = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        for _ in range(_MAX_SYMREF_DEPTH):
            if not value.startswith("ref:"):
                return value if _is_sha(value) else None
            ref = value[len("ref:") :].strip()
            resolved = _read_ref(git_dir, common, ref)
            if resolved is None:
                return ""
            value = resolved
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # worktrees and submodules: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:") :].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


def _common_dir(git_dir: Path) -> Path:
    """Where shared refs live: a linked worktree's git dir names it in ``commondir``."""
    marker = git_dir / "commondir"
    if not marker.is_file():
        return git_dir
    target = Path(marker.read_text(encoding="utf-8").strip())
    return target if target.is_absolute() else (git_dir / target).resolve()


def _read_ref(git_dir: Path, common: Path, ref: str) -> str | None:
    """A ref's content (a sha or another ``ref:``), loose files first, then ``packed-refs``."""
    for base in (git_dir, common):
        loose = base / ref
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip()
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            if line.startswith(("#", "^")):
                continue
            sha, _, name = line.partition(" ")
            if name.strip() == ref:
                return sha.strip()
    return None


def _is_sha(value: str) -> bool:
    return len(value) in (40, 64) and all(c in "0123456789abcdef" for c in value)
