"""The official reference servers work unchanged through the proxy: tools, calls, notifications, server requests."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.context import ClientRequestContext

from .conftest import STEP_TIMEOUT_S, everything_server_command, proxy_command, server_env, stdio_params

pytestmark = pytest.mark.slow


def _text(result: types.CallToolResult) -> str:
    return "\n".join(b.text for b in result.content if isinstance(b, types.TextContent))


@pytest.mark.parametrize(("mode", "launcher"), [("auto", "obs"), ("legacy", "python -m obs_mcp")])
async def test_time_server_through_the_proxy(tmp_path: Path, mode: str, launcher: str) -> None:
    command = proxy_command(sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC")
    if launcher == "obs":  # the `obs` command, which finds `mcp proxy` through the obs.cli entry point
        command = [str(Path(sys.executable).with_name("obs")), "mcp", *command[command.index("proxy") :]]
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(stdio_params(command, server_env(tmp_path)), mode=mode) as client:
            assert client.server_info is not None
            assert client.server_info.name == "mcp-time"
            tools = {t.name for t in (await client.list_tools()).tools}
            result = await client.call_tool(
                "convert_time", {"source_timezone": "UTC", "time": "12:00", "target_timezone": "Asia/Tokyo"}
            )
            bad = await client.call_tool("get_current_time", {"timezone": "Not/AZone"})
    assert tools == {"get_current_time", "convert_time"}
    assert result.structured_content is not None
    assert result.structured_content["target"]["datetime"].endswith("T21:00:00+09:00")
    assert bad.is_error


async def test_git_server_through_the_proxy(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "a.txt").write_text("hello\n")
    subprocess.run([*git, "add", "a.txt"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first commit"], check=True)
    (repo / "b.txt").write_text("new\n")
    command = proxy_command(
        sys.executable, "-m", "mcp_server_git", "--repository", str(repo), options=("--name", "git")
    )
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with Client(stdio_params(command, server_env(tmp_path))) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            status = await client.call_tool("git_status", {"repo_path": str(repo)})
            log = await client.call_tool("git_log", {"repo_path": str(repo), "max_count": 1})
            outside = await client.call_tool("git_status", {"repo_path": str(tmp_path)})
    assert {"git_status", "git_log", "git_diff", "git_commit"} <= tools
    assert "b.txt" in _text(status)
    assert "first commit" in _text(log)
    assert outside.is_error


class _Host:
    """What a desktop host would do for server-initiated requests, recorded."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.notifications: list[str] = []
        self.progress: list[float] = []

    async def sampling(
        self, context: ClientRequestContext, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult:
        self.requests.append("sampling/createMessage")
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(type="text", text="sampled by the host"), model="host-model"
        )

    async def elicitation(self, context: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.requests.append("elicitation/create")
        return types.ElicitResult(action="accept", content={"color": "blue", "answer": "blue"})

    async def roots(self, context: ClientRequestContext) -> types.ListRootsResult:
        self.requests.append("roots/list")
        return types.ListRootsResult(
            roots=[types.Root.model_validate({"uri": "file:///work/project", "name": "project"})]
        )

    async def message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        if isinstance(method, str):
            self.notifications.append(method)

    async def on_progress(self, progress: float, total: float | None, message: str | None) -> None:
        self.progress.append(progress)

    def client(self, command: list[str], env: dict[str, str], mode: str = "auto") -> Client:
        return Client(
            stdio_params(command, env),
            mode=mode,
            sampling_callback=self.sampling,
            elicitation_callback=self.elicitation,
            list_roots_callback=self.roots,
            message_handler=self.message,
        )


async def test_everything_server_through_the_proxy(tmp_path: Path) -> None:
    host = _Host()
    command = proxy_command(*everything_server_command(), options=("--name", "everything"))
    with anyio.fail_after(STEP_TIMEOUT_S):
        async with host.client(command, server_env(tmp_path)) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            echo = await client.call_tool("echo", {"message": "through the proxy"})
            long = await client.call_tool(
                "trigger-long-running-operation", {"duration": 0.3, "steps": 3}, progress_callback=host.on_progress
            )
            sampled = await client.call_tool("trigger-sampling-request", {"prompt": "hi", "maxTokens": 10})
            elicited = await client.call_tool("trigger-elicitation-request", {})
            roots = await client.call_tool("get-roots-list", {})
            image = await client.call_tool("get-tiny-image", {})
    assert {"echo", "trigger-sampling-request", "trigger-elicitation-request", "get-roots-list"} <= tools
    assert _text(echo) == "Echo: through the proxy"
    assert "Steps: 3" in _text(long)
    assert host.progress == [1, 2, 3]
    assert "notifications/progress" in host.notifications
    assert "sampled by the host" in _text(sampled)
    assert "blue" in _text(elicited)
    assert "file:///work/project" in _text(roots)
    # The server also asks for roots on its own once initialized, so roots/list may come more than once.
    assert sorted(set(host.requests)) == ["elicitation/create", "roots/list", "sampling/createMessage"]
    assert (host.requests.count("sampling/createMessage"), host.requests.count("elicitation/create")) == (1, 1)
    (png,) = [b for b in image.content if isinstance(b, types.ImageContent)]
    assert base64.b64decode(png.data).startswith(b"\x89PNG")
