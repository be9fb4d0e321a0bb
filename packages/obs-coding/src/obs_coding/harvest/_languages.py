"""Which grammar and tag query a file gets, decided by its extension.

Grammars come from the official per-language wheels (``tree-sitter-python`` and
friends) on current ``tree-sitter``, so nothing is compiled or downloaded at run
time. Tag queries are our own package data (``queries/<lang>-tags.scm``): the
grammars' bundled ``tags.scm`` differ in coverage per language (TypeScript's
covers only TS-specific nodes, Python's misses annotations and imports), and the
harvester needs one capture scheme everywhere. A file in no listed language is
still indexed, as plain-text chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import tree_sitter_go
import tree_sitter_java
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_rust
import tree_sitter_typescript
from tree_sitter import Language, Parser, Query


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    """One supported language."""

    name: str
    """Short name used in the index and in rendered fences (``python``, ``tsx``, ...)."""
    extensions: tuple[str, ...]
    """Lower-case file suffixes, with the dot."""
    grammar: Callable[[], object]
    """Returns the grammar's language capsule (from the official wheel)."""
    query_file: str
    """Tag query under ``queries/`` (TSX shares TypeScript's)."""
    doc_style: str
    """``docstring`` (first string in the body) or ``comment`` (comments right above)."""


LANGUAGES: tuple[LanguageSpec, ...] = (
    LanguageSpec("python", (".py", ".pyi"), tree_sitter_python.language, "python-tags.scm", "docstring"),
    LanguageSpec("javascript", (".js", ".jsx", ".mjs", ".cjs"), tree_sitter_javascript.language, "javascript-tags.scm", "comment"),
    LanguageSpec("typescript", (".ts", ".mts", ".cts"), tree_sitter_typescript.language_typescript, "typescript-tags.scm", "comment"),
    LanguageSpec("tsx", (".tsx",), tree_sitter_typescript.language_tsx, "typescript-tags.scm", "comment"),
    LanguageSpec("go", (".go",), tree_sitter_go.language, "go-tags.scm", "comment"),
    LanguageSpec("rust", (".rs",), tree_sitter_rust.language, "rust-tags.scm", "comment"),
    LanguageSpec("java", (".java",), tree_sitter_java.language, "java-tags.scm", "comment"),
)  # fmt: skip

_BY_EXTENSION = {ext: spec for spec in LANGUAGES for ext in spec.extensions}
_BY_NAME = {spec.name: spec for spec in LANGUAGES}
TEXT = "text"
"""Language name of files without a grammar: indexed as plain-text chunks."""


@lru_cache(maxsize=100_000)
def language_for_path(path: str) -> str:
    """The language name for a repository path (``text`` when no grammar applies)."""
    dot = path.rfind(".")
    if dot <= path.rfind("/"):
        return TEXT
    spec = _BY_EXTENSION.get(path[dot:].lower())
    return spec.name if spec else TEXT


def spec_for(language: str) -> LanguageSpec | None:
    return _BY_NAME.get(language)


@cache
def grammar(language: str) -> Language:
    """The tree-sitter ``Language``; built once per process (grammars are immutable)."""
    spec = _BY_NAME[language]
    return Language(spec.grammar())


@cache
def tag_query(language: str) -> Query:
    """The compiled tag query; a query that fails to compile is a packaging bug, so it raises."""
    spec = _BY_NAME[language]
    source = (
        resources.files("obs_coding.harvest").joinpath("queries").joinpath(spec.query_file).read_text(encoding="utf-8")
    )
    return Query(grammar(language), source)


def new_parser(language: str) -> Parser:
    """A fresh parser: parsers keep state, so each worker makes its own."""
    return Parser(grammar(language))
