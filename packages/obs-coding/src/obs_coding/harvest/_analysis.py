"""Everything the harvester needs to know about one blob, computed once per blob id.

A ``FileAnalysis`` depends only on the file's bytes, never on its path or on other files, so it is cached under the git blob id:
renaming, reverting or checking out a branch reuses it. It holds the tags
(definitions with signatures and docs, references), the retrieval chunks with
their sizes, and the term counts of the lexical index. Token counts are not
stored: they depend on the model's encoding and cost as much as parsing, so
the harvest counts exactly what it renders, once, and caches that per blob.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._chunks import Chunk, chunk_lines
from ._languages import TEXT
from ._tags import EMPTY_TAGS, Definition, extract_tags
from ._text import identifier_counts, term_counts

ANALYZER_VERSION = "2"
"""Bump when tags, chunks or terms change shape or meaning: cached analyses are then recomputed."""


@dataclass(frozen=True, slots=True)
class FileAnalysis:
    blob: str
    language: str
    line_count: int
    decode_errors: bool
    """True when the bytes were not valid UTF-8 (undecodable bytes became U+FFFD)."""
    definitions: tuple[Definition, ...]
    references: dict[str, int]
    chunks: tuple[Chunk, ...]
    chunk_chars: tuple[int, ...]
    """Characters per chunk: token estimates for packing (what is rendered is counted exactly)."""
    chunk_terms: tuple[dict[str, int], ...]
    """Sub-word term counts per chunk, for the lexical index."""

    @property
    def chars(self) -> int:
        return sum(self.chunk_chars)

    def to_json(self) -> dict[str, Any]:
        return {
            "blob": self.blob,
            "language": self.language,
            "line_count": self.line_count,
            "decode_errors": self.decode_errors,
            "definitions": [
                [d.name, d.kind, d.line, d.end_line, d.signature, d.doc, d.parent] for d in self.definitions
            ],
            "references": self.references,
            "chunks": [[c.start, c.end] for c in self.chunks],
            "chunk_chars": list(self.chunk_chars),
            "chunk_terms": list(self.chunk_terms),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileAnalysis:
        return cls(
            blob=data["blob"],
            language=data["language"],
            line_count=data["line_count"],
            decode_errors=data["decode_errors"],
            definitions=tuple(Definition(*row) for row in data["definitions"]),
            references=dict(data["references"]),
            chunks=tuple(Chunk(start, end) for start, end in data["chunks"]),
            chunk_chars=tuple(data["chunk_chars"]),
            chunk_terms=tuple(dict(bag) for bag in data["chunk_terms"]),
        )


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text of a file, and whether bytes had to be replaced to get it."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), True


def chunk_texts(text: str, chunks: tuple[Chunk, ...]) -> list[str]:
    lines = text.splitlines(keepends=True)
    return ["".join(lines[c.start - 1 : c.end]) for c in chunks]


def analyze(blob: str, language: str, data: bytes) -> tuple[FileAnalysis, list[str], list[Counter[str]]]:
    """Analyse one file's bytes; also return chunk texts and identifier counts (for embedding, not stored)."""
    text, errors = decode(data)
    tags = extract_tags(language, data) if language != TEXT else EMPTY_TAGS
    lines = text.splitlines(keepends=True)
    chunks = tuple(chunk_lines(lines, tags.definitions))
    texts = ["".join(lines[c.start - 1 : c.end]) for c in chunks]
    identifiers = [identifier_counts(t) for t in texts]
    analysis = FileAnalysis(
        blob=blob,
        language=language,
        line_count=len(lines),
        decode_errors=errors,
        definitions=tags.definitions,
        references=tags.references,
        chunks=chunks,
        chunk_chars=tuple(len(t) for t in texts),
        chunk_terms=tuple(term_counts(ids) for ids in identifiers),
    )
    return analysis, texts, identifiers
