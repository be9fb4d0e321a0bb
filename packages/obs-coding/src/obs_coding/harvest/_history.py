"""Git history as retrieval signal and as context.

Past commit messages are the best description a file has of what it is *for*
("retry on 429", "fix token refresh"), in exactly the words a task uses, so
each file gets a bag of the messages of the commits that touched it. Co-change
(files edited together with the open files) and recency are weaker priors. One
``git log`` per HEAD is read and kept; the recent-commits section of a harvest
is served from it without another subprocess.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import git

from ._repo import Repository
from ._text import query_terms

MAX_COMMITS = 2000
"""History depth read per HEAD: enough for signals, bounded for huge repositories."""
MESSAGES_PER_FILE = 30
"""Only the latest messages describe a file's current purpose."""
LARGE_COMMIT = 40
"""Commits touching more files than this (reformatting, renames) say nothing about co-change."""
_RECORD, _FIELD = "\x1e", "\x1f"
_log = logging.getLogger("obs.coding.harvest")


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    timestamp: int
    author: str
    subject: str
    body: str
    files: tuple[str, ...]
    """Paths relative to the harvest root (files outside it are dropped)."""


@dataclass
class History:
    head: str | None
    commits: list[Commit] = field(default_factory=list)
    """Newest first."""
    by_file: dict[str, list[int]] = field(default_factory=dict)
    """Path → indices into ``commits`` (newest first)."""

    def message_terms(self) -> dict[str, Counter[str]]:
        """Path → term counts of the messages of its latest commits (the history field of the lexical index)."""
        bags: dict[str, Counter[str]] = {}
        cache: dict[int, list[str]] = {}
        for path, indices in self.by_file.items():
            bag: Counter[str] = Counter()
            for i in indices[:MESSAGES_PER_FILE]:
                terms = cache.get(i)
                if terms is None:
                    commit = self.commits[i]
                    terms = cache[i] = query_terms(commit.subject + "\n" + commit.body)
                bag.update(terms)
            bags[path] = bag
        return bags

    def cochange(self, anchors: list[str]) -> Counter[str]:
        """How often each file changed in the same (small) commit as any of ``anchors``."""
        counts: Counter[str] = Counter()
        for anchor in anchors:
            for i in self.by_file.get(anchor, ()):
                files = self.commits[i].files
                if len(files) > LARGE_COMMIT:
                    continue
                counts.update(f for f in files if f != anchor)
        return counts

    def last_touched(self) -> dict[str, int]:
        """Path → index of the newest commit touching it (0 = HEAD)."""
        return {path: indices[0] for path, indices in self.by_file.items() if indices}

    def recent_for(self, paths: list[str], limit: int) -> list[Commit]:
        """Newest commits touching any of ``paths``."""
        indices = sorted({i for p in paths for i in self.by_file.get(p, ())})
        return [self.commits[i] for i in indices[:limit]]


def load_history(repository: Repository, *, max_commits: int = MAX_COMMITS) -> History:
    """Read the log once; an empty History when there is no git or no commit."""
    head = repository.head_sha()
    if repository.git_repo is None or head is None:
        return History(head)
    try:
        raw = repository.git_repo.git.log(
            f"--max-count={max_commits}",
            "--no-merges",
            "--name-only",
            f"--format={_RECORD}%H{_FIELD}%at{_FIELD}%an{_FIELD}%s{_FIELD}%b{_FIELD}",
            "--",
            repository.prefix or ".",
        )
    except git.GitCommandError as exc:
        _log.warning("harvest: git log failed, continuing without history: %s", exc)
        return History(head)
    return _parse(str(raw), repository.prefix, head)


def _parse(raw: str, prefix: str, head: str) -> History:
    history = History(head)
    for record in raw.split(_RECORD):
        fields = record.split(_FIELD)
        if len(fields) < 6:
            continue
        sha, timestamp, author, subject, body, names = fields[:6]
        files = tuple(
            name[len(prefix) :] for name in (n.strip() for n in names.splitlines()) if name and name.startswith(prefix)
        )
        index = len(history.commits)
        history.commits.append(Commit(sha, int(timestamp or 0), author, subject.strip(), body.strip(), files))
        for path in files:
            history.by_file.setdefault(path, []).append(index)
    return history
