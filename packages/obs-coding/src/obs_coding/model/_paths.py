"""Where an edited file lives: its repository root and its path inside it.

Outcomes are computed per repository from git, so every recorded edit carries
the repository root and a repository-relative path. Found by walking up to a
``.git`` entry (a directory, or a file for worktrees and submodules) rather
than by running git: this runs on the hook path.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


def find_repo_root(start: str | os.PathLike[str]) -> Path | None:
    """The nearest directory at or above ``start`` that holds ``.git``."""
    path = Path(start).resolve()
    if not path.is_dir():
        path = path.parent
    for candidate in (path, *path.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def repo_relative(file_path: str | os.PathLike[str], repo_root: Path, *, cwd: Path | None = None) -> str:
    """``file_path`` relative to ``repo_root`` with forward slashes (absolute when outside it)."""
    path = Path(file_path)
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    path = Path(os.path.normpath(path))
    try:
        rel = path.relative_to(repo_root)
    except ValueError:
        try:
            rel = path.resolve().relative_to(repo_root.resolve())
        except ValueError:
            return path.as_posix()
    return PurePosixPath(*rel.parts).as_posix()
