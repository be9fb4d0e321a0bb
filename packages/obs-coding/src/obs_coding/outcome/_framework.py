"""The framework a repository builds on, per language ecosystem, from its manifests.

Acceptance differs between a Django view and a React component more than
between two Python files, so rates are also grouped by framework. Detection
reads dependency manifests at the repository root (``pyproject.toml``,
``requirements*.txt``, ``package.json``, ``go.mod``, ``Cargo.toml``,
``pom.xml`` / ``build.gradle``) and picks the highest-priority framework found;
an edit gets the framework of its file's ecosystem, or ``none``.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

_PRIORITY: dict[str, tuple[tuple[str, str], ...]] = {
    "python": (
        ("django", "django"),
        ("fastapi", "fastapi"),
        ("flask", "flask"),
        ("starlette", "starlette"),
        ("langgraph", "langgraph"),
        ("langchain", "langchain"),
        ("streamlit", "streamlit"),
        ("torch", "pytorch"),
        ("tensorflow", "tensorflow"),
    ),
    "js": (
        ("next", "nextjs"),
        ("nuxt", "nuxt"),
        ("@angular/core", "angular"),
        ("@sveltejs/kit", "sveltekit"),
        ("svelte", "svelte"),
        ("vue", "vue"),
        ("react", "react"),
        ("@nestjs/core", "nestjs"),
        ("express", "express"),
    ),
    "go": (
        ("github.com/gin-gonic/gin", "gin"),
        ("github.com/labstack/echo", "echo"),
        ("github.com/gofiber/fiber", "fiber"),
    ),
    "rust": (("axum", "axum"), ("actix-web", "actix"), ("rocket", "rocket"), ("tokio", "tokio")),
    "jvm": (("spring-boot", "spring"), ("quarkus", "quarkus"), ("micronaut", "micronaut")),
}
_ECOSYSTEM = {
    "python": "python",
    "jupyter": "python",
    "javascript": "js",
    "typescript": "js",
    "vue": "js",
    "svelte": "js",
    "html": "js",
    "css": "js",
    "go": "go",
    "rust": "rust",
    "java": "jvm",
    "kotlin": "jvm",
    "scala": "jvm",
}
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def detect_frameworks(root: Path) -> dict[str, str]:
    """Ecosystem → framework for the manifests found at ``root``."""
    names: dict[str, set[str]] = {eco: set() for eco in _PRIORITY}
    names["python"] |= _python_dependencies(root)
    names["js"] |= _package_json(root / "package.json")
    for eco, files in (
        ("go", ("go.mod",)),
        ("rust", ("Cargo.toml",)),
        ("jvm", ("pom.xml", "build.gradle", "build.gradle.kts")),
    ):
        text = " ".join(_read(root / f) for f in files)
        names[eco] |= {dep for dep, _ in _PRIORITY[eco] if dep in text}
    found: dict[str, str] = {}
    for eco, ordered in _PRIORITY.items():
        for dep, framework in ordered:
            if dep in names[eco]:
                found[eco] = framework
                break
    return found


def framework_for(language: str, frameworks: dict[str, str]) -> str:
    """The framework an edit of a file in ``language`` belongs to (``none`` if its ecosystem has none)."""
    eco = _ECOSYSTEM.get(language)
    return frameworks.get(eco, "none") if eco is not None else "none"


def _python_dependencies(root: Path) -> set[str]:
    deps: set[str] = set()
    text = _read(root / "pyproject.toml")
    if text:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
        project = data.get("project", {})
        specs: list[Any] = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            specs.extend(extra)
        for group in data.get("dependency-groups", {}).values():
            specs.extend(s for s in group if isinstance(s, str))
        poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
        specs.extend(poetry.keys() if isinstance(poetry, dict) else [])
        deps |= {_name(s) for s in specs if isinstance(s, str)}
    for req in sorted(root.glob("requirements*.txt")):
        deps |= {_name(line) for line in _read(req).splitlines() if line.strip() and not line.lstrip().startswith("#")}
    deps |= {_name(line) for line in _read(root / "setup.cfg").splitlines() if line.startswith((" ", "\t"))}
    deps.discard("")
    return deps


def _package_json(path: Path) -> set[str]:
    text = _read(path)
    if not text:
        return set()
    try:
        data = json.loads(text)
    except ValueError:
        return set()
    deps: set[str] = set()
    if isinstance(data, dict):
        for key in ("dependencies", "devDependencies", "peerDependencies"):
            section = data.get(key)
            if isinstance(section, dict):
                deps |= set(section)
    return deps


def _name(spec: str) -> str:
    match = _REQUIREMENT.match(spec)
    return match.group(1).lower().replace("_", "-") if match else ""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
