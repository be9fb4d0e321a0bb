"""Turning code and prose into comparable terms.

Queries are prose ("retry the request when the token expired") while code is
identifiers (``refreshAccessToken``, ``retry_on_expiry``). Both sides are cut
into identifiers, identifiers into sub-words at ``_`` and camelCase
boundaries, and sub-words are lightly stemmed, so ``tokens``/``token`` and
``parsing``/``parser``/``parse`` meet. The dense embedder and the lexical index
use the same terms, so their scores disagree only where their models do.
"""

from __future__ import annotations

import re
from functools import lru_cache

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SUBWORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

STOPWORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "do", "does", "did", "for",
        "from", "had", "has", "have", "how", "if", "in", "into", "is", "it", "its", "may", "might", "more", "most",
        "must", "no", "not", "of", "on", "or", "our", "should", "so", "such", "than", "that", "the", "their", "them",
        "then", "there", "these", "they", "this", "those", "to", "too", "was", "were", "what", "when", "where", "which",
        "while", "who", "why", "will", "with", "would", "you", "your", "we", "us", "also", "any", "all", "each", "every",
        "other", "some", "only", "own", "same", "very", "just", "over", "under", "via", "per", "about", "after",
        "before", "def", "class", "return", "self", "cls", "import", "none", "true", "false", "null", "nil", "let",
        "var", "const", "func", "fn", "pub", "mut", "impl", "use", "new", "public", "private", "protected", "static",
        "void", "int", "str", "bool", "float", "string", "object", "this", "super", "extends", "implements", "elif",
        "else", "try", "except", "finally", "raise", "pass", "lambda", "yield", "async", "await", "assert", "del",
        "global", "nonlocal", "with", "package", "interface", "struct", "enum", "match", "case", "break", "continue",
        "switch", "default", "throw", "throws", "catch", "args", "kwargs", "param", "params", "returns",
    )
)  # fmt: skip
"""Words too common in code or English to tell files apart."""

_SUFFIXES = ("ing", "ion", "ed", "er", "ly")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A small, stable stemmer (plural, -ing/-ion/-ed/-er, final e, doubled consonant).

    Good enough to merge ``parse``/``parser``/``parsing``, ``validate``/``validation``
    and ``embedding``/``embedder``; a real stemmer would cost a dependency for little gain.
    """
    if len(word) <= 3:
        return word
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


@lru_cache(maxsize=200_000)
def subwords(identifier: str) -> tuple[str, ...]:
    """Stemmed, lower-case sub-words of one identifier, stopwords and 1-letter pieces removed."""
    out: list[str] = []
    for part in identifier.split("_"):
        if not part:
            continue
        pieces = _SUBWORD.findall(part) if not part.islower() else [part]
        for piece in pieces:
            low = piece.lower()
            if len(low) < 2 or low in STOPWORDS or low.isdigit():
                continue
            out.append(stem(low))
    return tuple(out)


def query_terms(text: str) -> list[str]:
    """Terms of a query, in order, duplicates kept (repetition is emphasis)."""
    return [term for identifier in IDENTIFIER.findall(text) for term in subwords(identifier)]


def path_terms(path: str) -> list[str]:
    """Terms of a repository path: directories and file stem carry topic words."""
    stem_part = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    return [term for piece in re.split(r"[/\\.\-]", stem_part) for term in subwords(piece)]
