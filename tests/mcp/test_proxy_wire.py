"""The proxy on the wire: transparent except for added ``_meta`` keys, robust to junk and dead children."""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest

from .conftest import (
    STEP_TIMEOUT_S,
    fault_server_command,
    proxy_command,
    raw_peer,
    raw_proxy_command,
    read_server_spans,
)

pytestmark = pytest.mark.slow  # real processes: the proxy and a server behind it

VALID = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _received_params(response: dict[str, Any]) -> dict[str, Any]:
    """What the raw server saw: it echoes the params of a tools/call as JSON text."""
    params: dict[str, Any] = json.loads(response["result"]["content"][0]["text"])
    return params


def _store_spans(tmp_path: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(tmp_path / "proxy.db") as db:
        rows = db.execute("SELECT trace_id, span_id, parent_span_id, name, attributes FROM spans").fetchall()
    return [
        {"trace_id": t, "span_id": s, "parent": p, "name": n, "attributes": json.loads(a)} for t, s, p, n, a in rows
    ]


async def test_only_trace_context_is_added_to_what_the_server_receives(tmp_path: Path) -> None:
    params = {
        "name": "echo",
        "arguments": {"text": "héllo \u2028 😀", "n": [1, 2.5, None, True], "nested": {"a": {"b": []}}},
        "_meta": {"progressToken": "tok-1", "vendor.example/key": {"x": 1}},
    }
    async with raw_peer(raw_proxy_command(), tmp_path) as peer:
        await peer.initialize()
        seen = _received_params(await peer.request(1, "tools/call", params))
        await peer.request(2, "tools/call", {"name": "echo", "_meta": {"traceparent": VALID}})
        assert await peer.close() == 0
    sent_meta = seen.pop("_meta")
    assert seen == {k: v for k, v in params.items() if k != "_meta"}
    assert sent_meta.pop("traceparent").startswith("00-")
    assert sent_meta == params["_meta"]
    spans = {s["name"]: s for s in _store_spans(tmp_path) if s["name"] == "tools/call echo" and s["parent"]}
    (continued,) = spans.values()  # the second call continued the host's trace
    assert (continued["trace_id"], continued["parent"]) == (VALID[3:35], VALID[36:52])


async def test_unchanged_lines_pass_byte_for_byte(tmp_path: Path) -> None:
    async with raw_peer(raw_proxy_command(), tmp_path) as peer:
        await peer.initialize()
        await peer.send({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "exact"}})
        line = await peer.read_line()
        await peer.close()
    assert (
        line
        == '{ "jsonrpc" : "2.0","id":7 , "result":{"content":[{"type":"text","text":"\\u00e9 é \\n\\u2028 😀"}],"x":1.50}}'.encode()
    )


async def test_malformed_json_from_either_side_is_reported_and_skipped(tmp_path: Path) -> None:
    async with raw_peer(raw_proxy_command(), tmp_path) as peer:
        await peer.initialize()
        await peer.send_line(b"{this is not json")
        assert await peer.read() == {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": -32700, "message": "Parse error (obs mcp proxy)"},
        }
        await peer.send_line(b'"a string"')
        assert (await peer.read())["error"]["code"] == -32600
        garbage = await peer.request(3, "tools/call", {"name": "garbage"})
        assert garbage["result"]["isError"] is False
        assert (await peer.request(4, "ping"))["result"] == {}
        await peer.send({"jsonrpc": "2.0", "id": 5, "method": "custom/positional", "params": [1, "two"]})
        assert (await peer.read())["result"] == {}  # array params carry no _meta: passed through untouched
        assert await peer.close() == 0
    stderr = peer.stderr_text()
    assert "skipped malformed JSON from the client" in stderr
    assert "skipped malformed JSON from the server" in stderr
    assert "skipped a server message that is not a JSON-RPC object" in stderr


async def test_notifications_and_errors_both_ways(tmp_path: Path) -> None:
    async with raw_peer(raw_proxy_command(), tmp_path) as peer:
        await peer.initialize()
        await peer.send({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "notify"}})
        notification = await peer.read()
        response = await peer.read()
        failed = await peer.request(6, "tools/call", {"name": "fail"})
        await peer.close()
    assert notification == {
        "jsonrpc": "2.0",
        "method": "notifications/message",
        "params": {"level": "info", "data": "hi"},
    }
    assert response["id"] == 5
    assert failed["error"] == {"code": -32602, "message": "bad arguments"}
    spans = {s["name"]: s["attributes"] for s in _store_spans(tmp_path)}
    assert spans["tools/call fail"]["error.type"] == "-32602"


async def test_a_crashing_server_gets_every_open_request_answered(tmp_path: Path) -> None:
    async with raw_peer(proxy_command(*fault_server_command()), tmp_path) as peer:
        await peer.initialize()
        await peer.send(
            {
                "jsonrpc": "2.0",
                "id": 11,
                "method": "tools/call",
                "params": {"name": "hang", "arguments": {"seconds": 60}},
            }
        )
        await peer.send(
            {"jsonrpc": "2.0", "id": 12, "method": "tools/call", "params": {"name": "crash", "arguments": {}}}
        )
        first, second = await peer.read(), await peer.read()
        answers = {first["id"]: first, second["id"]: second}
        with anyio.fail_after(STEP_TIMEOUT_S):
            code = await peer.process.wait()
    assert sorted(answers) == [11, 12]
    for answer in answers.values():
        assert answer["error"] == {
            "code": -32000,
            "message": "the MCP server process exited with code 3 before answering (obs mcp proxy)",
        }
    assert code == 3
    assert "the MCP server exited with code 3; stopping" in peer.stderr_text()


async def test_timeout_option_answers_and_cancels_in_the_child(tmp_path: Path) -> None:
    async with raw_peer(proxy_command(*fault_server_command(), options=("--timeout", "0.2")), tmp_path) as peer:
        await peer.initialize()
        timed_out = await peer.request(21, "tools/call", {"name": "hang", "arguments": {"seconds": 60}})
        echoed = await peer.request(22, "tools/call", {"name": "echo", "arguments": {"text": "still here"}})
        assert await peer.close() == 0
    assert timed_out["error"] == {"code": -32001, "message": "Request timed out after 0.2s (obs mcp proxy)"}
    assert echoed["result"]["content"][0]["text"] == "still here"
    server_spans = [json.loads(line) for line in (tmp_path / "server-spans.jsonl").read_text().splitlines()]
    (hang,) = [s for s in server_spans if s["name"] == "tools/call hang"]
    assert (hang["attributes"]["error.type"], hang["events"]) == ("cancelled", ["notifications/cancelled"])


async def test_host_closing_stdin_ends_child_and_proxy(tmp_path: Path) -> None:
    async with raw_peer(raw_proxy_command(), tmp_path) as peer:
        await peer.initialize()
        assert await peer.close() == 0
    assert peer.stderr_text() == ""


async def test_unstartable_server_is_reported(tmp_path: Path) -> None:
    async with raw_peer(proxy_command("/nonexistent/server"), tmp_path) as peer:
        with anyio.fail_after(STEP_TIMEOUT_S):
            assert await peer.process.wait() == 127
    assert "cannot start '/nonexistent/server'" in peer.stderr_text()


FUZZED_METAS: list[Any] = [
    None,
    "not-an-object",
    [VALID],
    {},
    {"traceparent": None},
    {"traceparent": 7},
    {"traceparent": ""},
    {"traceparent": "00-zz-zz-01"},
    {"traceparent": "00-" + "0" * 32 + "-" + "0" * 16 + "-01"},
    {"traceparent": VALID + "-" + "a" * 100_000},
    {"traceparent": VALID, "tracestate": {"not": "a string"}, "baggage": ["x"]},
    {"traceparent": VALID, "tracestate": "k=" + "v" * 50_000},
    {"tracestate": "only=state"},
    {"traceparent": ["list"], "progressToken": {"odd": True}},
]


async def _fuzz_outcomes(command: list[str], tmp_path: Path) -> list[str]:
    outcomes: list[str] = []
    async with raw_peer(command, tmp_path) as peer:
        await peer.initialize()
        for index, meta in enumerate(FUZZED_METAS, start=100):
            params: dict[str, Any] = {"name": "trace_info", "arguments": {}, "_meta": meta}
            response = await peer.request(index, "tools/call", params)
            if "error" in response:
                outcomes.append(str(response["error"]["code"]))
            else:
                assert response["result"]["structuredContent"]["trace_id"] != "0" * 32
                outcomes.append("ok")
        assert await peer.close() == 0
    return outcomes


async def test_fuzzed_meta_never_breaks_a_call_and_yields_a_valid_trace(tmp_path: Path) -> None:
    """Whatever ``_meta`` the host sends, the proxy answers exactly as the server alone does, and traces it."""
    (tmp_path / "direct").mkdir()
    direct = await _fuzz_outcomes(fault_server_command(), tmp_path / "direct")
    proxied = await _fuzz_outcomes(proxy_command(*fault_server_command()), tmp_path)
    assert proxied == direct
    assert proxied.count("ok") >= len(FUZZED_METAS) - 3  # only metas that are not objects fail, at the server
    server = {
        s["attributes"]["jsonrpc.request.id"]: s
        for s in read_server_spans(tmp_path)
        if s["name"] == "tools/call trace_info"
    }
    proxy = {
        s["attributes"]["jsonrpc.request.id"]: s for s in _store_spans(tmp_path) if s["name"] == "tools/call trace_info"
    }
    assert sorted(proxy) == sorted(str(i) for i in range(100, 100 + len(FUZZED_METAS)))
    for request_id, span in server.items():
        if isinstance(FUZZED_METAS[int(request_id) - 100], dict):  # a non-object _meta is the caller's to keep
            assert (span["trace_id"], span["parent_id"]) == (
                proxy[request_id]["trace_id"],
                proxy[request_id]["span_id"],
            )


async def test_sigterm_stops_the_child_and_keeps_the_telemetry(tmp_path: Path) -> None:
    async with raw_peer(proxy_command(*fault_server_command()), tmp_path) as peer:
        await peer.initialize()
        await peer.request(31, "tools/call", {"name": "echo", "arguments": {"text": "x"}})
        peer.process.send_signal(signal.SIGTERM)
        with anyio.fail_after(STEP_TIMEOUT_S):
            assert await peer.process.wait() == 0
    assert "tools/call echo" in {s["name"] for s in _store_spans(tmp_path)}
