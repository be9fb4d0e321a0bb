"""The default hashed embedder as a LangChain ``Embeddings``, and FAISS over its vectors."""

from __future__ import annotations

import pickle

import faiss
import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from obs_coding.harvest import HashedEmbedder, embedder_key

from .conftest import SMALL_PROJECT, HarvesterFactory, RepoFactory


def test_is_a_langchain_embeddings_with_normalised_deterministic_vectors() -> None:
    embedder = HashedEmbedder(dim=256)
    assert isinstance(embedder, Embeddings)
    docs = embedder.embed_documents(["def parse_config(path): ...", "class HttpRetryPolicy: pass", ""])
    assert [len(v) for v in docs] == [256, 256, 256]
    assert np.linalg.norm(docs[0]) == pytest.approx(1.0, abs=1e-5)
    assert not any(docs[2])
    fresh = HashedEmbedder(dim=256).embed_query("def parse_config(path): ...")
    np.testing.assert_allclose(fresh, docs[0], rtol=1e-6)


def test_identifier_styles_and_word_forms_meet() -> None:
    embedder = HashedEmbedder()
    query = np.asarray(embedder.embed_query("retry the http request after a timeout"))
    close = np.asarray(embedder.embed_query("def retryHttpRequest(timeout_seconds): ..."))
    far = np.asarray(embedder.embed_query("def render_pie_chart(colors): ..."))
    assert float(query @ close) > 0.4 > float(query @ far)


def test_faiss_inner_product_finds_the_matching_chunk() -> None:
    embedder = HashedEmbedder()
    chunks = [
        "def load_yaml_config(path): return yaml.safe_load(open(path))",
        "def send_email(to, subject, body): smtp.send(to, subject, body)",
        "class TokenBucketRateLimiter: def acquire(self): ...",
    ]
    index = faiss.IndexFlatIP(embedder.dim)
    index.add(embedder.embed_array(chunks))
    _, ids = index.search(embedder.embed_array(["rate limiter token bucket"]), 3)
    assert ids[0][0] == 2


def test_pickles_without_its_caches_and_keys_its_space() -> None:
    embedder = HashedEmbedder(dim=512, trigram_weight=0.2)
    embedder.embed_query("warm the feature table")
    clone = pickle.loads(pickle.dumps(embedder))
    np.testing.assert_allclose(clone.embed_query("same text"), embedder.embed_query("same text"), rtol=1e-6)
    assert embedder_key(embedder) == "hashed-v1:512:0.5:0.2"
    with pytest.raises(ValueError, match="power of two"):
        HashedEmbedder(dim=100)


class TinyEmbeddings(Embeddings):
    """A user-supplied LangChain embedder (deterministic, no model): any Embeddings must work."""

    model = "tiny-v1"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        lowered = text.lower()
        return [float(lowered.count(word)) for word in ("retry", "render", "report", "backoff", "table")]


def test_any_langchain_embeddings_gets_a_stable_key() -> None:
    assert embedder_key(TinyEmbeddings()) == "tests.harvest.test_embedder.TinyEmbeddings:tiny-v1"


def test_harvest_with_a_custom_embedder(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(SMALL_PROJECT)
    harvester = harvester_for(root, embedder=TinyEmbeddings())
    stats = harvester.index()
    assert (stats.embedding_misses, stats.chunks_embedded) == (5, 5)
    context = harvester.harvest("retry with backoff", budget_tokens=1500)
    assert context.tier("2").files[0] == "app/retry.py"
    assert harvester.index().embedding_misses == 0
