"""The model catalogue: prices and context windows, keyed by normalised model name.

Provider ids come in many spellings (``gpt-4o-2024-08-06``, ``openai/gpt-4o``,
``anthropic.claude-3-5-sonnet-20240620-v1:0``, ``models/gemini-2.5-pro``).
Lookup normalises the name, then takes the longest catalogue key that the
name starts with, so dated snapshots share their family's entry while
``gpt-4o-mini`` never falls back to ``gpt-4o``. A model that matches nothing
has no price: callers count it as unpriced and never guess.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

_PREFIXES = re.compile(
    r"^(?:models/|[a-z0-9_.-]+/|(?:us|eu|apac|global)\.(?=[a-z]+\.)|anthropic\.|meta\.|mistral\.|openai\.)+"
)
_SUFFIXES = re.compile(r"(?:-v\d+(?::\d+)?|@\d{8}|-\d{4}-\d{2}-\d{2}|-\d{8}|-latest|:\d+|-preview(?:-[\d-]+)?)+$")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Price and window of one model family."""

    key: str
    """Catalogue key the model matched (normalised family name)."""
    provider: str
    """``gen_ai.provider.name`` value the family belongs to."""
    input_per_mtok: float
    """USD per 1M input tokens that were not served from cache."""
    output_per_mtok: float
    """USD per 1M output tokens (reasoning tokens included)."""
    cache_read_per_mtok: float
    """USD per 1M input tokens read from the prompt cache."""
    cache_write_per_mtok: float
    """USD per 1M input tokens written to the prompt cache."""
    context_window: int | None
    """Context window in tokens, None when unknown."""


def normalise_model_name(model: str) -> str:
    """Lower-case, strip provider prefixes and date/version suffixes."""
    name = model.strip().lower()
    name = _PREFIXES.sub("", name)
    previous = None
    while previous != name:
        previous = name
        name = _SUFFIXES.sub("", name)
    return name


class ModelCatalogue:
    """Prices and windows with user overrides applied on top of the shipped table."""

    def __init__(self, entries: Mapping[str, ModelInfo], as_of: str) -> None:
        self._entries = dict(entries)
        self._keys_longest_first = sorted(self._entries, key=len, reverse=True)
        self.as_of = as_of

    @classmethod
    def shipped(cls) -> ModelCatalogue:
        """The table shipped with obs-core, plus the file named by ``OBS_MODEL_CATALOGUE``."""
        return _default_catalogue(os.environ.get("OBS_MODEL_CATALOGUE", ""))

    def with_overrides(self, overrides: Mapping[str, Mapping[str, Any]]) -> ModelCatalogue:
        """A copy where the given models (same JSON shape as the shipped file) replace or extend entries."""
        merged = dict(self._entries)
        for key, raw in overrides.items():
            base = merged.get(normalise_model_name(key))
            merged[normalise_model_name(key)] = _parse_entry(normalise_model_name(key), raw, base)
        return ModelCatalogue(merged, self.as_of)

    def lookup(self, model: str | None) -> ModelInfo | None:
        """The entry for a model id, or None when the catalogue has no such family."""
        if not model:
            return None
        name = normalise_model_name(model)
        if name in self._entries:
            return self._entries[name]
        for key in self._keys_longest_first:
            if name.startswith(key) and (len(name) == len(key) or name[len(key)] in "-.:_@"):
                return self._entries[key]
        return None

    def context_window(self, model: str | None) -> int | None:
        info = self.lookup(model)
        return info.context_window if info else None

    def __len__(self) -> int:
        return len(self._entries)


def _parse_entry(key: str, raw: Mapping[str, Any], base: ModelInfo | None) -> ModelInfo:
    if base is not None:
        updates: dict[str, Any] = {}
        for field_name, json_name in _FIELDS.items():
            if json_name in raw:
                updates[field_name] = _number(raw[json_name], key, json_name)
        if "provider" in raw:
            updates["provider"] = str(raw["provider"])
        if "context_window" in raw:
            updates["context_window"] = int(raw["context_window"])
        return replace(base, **updates)
    try:
        input_price = _number(raw["input"], key, "input")
        output_price = _number(raw["output"], key, "output")
    except KeyError as exc:
        raise ValueError(
            f"model catalogue entry {key!r} needs 'input' and 'output' USD-per-1M prices (missing {exc})"
        ) from None
    window = raw.get("context_window")
    return ModelInfo(
        key=key,
        provider=str(raw.get("provider", "")),
        input_per_mtok=input_price,
        output_per_mtok=output_price,
        cache_read_per_mtok=_number(raw.get("cache_read", input_price), key, "cache_read"),
        cache_write_per_mtok=_number(raw.get("cache_write", input_price), key, "cache_write"),
        context_window=int(window) if window is not None else None,
    )


_FIELDS = {
    "input_per_mtok": "input",
    "output_per_mtok": "output",
    "cache_read_per_mtok": "cache_read",
    "cache_write_per_mtok": "cache_write",
}


def _number(value: Any, key: str, field_name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"model catalogue entry {key!r}: {field_name} must be a non-negative number, got {value!r}")
    return float(value)


@lru_cache(maxsize=4)
def _default_catalogue(override_path: str) -> ModelCatalogue:
    text = resources.files("obs_core").joinpath("data/models.json").read_text(encoding="utf-8")
    data = json.loads(text)
    catalogue = ModelCatalogue(
        {normalise_model_name(k): _parse_entry(normalise_model_name(k), v, None) for k, v in data["models"].items()},
        str(data.get("as_of", "")),
    )
    if override_path:
        catalogue = _apply_override_file(catalogue, override_path)
    return catalogue


def _apply_override_file(catalogue: ModelCatalogue, override_path: str) -> ModelCatalogue:
    """Every way the file can be wrong ends in one ValueError naming the variable to fix."""
    try:
        overrides = json.loads(Path(override_path).read_text(encoding="utf-8"))
        models = overrides.get("models", overrides) if isinstance(overrides, dict) else None
        if isinstance(models, dict):  # "_comment"-style keys document the file, they are not models
            models = {k: v for k, v in models.items() if not str(k).startswith("_")}
        if not isinstance(models, dict) or not all(isinstance(v, dict) for v in models.values()):
            raise ValueError('expected {"models": {"<model>": {"input": ..., "output": ...}}}')
        return catalogue.with_overrides(models)
    except (OSError, ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError(f"OBS_MODEL_CATALOGUE={override_path}: cannot use overrides ({exc}); fix or unset it") from exc
