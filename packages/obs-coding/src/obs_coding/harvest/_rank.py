"""Hybrid ranking of files for a query: dense + lexical + path + git signals.

Each signal is scaled to 0..1 against the best file (but never stretched when
even the best match is weak) and the scaled signals are added with fixed
weights. The weights were chosen on the retrieval benchmark
(``bench/harvest_retrieval.py``: commit message → changed files, docstring →
defining file), not by intuition; the reasons per weight are in
``RankWeights`` and ``bench/harvest.md``. Dense and lexical scores are per
chunk (a file counts by its best chunk), so one matching function in a large
module is found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from ._embedder import embed_query
from ._history import History
from ._index import RepoIndex
from ._lexical import BM25
from ._text import query_terms

FloatArray = npt.NDArray[np.float64]
NOISE = {"dense": 0.05}
"""Cosine at or below which a hashed-feature match is collision noise."""
MAX_RANKED = 300
"""Ranked files materialised per harvest (as many as tier 2 looks at; tier 4 uses ``Ranking.scores``)."""
EXPLAINED = 500
"""Ranked files that carry their per-signal scores (the rest only their total: nobody reads rank 3,000)."""
CHUNK_FILE_MIX = 0.5
"""Weight of whole-file BM25 next to the best chunk's."""
FLOORS = {"dense": 0.3, "lexical": 3.0, "path": 2.0, "history": 3.0, "cochange": 2.0}
"""Smallest scale per signal (cosine; BM25 ~ one rare matching term; co-change count)."""


@dataclass(frozen=True, slots=True)
class RankWeights:
    """How much each scaled signal adds to a file's hybrid score."""

    dense: float = 0.5
    """Embedding similarity of the best chunk: catches wording BM25 misses. Measured: 0.5-0.85 ties on
    docstring queries, while above 0.5 prose files (READMEs) crowd out code for commit-message queries."""
    lexical: float = 1.0
    """BM25 over identifier sub-words: decisive when the query names a rare identifier."""
    path: float = 0.3
    """BM25 over path sub-words: directories and file names are deliberate labels."""
    history: float = 0.5
    """BM25 over messages of commits that touched the file: the repo's own description of it."""
    cochange: float = 0.3
    """Changed together with the open files: edits travel in groups."""
    recency: float = 0.05
    """Recently touched: a tie-breaker, not a reason."""
    relative_threshold: float = 0.3
    """A file needs this fraction of the best hybrid score to enter tier 2."""
    cursor_weight: float = 0.5
    """Weight of the identifiers around the cursor relative to the query text."""


@dataclass(frozen=True, slots=True)
class RankedFile:
    index: int
    """Position in ``RepoIndex.files``."""
    path: str
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    """Scaled score per signal (only for the best ``EXPLAINED`` files; empty beyond)."""


@dataclass
class Ranking:
    files: list[RankedFile]
    """Files with a positive score, best first (the first ``limit`` of them)."""
    threshold: float
    """Absolute hybrid score a file needs for tier 2."""
    chunk_scores: FloatArray
    """Dense similarity of every chunk row (for choosing excerpts)."""
    candidates: int
    """How many files had a positive score."""
    scores: FloatArray
    """Hybrid score of every indexed file (by index position)."""


class HistorySignals:
    """History-derived per-file arrays aligned with one list of indexed paths."""

    def __init__(self, index: RepoIndex, history: History) -> None:
        self.generation = index.paths_generation  # depends on the paths only: an edit keeps it
        self.head = history.head
        self.history = history
        bags = history.message_terms()
        self.messages = BM25.from_bags(index.vocabulary, (bags.get(f.path, Counter()) for f in index.files))
        last = history.last_touched()
        self.recency = np.array(
            [1.0 / (1.0 + last[f.path] / 25.0) if f.path in last else 0.0 for f in index.files], dtype=np.float64
        )


def rank(
    index: RepoIndex,
    embedder: Embeddings,
    query: str,
    *,
    signals: HistorySignals | None,
    anchors: Sequence[str] = (),
    cursor_text: str = "",
    weights: RankWeights | None = None,
    limit: int | None = MAX_RANKED,
) -> Ranking:
    """Score every indexed file for ``query`` (plus cursor context and open-file anchors)."""
    w = weights or RankWeights()
    n = len(index.files)
    if n == 0:
        return Ranking([], 0.0, np.zeros(0), 0, np.zeros(0))
    terms: Counter[str] = Counter(query_terms(query))
    weighted: dict[str, float] = {t: float(c) for t, c in terms.items()}
    for term in query_terms(cursor_text):
        weighted[term] = weighted.get(term, 0.0) + w.cursor_weight / 4
    dense, chunk_scores = _dense(index, embedder, query, cursor_text, w.cursor_weight)
    raw: dict[str, FloatArray] = {
        "dense": dense,
        "lexical": _lexical(index, weighted),
        "path": index.paths.scores(weighted),
    }
    if signals is not None:
        raw["history"] = signals.messages.scores(weighted)
        raw["recency"] = signals.recency
        if anchors:
            co = signals.history.cochange(list(anchors))
            raw["cochange"] = np.array([float(co.get(f.path, 0)) for f in index.files], dtype=np.float64)
    scaled = {
        name: _scale(values, noise=NOISE.get(name, 0.0), floor=FLOORS.get(name, 0.0)) for name, values in raw.items()
    }
    total = np.zeros(n, dtype=np.float64)
    for name, values in scaled.items():
        total += getattr(w, name) * values
    order = np.argsort(-total, kind="stable")
    positive = order[total[order] > 0]
    top = positive[:limit]
    names = list(scaled)
    explained = top[:EXPLAINED]
    # One gather per signal and one tolist(), instead of a numpy scalar read per file and signal.
    rows = np.stack([scaled[name][explained] for name in names], axis=1).tolist() if names else []
    files = index.files
    ranked = [
        RankedFile(
            i, files[i].path, score, dict(zip(names, rows[position], strict=True)) if position < len(rows) else {}
        )
        for position, (i, score) in enumerate(zip(top.tolist(), total[top].tolist(), strict=True))
    ]
    best = float(total[positive[0]]) if positive.size else 0.0
    return Ranking(ranked, best * w.relative_threshold, chunk_scores, int(positive.size), total)


def _lexical(index: RepoIndex, weighted: Mapping[str, float]) -> FloatArray:
    """Best chunk's BM25 plus half the whole file's (see ``_lexical``)."""
    per_file = np.zeros(len(index.files), dtype=np.float64)
    chunk_scores = index.chunks.scores(weighted)
    if chunk_scores.size:
        np.maximum.at(per_file, index.chunk_owner, chunk_scores)
    return per_file + CHUNK_FILE_MIX * index.content.scores(weighted)


def _dense(
    index: RepoIndex, embedder: Embeddings, query: str, cursor_text: str, cursor_weight: float
) -> tuple[FloatArray, FloatArray]:
    n_files = len(index.files)
    rows = index.rows
    if rows == 0 or index.faiss is None:
        return np.zeros(n_files), np.zeros(rows)
    vector = embed_query(embedder, query).astype(np.float32)
    if cursor_text.strip():
        vector = vector + cursor_weight * embed_query(embedder, cursor_text).astype(np.float32)
    if vector.shape[0] != index.dim:
        return np.zeros(n_files), np.zeros(rows)
    if index.query_weights is not None:
        vector = vector * index.query_weights
    norm = float(np.linalg.norm(vector))
    if norm == 0:
        return np.zeros(n_files), np.zeros(rows)
    vector = (vector / norm).astype(np.float32).reshape(1, -1)
    k = min(rows, 2048)
    sims, ids = index.faiss.search(vector, k)
    chunk_scores = np.zeros(rows, dtype=np.float64)
    valid = ids[0] >= 0
    chunk_scores[ids[0][valid]] = sims[0][valid]
    per_file = np.zeros(n_files, dtype=np.float64)
    np.maximum.at(per_file, index.chunk_file[ids[0][valid]], sims[0][valid].astype(np.float64))
    return per_file, chunk_scores


def _scale(values: FloatArray, *, noise: float, floor: float) -> FloatArray:
    """Scale to 0..1 by the best value, treating values at or below ``noise`` as no signal.

    ``floor`` is the smallest denominator: when even the best file matches
    weakly, it stays weak instead of being stretched to 1.0 (a query that
    matches nothing must not promote random collisions).
    """
    top = float(values.max()) if values.size else 0.0
    if top <= noise:
        return np.zeros_like(values)
    return np.clip((values - noise) / (max(top, floor) - noise), 0.0, 1.0)


def explain(signals: Mapping[str, float], weights: RankWeights | None = None) -> str:
    """Words for the signals that made a file rank, strongest first."""
    w = weights or RankWeights()
    parts = sorted(((getattr(w, k) * v, k, v) for k, v in signals.items() if v > 0), reverse=True)
    return ", ".join(f"{name} {value:.2f}" for _, name, value in parts[:4]) or "no signal"
