"""The on-disk index: blob-keyed reuse, incremental refresh, persistence across processes."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pytest
from obs_coding.harvest import HashedEmbedder, _index, _workers
from obs_coding.harvest._index import RepoIndex
from obs_coding.harvest._lexical import BM25, Vocabulary
from obs_coding.harvest._rank import rank
from obs_coding.harvest._repo import open_repository
from obs_coding.harvest._store import IndexStore, pack_vectors, unpack_vectors

from .conftest import SMALL_PROJECT, HarvesterFactory, RepoFactory, commit, write


def test_touching_one_file_re_embeds_only_that_file(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    harvester = harvester_for(root)
    cold = harvester.index()
    assert (cold.files, cold.embedding_misses, cold.embedding_hits, cold.analysed) == (5, 5, 0, 5)
    warm = harvester.index()
    assert (warm.changed, warm.embedding_misses, warm.embedding_hits, warm.rebuilt) == (0, 0, 5, False)
    with (root / "app/render.py").open("a") as handle:
        handle.write("\n\ndef render_row(row: list[str]) -> str:\n    return ''.join(row)\n")
    touched = harvester.index()
    assert (touched.changed, touched.analysed, touched.embedding_misses, touched.embedding_hits) == (1, 1, 1, 4)
    assert touched.chunks_embedded == 1
    assert touched.rebuilt


def test_new_harvester_reuses_the_disk_cache(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    harvester_for(root).index()
    again = harvester_for(root).index()
    assert (again.changed, again.analysed, again.embedding_hits, again.embedding_misses) == (0, 0, 5, 0)
    assert (root / ".git/obs-harvest/index.sqlite3").is_file()


def test_rename_and_revert_reuse_blob_vectors(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    harvester = harvester_for(root)
    harvester.index()
    (root / "app/render.py").rename(root / "app/html.py")
    renamed = harvester.index()
    assert (renamed.analysed, renamed.embedding_misses) == (0, 0)
    original = (root / "app/policy.py").read_text()
    (root / "app/policy.py").write_text(original + "\nEXTRA = 1\n")
    assert harvester.index().embedding_misses == 1
    (root / "app/policy.py").write_text(original)
    assert harvester.index().embedding_misses == 0  # the old blob is still cached


def test_another_embedder_gets_its_own_vectors(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    harvester_for(root).index()
    other = harvester_for(root, embedder=HashedEmbedder(dim=256)).index()
    assert (other.analysed, other.embedding_misses, other.chunks_embedded) == (0, 5, 5)  # no re-parse


def test_prune_drops_blobs_no_file_uses(make_repo: RepoFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    repository = open_repository(root)
    store = IndexStore(repository.index_dir())
    index = RepoIndex(repository, store, HashedEmbedder(), max_file_bytes=1_000_000, workers=1)
    result, stats = index.refresh_scan()
    index.refresh_embed(result, stats)
    (root / "README.md").write_text("# changed\n")
    result, stats = index.refresh_scan()
    index.refresh_embed(result, stats)
    assert index.prune() == 0  # a few dead blobs are kept for reverts and branch switches
    assert index.prune(force=True) == 1
    store.close()


def test_process_pool_gives_the_same_index_as_serial(
    make_repo: RepoFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        f"pkg/mod{i}.py": f'"""Module {i}."""\n\ndef handler_{i}(request):\n    return request + {i}\n'
        for i in range(12)
    }
    root = make_repo(files)
    monkeypatch.setattr(_workers, "PARALLEL_MIN_FILES", 4)
    monkeypatch.setattr(_workers, "BATCH_FILES", 3)
    built = []
    for workers, directory in ((1, "serial"), (2, "pool")):
        store = IndexStore(tmp_path / directory)
        index = RepoIndex(open_repository(root), store, HashedEmbedder(), max_file_bytes=10**6, workers=workers)
        result, stats = index.refresh_scan()
        index.refresh_embed(result, stats)
        built.append(index)
        store.close()
    serial, pool = built
    assert [f.analysis for f in serial.files] == [f.analysis for f in pool.files]
    assert serial.faiss is not None
    assert pool.faiss is not None
    assert (serial.rows, serial.dim) == (pool.rows, pool.dim) == (12, 2048)
    serial_vectors = serial.faiss.reconstruct_n(0, serial.rows)
    pool_vectors = pool.faiss.reconstruct_n(0, pool.rows)
    np.testing.assert_allclose(serial_vectors, pool_vectors, atol=1e-3)  # pool vectors travel as float16


def test_empty_repository_indexes_nothing(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo()
    stats = harvester_for(root).index()
    assert (stats.files, stats.candidates) == (0, 0)


def test_history_only_repo_with_deleted_files(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    (root / "app/storage.py").unlink()  # deleted in the work tree, still in git's index
    commit(root, "drop storage")
    assert harvester_for(root).index().files == 4


def _build(root: Path, directory: Path) -> tuple[RepoIndex, IndexStore]:
    store = IndexStore(directory)
    index = RepoIndex(open_repository(root), store, HashedEmbedder(), max_file_bytes=10**6, workers=1)
    result, stats = index.refresh_scan()
    index.refresh_embed(result, stats)
    return index, store


def test_an_edit_patches_the_index_into_what_a_rebuild_gives(make_repo: RepoFactory, tmp_path: Path) -> None:
    files = dict(SMALL_PROJECT)
    files["app/big.py"] = "".join(f"def step_{i}(value):\n    return jitter(value) + {i}\n\n\n" for i in range(80))
    root = make_repo(files)
    patched, patched_store = _build(root, tmp_path / "patched")
    paths_generation = patched.paths_generation
    write(root, {"app/big.py": files["app/big.py"] * 2})  # more chunks: its FAISS rows move and grow
    write(root, {"app/policy.py": files["app/policy.py"].replace("def jitter", "def wobble")})
    os.utime(root / "app/policy.py", ns=(1, 1))  # same size as before: the mtime must tell
    result, stats = patched.refresh_scan()
    patched.refresh_embed(result, stats)
    assert (stats.analysed, stats.rebuilt, patched.paths_generation) == (2, True, paths_generation)
    rebuilt, rebuilt_store = _build(root, tmp_path / "rebuilt")
    assert [(f.path, f.blob, f.analysis) for f in patched.files] == [
        (f.path, f.blob, f.analysis) for f in rebuilt.files
    ]
    assert patched.definitions == rebuilt.definitions
    assert "jitter" not in patched.definitions
    assert patched.reference_df == rebuilt.reference_df
    assert patched.faiss is not None
    assert rebuilt.faiss is not None
    assert (patched.rows, patched.dim) == (rebuilt.rows, rebuilt.dim)
    for mine, theirs in zip(patched.files, rebuilt.files, strict=True):
        rows = len(mine.analysis.chunks)
        np.testing.assert_array_equal(
            patched.faiss.reconstruct_n(mine.first_chunk, rows), rebuilt.faiss.reconstruct_n(theirs.first_chunk, rows)
        )
        assert set(patched.chunk_file[mine.first_chunk : mine.first_chunk + rows]) <= {patched.by_path[mine.path]}
    assert patched.query_weights is not None
    assert rebuilt.query_weights is not None
    np.testing.assert_allclose(patched.query_weights, rebuilt.query_weights, rtol=1e-6)
    for query in ("retry with backoff", "step value jitter", "wobble"):
        mine_ranked = rank(patched, HashedEmbedder(), query, signals=None)
        their_ranked = rank(rebuilt, HashedEmbedder(), query, signals=None)
        assert [(r.path, r.signals) for r in mine_ranked.files] == [(r.path, r.signals) for r in their_ranked.files]
    patched_store.close()
    rebuilt_store.close()


def test_building_faiss_in_slabs_gives_the_same_index(
    make_repo: RepoFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = dict(SMALL_PROJECT)
    files["app/big.py"] = "".join(f"def step_{i}(value):\n    return jitter(value) + {i}\n\n\n" for i in range(300))
    root = make_repo(files)
    whole, whole_store = _build(root, tmp_path / "whole")
    monkeypatch.setattr(_index, "SLAB_ROWS", 2)  # many slabs, and blocks larger than one slab
    slabs, slabs_store = _build(root, tmp_path / "slabs")
    assert whole.faiss is not None
    assert slabs.faiss is not None
    assert whole.rows == slabs.rows == slabs.faiss.ntotal > 2 * 4
    np.testing.assert_array_equal(whole.faiss.reconstruct_n(0, whole.rows), slabs.faiss.reconstruct_n(0, slabs.rows))
    np.testing.assert_array_equal(whole._df, slabs._df)
    assert int(whole._df.sum()) > 0
    whole_store.close()
    slabs_store.close()


def test_a_rebuild_reads_kept_vectors_back_from_faiss(make_repo: RepoFactory, tmp_path: Path) -> None:
    root = make_repo(SMALL_PROJECT)
    index, store = _build(root, tmp_path / "kept")
    assert index._vectors == {}  # FAISS holds the only in-memory copy once built
    (root / "app/render.py").rename(root / "app/draw.py")  # a path goes and one comes: a full rebuild
    write(root, {"app/extra.py": "def extra_step(value):\n    return value * 2\n"})
    result, stats = index.refresh_scan()
    index.refresh_embed(result, stats)
    assert stats.embedding_misses == 1  # only the new blob; the renamed file's rows came from FAISS
    fresh, fresh_store = _build(root, tmp_path / "fresh")
    assert [(f.path, f.blob, f.first_chunk) for f in index.files] == [
        (f.path, f.blob, f.first_chunk) for f in fresh.files
    ]
    assert index.faiss is not None
    assert fresh.faiss is not None
    np.testing.assert_array_equal(index.faiss.reconstruct_n(0, index.rows), fresh.faiss.reconstruct_n(0, fresh.rows))
    np.testing.assert_array_equal(index._df, fresh._df)
    assert index._vectors == {}
    store.close()
    fresh_store.close()


@pytest.mark.parametrize("change", ["delete", "rename"])
def test_a_rebuild_that_fails_halfway_leaves_nothing_stale(
    make_repo: RepoFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    files = dict(SMALL_PROJECT)
    files["app/big.py"] = "".join(f"def step_{i}(value):\n    return jitter(value) + {i}\n\n\n" for i in range(300))
    root = make_repo(files)
    index, store = _build(root, tmp_path / "index")
    if change == "delete":  # every later row moves up: stale row numbers would read past the end
        (root / "app/big.py").unlink()
    else:  # same rows, other order: stale row numbers would read other files' vectors
        (root / "app/big.py").rename(root / "app/zz_big.py")
    real = BM25.from_bags
    calls = []

    def fails_once(vocabulary: Vocabulary, bags: Iterable[Mapping[str, int]]) -> BM25:
        calls.append(1)
        if len(calls) == 1:  # after FAISS was swapped, before the rest of the structures
            raise MemoryError("transient")
        return real(vocabulary, bags)

    monkeypatch.setattr(BM25, "from_bags", staticmethod(fails_once))
    result, stats = index.refresh_scan()
    with pytest.raises(MemoryError):
        index.refresh_embed(result, stats)
    write(root, {"app/policy.py": files["app/policy.py"] + "\n# edited\n"})
    result, stats = index.refresh_scan()
    index.refresh_embed(result, stats)
    monkeypatch.undo()
    fresh, fresh_store = _build(root, tmp_path / "fresh")
    assert [(f.path, f.blob) for f in index.files] == [(f.path, f.blob) for f in fresh.files]
    assert index.faiss is not None
    assert fresh.faiss is not None
    for mine, theirs in zip(index.files, fresh.files, strict=True):
        rows = len(mine.analysis.chunks)
        np.testing.assert_array_equal(
            index.faiss.reconstruct_n(mine.first_chunk, rows), fresh.faiss.reconstruct_n(theirs.first_chunk, rows)
        )
    np.testing.assert_array_equal(index._df, fresh._df)
    for query in ("retry with backoff", "step value jitter"):
        mine_ranked = rank(index, HashedEmbedder(), query, signals=None)
        their_ranked = rank(fresh, HashedEmbedder(), query, signals=None)
        assert [(r.path, r.signals) for r in mine_ranked.files] == [(r.path, r.signals) for r in their_ranked.files]
    store.close()
    fresh_store.close()


def test_vectors_are_stored_sparse_and_come_back_exact() -> None:
    hashed = HashedEmbedder().embed_array(["def retry_request(send): return send()", "class BackoffPolicy: pass"])
    packed = pack_vectors(hashed)
    assert packed[:1] == b"S"
    assert len(packed) < hashed.astype(np.float16).nbytes // 8
    np.testing.assert_array_equal(unpack_vectors(packed, 2, 2048), hashed.astype(np.float16))
    dense = np.random.default_rng(0).random((3, 8), dtype=np.float32)
    assert pack_vectors(dense)[:1] == b"D"
    np.testing.assert_array_equal(unpack_vectors(pack_vectors(dense), 3, 8), dense.astype(np.float16))
