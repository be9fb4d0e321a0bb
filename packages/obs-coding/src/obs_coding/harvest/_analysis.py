"""Everything the harvester needs to know about one blob, computed once per blob id.

A ``FileAnalysis`` depends only on the file's bytes, never on its path or on other files, so it is cached under the git blob id:
renaming, reverting or checking out a branch reuses it. It holds the tags
(definitions with signatures and docs, references), the retrieval chunks with
their sizes, and the term counts of the lexical index (as compact arrays, see
``_features``). Token counts are not stored: they depend on the model's
encoding and cost as much as parsing, so the harvest counts exactly what it
renders, once, and caches that per blob.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from sys import intern
from typing import Any

from ._chunks import Chunk, chunk_lines
from ._features import ChunkTerms, IdentifierBags, chunk_terms, identifier_bags
from ._languages import TEXT
from ._tags import EMPTY_TAGS, Definition, extract_tags

ANALYZER_VERSION = "3"
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
    terms: ChunkTerms
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
            "terms": list(self.terms.terms),
            "term_index": base64.b64encode(self.terms.index).decode("ascii"),
            "term_counts": base64.b64encode(self.terms.counts).decode("ascii"),
            "term_sizes": list(self.terms.sizes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileAnalysis:
        return cls(
            blob=data["blob"],
            language=data["language"],
            line_count=data["line_count"],
            decode_errors=data["decode_errors"],
            # tuple.__new__ through partial: named tuples without a Python frame per row (~40k rows per repository)
            definitions=tuple(map(partial(tuple.__new__, Definition), data["definitions"])),
            # Names and terms repeat across thousands of files; decoded JSON makes a new string for every
            # occurrence (~40% of a large index's Python memory), interned they are stored once. (CPython
            # 3.12.0-3.12.5 never free interned strings: a repository's distinct names, a bounded set.)
            references={intern(name): count for name, count in data["references"].items()},
            chunks=tuple(map(partial(tuple.__new__, Chunk), data["chunks"])),
            chunk_chars=tuple(data["chunk_chars"]),
            terms=ChunkTerms(
                tuple(map(intern, data["terms"])),
                base64.b64decode(data["term_index"]),
                base64.b64decode(data["term_counts"]),
                tuple(data["term_sizes"]),
            ),
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
    return _slice(text, text.splitlines(keepends=True), chunks)


def _slice(text: str, lines: list[str], chunks: tuple[Chunk, ...]) -> list[str]:
    """Chunk texts as slices of ``text`` (``lines`` are its ``splitlines(keepends=True)``): no re-joining."""
    offsets = [0, *accumulate(map(len, lines))]
    return [text[offsets[c.start - 1] : offsets[c.end]] for c in chunks]


def analyze(blob: str, language: str, data: bytes) -> tuple[FileAnalysis, list[str], IdentifierBags]:
    """Analyse one file's bytes; also return chunk texts and identifier bags (for embedding, not stored)."""
    text, errors = decode(data)
    tags = extract_tags(language, data) if language != TEXT else EMPTY_TAGS
    lines = text.splitlines(keepends=True)
    chunks = tuple(chunk_lines(lines, tags.definitions))
    texts = _slice(text, lines, chunks)
    bags = identifier_bags(texts)
    analysis = FileAnalysis(
        blob=blob,
        language=language,
        line_count=len(lines),
        decode_errors=errors,
        definitions=tags.definitions,
        references=tags.references,
        chunks=chunks,
        chunk_chars=tuple(map(len, texts)),
        terms=chunk_terms(bags),
    )
    return analysis, texts, bags
