"""The pipeline bench's load generator client (bench/e2e_load.py ``post_once``): one
connection a push by default, idle connections reused with ``--keep-alive``, and a
kept-alive connection the server closed meanwhile replaced without losing the push.
Against a real HTTP/1.1 server on a loopback socket (asyncio's), which counts the
connections it accepted and the requests it read."""

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the benches' folder, as they do

from bench.e2e_load import Connections, Push, post_once


@dataclass
class Server:
    """Answers each request 201 with a JSON body. ``close_after_answer``: closes the
    connection right after an answer that did not say so (as a server whose idle
    timeout ends a kept-alive connection between two requests)."""

    close_after_answer: bool = False
    accepted: int = 0
    bodies: list[bytes] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                fields = dict(
                    line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line
                )
                length = int(fields[b"Content-Length"])
                self.bodies.append(await reader.readexactly(length))
                close = fields[b"Connection"].strip() == b"close"
                answer = b'{"case_id": "c", "tracking_no": "t"}'
                writer.write(
                    b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(answer)}\r\n".encode()
                    + (b"connection: close\r\n" if close else b"")
                    + b"\r\n"
                    + answer
                )
                await writer.drain()
                if close or self.close_after_answer:
                    return
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    listening = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield state


def url(server: Server) -> httpx.URL:
    return httpx.URL(f"http://127.0.0.1:{server.port}")


async def _push(conns: Connections, n: int) -> tuple[int, bytes]:
    return await post_once(conns, "/v1/hotline/tickets", b"ticket %d" % n, {}, Push("t", 0.0), 5)


async def test_by_default_each_push_has_a_connection_of_its_own(server: Server) -> None:
    conns = Connections(url(server), keep_alive=False)

    answers = [await _push(conns, n) for n in range(3)]

    assert [status for status, _ in answers] == [201, 201, 201]
    assert server.bodies == [b"ticket 0", b"ticket 1", b"ticket 2"]
    assert (server.accepted, conns.opened, conns.idle) == (3, 3, [])


async def test_kept_alive_pushes_one_after_another_share_one_connection(server: Server) -> None:
    conns = Connections(url(server), keep_alive=True)

    answers = [await _push(conns, n) for n in range(3)]
    conns.close()

    assert [status for status, _ in answers] == [201, 201, 201]
    assert answers[0][1] == b'{"case_id": "c", "tracking_no": "t"}'
    assert server.bodies == [b"ticket 0", b"ticket 1", b"ticket 2"]
    assert (server.accepted, conns.opened) == (1, 1)


async def test_pushes_at_once_open_as_many_connections_then_reuse_them(server: Server) -> None:
    conns = Connections(url(server), keep_alive=True)

    first = await asyncio.gather(*(_push(conns, n) for n in range(4)))
    second = await asyncio.gather(*(_push(conns, n) for n in range(4, 8)))
    conns.close()

    assert [status for status, _ in first + second] == [201] * 8
    assert sorted(server.bodies) == sorted(b"ticket %d" % n for n in range(8))
    assert (server.accepted, conns.opened) == (4, 4)


async def test_a_connection_closed_while_idle_is_replaced_and_the_push_sent_once(
    server: Server,
) -> None:
    server.close_after_answer = True
    conns = Connections(url(server), keep_alive=True)

    first = await _push(conns, 0)
    second = await _push(conns, 1)
    conns.close()

    assert (first[0], second[0]) == (201, 201)
    assert server.bodies == [b"ticket 0", b"ticket 1"]
    assert (server.accepted, conns.opened) == (2, 2)


async def test_the_second_try_opens_a_new_connection_not_another_idle_one(
    server: Server,
) -> None:
    server.close_after_answer = True
    conns = Connections(url(server), keep_alive=True)
    await asyncio.gather(_push(conns, 0), _push(conns, 1))  # two idle, both closed after

    status, _ = await _push(conns, 2)
    conns.close()

    assert status == 201
    assert sorted(server.bodies) == [b"ticket 0", b"ticket 1", b"ticket 2"]
    assert (server.accepted, conns.opened) == (3, 3)
