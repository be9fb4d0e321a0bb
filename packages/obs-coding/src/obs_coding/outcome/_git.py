"""What git knows about a file over time, through GitPython.

Outcome classification needs: the commits that touched a path after a moment,
the path's content at a commit (or in the working tree), the commit that was
HEAD's state at a given time, and blame that follows lines moved or copied
across files (``-M -C -C``). Results are cached per scan: one blame of a file
at a revision serves every edit and horizon that asks for it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import git

from obs_coding.model import line_counts, text_lines

_HEADER = re.compile(r"^([0-9a-f]{40}) (\d+) (\d+)(?: \d+)?$")


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    time_s: int
    """Committer time: when the change entered the history, which is what "next commit" means."""


@dataclass(frozen=True, slots=True)
class BlameLine:
    commit: str
    """Commit that introduced the line (after following moves and copies)."""
    orig_path: str
    """Path of the line in that commit."""
    orig_line: int
    """1-based line number in that commit's version of ``orig_path``."""
    final_line: int
    """1-based line number at the blamed revision."""


class GitHistory:
    """Read-only queries on one repository, cached for the length of a scan."""

    def __init__(self, root: str | Path) -> None:
        self.repo = git.Repo(root)
        self.root = Path(self.repo.working_tree_dir or root)
        self.path_commits = lru_cache(maxsize=4096)(self._path_commits)
        self.commits_since = lru_cache(maxsize=4096)(self._commits_since)
        self.content = lru_cache(maxsize=8192)(self._content)
        self.blame = lru_cache(maxsize=4096)(self._blame)
        self.rev_at = lru_cache(maxsize=1024)(self._rev_at)
        self.changed_files = lru_cache(maxsize=1024)(self._changed_files)

    def close(self) -> None:
        self.repo.close()

    def has_commits(self) -> bool:
        try:
            self.repo.head.commit  # noqa: B018 - raises on an unborn branch
        except ValueError:
            return False
        return True

    def _path_commits(self, path: str) -> tuple[CommitInfo, ...]:
        """Commits reachable from HEAD that touched ``path``, oldest first."""
        if not self.has_commits():
            return ()
        return _oldest_first(self.repo.git.log("HEAD", "--topo-order", "--reverse", "--format=%H %ct", "--", path))

    def _commits_since(self, base: str, path: str) -> tuple[CommitInfo, ...] | None:
        """Commits that touched ``path`` and are reachable from HEAD but not from ``base`` ("" = every one).

        None when ``base`` is not a commit of this repository (gc'd, another clone).
        """
        if not self.has_commits():
            return ()
        try:
            out = self.repo.git.log(
                f"{base}..HEAD" if base else "HEAD", "--topo-order", "--reverse", "--format=%H %ct", "--", path
            )
        except git.GitCommandError:
            return None
        return _oldest_first(out)

    def commits_after(self, path: str, time_s: int, base: str | None = None) -> list[CommitInfo]:
        """Commits touching ``path`` made after an edit at ``time_s`` whose HEAD then was ``base``.

        With a known base the answer comes from the history; without one, from
        commit times in whole seconds, where a commit in the edit's own second
        counts as after it (it usually is the commit that took the edit).
        """
        if base is not None:
            since = self.commits_since(base, path)
            if since is not None:
                return list(since)
        return [c for c in self.path_commits(path) if c.time_s >= time_s]

    def _content(self, sha: str | None, path: str) -> str | None:
        """The file at a commit (``sha``) or in the working tree (None); None when absent."""
        if sha is None:
            try:
                return (self.root / path).read_text(encoding="utf-8", errors="surrogateescape")
            except OSError:
                return None
        try:
            blob = self.repo.commit(sha).tree / path
        except KeyError:
            return None
        data: bytes = blob.data_stream.read()
        return data.decode("utf-8", errors="surrogateescape")

    def counts(self, sha: str | None, path: str) -> Counter[str] | None:
        text = self.content(sha, path)
        return None if text is None else line_counts(text_lines(text))

    def _rev_at(self, time_s: int) -> str | None:
        """The commit HEAD's history had reached at ``time_s`` (latest commit not after it)."""
        if not self.has_commits():
            return None
        sha = self.repo.git.rev_list("-1", f"--before={time_s}", "HEAD").strip()
        return sha or None

    def _changed_files(self, old: str, new: str) -> tuple[str, ...]:
        out = self.repo.git.diff("--name-only", "-M", old, new)
        return tuple(line for line in out.splitlines() if line)

    def _blame(self, sha: str, path: str, follow: bool) -> tuple[BlameLine, ...]:
        args = ["--line-porcelain"]
        if follow:
            args += ["-M", "-C", "-C"]
        try:
            out = self.repo.git.blame(*args, sha, "--", path)
        except git.GitCommandError:
            return ()
        return tuple(parse_line_porcelain(out))


def _oldest_first(log: str) -> tuple[CommitInfo, ...]:
    """``git log --topo-order --reverse --format='%H %ct'`` sorted by time; ties keep parents first.

    Commit times have one-second resolution, so commits made in the same second
    keep the order the history gives them instead of an arbitrary one.
    """
    commits = [CommitInfo(sha, int(ts)) for sha, ts in (line.split() for line in log.splitlines() if line)]
    return tuple(sorted(commits, key=lambda c: c.time_s))


def parse_line_porcelain(text: str) -> list[BlameLine]:
    """Parse ``git blame --line-porcelain``: a header per line, its key lines, then the tab-led content."""
    lines: list[BlameLine] = []
    commit = ""
    orig = final = 0
    filename = ""
    for raw in text.splitlines():
        if raw.startswith("\t"):
            lines.append(BlameLine(commit, filename, orig, final))
            continue
        header = _HEADER.match(raw)
        if header is not None:
            commit, orig, final = header.group(1), int(header.group(2)), int(header.group(3))
        elif raw.startswith("filename "):
            filename = raw[len("filename ") :]
    return lines
