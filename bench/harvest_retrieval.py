"""Retrieval benchmark for the context harvester, against a BM25 baseline (bm25s), offline.

Two tasks, both answerable only by finding the right files:

(a) commits: commit message -> files the commit modified, on git history you
    have locally (default: this repository). Each commit is evaluated at its
    parent (a local clone is checked out there), so neither the index nor the
    history signal has seen the commit; added files are not targets (they did
    not exist yet).
(b) docstrings: docstring summary -> file defining the symbol, on the sources
    of large installed packages (default mypy, langchain_core, langgraph)
    committed into a temp git repository. The docstring of every queried
    symbol is removed from the corpus first, so the answer is not a copy of the
    query; queries whose text also occurs in another file are dropped.

Both systems rank the same files (the harvester's index after filtering). The
harvester is ranked by ``ContextHarvester.rank_files`` (the tier-2 ranking);
BM25 by ``bm25s`` with its default tokenizer and English stopwords. A second
BM25 row uses the harvester's code-aware tokens, to separate "better tokens"
from "better ranking".

With few queries (a short local history) a lead can be luck, so each BM25 row
is compared with the harvester query by query: the mean difference in recall
and its 95% interval from a paired bootstrap (10,000 resamples of the
queries). A lead counts as clear only when the interval is above zero. Run::

    uv run python bench/harvest_retrieval.py                 # both tasks
    uv run python bench/harvest_retrieval.py --task docstrings --queries 300 --ablations
    uv run python bench/harvest_retrieval.py --task commits --history-repo /path/to/repo
    python bench/harvest_retrieval.py --embedder minilm     # in an environment with obs-coding[minilm] + torch
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
from harvest_corpus import build_docstring_corpus, git
from langchain_core.embeddings import Embeddings
from obs_coding.harvest import ContextHarvester, RankWeights, minilm_embedder
from obs_coding.harvest._text import query_terms

Ranker = Callable[[str], list[str]]
KS = (5, 10)


@dataclass
class Result:
    system: str
    recalls: dict[int, list[float]] = field(default_factory=lambda: {k: [] for k in KS})
    seconds: float = 0.0

    def add(self, ranked: Sequence[str], targets: set[str]) -> None:
        for k in KS:
            self.recalls[k].append(len(targets & set(ranked[:k])) / len(targets))

    def row(self) -> dict[str, float | str | int]:
        n = len(self.recalls[KS[0]])
        out: dict[str, float | str | int] = {"system": self.system, "queries": n}
        for k in KS:
            out[f"recall@{k}"] = round(sum(self.recalls[k]) / n, 4) if n else 0.0
        out["ms_per_query"] = round(1000 * self.seconds / n, 2) if n else 0.0
        return out


def paired_bootstrap(
    ours: Sequence[float], theirs: Sequence[float], *, resamples: int = 10_000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean per-query difference ``ours - theirs`` and its 95% percentile interval over resampled queries."""
    diff = np.asarray(ours, dtype=np.float64) - np.asarray(theirs, dtype=np.float64)
    if diff.size == 0:
        return 0.0, 0.0, 0.0
    picks = np.random.default_rng(seed).integers(0, diff.size, size=(resamples, diff.size))
    means = diff[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diff.mean()), float(low), float(high)


def comparisons(results: Sequence[Result], reference: str = "harvester (hybrid)") -> list[dict[str, float | str]]:
    """The reference system against every BM25 row, per k: difference, interval, verdict."""
    ours = next((r for r in results if r.system == reference), None)
    if ours is None:
        return []
    rows: list[dict[str, float | str]] = []
    for other in results:
        if not other.system.startswith("bm25s"):
            continue
        for k in KS:
            mean, low, high = paired_bootstrap(ours.recalls[k], other.recalls[k])
            verdict = "harvester ahead" if low > 0 else "BM25 ahead" if high < 0 else "no clear difference"
            rows.append(
                {
                    "versus": other.system,
                    "metric": f"recall@{k}",
                    "difference": round(mean, 4),
                    "ci95_low": round(low, 4),
                    "ci95_high": round(high, 4),
                    "verdict": verdict,
                }
            )
    return rows


def bm25_ranker(root: Path, paths: list[str], *, code_tokens: bool) -> Ranker:
    texts = [(root / p).read_text(encoding="utf-8", errors="replace") for p in paths]
    retriever = bm25s.BM25()
    if code_tokens:
        retriever.index([query_terms(t) or ["_"] for t in texts], show_progress=False)
    else:
        retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)

    def rank(query: str) -> list[str]:
        if code_tokens:
            tokens = [query_terms(query) or ["_"]]
        else:
            tokens = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)
        k = min(max(KS), len(paths))
        docs, _ = retriever.retrieve(tokens, k=k, show_progress=False)
        return [paths[int(i)] for i in docs[0]]

    return rank


_EMBEDDERS: dict[str, Embeddings] = {}


def make_embedder(args: argparse.Namespace) -> Embeddings | None:
    """None (the hashed default) or the optional MiniLM model, loaded once per run."""
    if args.embedder == "hashed":
        return None
    if args.embedder not in _EMBEDDERS:
        _EMBEDDERS[args.embedder] = minilm_embedder()
    return _EMBEDDERS[args.embedder]


def harvester_ranker(harvester: ContextHarvester) -> Ranker:
    def rank(query: str) -> list[str]:
        return [r.path for r in harvester.rank_files(query, limit=max(KS))]

    return rank


ABLATIONS: dict[str, RankWeights] = {
    "harvester: dense only": RankWeights(lexical=0, path=0, history=0, cochange=0, recency=0),
    "harvester: lexical only": RankWeights(dense=0, path=0, history=0, cochange=0, recency=0),
    "harvester: no history": RankWeights(history=0, cochange=0, recency=0),
}


def run_docstrings(args: argparse.Namespace, work: Path) -> list[Result]:
    started = time.perf_counter()
    root, queries = build_docstring_corpus(work / "corpus", args.packages, args.queries, args.seed)
    print(
        f"docstrings: corpus {root} with {len(queries)} queries ({time.perf_counter() - started:.1f}s)", file=sys.stderr
    )
    harvester = ContextHarvester(root, workers=args.workers, embedder=make_embedder(args))
    stats = harvester.index()
    print(
        f"docstrings: indexed {stats.files} files in {stats.scan_seconds + stats.embed_seconds:.1f}s", file=sys.stderr
    )
    paths = [f.path for f in harvester._index.files]
    systems: dict[str, Ranker] = {
        "harvester (hybrid)": harvester_ranker(harvester),
        "bm25s (default tokenizer)": bm25_ranker(root, paths, code_tokens=False),
        "bm25s + harvester code tokens": bm25_ranker(root, paths, code_tokens=True),
    }
    if args.ablations:
        for name, weights in ABLATIONS.items():
            variant = ContextHarvester(root, workers=args.workers, weights=weights, embedder=make_embedder(args))
            systems[name] = harvester_ranker(variant)
    return [evaluate(name, ranker, [(q, {t}) for q, t in queries]) for name, ranker in systems.items()]


def evaluate(name: str, ranker: Ranker, queries: Sequence[tuple[str, set[str]]]) -> Result:
    result = Result(name)
    for query, targets in queries:
        started = time.perf_counter()
        ranked = ranker(query)
        result.seconds += time.perf_counter() - started
        result.add(ranked, targets)
    return result


def run_commits(args: argparse.Namespace, work: Path) -> list[Result]:
    clone = work / "history"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(args.history_repo), str(clone)], check=True)
    shas = git(clone, "rev-list", "--no-merges", "--reverse", f"--max-count={args.max_commits}", "HEAD").split()
    results = {
        name: Result(name)
        for name in ("harvester (hybrid)", "bm25s (default tokenizer)", "bm25s + harvester code tokens")
    }
    if args.ablations:
        results.update({name: Result(name) for name in ABLATIONS})
    evaluated = 0
    for sha in shas:
        parents = git(clone, "rev-list", "--parents", "-n", "1", sha).split()[1:]
        if not parents:
            continue
        modified = set(git(clone, "diff", "--name-only", "--diff-filter=M", parents[0], sha).split())
        if not modified or len(modified) > args.max_files:
            continue
        message = git(clone, "log", "-1", "--format=%s%n%n%b", sha).strip()
        git(clone, "checkout", "-q", "-f", parents[0])
        git(clone, "clean", "-q", "-fdx", "-e", ".git")
        harvester = ContextHarvester(
            clone, workers=args.workers, history_commits=args.max_commits, embedder=make_embedder(args)
        )
        harvester.index()
        paths = [f.path for f in harvester._index.files]
        targets = modified & set(paths)
        if not targets:
            continue
        evaluated += 1
        rankers: dict[str, Ranker] = {
            "harvester (hybrid)": harvester_ranker(harvester),
            "bm25s (default tokenizer)": bm25_ranker(clone, paths, code_tokens=False),
            "bm25s + harvester code tokens": bm25_ranker(clone, paths, code_tokens=True),
        }
        if args.ablations:
            for name, weights in ABLATIONS.items():
                rankers[name] = harvester_ranker(
                    ContextHarvester(
                        clone,
                        workers=args.workers,
                        weights=weights,
                        history_commits=args.max_commits,
                        embedder=make_embedder(args),
                    )
                )
        for name, ranker in rankers.items():
            started = time.perf_counter()
            ranked = ranker(message)
            results[name].seconds += time.perf_counter() - started
            results[name].add(ranked, targets)
        ours, bm25 = results["harvester (hybrid)"].recalls, results["bm25s (default tokenizer)"].recalls
        print(
            f"  {sha[:7]} {len(targets):>2} targets  harvester {ours[5][-1]:.2f}/{ours[10][-1]:.2f}"
            f"  bm25s {bm25[5][-1]:.2f}/{bm25[10][-1]:.2f}  {message.splitlines()[0][:70]}",
            file=sys.stderr,
        )
        harvester.close()
    print(f"commits: {evaluated} commits with modified, indexable files out of {len(shas)}", file=sys.stderr)
    return list(results.values())


def markdown(title: str, results: list[Result]) -> str:
    lines = [f"### {title}", "", "| system | queries | recall@5 | recall@10 | ms/query |", "|---|---|---|---|---|"]
    for result in results:
        row = result.row()
        lines.append(
            f"| {row['system']} | {row['queries']} | {row['recall@5']:.3f} | {row['recall@10']:.3f} "
            f"| {row['ms_per_query']} |"
        )
    lines += ["", "| harvester minus | metric | difference | 95% interval (paired bootstrap) | verdict |"]
    lines.append("|---|---|---|---|---|")
    for c in comparisons(results):
        lines.append(
            f"| {c['versus']} | {c['metric']} | {c['difference']:+.3f} | [{c['ci95_low']:+.3f}, {c['ci95_high']:+.3f}] "
            f"| {c['verdict']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", choices=("all", "docstrings", "commits"), default="all")
    parser.add_argument("--packages", nargs="+", default=["mypy", "langchain_core", "langgraph"])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--history-repo", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--max-commits", type=int, default=500)
    parser.add_argument("--max-files", type=int, default=20, help="skip commits modifying more files (sweeping)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--embedder",
        choices=("hashed", "minilm"),
        default="hashed",
        help="the harvester's embedder: the default hashed one, or the optional MiniLM extra (needs torch)",
    )
    parser.add_argument("--ablations", action="store_true", help="also rank with single signals")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    output: dict[str, list[dict[str, float | str | int]]] = {}
    compared: dict[str, list[dict[str, float | str]]] = {}
    with tempfile.TemporaryDirectory(prefix="obs-harvest-bench-") as tmp:
        if args.task in ("all", "commits"):
            results = run_commits(args, Path(tmp))
            output["commits"] = [r.row() for r in results]
            compared["commits"] = comparisons(results)
            print(markdown(f"(a) commit message -> modified files ({args.history_repo.name})", results))
            print()
        if args.task in ("all", "docstrings"):
            results = run_docstrings(args, Path(tmp))
            output["docstrings"] = [r.row() for r in results]
            compared["docstrings"] = comparisons(results)
            print(markdown(f"(b) docstring -> defining file ({', '.join(args.packages)})", results))
    if args.json:
        args.json.write_text(json.dumps({"recall": output, "versus_bm25": compared}, indent=2) + "\n")


if __name__ == "__main__":
    main()
