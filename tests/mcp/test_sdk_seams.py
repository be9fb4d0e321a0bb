"""Each SDK internal obs-mcp relies on may be missing in another SDK version: the feature is lost, counted on
obs.internal.errors, and the application never sees an exception (the guard swallows, as in production)."""

from __future__ import annotations

import sys
from contextlib import AsyncExitStack
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.server.session import ServerSession
from obs_core import internal_error_counts
from obs_core import semconv as sc
from obs_core.testing import TelemetryCapture
from obs_mcp import instrument_client, instrument_server
from obs_mcp._client import _ORIGINAL, _instrumented_connector
from opentelemetry.trace import SpanKind

from .apps import demo_server
from .conftest import STEP_TIMEOUT_S, providers

pytestmark = pytest.mark.usefixtures("guard_swallows")


def _count(site: str) -> int:
    return internal_error_counts().get(site, 0)


def test_a_client_without_the_connector_stays_uninstrumented() -> None:
    client = Client(demo_server())
    del client._connect  # what a newer SDK without the private connector looks like
    before = _count("mcp.client.instrument")
    assert instrument_client(client) is client
    assert _ORIGINAL not in vars(client)
    assert _count("mcp.client.instrument") == before + 1


async def test_without_the_in_memory_transport_the_client_connects_as_the_sdk_would(
    capture: TelemetryCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mcp.client._memory", None)  # any import of it now fails
    client = instrument_client(Client(demo_server(), mode="legacy"), **providers(capture))
    before = _count("mcp.client.instrument")
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with client:
            result = await client.call_tool("add", {"a": 2, "b": 3})
    assert result.structured_content == {"result": 5}
    assert _count("mcp.client.instrument") == before + 1
    assert [s for s in capture.spans() if s.kind is SpanKind.CLIENT] == []  # the feature, not the call, is lost


async def test_a_connector_called_differently_is_passed_through() -> None:
    calls: list[tuple[Any, ...]] = []
    dispatcher: Any = object()

    async def original(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return dispatcher

    connect = _instrumented_connector(original, demo_server(), {})
    before = _count("mcp.client.connect")
    async with AsyncExitStack() as stack:
        assert await connect(stack, "auto", False, "a newer argument") is dispatcher
        assert await connect(exit_stack=stack, mode="auto") is dispatcher
    assert calls == [((stack, "auto", False, "a newer argument"), {}), ((), {"exit_stack": stack, "mode": "auto"})]
    assert _count("mcp.client.connect") == before + 2


@pytest.fixture(params=["_request_outbound", "_connection"])
def session_without(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """ServerSession as a newer SDK might build it: one of the private attributes obs reads is gone."""
    name: str = request.param
    original = ServerSession.__init__

    def init(self: ServerSession, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.__dict__[f"_renamed{name}"] = self.__dict__.pop(name)

    monkeypatch.setattr(ServerSession, "__init__", init)
    return name


async def test_a_session_without_its_channel_loses_events_and_session_time_only(
    capture: TelemetryCapture, session_without: str
) -> None:
    # A tool that never touches its session, so the SDK's own code does not trip over the rename.
    server = demo_server()
    instrument_server(server, **providers(capture))
    before, sessions_before = _count("mcp.server.events"), _count("mcp.server.session")
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(server, mode="legacy") as client:
            for _ in range(2):
                result = await client.call_tool("add", {"a": 1, "b": 2})
    assert result.structured_content == {"result": 3}
    spans = [s for s in capture.spans() if s.kind is SpanKind.SERVER and s.name == "tools/call add"]
    assert len(spans) == 2  # the spans themselves are not lost
    assert _count("mcp.server.events") == before + 1  # counted once, not per request
    if session_without == "_connection":
        assert capture.metric_points(sc.METRIC_MCP_SERVER_SESSION_DURATION) == []
        assert _count("mcp.server.session") == sessions_before + 1
