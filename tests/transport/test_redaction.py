"""No API key, auth header, signature or session token in any log line, exception text or repr:
a run with secret credentials, every log record of every logger at DEBUG captured, every
exception formatted with its chain, the provider echoing the credentials back."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from ir_codec import CacheControl, Message, Request, SystemBlock, Text, Tool
from ir_codec.errors import IRCodecError
from ir_codec.pricing import TokenPrice
from ir_codec.transport import AwsCredentials, Client, RetryPolicy
from tests.transport import replies as R
from tests.transport.server import ProviderServer, Reply, Seen

pytestmark = pytest.mark.usefixtures("clean_env")

SECRET = "sk-ant-SECRET-7f3a9c1e5b2d4f6a8c0e"
GEMINI_SECRET = "AIzaSECRET/0a1b2c3d4e5f6a7b8c9d"  # a slash, JSON-escaped by the echo
AWS_SECRET = "aws/SECRET+key/0123456789abcdefABCDEF"
AWS_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE-SECRET-SESSION-TOKEN"


def _echo(seen: Seen) -> Reply:
    """An error that quotes everything the request carried, as careless servers do, with the
    slashes JSON-escaped as some encoders write them."""
    quoted = "; ".join(f"{k}={v}" for k, v in seen.headers.items())
    error = {"type": "error", "error": {"type": "authentication_error", "message": f"bad credentials: {quoted}"}}
    return Reply(401, json.dumps(error).replace("/", "\\/").encode())


def test_secrets_stay_out_of_logs_exceptions_and_reprs(
    server: ProviderServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts: list[str] = []
    failures: list[BaseException] = []

    def expect_failure(call: Callable[[], Any]) -> None:
        try:
            call()
        except (IRCodecError, ValueError) as exc:
            failures.append(exc)
        else:
            raise AssertionError("the call should have failed")

    request = Request(
        model="claude-opus-5",
        max_tokens=32,
        system=[SystemBlock(text="S", cache=CacheControl())],
        messages=[Message(role="user", content=[Text(text="Hi")])],
    )
    fast = RetryPolicy(max_retries=1, initial_delay=0.001)
    caplog.set_level(logging.DEBUG)
    with caplog.at_level(logging.DEBUG):
        price = TokenPrice(input=1, output=2)  # type: ignore[arg-type]
        with Client("anthropic", api_key=SECRET, base_url=server.url, retry=fast, price=price, on_lossy="ignore") as c:
            texts += [repr(c), repr(c._builder), repr(c._builder.auth)]
            server.expect(Reply(429, R.ANTHROPIC_ERROR, headers={"retry-after": "0"}), Reply(200, R.ANTHROPIC_MESSAGE))
            c.send(request)
            server.expect(Reply(200, R.ANTHROPIC_WARM))
            c.ensure_cached(request)
            server.route = _echo
            expect_failure(lambda: c.send(request))
            server.route = None
            leak = ("error", {"type": "error", "error": {"type": "api_error", "message": f"key {SECRET} revoked"}})
            server.expect(Reply(200, chunks=R.sse([R.ANTHROPIC_EVENTS[0], leak]), content_type="text/event-stream"))
            expect_failure(lambda: c.send(msgspec.structs.replace(request, stream=True)))
            # a loss of the encode, logged
            c.send  # noqa: B018
        with Client("openai-chat", api_key=SECRET, base_url=server.url, retry=0, on_lossy="ignore") as c:
            server.expect(
                Reply(
                    401,
                    {"error": {"message": f"Incorrect API key provided: {SECRET}.", "type": "invalid_request_error"}},
                )
            )
            expect_failure(
                lambda: c.send(msgspec.structs.replace(request, tools=[Tool(name="t", cache=CacheControl())]))
            )
        with Client("gemini", api_key=GEMINI_SECRET, base_url=server.url, retry=0, on_lossy="ignore") as c:
            server.route = _echo
            expect_failure(lambda: c.send(msgspec.structs.replace(request, model="gemini-3-pro")))
            expect_failure(lambda: c.caches.get("c1"))
            server.route = None
        creds = AwsCredentials("AKIDEXAMPLE", AWS_SECRET, AWS_TOKEN)
        texts.append(repr(creds))
        with Client(
            "bedrock-converse", aws_credentials=creds, region="us-east-1", base_url=server.url, retry=fast
        ) as c:
            server.route = _echo
            expect_failure(lambda: c.send(msgspec.structs.replace(request, model="amazon.nova-pro-v1:0", system=[])))
            server.route = None
            signature = server.seen[-1].headers["authorization"].rpartition("Signature=")[2]
            assert len(signature) == 64
            texts.append(repr(c._builder.auth))
        with ProviderServer() as gone:
            dead = gone.url
        with Client("anthropic", api_key=SECRET, base_url=dead, retry=fast) as c:
            expect_failure(lambda: c.send(request))
        monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
        with Client("anthropic", base_url=server.url, retry=0) as c:
            texts.append(repr(c))

    for exc in failures:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(getattr(exc, "body", None))]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.__dict__)]
    assert len(caplog.records) > 20 and len(failures) == 7
    assert any("provider_request" in t for t in texts) and any("botocore" in r.name for r in caplog.records)
    assert any("bad credentials" in str(e) for e in failures)  # the echo did arrive, redacted
    joined = "\n".join(texts)
    for secret in (SECRET, GEMINI_SECRET, AWS_SECRET, AWS_TOKEN, signature):
        assert secret not in joined
    assert "[REDACTED]" in joined
