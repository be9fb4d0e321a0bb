"""Real git repositories in temp dirs, and a harvester factory wired to in-memory telemetry."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from obs_coding.harvest import ContextHarvester
from obs_core.testing import TelemetryCapture

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, date: str = "2026-01-01T00:00:00Z") -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


SETTLED_NS = 1_700_000_000 * 10**9
"""An mtime safely in the past: files written by fixtures are not "racy" (see ``_scan``)."""


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        os.utime(path, ns=(SETTLED_NS, SETTLED_NS))


class RepoFactory:
    """Builds git repositories commit by commit."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.count = 0

    def __call__(
        self, files: Mapping[str, str | bytes] | None = None, *, message: str = "initial", git_repo: bool = True
    ) -> Path:
        self.count += 1
        root = self.base / f"repo{self.count}"
        root.mkdir()
        if git_repo:
            git(root, "init", "-q", "-b", "main")
        if files:
            write(root, files)
            if git_repo:
                commit(root, message)
        return root


def commit(root: Path, message: str, *, date: str = "2026-01-01T00:00:00Z") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)


@pytest.fixture
def make_repo(tmp_path: Path) -> RepoFactory:
    return RepoFactory(tmp_path)


HarvesterFactory = Callable[..., ContextHarvester]


@pytest.fixture
def harvester_for(capture: TelemetryCapture) -> Iterator[HarvesterFactory]:
    made: list[ContextHarvester] = []

    def build(root: Path, **kwargs: Any) -> ContextHarvester:
        options: dict[str, Any] = {"workers": 1, **kwargs}
        harvester = ContextHarvester(
            root, tracer_provider=capture.tracer_provider, meter_provider=capture.meter_provider, **options
        )
        made.append(harvester)
        return harvester

    yield build
    for harvester in made:
        harvester.close()


SMALL_PROJECT: dict[str, str] = {
    "app/retry.py": '''"""Retry failed HTTP requests with exponential backoff."""

from app.policy import BackoffPolicy, jitter


def retry_request(send, attempts: int = 3) -> bytes:
    """Send a request, retrying on timeout with backoff."""
    policy = BackoffPolicy(attempts)
    for delay in policy.delays():
        try:
            return send()
        except TimeoutError:
            jitter(delay)
    raise TimeoutError("gave up")
''',
    "app/policy.py": '''"""Backoff policies."""


class BackoffPolicy:
    """Exponential backoff between attempts."""

    def __init__(self, attempts: int) -> None:
        self.attempts = attempts

    def delays(self) -> list[float]:
        """Delays in seconds, doubling each time."""
        return [0.1 * 2**i for i in range(self.attempts)]


def jitter(delay: float) -> float:
    """Randomise a delay a little so clients do not retry in lockstep."""
    return delay * 1.1
''',
    "app/render.py": '''"""HTML rendering of reports."""


def render_table(rows: list[list[str]]) -> str:
    """Render rows as an HTML table."""
    return "<table>" + "".join(f"<tr>{''.join(rows[0])}</tr>" for _ in rows) + "</table>"
''',
    "app/storage.py": '''"""Persisting reports to sqlite."""

import sqlite3


def save_report(path: str, html: str) -> None:
    """Store one rendered report."""
    with sqlite3.connect(path) as db:
        db.execute("insert into reports values (?)", (html,))
''',
    "README.md": "# demo\n\nA demo app that retries requests and renders reports.\n",
}
