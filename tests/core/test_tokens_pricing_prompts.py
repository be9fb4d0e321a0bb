"""Offline token counting, prices and cost, prompt-hash normalisation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from obs_core import ModelCatalogue, Usage, compute_cost, count_tokens, normalise_prompt, prompt_hash

_OFFLINE_SCRIPT = textwrap.dedent(
    """
    import json, socket

    def blocked(*args, **kwargs):
        raise OSError("network blocked by the test")

    socket.socket.connect = blocked
    socket.socket.connect_ex = blocked
    socket.getaddrinfo = blocked
    socket.create_connection = blocked

    from obs_core import count_tokens

    out = {}
    for model in ("gpt-4", "gpt-3.5-turbo", "gpt-4o", "claude-sonnet-4-5", "some-unknown-model", None):
        c = count_tokens("hello world", model)
        out[str(model)] = [c.tokens, c.encoding, c.estimated]
    print(json.dumps(out))
    """
)


def test_token_counting_works_with_the_network_blocked(tmp_path: Path) -> None:
    """A fresh process with an empty tiktoken cache: the encoding must come from the installed package."""
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)
    exact = [2, "cl100k_base", False]  # cl100k: "hello", " world"
    estimated = [2, "cl100k_base", True]
    assert counts == {
        "gpt-4": exact,
        "gpt-3.5-turbo": exact,
        "gpt-4o": estimated,  # o200k is not shipped: counted with cl100k and marked
        "claude-sonnet-4-5": estimated,
        "some-unknown-model": estimated,
        "None": estimated,
    }


def test_empty_text_costs_no_encoding() -> None:
    assert count_tokens("", "gpt-4").tokens == 0


@pytest.fixture
def catalogue() -> ModelCatalogue:
    return ModelCatalogue.shipped()


def test_cost_prices_cache_reads_writes_and_reasoning(catalogue: ModelCatalogue) -> None:
    # claude-sonnet-4-5: input 3.0, output 15.0, cache_read 0.3, cache_write 3.75 USD per 1M tokens.
    usage = Usage(
        input_tokens=10_000,
        output_tokens=2_000,
        cache_read_input_tokens=6_000,
        cache_write_input_tokens=1_000,
        reasoning_output_tokens=1_500,
    )
    cost = compute_cost("anthropic.claude-sonnet-4-5-20250929-v1:0", usage, catalogue)
    assert cost is not None
    assert cost.model_key == "claude-sonnet-4-5"
    assert cost.input_usd == pytest.approx(3_000 * 3.0 / 1e6)  # only the uncached remainder at the input rate
    assert cost.cache_read_usd == pytest.approx(6_000 * 0.3 / 1e6)
    assert cost.cache_write_usd == pytest.approx(1_000 * 3.75 / 1e6)
    assert cost.output_usd == pytest.approx(2_000 * 15.0 / 1e6)  # reasoning is part of output, priced as output
    assert cost.total_usd == pytest.approx(
        cost.input_usd + cost.cache_read_usd + cost.cache_write_usd + cost.output_usd
    )


def test_reasoning_is_not_charged_twice(catalogue: ModelCatalogue) -> None:
    plain = compute_cost("o3", Usage(input_tokens=100, output_tokens=1000), catalogue)
    reasoning = compute_cost("o3", Usage(input_tokens=100, output_tokens=1000, reasoning_output_tokens=900), catalogue)
    assert plain is not None
    assert reasoning is not None
    assert reasoning.total_usd == pytest.approx(plain.total_usd)


def test_unknown_model_has_no_cost(catalogue: ModelCatalogue) -> None:
    assert compute_cost("mystery-model-9000", Usage(input_tokens=10, output_tokens=10), catalogue) is None
    assert compute_cost(None, Usage(input_tokens=10), catalogue) is None


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("openai/gpt-4o-mini", "gpt-4o-mini"),
        ("models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
    ],
)
def test_model_ids_resolve_to_their_family(catalogue: ModelCatalogue, model: str, key: str) -> None:
    info = catalogue.lookup(model)
    assert info is not None
    assert info.key == key


def test_override_file_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = tmp_path / "prices.json"
    overrides.write_text(
        json.dumps(
            {
                "_comment": "internal prices",
                "models": {"gpt-4o": {"input": 1.0}, "house-model": {"input": 2.0, "output": 4.0, "cache_read": 0.5}},
            }
        )
    )
    monkeypatch.setenv("OBS_MODEL_CATALOGUE", str(overrides))
    catalogue = ModelCatalogue.shipped()
    gpt = catalogue.lookup("gpt-4o")
    house = catalogue.lookup("house-model-2025-01-01")
    assert gpt is not None
    assert (gpt.input_per_mtok, gpt.output_per_mtok) == (1.0, 10.0)  # partial override keeps the rest
    assert house is not None
    assert (house.input_per_mtok, house.output_per_mtok, house.cache_read_per_mtok, house.cache_write_per_mtok) == (
        2.0,
        4.0,
        0.5,
        2.0,
    )
    cost = compute_cost("house-model", Usage(input_tokens=1_000_000, output_tokens=1_000_000))
    assert cost is not None
    assert cost.total_usd == pytest.approx(6.0)


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("{not json", "Expecting property name"),
        ('["a", "list"]', "expected {"),
        ('{"models": {"m": {"input": "cheap", "output": 1}}}', "input must be a non-negative number"),
        ('{"models": {"m": {"input": 1}}}', "needs 'input' and 'output'"),
        ('{"models": {"m": {"input": -1, "output": 1}}}', "non-negative"),
    ],
)
def test_bad_override_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, detail: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    monkeypatch.setenv("OBS_MODEL_CATALOGUE", str(path))
    with pytest.raises(ValueError, match="OBS_MODEL_CATALOGUE=") as info:
        ModelCatalogue.shipped()
    assert detail in str(info.value)
    assert "fix or unset it" in str(info.value)


def test_missing_override_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBS_MODEL_CATALOGUE", str(tmp_path / "nope.json"))
    with pytest.raises(ValueError, match=r"OBS_MODEL_CATALOGUE=.*nope\.json: cannot use overrides"):
        ModelCatalogue.shipped()


def test_prompt_hash_ignores_cosmetic_whitespace() -> None:
    base = "You are a helpful agent.\n\nAnswer briefly."
    variants = [
        "You are a helpful agent.\r\n\r\nAnswer briefly.",
        "  You are a   helpful agent.  \n\n\n\nAnswer briefly.\n",
        "You are a\thelpful agent.\n \nAnswer briefly.",
        "You are a helpful agent.\rAnswer briefly.".replace("\r", "\r\r"),
    ]
    assert {prompt_hash(v) for v in variants} == {prompt_hash(base)}
    assert normalise_prompt(variants[1]) == base


def test_prompt_hash_changes_with_words_and_case() -> None:
    base = prompt_hash("Answer briefly.")
    assert prompt_hash("Answer in detail.") != base
    assert prompt_hash("answer briefly.") != base
    assert prompt_hash("Answer\nbriefly.") != base  # a line break inside a sentence is a real edit


def test_prompt_hash_is_unicode_normalised_and_short() -> None:
    composed = "Caf\u00e9 menu"
    decomposed = "Cafe\u0301 menu"
    assert prompt_hash(composed) == prompt_hash(decomposed)
    assert len(prompt_hash(composed)) == 16
    assert int(prompt_hash(composed), 16) >= 0
