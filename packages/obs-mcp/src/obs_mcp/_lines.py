"""Newline-delimited JSON-RPC framing for the stdio proxy, bytes in and bytes out.

The proxy must pass messages it does not change byte-for-byte, whatever
their size, so lines are cut from raw chunks (no decoding, no line-length
limit of a text reader) and scanning resumes where the last search stopped,
keeping a multi-megabyte message linear to split.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import anyio
from anyio.abc import ByteReceiveStream

Chunks = Callable[[], Awaitable[bytes]]
"""Returns the next chunk; ``b""`` at end of stream."""

MAX_LINE_BYTES = 256 * 1024 * 1024
"""A line longer than this is dropped (and reported) instead of exhausting memory."""


async def read_lines(next_chunk: Chunks, on_oversized: Callable[[int], None]) -> AsyncIterator[bytes]:
    """Yield each non-empty line without its terminator; a final unterminated line is yielded too."""
    buffer = bytearray()
    scanned = 0
    skipping = False
    while True:
        chunk = await next_chunk()
        if not chunk:
            if buffer.strip() and not skipping:
                yield bytes(buffer).rstrip(b"\r")
            return
        buffer += chunk
        while True:
            newline = buffer.find(b"\n", scanned)
            if newline < 0:
                scanned = len(buffer)
                if len(buffer) > MAX_LINE_BYTES:
                    if not skipping:
                        on_oversized(len(buffer))
                    skipping = True
                    buffer.clear()
                    scanned = 0
                break
            line = bytes(buffer[:newline]).rstrip(b"\r")
            del buffer[: newline + 1]
            scanned = 0
            if skipping:
                skipping = False
                continue
            if line.strip():
                yield line


def stream_chunks(stream: ByteReceiveStream, size: int = 1 << 16) -> Chunks:
    """Chunks from an anyio byte stream (a child's stdout)."""

    async def next_chunk() -> bytes:
        try:
            return await stream.receive(size)
        except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
            return b""

    return next_chunk


def fd_chunks(fd: int, size: int = 1 << 16) -> Chunks:
    """Chunks from a file descriptor (our stdin) without a thread: a thread blocked in ``read`` would keep
    the process alive after the child died, until the host closed the pipe."""

    async def next_chunk() -> bytes:
        while True:
            try:
                return os.read(fd, size)
            except BlockingIOError:
                await anyio.wait_readable(fd)

    return next_chunk


class LineWriter:
    """Writes whole lines to a file descriptor from several tasks, without threads or interleaving."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = anyio.Lock()

    async def write(self, line: bytes) -> None:
        data = memoryview(line + b"\n")
        async with self._lock:
            while data:
                try:
                    data = data[os.write(self._fd, data) :]
                except BlockingIOError:
                    await anyio.wait_writable(self._fd)


@contextlib.contextmanager
def non_blocking(*fds: int) -> Iterator[None]:
    """Put descriptors in non-blocking mode for the event loop, and back as they were afterwards."""
    previous = {fd: os.get_blocking(fd) for fd in fds}
    try:
        for fd in fds:
            os.set_blocking(fd, False)
        yield
    finally:
        for fd, blocking in previous.items():
            with contextlib.suppress(OSError):
                os.set_blocking(fd, blocking)
