"""Routes of the loopback server behind an ``httpx.MockTransport`` (for the async client)."""

from __future__ import annotations

import json

import httpx

from tests.transport.server import Reply, Route, Seen


def seen_of(request: httpx.Request) -> Seen:
    return Seen(request.method, request.url.raw_path.decode(), dict(request.headers), request.content)


def response_of(reply: Reply) -> httpx.Response:
    headers = {"content-type": reply.content_type, **reply.headers}
    if reply.chunks is not None:
        return httpx.Response(reply.status, headers=headers, stream=httpx.ByteStream(b"".join(reply.chunks)))
    data = (
        b"" if reply.body is None else reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
    )
    return httpx.Response(reply.status, headers=headers, content=data)


class Recorder:
    """A MockTransport handler: records each request and answers from ``replies`` or ``route``."""

    def __init__(self, *replies: Reply, route: Route | None = None) -> None:
        self.replies = list(replies)
        self.route = route
        self.seen: list[Seen] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        seen = seen_of(request)
        self.seen.append(seen)
        if self.route is not None:
            return response_of(self.route(seen))
        return response_of(self.replies.pop(0) if self.replies else Reply(599, {"error": {"message": "none left"}}))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)
