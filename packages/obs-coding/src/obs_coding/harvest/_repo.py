"""The repository as the harvester sees it: a root, and git when there is one.

Git is optional. Without it the harvester still works (walking the tree and
honouring ``.gitignore`` files itself) but has no history signals, and says so
in the harvest's notes. A root inside a larger work tree is supported: paths
are reported relative to the root, history is filtered to it.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import git
import pathspec
from git.refs.symbolic import SymbolicReference

from ._filters import GENERATED_TOP, VENDORED_ANYWHERE, VENDORED_TOP


@dataclass
class Repository:
    root: Path
    """Absolute root of the harvest (what ``repo_path`` resolved to)."""
    git_repo: git.Repo | None
    """The enclosing git repository, None when there is none (or git is unusable)."""
    prefix: str = ""
    """The root's path inside the git work tree (``""`` at top level, else ``sub/dir/``)."""
    notes: list[str] = field(default_factory=list)
    """Human-readable facts about limitations (not a git repo, no commits yet, ...)."""

    @property
    def is_git(self) -> bool:
        return self.git_repo is not None

    @property
    def has_commits(self) -> bool:
        if self.git_repo is None:
            return False
        try:
            self.git_repo.head.commit  # noqa: B018 - raises on an unborn HEAD
        except ValueError:
            return False
        return True

    def head_sha(self) -> str | None:
        """The commit HEAD points at, read from the ref files (``head.commit`` would ask a ``git cat-file``
        process, a round trip that costs milliseconds on a busy machine, once per harvest)."""
        if self.git_repo is None:
            return None
        try:
            return str(SymbolicReference.dereference_recursive(self.git_repo, "HEAD"))
        except ValueError:
            return None

    def index_dir(self) -> Path:
        """Where the on-disk index lives: inside ``.git`` (never shows in ``git status``) or ``.obs/``."""
        if self.git_repo is not None:
            return Path(self.git_repo.git_dir) / "obs-harvest"
        return self.root / ".obs" / "harvest"


def open_repository(path: str | os.PathLike[str]) -> Repository:
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"harvest: repository path {root} is not a directory")
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return Repository(root, None, notes=["not a git repository: no history signals or commit section"])
    except git.GitCommandNotFound:
        return Repository(root, None, notes=["git is not installed: no history signals or commit section"])
    if repo.bare or repo.working_tree_dir is None:
        return Repository(root, None, notes=["bare git repository: indexed as plain files, without history"])
    top = Path(repo.working_tree_dir).resolve()
    prefix = root.relative_to(top).as_posix()
    result = Repository(root, repo, "" if prefix == "." else prefix + "/")
    if not result.has_commits:
        result.notes.append("git repository has no commits yet: no history signals")
    return result


def list_candidates(repository: Repository) -> list[str]:
    """Repository-relative POSIX paths that are not ignored (tracked and untracked)."""
    if repository.git_repo is not None:
        try:
            # A Git bound to the root lists paths relative to it, also below the work tree's top.
            out = git.Git(str(repository.root)).ls_files("-z", "--cached", "--others", "--exclude-standard")
        except git.GitCommandError as exc:
            raise RuntimeError(f"harvest: git ls-files failed in {repository.root}: {exc}") from exc
        return sorted({p for p in str(out).split("\0") if p})
    return _walk(repository.root)


class Listing:
    """``list_candidates`` without a subprocess per harvest when nothing visibly changed.

    Creating, deleting or renaming a file changes its directory's mtime, and
    ``git add`` changes ``.git/index``; so while the mtimes of every listed
    directory, of ``.git/index`` and of the ignore files are unchanged, the
    previous listing stands. A new file in a directory that held only ignored
    files is not seen this way, so the listing is also redone every
    ``max_age_s`` seconds.
    """

    def __init__(self, max_age_s: float = 2.0) -> None:
        self.max_age_s = max_age_s
        self._paths: list[str] | None = None
        self._attributes: dict[str, str] = {}
        self._signature: tuple[int, ...] = ()
        self._watched: list[str] = []
        self._listed_at = 0.0

    def paths(self, repository: Repository) -> tuple[list[str], dict[str, str]]:
        """Candidate paths and their ``.gitattributes`` skips."""
        now = time.monotonic()
        fresh = self._paths is not None and now - self._listed_at < self.max_age_s
        if fresh and self._paths is not None and self._stamp(self._watched) == self._signature:
            return self._paths, self._attributes
        paths = list_candidates(repository)
        if paths == self._paths and self._paths is not None:
            paths = self._paths  # the same object tells the scan cache nothing was added or removed
        self._attributes = attribute_skips(repository, paths)
        root = str(repository.root) + os.sep
        watched = sorted({root + p.rsplit("/", 1)[0] for p in paths if "/" in p} | {root})
        watched += [root + p for p in paths if p.rsplit("/", 1)[-1] in (".gitignore", ".gitattributes")]
        if repository.git_repo is not None:
            git_dir = Path(repository.git_repo.git_dir)
            watched += [str(git_dir / "index"), str(git_dir / "info" / "exclude"), str(git_dir / "HEAD")]
        self._paths, self._watched, self._listed_at = paths, watched, now
        self._signature = self._stamp(watched)
        return paths, self._attributes

    @staticmethod
    def _stamp(watched: list[str]) -> tuple[int, ...]:
        stamps: list[int] = []
        for path in watched:
            try:
                stamps.append(os.stat(path).st_mtime_ns)
            except OSError:
                stamps.append(-1)
        return tuple(stamps)


def _walk(root: Path) -> list[str]:
    """Walk a plain directory, honouring nested ``.gitignore`` files like git would."""
    found: list[str] = []
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    for directory, dirnames, filenames in os.walk(root):
        rel_dir = Path(directory).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        specs = [(base, spec) for base, spec in specs if rel_dir.startswith(base)]
        if ".gitignore" in filenames:
            try:
                lines = (Path(directory) / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
                specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError:
                pass

        pruned = VENDORED_ANYWHERE | (VENDORED_TOP | GENERATED_TOP if not rel_dir else frozenset())
        dirnames[:] = sorted(d for d in dirnames if d not in pruned and not _ignored(specs, rel_dir + d, True))
        found.extend(rel_dir + f for f in filenames if not _ignored(specs, rel_dir + f, False))
    return sorted(found)


def _ignored(specs: list[tuple[str, pathspec.GitIgnoreSpec]], rel: str, is_dir: bool) -> bool:
    """Whether any applicable ``.gitignore`` (patterns relative to its own directory) ignores ``rel``."""
    return any(spec.match_file(rel[len(base) :] + ("/" if is_dir else "")) for base, spec in specs)


def attribute_skips(repository: Repository, paths: list[str]) -> dict[str, str]:
    """Paths marked ``linguist-vendored`` / ``linguist-generated`` in ``.gitattributes``."""
    if repository.git_repo is None or not any(p.rsplit("/", 1)[-1] == ".gitattributes" for p in paths):
        return {}
    try:
        done = subprocess.run(
            ["git", "check-attr", "-z", "--stdin", "linguist-vendored", "linguist-generated"],
            cwd=repository.root,
            input="\0".join(paths).encode("utf-8"),
            capture_output=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    out = done.stdout.decode("utf-8", "replace")
    fields = str(out).split("\0")
    skips: dict[str, str] = {}
    for i in range(0, len(fields) - 2, 3):
        path, attribute, value = fields[i], fields[i + 1], fields[i + 2]
        if value in ("set", "true"):
            skips[path] = "vendored" if attribute == "linguist-vendored" else "generated"
    return skips
