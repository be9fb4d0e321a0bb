"""Speed of the context harvester on a ~300k-line repository, offline.

The installed sources of mypy, langchain_core and langgraph (.py and .pyi) are
committed into a temp git repository; then:

* cold index: a fresh harvester indexes everything (files/s) with a 2-process
  pool (the default on 2 cores) and in one process, ``--repeat`` times each
  (best and median); CPU seconds beside wall
  seconds, and the load average at the start, because on a shared machine
  wall time measures the neighbours as much as the harvester;
* warm harvest: ``harvest()`` latency over task-like queries (docstring
  summaries sampled from the corpus) once the index is in memory, default
  32k-token budget: p50/p90/max wall, p50 CPU;
* touch one file: append a line to one module, then ``index()`` (reindex) and
  the next ``harvest()`` (which refreshes on its own), ``--touches`` times
  (median and max wall, median CPU);
* new process: a fresh harvester over the warm on-disk index, first harvest
  (what ``obs harvest`` pays per invocation, imports excepted).

Run::

    uv run python bench/harvest_speed.py [--queries 50] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harvest_corpus import build_speed_corpus
from obs_coding.harvest import ContextHarvester
from obs_coding.harvest._tags import extract_tags


def sample_queries(root: Path, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    docs: list[str] = []
    for path in sorted(root.rglob("*.py")):
        tags = extract_tags("python", path.read_bytes())
        docs.extend(d.doc for d in tags.definitions if len(d.doc.split()) >= 6)
    return rng.sample(docs, min(n, len(docs)))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (index workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cold_index(root: Path, workers: int | None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, files) of indexing from nothing."""
    index_dir = root.parent / f"index-{workers}"
    shutil.rmtree(index_dir, ignore_errors=True)
    harvester = ContextHarvester(root, workers=workers, index_dir=index_dir)
    started, cpu = time.perf_counter(), cpu_seconds()
    stats = harvester.index()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    harvester.close()
    return seconds, cpu, stats.files


def cold_summary(label: str, runs: list[tuple[float, float, int]]) -> dict[str, float]:
    walls = sorted(r[0] for r in runs)
    files = runs[0][2]
    return {
        f"{label}_index_best_s": round(walls[0], 2),
        f"{label}_index_median_s": round(statistics.median(walls), 2),
        f"{label}_files_per_s_best": round(files / walls[0], 1),
        f"{label}_files_per_s_median": round(files / statistics.median(walls), 1),
        f"{label}_index_cpu_median_s": round(statistics.median(r[1] for r in runs), 2),
        f"{label}_index_cpu_min_s": round(min(r[1] for r in runs), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", nargs="+", default=["mypy", "langchain_core", "langgraph"])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-serial", action="store_true", help="skip the one-process cold index")
    parser.add_argument("--repeat", type=int, default=3, help="cold index runs per configuration")
    parser.add_argument("--touches", type=int, default=5, help="touch-one-file rounds")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="obs-harvest-speed-") as tmp:
        root, n_files, n_lines = build_speed_corpus(Path(tmp) / "repo", args.packages)
        print(f"corpus: {n_files} files, {n_lines:,} lines ({', '.join(args.packages)})", file=sys.stderr)
        results: dict[str, float | int | str] = {
            "files": n_files,
            "lines": n_lines,
            "cores": os.cpu_count() or 0,
            "load_average_at_start": round(os.getloadavg()[0], 2),
        }
        runs: dict[str, list[tuple[float, float, int]]] = {"cold_pool2": [], "cold_serial": []}
        for _ in range(args.repeat):  # alternate, so a noisy neighbour hurts both alike
            runs["cold_pool2"].append(cold_index(root, 2))
            if not args.skip_serial:
                runs["cold_serial"].append(cold_index(root, 1))
        for label, measured in runs.items():
            if measured:
                results.update(cold_summary(label, measured))
        harvester = ContextHarvester(root)
        harvester.index()
        queries = sample_queries(root, args.queries, args.seed)
        harvester.harvest("warm up: load history and centrality")
        latencies: list[float] = []
        cpu_ms: list[float] = []
        for query in queries:
            started, cpu = time.perf_counter(), time.process_time()
            harvester.harvest(query)
            latencies.append(1000 * (time.perf_counter() - started))
            cpu_ms.append(1000 * (time.process_time() - cpu))
        results.update(
            warm_queries=len(latencies),
            warm_p50_ms=round(statistics.median(latencies), 1),
            warm_p90_ms=round(percentile(latencies, 0.9), 1),
            warm_max_ms=round(max(latencies), 1),
            warm_cpu_p50_ms=round(statistics.median(cpu_ms), 1),
        )
        target = root / "langchain_core" / "runnables" / "base.py"
        reindex: list[tuple[float, float]] = []
        next_harvest: list[tuple[float, float]] = []
        reembedded: list[int] = []
        for round_ in range(args.touches):
            with target.open("a", encoding="utf-8") as handle:
                handle.write(f"\n# touched by the speed benchmark ({round_})\n")
            started, cpu = time.perf_counter(), time.process_time()
            stats = harvester.index()
            reindex.append((time.perf_counter() - started, time.process_time() - cpu))
            reembedded.append(stats.embedding_misses)
            with target.open("a", encoding="utf-8") as handle:
                handle.write(f"# touched again ({round_})\n")
            started, cpu = time.perf_counter(), time.process_time()
            harvester.harvest(queries[round_ % len(queries)])
            next_harvest.append((time.perf_counter() - started, time.process_time() - cpu))
        results.update(
            touch_rounds=args.touches,
            touch_reindex_median_s=round(statistics.median(r[0] for r in reindex), 3),
            touch_reindex_max_s=round(max(r[0] for r in reindex), 3),
            touch_reindex_cpu_median_s=round(statistics.median(r[1] for r in reindex), 3),
            touch_reembedded=max(reembedded),
            touch_harvest_median_ms=round(1000 * statistics.median(r[0] for r in next_harvest), 1),
            touch_harvest_cpu_median_ms=round(1000 * statistics.median(r[1] for r in next_harvest), 1),
        )
        harvester.close()
        started, cpu = time.perf_counter(), time.process_time()
        fresh = ContextHarvester(root)
        fresh.harvest(queries[1])
        results.update(
            new_process_first_harvest_s=round(time.perf_counter() - started, 2),
            new_process_first_harvest_cpu_s=round(time.process_time() - cpu, 2),
        )
        fresh.close()
        results["load_average_at_end"] = round(os.getloadavg()[0], 2)
    print("| measure | value |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
