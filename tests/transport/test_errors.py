"""Provider errors as ir_codec exceptions, retries (429 then 200, 529, retry-after, off), network
errors and timeouts, errors inside streams, and Bedrock SigV4 checked by botocore."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from ir_codec import Message, Request, Text
from ir_codec.errors import (
    AuthenticationError,
    BadRequestError,
    HTTPError,
    IRCodecError,
    NetworkError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    StreamError,
    TransportError,
)
from ir_codec.stream import TextDelta
from ir_codec.transport import AwsCredentials, Client, RetryPolicy
from tests.transport import replies as R
from tests.transport.server import ProviderServer, Reply, Seen

pytestmark = pytest.mark.usefixtures("clean_env")

KEY = "test-key-0123456789"
FAST = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


def _request(model: str = "claude-opus-5") -> Request:
    return Request(model=model, max_tokens=64, messages=[Message(role="user", content=[Text(text="Hi")])])


def _client(codec: str, server: ProviderServer, prefix: str = "", **kw: Any) -> Client:
    kw.setdefault("retry", 0)
    return Client(codec, api_key=KEY, base_url=server.url + prefix, **kw)


ERRORS = [
    # codec, status, body, headers, class, error_type, message, retryable, retry_after
    (
        "openai-chat",
        400,
        R.OPENAI_ERROR,
        {},
        BadRequestError,
        "invalid_request_error",
        "Invalid value for 'model'.",
        False,
        None,
    ),
    (
        "anthropic",
        401,
        {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
        {"request-id": "req_1"},
        AuthenticationError,
        "authentication_error",
        "invalid x-api-key",
        False,
        None,
    ),
    (
        "gemini",
        403,
        {"error": {"code": 403, "message": "Permission denied.", "status": "PERMISSION_DENIED"}},
        {},
        PermissionDeniedError,
        "PERMISSION_DENIED",
        "Permission denied.",
        False,
        None,
    ),
    (
        "anthropic",
        404,
        {"type": "error", "error": {"type": "not_found_error", "message": "model: claude-nope"}},
        {},
        NotFoundError,
        "not_found_error",
        "model: claude-nope",
        False,
        None,
    ),
    (
        "anthropic",
        413,
        {"type": "error", "error": {"type": "request_too_large", "message": "Request exceeds the maximum size"}},
        {},
        BadRequestError,
        "request_too_large",
        "Request exceeds the maximum size",
        False,
        None,
    ),
    (
        "anthropic",
        429,
        R.ANTHROPIC_ERROR,
        {"retry-after": "7"},
        RateLimitError,
        "rate_limit_error",
        R.ANTHROPIC_ERROR["error"]["message"],
        True,
        7.0,
    ),  # fmt: skip
    (
        "gemini",
        429,
        R.GEMINI_ERROR,
        {},
        RateLimitError,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota).",
        True,
        2.0,
    ),  # fmt: skip
    (
        "bedrock-converse",
        429,
        R.BEDROCK_ERROR,
        {"x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"},
        RateLimitError,
        "ThrottlingException",
        "Too many requests, please wait before trying again.",
        True,
        None,
    ),
    (
        "openai-responses",
        500,
        {"error": {"message": "The server had an error.", "type": "server_error", "param": None, "code": None}},
        {"retry-after-ms": "250"},
        ServerError,
        "server_error",
        "The server had an error.",
        True,
        0.25,
    ),
    (
        "bedrock-converse",
        503,
        {"message": "Service unavailable"},
        {"x-amzn-ErrorType": "ServiceUnavailableException"},
        OverloadedError,
        "ServiceUnavailableException",
        "Service unavailable",
        True,
        None,
    ),
    (
        "anthropic",
        529,
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        {},
        OverloadedError,
        "overloaded_error",
        "Overloaded",
        True,
        None,
    ),
    (
        "anthropic",
        500,
        {"type": "error", "error": {"type": "api_error", "message": "boom"}},
        {"x-should-retry": "false"},
        ServerError,
        "api_error",
        "boom",
        False,
        None,
    ),  # fmt: skip
    (
        "openrouter",
        402,
        {"error": {"code": 402, "message": "Insufficient credits"}},
        {},
        HTTPError,
        None,
        "Insufficient credits",
        False,
        None,
    ),
    ("anthropic", 502, b"<html>Bad Gateway</html>", {}, ServerError, None, "<html>Bad Gateway</html>", True, None),
]

MODELS = {
    "anthropic": ("claude-opus-5", ""),
    "openai-chat": ("gpt-5.6", "/v1"),
    "openai-responses": ("gpt-5.6", "/v1"),
    "openrouter": ("openai/gpt-5.6", "/api/v1"),
    "gemini": ("gemini-3-pro", ""),
    "bedrock-converse": ("anthropic.claude-opus-5-v1:0", ""),
}


@pytest.mark.parametrize(
    ("codec", "status", "body", "headers", "cls", "error_type", "message", "retryable", "retry_after"),
    ERRORS,
    ids=[f"{e[0]}-{e[1]}" for e in ERRORS],
)
def test_error_classes(
    server: ProviderServer,
    codec: str,
    status: int,
    body: Any,
    headers: dict[str, str],
    cls: type[HTTPError],
    error_type: str | None,
    message: str,
    retryable: bool,
    retry_after: float | None,
) -> None:
    model, prefix = MODELS[codec]
    server.expect(
        Reply(
            status, body, headers=headers, content_type="text/html" if isinstance(body, bytes) else "application/json"
        )
    )
    with _client(codec, server, prefix) as client, pytest.raises(cls) as info:
        client.send(_request(model))
    e = info.value
    assert type(e) is cls and isinstance(e, TransportError) and isinstance(e, IRCodecError)
    assert (e.status, e.error_type, e.message, e.retryable, e.retry_after) == (
        status,
        error_type,
        message,
        retryable,
        retry_after,
    )
    assert e.codec == codec and e.method == "POST" and e.url is not None and e.url.startswith(server.url)
    kind = f" {error_type}" if error_type else ""
    assert str(e) == f"{codec}: HTTP {status}{kind}: {message}"
    assert len(server.seen) == 1  # retries are off
    if codec == "anthropic" and status == 401:
        assert e.request_id == "req_1"


def test_429_then_200_is_retried_after_retry_after(server: ProviderServer, caplog: pytest.LogCaptureFixture) -> None:
    server.expect(
        Reply(429, R.ANTHROPIC_ERROR, headers={"retry-after-ms": "30"}),
        Reply(200, R.ANTHROPIC_MESSAGE),
    )
    with caplog.at_level(logging.INFO, logger="ir_codec"), _client("anthropic", server, retry=FAST) as client:
        response = client.send(_request())
    assert response.content == [Text(text="Hello!")]
    first, second = server.seen
    assert (first.path, first.body, first.headers) == (second.path, second.body, second.headers)
    retry = [r for r in caplog.records if r.getMessage() == "provider_retry"]
    assert [(r.attempt, r.wait_s, r.status, r.error_type) for r in retry] == [(1, 0.03, 429, "rate_limit_error")]  # type: ignore[attr-defined]
    (done,) = [r for r in caplog.records if r.getMessage() == "provider_request"]
    assert (done.status, done.retries) == (200, 1)  # type: ignore[attr-defined]


def test_529_retried_until_the_budget_runs_out(server: ProviderServer) -> None:
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    server.expect(*[Reply(529, overloaded) for _ in range(2)], Reply(200, R.ANTHROPIC_MESSAGE))
    with _client("anthropic", server, retry=FAST) as client:
        assert client.send(_request()).content == [Text(text="Hello!")]
    assert len(server.seen) == 3
    server.expect(*[Reply(529, overloaded) for _ in range(3)])
    with _client("anthropic", server, retry=RetryPolicy(max_retries=1, initial_delay=0.001)) as client:
        with pytest.raises(OverloadedError):
            client.send(_request())
    assert len(server.seen) == 5  # 3 + (1 try + 1 retry)
    server.replies.clear()


def test_a_long_retry_after_and_x_should_retry_false_are_not_retried(server: ProviderServer) -> None:
    server.expect(Reply(429, R.ANTHROPIC_ERROR, headers={"retry-after": "3600"}))
    with _client("anthropic", server, retry=FAST) as client, pytest.raises(RateLimitError) as info:
        client.send(_request())
    assert (info.value.retryable, info.value.retry_after, len(server.seen)) == (True, 3600.0, 1)
    server.expect(
        Reply(
            503, {"type": "error", "error": {"type": "api_error", "message": "x"}}, headers={"x-should-retry": "false"}
        )
    )
    with _client("anthropic", server, retry=FAST) as client, pytest.raises(OverloadedError):
        client.send(_request())
    assert len(server.seen) == 2


def test_retry_policy_backoff_and_validation() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0)
    assert [policy.delay(n, None) for n in (1, 2, 3, 5, 9)] == [0.5, 1.0, 2.0, 8.0, 8.0]
    jittered = RetryPolicy(initial_delay=1.0, jitter=0.25)
    assert all(0.75 <= jittered.delay(1, None) <= 1.0 for _ in range(50))
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=2)
    assert RetryPolicy.off() == RetryPolicy(max_retries=0)


def test_network_errors_and_timeouts(server: ProviderServer) -> None:
    with ProviderServer() as gone:
        dead = gone.url
    with Client("anthropic", api_key=KEY, base_url=dead, retry=RetryPolicy(max_retries=1, initial_delay=0.001)) as c:
        with pytest.raises(NetworkError) as info:
            c.send(_request())
    assert info.value.retryable and str(info.value).startswith(f"anthropic: POST {dead}/v1/messages: ConnectError")

    def slow(seen: Seen) -> Reply:
        time.sleep(0.5)
        return Reply(200, R.ANTHROPIC_MESSAGE)

    server.route = slow
    with _client("anthropic", server, timeout=0.1) as client, pytest.raises(RequestTimeoutError) as t:
        client.send(_request())
    assert "ReadTimeout" in str(t.value)
    assert len(server.seen) == 1


def test_error_events_inside_streams(server: ProviderServer) -> None:
    overloaded = ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    server.expect(Reply(200, chunks=R.sse([*R.ANTHROPIC_EVENTS[:4], overloaded]), content_type="text/event-stream"))
    got: list[Any] = []
    with _client("anthropic", server) as client, client.stream(_request()) as events:
        with pytest.raises(StreamError) as info:
            for e in events:
                got.append(e)
    assert [e.text for e in got if isinstance(e, TextDelta) and e.text] == ["Hel"]
    err = info.value
    assert (err.status, err.error_type, err.message, err.retryable) == (200, "overloaded_error", "Overloaded", True)

    server.expect(
        Reply(
            200,
            chunks=[R.converse_frames(R.CONVERSE_EVENTS[:2])[0], R.aws_exception("throttlingException", "Slow down")],
            content_type="application/vnd.amazon.eventstream",
        )
    )
    with _client("bedrock-converse", server) as client, pytest.raises(StreamError) as info:
        client.send(msgspec_replace(_request("anthropic.claude-opus-5-v1:0"), stream=True))
    assert (info.value.error_type, info.value.message, info.value.retryable) == (
        "throttlingException",
        "Slow down",
        True,
    )

    chunk_error = {"error": {"message": "Provider returned error", "code": 502}}
    server.expect(Reply(200, chunks=R.sse([R.CHAT_EVENTS[0], (None, chunk_error)]), content_type="text/event-stream"))
    with _client("openrouter", server, "/api/v1") as client, pytest.raises(StreamError) as info:
        client.send(msgspec_replace(_request("openai/gpt-5.6"), stream=True))
    assert (info.value.error_type, info.value.message, info.value.retryable) == ("502", "Provider returned error", True)

    failed = {
        "type": "response.failed",
        "sequence_number": 1,
        "response": {**R.RESPONSE, "status": "failed", "error": {"code": "server_error", "message": "Try again"}},
    }
    server.expect(
        Reply(200, chunks=R.sse([R.RESPONSES_EVENTS[0], ("response.failed", failed)]), content_type="text/event-stream")
    )
    with _client("openai-responses", server, "/v1") as client, pytest.raises(StreamError) as info:
        client.send(msgspec_replace(_request("gpt-5.6"), stream=True))
    assert (info.value.error_type, info.value.message) == ("server_error", "Try again")


def test_corrupt_event_stream_is_a_decode_error(server: ProviderServer) -> None:
    frame = bytearray(R.converse_frames(R.CONVERSE_EVENTS[:1])[0])
    frame[-1] ^= 0xFF
    server.expect(Reply(200, chunks=[bytes(frame)], content_type="application/vnd.amazon.eventstream"))
    with _client("bedrock-converse", server) as client, pytest.raises(IRCodecError, match="matching CRC32"):
        client.send(msgspec_replace(_request("anthropic.claude-opus-5-v1:0"), stream=True))


def msgspec_replace(request: Request, **changes: Any) -> Request:
    import msgspec

    return msgspec.structs.replace(request, **changes)


# -------------------------------------------------------------------------------- SigV4


def test_bedrock_sigv4_signature_verifies_with_botocore(server: ProviderServer) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "session-token-abc")
    server.expect(Reply(200, R.CONVERSE_REPLY))
    with Client("bedrock-converse", base_url=server.url, region="us-east-1", aws_credentials=creds, retry=0) as c:
        c.send(_request("anthropic.claude-opus-5-v1:0"))
    seen = server.seen[0]
    auth = seen.headers["authorization"]
    date = seen.headers["x-amz-date"]
    assert seen.headers["x-amz-security-token"] == "session-token-abc"
    assert auth.startswith(f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{date[:8]}/us-east-1/bedrock/aws4_request, ")
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert signed == ["content-type", "host", "x-amz-date", "x-amz-security-token"]
    # Recompute the signature the way botocore does, from what the server received.
    url = server.url + seen.path
    req = AWSRequest(method=seen.method, url=url, data=seen.body, headers={h: seen.headers[h] for h in signed})
    req.context["timestamp"] = date
    signer = SigV4Auth(Credentials("AKIDEXAMPLE", creds.secret_access_key, "session-token-abc"), "bedrock", "us-east-1")
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    assert auth.endswith(f"Signature={expected}")
    assert "\nPOST\n/model/anthropic.claude-opus-5-v1%253A0/converse\n"[1:] in canonical  # the label, encoded twice


def test_sigv4_from_the_environment_chain(server: ProviderServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret-0123456789")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    server.expect(Reply(200, R.ANTHROPIC_MESSAGE))
    with Client("anthropic-bedrock", base_url=server.url, retry=0) as c:
        c.send(_request("anthropic.claude-opus-5-v1:0"))
    assert "/eu-central-1/bedrock/aws4_request" in server.seen[0].headers["authorization"]
    assert json.loads(server.seen[0].body)["anthropic_version"] == "2026-10-21"
