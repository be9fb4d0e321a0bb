"""``obs mcp proxy``: a stdio MCP server that runs the real one and forwards every message both ways.

Host (Claude Desktop, Claude Code, VS Code) <-> proxy <-> child server, all
newline-delimited JSON-RPC. Lines the proxy does not change pass byte-for-byte;
a request gets ``_meta`` trace context (the proxy's client span becomes the
child's parent) and, for tools/call, the breaker's verdict. The proxy never
hangs the host: a dead child turns every open request into a JSON-RPC error
and ends the proxy; a malformed line is reported on stderr and skipped; when
the host goes away (stdin closed, stdout broken) or a signal comes, the child
is stopped in bounded steps (see ``_child``) and, should anything still be
stuck after that, the proxy cancels it and exits.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import anyio
import anyio.abc
from obs_core import internal_guard
from obs_core.breaker import BreakerConfig, BreakerRegistry
from opentelemetry import metrics, trace

from ._attrs import (
    CONNECTION_CLOSED,
    ERROR_TIMEOUT,
    ERROR_TRANSPORT,
    INVALID_REQUEST,
    PARSE_ERROR,
    REQUEST_TIMEOUT,
    TRANSPORT_PIPE,
)
from ._child import Child
from ._lines import LineWriter, fd_chunks, non_blocking, read_lines
from ._meta import extract_parent
from ._observer import ClientObserver
from ._wire import RequestKey, WireClient, correlation_key

SHUTDOWN_GRACE_S = 5.0
"""Default pause between the steps of stopping the child (stdin closed, SIGTERM, SIGKILL)."""
_ANSWERED_LOCALLY_MAX = 4096
"""Timed-out ids whose late answer is still swallowed; older ones are forgotten (servers rarely answer late)."""


@dataclass(frozen=True)
class ProxyConfig:
    """What ``obs mcp proxy`` was asked to run."""

    command: Sequence[str]
    """The real server's command line (any language)."""
    name: str | None = None
    """Server name in telemetry and breaker keys; None uses the name the server announces."""
    breaker: BreakerConfig | None = field(default_factory=BreakerConfig)
    """Thresholds of the per-tool breakers; None turns them off."""
    count_tool_errors: bool = True
    """Whether a tool result with ``isError: true`` counts as a breaker failure."""
    call_timeout_s: float | None = None
    """Answer a tools/call with a timeout error (and cancel it in the child) after this long; None waits."""
    shutdown_grace_s: float = SHUTDOWN_GRACE_S
    """Seconds the child gets at each step of being stopped (stdin closed, then SIGTERM, then SIGKILL), and
    how long its output may stay silent but open after it exited before the proxy stops waiting for it."""


class _Proxy:
    def __init__(
        self,
        config: ProxyConfig,
        child: Child,
        host_out: int,
        stderr: TextIO,
        tracer_provider: trace.TracerProvider | None,
        meter_provider: metrics.MeterProvider | None,
    ) -> None:
        self.config = config
        self.child = child
        self.host_out = LineWriter(host_out, on_broken=self.shutdown)
        self.stderr = stderr
        breakers = (
            BreakerRegistry(config.breaker, meter_provider=meter_provider, tracer_provider=tracer_provider)
            if config.breaker is not None
            else None
        )
        self.observer = ClientObserver(
            server_name=config.name,
            network_transport=TRANSPORT_PIPE,
            breakers=breakers,
            count_tool_errors=config.count_tool_errors,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
        )
        self.wire = WireClient(self.observer)
        self.inflight: dict[RequestKey, Any] = {}
        """Requests forwarded to the child and not answered yet, by correlation key -> id as the host sent it."""
        self.timers: dict[RequestKey, anyio.CancelScope] = {}
        self.answered_locally: OrderedDict[RequestKey, None] = OrderedDict()
        self.task_group: anyio.abc.TaskGroup | None = None
        self.shutting_down = False
        self.forced = False

    def report(self, message: str) -> None:
        _report(self.stderr, message)

    def shutdown(self) -> None:
        """The host went away or a signal came: stop the child, and everything else should it still be stuck."""
        if self.shutting_down or self.task_group is None:
            return
        self.shutting_down = True
        self.task_group.start_soon(self._shut_down, self.task_group.cancel_scope)

    async def _shut_down(self, scope: anyio.CancelScope) -> None:
        await self.child.stop()
        # The normal path ends the proxy as soon as the child's output closes; this only fires when a write
        # to a host that stopped reading holds it.
        await anyio.sleep(self.config.shutdown_grace_s)
        self.forced = True
        scope.cancel()

    # --- host -> child ----------------------------------------------------------------------

    async def from_host(self, host_in: int) -> None:
        async for line in read_lines(fd_chunks(host_in), lambda n: self.report(f"dropped a {n}-byte line")):
            message = self._parse(line, "client")
            if message is None:
                await self.host_out.write(_error_line(None, PARSE_ERROR, "Parse error (obs mcp proxy)"))
                continue
            if not isinstance(message, dict):
                if not isinstance(message, list):
                    self.report("skipped a client message that is not a JSON-RPC object")
                    await self.host_out.write(_error_line(None, INVALID_REQUEST, "Invalid Request (obs mcp proxy)"))
                    continue
                await self.child.send(line)  # a batch: forwarded, not observed
                continue
            await self._host_message(line, message)
        self.shutdown()

    async def _host_message(self, line: bytes, message: dict[str, Any]) -> None:
        method = message.get("method")
        raw_params = message.get("params")
        params = raw_params if isinstance(raw_params, Mapping) else None
        if isinstance(method, str) and "id" in message:
            request_id = message["id"]
            new_params, answer = self.wire.request(request_id, method, params, parent=extract_parent(params))
            if answer is not None:
                await self.host_out.write(_dumps({"jsonrpc": "2.0", "id": request_id, "result": answer}))
                return
            key = correlation_key(request_id)
            if key is not None:
                self.inflight[key] = request_id
                self.answered_locally.pop(key, None)  # a reused id: its next answer is this request's
                if method == "tools/call" and self.config.call_timeout_s is not None and self.task_group is not None:
                    self.task_group.start_soon(self._expire, key, request_id)
            await self.child.send(_rewrite(line, message, params, new_params))
        elif isinstance(method, str):
            new_params = self.wire.notification(method, params)
            await self.child.send(_rewrite(line, message, params, new_params))
        else:
            await self.child.send(line)  # the host answering a sampling / elicitation / roots request

    async def _expire(self, key: RequestKey, request_id: Any) -> None:
        timeout = self.config.call_timeout_s or 0.0
        with anyio.CancelScope() as scope:
            self.timers[key] = scope
            try:
                await anyio.sleep(timeout)
                if self.timers.get(key) is not scope or self.inflight.pop(key, None) is None:
                    return  # answered meanwhile, or the id was reused by a newer request with its own timer
                self.answered_locally[key] = None
                while len(self.answered_locally) > _ANSWERED_LOCALLY_MAX:
                    self.answered_locally.popitem(last=False)
                reason = f"timed out after {timeout:g}s"
                self.wire.fail(request_id, ERROR_TIMEOUT, reason)
                await self.host_out.write(_error_line(request_id, REQUEST_TIMEOUT, f"Request {reason} (obs mcp proxy)"))
                cancel = {"requestId": request_id, "reason": reason}
                await self.child.send(_dumps({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": cancel}))
            finally:
                if self.timers.get(key) is scope:
                    del self.timers[key]

    # --- child -> host ----------------------------------------------------------------------

    async def from_child(self) -> None:
        async for line in read_lines(self.child.receive, lambda n: self.report(f"dropped a {n}-byte server line")):
            message = self._parse(line, "server")
            if not isinstance(message, dict):
                if isinstance(message, list):
                    await self.host_out.write(line)
                elif message is not None:
                    self.report("skipped a server message that is not a JSON-RPC object")
                continue
            if not self._child_message(message):
                continue
            await self.host_out.write(line)

    def _child_message(self, message: dict[str, Any]) -> bool:
        """Observe one child message; False when it must not reach the host."""
        method = message.get("method")
        if isinstance(method, str):
            if "id" not in message:
                params = message.get("params")
                self.wire.server_notification(method, params if isinstance(params, Mapping) else None)
            return True
        key = correlation_key(message.get("id"))
        if key is None:
            return True
        if key in self.answered_locally:
            del self.answered_locally[key]
            return False  # the host already got a timeout answer for this id
        self.inflight.pop(key, None)
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        error = message.get("error")
        if isinstance(error, Mapping):
            code = error.get("code")
            text = error.get("message")
            self.wire.error(message.get("id"), code if isinstance(code, int) else 0, str(text))
        elif isinstance(message.get("result"), Mapping):
            self.wire.response(message.get("id"), message["result"])
        return True

    async def child_gone(self) -> int:
        """The child's output ended: make sure it is gone, answer what is open, and give its exit code."""
        grace = self.config.shutdown_grace_s
        if not await self.child.exited_within(grace):
            self.report(f"the MCP server closed its output but is still running after {grace:g}s")
            await self.child.stop()
        code = self.child.exit_code()
        description = f"the MCP server process exited with code {code} before answering"
        for request_id in list(self.inflight.values()):
            await self.host_out.write(_error_line(request_id, CONNECTION_CLOSED, f"{description} (obs mcp proxy)"))
        self.inflight.clear()
        self.wire.fail_all(ERROR_TRANSPORT, description)
        return code

    def _parse(self, line: bytes, side: str) -> Any:
        try:
            return json.loads(line)
        except ValueError as exc:
            self.report(f"skipped malformed JSON from the {side} ({exc}): {line[:120]!r}")
            with internal_guard("mcp.proxy.malformed"):
                direction = "client_to_server" if side == "client" else "server_to_client"
                self.observer.metrics.record_malformed(direction, self.observer.attributes())
            return None


async def run_proxy(
    config: ProxyConfig,
    *,
    host_in: int = 0,
    host_out: int = 1,
    stderr: TextIO | None = None,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
    handle_signals: bool = False,
) -> int:
    """Run until the host or the child goes away; return the exit code for the proxy process.

    ``handle_signals`` (main thread only) turns SIGTERM / SIGINT into an orderly
    stop: the child is stopped in bounded steps and telemetry gets flushed; a
    second signal stops waiting.
    """
    err = stderr or sys.stderr
    if not config.command:
        print("obs mcp proxy: no server command given (usage: obs mcp proxy -- <command> [args...])", file=err)
        return 2
    try:
        # The child's stderr is the host's log, as if no proxy were there; a pipe nobody read would also stop
        # a chatty server once it filled.
        process = await anyio.open_process(
            list(config.command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=_fd_of(err)
        )
    except OSError as exc:
        print(f"obs mcp proxy: cannot start {config.command[0]!r}: {exc}", file=err, flush=True)
        return 127
    child = Child(process, config.shutdown_grace_s, lambda message: _report(err, message))
    proxy = _Proxy(config, child, host_out, err, tracer_provider, meter_provider)
    with internal_guard("mcp.proxy.session"):
        proxy.observer.session_started()
    with non_blocking(host_in, host_out):
        exit_code = await _serve(proxy, host_in, handle_signals=handle_signals)
    with internal_guard("mcp.proxy.session"):
        proxy.observer.session_ended(None if exit_code == 0 else ERROR_TRANSPORT)
    return exit_code


async def _serve(proxy: _Proxy, host_in: int, *, handle_signals: bool) -> int:
    exit_code: int | None = None
    try:
        async with anyio.create_task_group() as tg:
            proxy.task_group = tg
            tg.start_soon(proxy.from_host, host_in)
            tg.start_soon(proxy.child.watch_exit)
            if handle_signals:
                tg.start_soon(_stop_on_signal, proxy)
            await proxy.from_child()
            exit_code = await proxy.child_gone()
            if proxy.child.accepting:  # the child left while the host was still talking
                proxy.report(f"the MCP server exited with code {exit_code}; stopping")
                exit_code = exit_code or 1
            tg.cancel_scope.cancel()
    finally:
        proxy.task_group = None  # nothing may start in it any more (a late broken-pipe report, say)
        await proxy.child.aclose()
    if exit_code is None:  # cancelled: stuck after the child was stopped, or told twice to stop
        exit_code = 1 if proxy.forced else proxy.child.exit_code()
    return exit_code


async def _stop_on_signal(proxy: _Proxy) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for _ in signals:
            if proxy.shutting_down and proxy.task_group is not None:  # asked twice: stop waiting
                proxy.report("stopping now")
                proxy.forced = True
                proxy.task_group.cancel_scope.cancel()
                return
            proxy.shutdown()


def _fd_of(stream: TextIO) -> int | None:
    """The descriptor behind ``stream`` for the child to inherit; None (our own stderr) when it has none."""
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both an OSError and a ValueError
        return None


def _report(stderr: TextIO, message: str) -> None:
    # stderr is the host's log; it may be gone or (sharing a tty with our stdout) non-blocking and full.
    with contextlib.suppress(OSError, ValueError):
        print(f"obs mcp proxy: {message}", file=stderr, flush=True)


def _rewrite(
    line: bytes, message: dict[str, Any], params: Mapping[str, Any] | None, new_params: Mapping[str, Any] | None
) -> bytes:
    """The original bytes when obs changed nothing, else the message re-encoded with the new params.

    Positional (array) params have no ``_meta`` to carry trace context: such a message passes as it came.
    """
    if new_params is params or message.get("params") is not params:
        return line
    return _dumps({**message, "params": new_params})


def _dumps(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error_line(request_id: Any, code: int, text: str) -> bytes:
    return _dumps({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": text}})
