"""A local web server for the fetch tests: real sockets on 127.0.0.1, never the internet.

httpx's mock transport would skip exactly what the policy is about (timeouts,
refused connections, streamed bodies cut at a cap, redirects), so the tests
talk to a ``ThreadingHTTPServer`` on a random port instead. Each path answers
with a queue of canned ``Reply`` objects (the last one repeats) or a handler.
"""

from __future__ import annotations

import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).parent


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout test, a closed keep-alive) is expected, not a traceback."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


ATOM = "application/atom+xml; charset=UTF-8"
JSON = "application/json"
HTML = "text/html; charset=utf-8"


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line is sent
    stream_bytes: int = 0  # instead of body: this many filler bytes, no Content-Length


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


Handler = Callable[[Seen], Reply]


class FakeWeb:
    """Routes by path; ``url(path)`` is the address to give the code under test."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Handler] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server = QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *replies: Reply | Handler) -> None:
        if len(replies) == 1 and callable(replies[0]):
            self.routes[path] = replies[0]
        else:
            self.routes[path] = [r for r in replies if isinstance(r, Reply)]

    def seen(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            route = self.routes.get(seen.path)
            if route is None:
                return Reply(404, b"Resource not found.")
            if callable(route):
                handler = route
            else:
                return route.pop(0) if len(route) > 1 else route[0]
        return handler(seen)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go as two writes

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                parts = urlsplit(self.path)
                seen = Seen(parts.path, parse_qs(parts.query), dict(self.headers.items()))
                reply = web._next(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    if reply.content_type:
                        self.send_header("Content-Type", reply.content_type)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.stream_bytes:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        self._stream(reply.stream_bytes)
                        self.close_connection = True
                        return
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _stream(self, size: int) -> None:
                chunk = b"x" * 65536
                sent = 0
                while sent < size:
                    self.wfile.write(chunk)
                    sent += len(chunk)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the test output clean

        return Handler

    def __enter__(self) -> FakeWeb:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A port nothing listens on: bound, then released (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeTime:
    """A clock that only moves when slept on; records every wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


_ENTRY = re.compile(rb"<entry>.*?</entry>", re.S)
_FEED_HEAD = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=&amp;id_list=%s&amp;start=0&amp;max_results=%d</title>
  <id>http://arxiv.org/api/composed</id>
  <updated>2026-12-06T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">%d</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">%d</opensearch:itemsPerPage>
"""


class ArxivAPI:
    """The arXiv API's ``id_list`` behaviour, answered from the fixture feeds.

    Known ids answer with their fixture's entry, in the order asked; unknown
    ids are left out (as the API does for ids it has no paper for); an id in
    ``malformed`` makes the whole answer the API's error entry, as a badly
    formed id does.
    """

    def __init__(self, papers: dict[str, str], malformed: frozenset[str] = frozenset()) -> None:
        self.entries = {
            paper_id: _ENTRY.search(fixture(name)).group(0)  # type: ignore[union-attr]
            for paper_id, name in papers.items()
        }
        self.malformed = malformed
        self.asked: list[list[str]] = []

    def __call__(self, seen: Seen) -> Reply:
        ids = ",".join(seen.query.get("id_list", [""])).split(",")
        self.asked.append(ids)
        if any(i in self.malformed for i in ids):
            return Reply(body=fixture("arxiv_error.xml"), content_type=ATOM)
        found = [self.entries[_base(i)] for i in ids if _base(i) in self.entries]
        head = _FEED_HEAD % (",".join(ids).encode(), len(ids), len(found), len(ids))
        return Reply(body=head + b"\n".join(found) + b"\n</feed>\n", content_type=ATOM)


def _base(arxiv_id: str) -> str:
    return re.sub(r"v\d+$", "", arxiv_id)


#: Read by httpx (trust_env): a proxy set on a CI machine would swallow requests to 127.0.0.1.
#: arXiv ids the API fixture answers, and the Atom file each is answered with.
ARXIV_PAPERS = {
    "2303.08774": "arxiv_2303.08774.xml",
    "2103.00020": "arxiv_2103.00020.xml",
    "hep-th/9711200": "arxiv_hep-th_9711200.xml",
}

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
)
