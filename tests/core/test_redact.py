from __future__ import annotations

import re

import pytest
from obs_core import Pattern, RedactionOptions, Redactor
from obs_core.testing import TelemetryCapture


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        ("write to jane.roe@example.org today", "write to [REDACTED:email] today", {"email": 1}),
        ("call +1 415-555-0132", "call [REDACTED:phone]", {"phone": 1}),
        ("call (415) 555-0132", "call [REDACTED:phone]", {"phone": 1}),
        ("call +44 20 7946 0958", "call [REDACTED:phone]", {"phone": 1}),
        ("card 4111 1111 1111 1111.", "card [REDACTED:credit_card].", {"credit_card": 1}),
        ("ssn 123-45-6789", "ssn [REDACTED:us_ssn]", {"us_ssn": 1}),
        (
            "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx12",
            "OPENAI_API_KEY=[REDACTED:openai_api_key]",
            {"openai_api_key": 1},
        ),
        ("key sk-ant-api03-abcdefghijklmnopqrstuv", "key [REDACTED:anthropic_api_key]", {"anthropic_api_key": 1}),
        ("aws AKIAIOSFODNN7EXAMPLE", "aws [REDACTED:aws_access_key]", {"aws_access_key": 1}),
        ("token ghp_" + "a" * 36, "token [REDACTED:github_token]", {"github_token": 1}),
        (
            "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012",
            "Authorization: [REDACTED:bearer_token]",
            {"bearer_token": 1},
        ),
    ],
)
def test_entities_are_redacted_and_counted(text: str, expected: str, counts: dict[str, int]) -> None:
    result = Redactor().redact(text)
    assert result.text == expected
    assert result.counts == counts


@pytest.mark.parametrize(
    "text",
    [
        "order 1234 5678 9012 3456 is not a valid card (Luhn fails)",
        "def add(x: int) -> int:\n    return x + 1  # ticket 4521",
        "the build took 12.5 s on 2 cores",
    ],
)
def test_look_alikes_are_left_alone(text: str) -> None:
    result = Redactor().redact(text)
    assert result.text == text
    assert result.counts == {}


def test_counts_reach_the_metric(capture: TelemetryCapture) -> None:
    redactor = Redactor(meter_provider=capture.meter_provider)
    redactor.redact("a@b.io and c@d.io")
    assert capture.metric_sum("obs.pii.entities", obs__pii__entity_type="email") == 2


def test_options_disable_types_and_add_patterns() -> None:
    options = RedactionOptions(
        disabled_types=frozenset({"email"}),
        extra_patterns=(Pattern("ticket", re.compile(r"\bCUST-\d{6}\b")),),
        replacement="<{type}>",
    )
    result = Redactor(options).redact("CUST-123456 wrote from a@b.io")
    assert result.text == "<ticket> wrote from a@b.io"
    assert result.counts == {"ticket": 1}


def test_already_redacted_text_is_stable() -> None:
    once = Redactor().redact("a@b.io").text
    assert Redactor().redact(once).text == once
