"""A real HTTP server on 127.0.0.1 for the transport tests.

It records every request it receives (method, raw path with query, headers, body) and answers
with scripted replies: a queue of :class:`Reply` values, or a ``route`` function (the Gemini
cache fake). Streamed replies go out in chunked transfer encoding, one flush per chunk. The
server runs in a daemon thread, stops when its ``with`` block ends, and stops by itself after
``lifetime`` seconds in any case.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    """JSON value (encoded here) or bytes."""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] | None = None
    """A streamed body, sent chunk by chunk."""
    content_type: str = "application/json"


Route = Callable[[Seen], Reply]


class ProviderServer:
    def __init__(self, lifetime: float = 60.0) -> None:
        self.seen: list[Seen] = []
        self.replies: list[Reply] = []
        self.route: Route | None = None
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with server._lock:
                    server.seen.append(seen)
                    if server.route is not None:
                        reply = server.route(seen)
                    elif server.replies:
                        reply = server.replies.pop(0)
                    else:
                        reply = Reply(599, {"error": {"message": "no reply scripted"}})
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                # one request per connection: a kept-alive connection the server closes after its
                # idle timeout (a slow neighbour on a loaded machine) would fail the next request
                self.send_header("connection", "close")
                self.close_connection = True
                if reply.chunks is not None:
                    self.send_header("content-type", reply.content_type)
                    self.send_header("transfer-encoding", "chunked")
                    self.end_headers()
                    for chunk in reply.chunks:
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    return
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                if reply.body is None:
                    data = b""
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._timer = threading.Timer(lifetime, self._server.shutdown)
        self._timer.daemon = True

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def expect(self, *replies: Reply) -> ProviderServer:
        with self._lock:
            self.replies.extend(replies)
        return self

    def __enter__(self) -> ProviderServer:
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
