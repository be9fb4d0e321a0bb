"""A hand-written stdio JSON-RPC peer: shows exactly what reached the server, and misbehaves on request.

No SDK inside, so nothing normalises the traffic: ``tools/call`` answers
with the params it received byte-for-byte decoded (to prove what the proxy
changed), and some tool names make it write malformed JSON, a non-object,
a notification or a very large line before answering.
"""

from __future__ import annotations

import json
import sys
from typing import Any

EXACT_LINE = (
    '{ "jsonrpc" : "2.0","id":%s , "result":{"content":[{"type":"text","text":"\\u00e9 é \\n\\u2028 😀"}],"x":1.50}}'
)


def send(message: Any) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def text_result(text: str, **extra: Any) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], **extra}


def answer(request: dict[str, Any]) -> None:
    method, request_id = request.get("method"), request.get("id")
    params = request.get("params") or {}
    if method == "initialize":
        send(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "result": {
                    "protocolVersion": params.get("protocolVersion", "2025-11-25"),
                    "capabilities": {"tools": {}},
                    "serverInfo": {"name": "raw-server", "version": "1"},
                },
            }
        )
    elif method == "tools/call":
        name = params.get("name")
        if name == "garbage":
            sys.stdout.write("this is {not json\n")
            send([1, 2, 3][0])
        elif name == "notify":
            send({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "hi"}})
        elif name == "exact":
            # Odd spacing, escapes and raw UTF-8: only a byte-for-byte relay returns this line unchanged.
            sys.stdout.write(EXACT_LINE % json.dumps(request_id) + "\n")
            sys.stdout.flush()
            return
        elif name == "fail":
            send({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32602, "message": "bad arguments"}})
            return
        send(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "result": text_result(json.dumps(params), isError=name == "tool_error"),
            }
        )
    elif request_id is not None:
        send({"jsonrpc": "2.0", "id": request_id, "result": {}})


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            send({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
            continue
        if isinstance(message, dict) and "method" in message:
            answer(message)


if __name__ == "__main__":
    main()
