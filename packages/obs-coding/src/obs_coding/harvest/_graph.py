"""The def/ref graph: which selected code uses symbols defined in files left out.

Tier 3 exists because a model reading tier-2 code that calls ``retry_policy()``
needs to know what ``retry_policy`` takes and returns, but not its body. Names
are resolved by exact match against the definition table; a name defined in
more than ``MAX_DEFINITIONS`` files (``get``, ``run``, ``__init__``) is too
ambiguous to resolve without types and is skipped rather than guessed, and a
name used by a large share of files (``str``, ``len``, ``Optional``) is noise
however it resolves: references are weighted by their rarity (IDF). The
same graph gives each file a centrality (how much of the repository refers to
it), which orders the repository map of tier 4.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._index import RepoIndex

MAX_DEFINITIONS = 4
MIN_NAME_LENGTH = 3
UBIQUITOUS_SHARE = 0.15
"""Names referenced by more than this share of files are not worth a tier-3 line."""


@dataclass(frozen=True, slots=True)
class SymbolRef:
    """A definition outside the selection that selected code refers to."""

    file_index: int
    def_index: int
    name: str
    weight: float
    """References from selected files x rarity of the name, divided by how many files define it."""
    referenced_from: tuple[str, ...]


def referenced_elsewhere(
    index: RepoIndex,
    sources: Iterable[tuple[str, Mapping[str, int], Iterable[str]]],
    selected: set[int],
) -> list[SymbolRef]:
    """Definitions referenced by ``sources`` (path, references, names it defines) outside ``selected``."""
    counts: Counter[str] = Counter()
    users: dict[str, list[str]] = {}
    local: set[str] = set()
    for path, references, defined in sources:
        local.update(defined)
        for name, count in references.items():
            counts[name] += count
            users.setdefault(name, []).append(path)
    found: list[SymbolRef] = []
    n_files = max(1, len(index.files))
    ubiquitous = max(10.0, UBIQUITOUS_SHARE * n_files)
    for name, count in counts.items():
        if name in local or len(name) < MIN_NAME_LENGTH:
            continue
        df = index.reference_df.get(name, 0)
        if df > ubiquitous:
            continue
        definitions = index.definitions.get(name)
        if not definitions or len(definitions) > MAX_DEFINITIONS:
            continue
        outside = [(f, d) for f, d in definitions if f not in selected]
        if not outside or len(outside) < len(definitions):
            continue  # defined in the selection too: already visible there
        rarity = math.log(1.0 + n_files / (1.0 + df))
        for file_index, def_index in outside:
            weight = count * rarity / len(definitions)
            found.append(SymbolRef(file_index, def_index, name, weight, tuple(users[name])))
    found.sort(key=lambda s: (-s.weight, s.name))
    return found


def centrality(index: RepoIndex) -> npt.NDArray[np.float64]:
    """Per file, 0..1: how many other files refer to its definitions (ambiguity-weighted)."""
    score = np.zeros(len(index.files), dtype=np.float64)
    for file_index, f in enumerate(index.files):
        for name in f.analysis.references:
            definitions = index.definitions.get(name)
            if not definitions or len(definitions) > MAX_DEFINITIONS or len(name) < MIN_NAME_LENGTH:
                continue
            share = 1.0 / len(definitions)
            for target, _ in definitions:
                if target != file_index:
                    score[target] += share
    top = float(score.max()) if score.size else 0.0
    return np.log1p(score) / np.log1p(top) if top > 0 else score
