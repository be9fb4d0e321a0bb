"""Corpora for the harvest benchmarks, built offline from installed packages.

The sources of installed packages (by default mypy, langchain_core and
langgraph: ~1,250 files, ~320k lines of .py/.pyi) are copied into a temp
directory and committed as one git repository, so the benchmarks need no
network and anyone can rebuild the same corpus from the same lockfile.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from obs_coding.harvest._languages import new_parser
from obs_coding.harvest._tags import extract_tags

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
MIN_QUERY_WORDS = 6


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name!r} is not installed (run uv sync)")
    return Path(next(iter(spec.submodule_search_locations)))


def copy_sources(packages: list[str], dest: Path) -> list[str]:
    """Copy every .py/.pyi of ``packages`` under ``dest/<package>/``; return the relative paths."""
    copied: list[str] = []
    for name in packages:
        source = package_dir(name)
        for path in sorted(source.rglob("*")):
            if path.suffix not in (".py", ".pyi") or "__pycache__" in path.parts or not path.is_file():
                continue
            rel = Path(name) / path.relative_to(source)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied.append(rel.as_posix())
    return copied


def commit_all(repo: Path, message: str) -> None:
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def build_speed_corpus(dest: Path, packages: list[str]) -> tuple[Path, int, int]:
    """A git repository of the packages' sources; returns (root, files, lines)."""
    dest.mkdir(parents=True)
    files = copy_sources(packages, dest)
    lines = sum((dest / f).read_bytes().count(b"\n") for f in files)
    commit_all(dest, "import installed package sources")
    return dest, len(files), lines


def build_docstring_corpus(
    dest: Path, packages: list[str], n_queries: int, seed: int
) -> tuple[Path, list[tuple[str, str]]]:
    """Corpus with the queried docstrings removed; returns (root, [(docstring summary, defining file)])."""
    dest.mkdir(parents=True)
    files = [f for f in copy_sources(packages, dest) if f.endswith(".py")]
    docs_per_file: dict[str, list[tuple[int, str]]] = {}
    seen: Counter[str] = Counter()
    for rel in files:
        tags = extract_tags("python", (dest / rel).read_bytes())
        found = [
            (d.line, d.doc)
            for d in tags.definitions
            if d.kind in ("function", "method", "class")
            and len(d.doc.split()) >= MIN_QUERY_WORDS
            and not d.name.startswith("test")
        ]
        seen.update(doc for _, doc in {(0, d.doc) for d in tags.definitions if d.doc})
        if found:
            docs_per_file[rel] = found
    rng = random.Random(seed)
    candidates = sorted(docs_per_file)
    rng.shuffle(candidates)
    queries: list[tuple[str, str]] = []
    for rel in candidates:
        unique = [(line, doc) for line, doc in docs_per_file[rel] if seen[doc] == 1]
        if not unique:
            continue
        line, doc = rng.choice(unique)
        _strip_docstring(dest / rel, line)
        queries.append((doc, rel))
        if len(queries) >= n_queries:
            break
    commit_all(dest, "import installed package sources (queried docstrings removed)")
    return dest, queries


def _strip_docstring(path: Path, line: int) -> None:
    """Replace the docstring of the definition starting at ``line`` by ``...`` (still valid Python)."""
    source = path.read_bytes()
    tree = new_parser("python").parse(source)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in ("function_definition", "class_definition") and node.start_point.row + 1 == line:
            body = node.child_by_field_name("body")
            first = body.named_children[0] if body is not None and body.named_children else None
            if first is not None and first.type == "expression_statement":
                path.write_bytes(source[: first.start_byte] + b"..." + source[first.end_byte :])
            return
        stack.extend(node.named_children)
