"""Every codec against a real HTTP server on 127.0.0.1: the exact method, URL, headers and body
the server receives, whole and streamed replies decoded to the same IR Response, and the same
request from an IR request, an ``Encoded`` and a wire body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest

import ir_codec
from ir_codec import Message, Request, SystemBlock, Text, get_codec
from ir_codec.errors import ConfigurationError, CredentialsError
from ir_codec.stream import MessageStart, Stop, TextDelta, UsageUpdate
from ir_codec.transport import Client, build_request
from tests.transport import replies as R
from tests.transport.server import ProviderServer, Reply

pytestmark = pytest.mark.usefixtures("clean_env")

KEY = "test-key-0123456789"
ACCEPT_ENCODING = httpx.Client().headers["accept-encoding"]
SSE = "text/event-stream"
EVENTSTREAM = "application/vnd.amazon.eventstream"


def _request(model: str) -> Request:
    return Request(
        model=model,
        max_tokens=256,
        system=[SystemBlock(text="Be terse.")],
        messages=[Message(role="user", content=[Text(text="Say hello.")])],
    )


@dataclass
class Case:
    codec: str
    model: str
    prefix: str
    """Path of the base URL on the test server."""
    path: str
    stream_path: str
    headers: dict[str, str]
    stream_headers: dict[str, str]
    reply: Any
    stream_chunks: list[bytes]
    stream_type: str
    usage: dict[str, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    stream_body_extra: dict[str, Any] = field(default_factory=dict)


def _usage(**given: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(ir_codec.Usage.__struct_fields__)
    base.update(uncached_input_tokens=12, cache_read_tokens=4000, cache_write_tokens=1500, output_tokens=3)
    base.update(given)
    return base


ANTHROPIC_USAGE = _usage(cache_write_5m_tokens=500, cache_write_1h_tokens=1000)
BEARER = {"authorization": f"Bearer {KEY}"}

CASES = [
    Case(
        "anthropic",
        "claude-opus-5",
        "",
        "/v1/messages",
        "/v1/messages",
        {"anthropic-version": "2026-10-21", **BEARER},
        {"anthropic-version": "2026-10-21", **BEARER},
        R.ANTHROPIC_MESSAGE,
        R.sse(R.ANTHROPIC_EVENTS),
        SSE,
        ANTHROPIC_USAGE,
    ),
    Case(
        "anthropic-bedrock",
        "anthropic.claude-opus-5-v1:0",
        "",
        "/model/anthropic.claude-opus-5-v1%3A0/invoke",
        "/model/anthropic.claude-opus-5-v1%3A0/invoke-with-response-stream",
        {"accept": "application/json", **BEARER},
        {"x-amzn-bedrock-accept": "application/json", **BEARER},
        R.ANTHROPIC_MESSAGE,
        R.invoke_frames(R.ANTHROPIC_EVENTS),
        EVENTSTREAM,
        ANTHROPIC_USAGE,
    ),
    Case(
        "anthropic-vertex",
        "claude-opus-5",
        "/v1",
        "/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/claude-opus-5:rawPredict",
        "/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/claude-opus-5:streamRawPredict",
        BEARER,
        BEARER,
        R.ANTHROPIC_MESSAGE,
        R.sse(R.ANTHROPIC_EVENTS),
        SSE,
        ANTHROPIC_USAGE,
        kwargs={"region": "us-east5", "project": "proj-1"},
    ),
    Case(
        "bedrock-converse",
        "anthropic.claude-opus-5-v1:0",
        "",
        "/model/anthropic.claude-opus-5-v1%3A0/converse",
        "/model/anthropic.claude-opus-5-v1%3A0/converse-stream",
        BEARER,
        BEARER,
        R.CONVERSE_REPLY,
        R.converse_frames(R.CONVERSE_EVENTS),
        EVENTSTREAM,
        _usage(cache_write_5m_tokens=500, cache_write_1h_tokens=1000),
    ),
    Case(
        "openai-chat",
        "gpt-5.6",
        "/v1",
        "/v1/chat/completions",
        "/v1/chat/completions",
        BEARER,
        BEARER,
        R.CHAT_COMPLETION,
        R.sse(R.CHAT_EVENTS, done=True),
        SSE,
        _usage(),
        stream_body_extra={"stream_options": {"include_usage": True}},
    ),
    Case(
        "openai-responses",
        "gpt-5.6",
        "/v1",
        "/v1/responses",
        "/v1/responses",
        BEARER,
        BEARER,
        R.RESPONSE,
        R.sse(R.RESPONSES_EVENTS),
        SSE,
        _usage(reasoning_tokens=0),
    ),
    Case(
        "openrouter",
        "anthropic/claude-opus-5",
        "/api/v1",
        "/api/v1/chat/completions",
        "/api/v1/chat/completions",
        BEARER,
        BEARER,
        R.CHAT_COMPLETION,
        R.sse(R.CHAT_EVENTS, done=True),
        SSE,
        _usage(),
        stream_body_extra={"stream_options": {"include_usage": True}},
    ),
    Case(
        "gemini",
        "gemini-3-pro",
        "",
        "/v1beta/models/gemini-3-pro:generateContent",
        "/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse",
        {"x-goog-api-key": KEY},
        {"x-goog-api-key": KEY},
        R.GEMINI_REPLY,
        R.sse(R.GEMINI_EVENTS),
        SSE,
        _usage(uncached_input_tokens=1512, cache_write_tokens=None),  # Gemini reports no writes
    ),
]


def _client(case: Case, server: ProviderServer, **more: Any) -> Client:
    return Client(case.codec, api_key=KEY, base_url=server.url + case.prefix, retry=0, **case.kwargs, **more)


def _expected_headers(server: ProviderServer, body: bytes, extra: dict[str, str]) -> dict[str, str]:
    return {
        "host": f"127.0.0.1:{server.port}",
        "accept": "*/*",
        "accept-encoding": ACCEPT_ENCODING,
        "connection": "keep-alive",
        "user-agent": f"ir-codec/{ir_codec.__version__}",
        "content-type": "application/json",
        "content-length": str(len(body)),
        **extra,
    }


def _usage_of(response: ir_codec.Response) -> dict[str, Any]:
    return {f: getattr(response.usage, f) for f in ir_codec.Usage.__struct_fields__}


@pytest.mark.parametrize("case", CASES, ids=[c.codec for c in CASES])
def test_whole_reply(case: Case, server: ProviderServer) -> None:
    request = _request(case.model)
    server.expect(Reply(200, case.reply))
    with _client(case, server) as client:
        response = client.send(request)
    (seen,) = server.seen
    expected_body = get_codec(case.codec).encode(request).to_json()
    assert (seen.method, seen.path, seen.body) == ("POST", case.path, expected_body)
    assert seen.headers == _expected_headers(server, expected_body, case.headers)
    assert response == get_codec(case.codec).decode_response(msgspec.json.encode(case.reply))
    assert response.content == [Text(text="Hello!")]
    assert response.stop_reason == "end_turn"
    assert _usage_of(response) == case.usage


@pytest.mark.parametrize("case", CASES, ids=[c.codec for c in CASES])
def test_streamed_reply(case: Case, server: ProviderServer) -> None:
    request = _request(case.model)
    server.expect(Reply(200, chunks=case.stream_chunks, content_type=case.stream_type))
    with _client(case, server) as client, client.stream(request) as events:
        got = list(events)
    (seen,) = server.seen
    streamed = msgspec.structs.replace(request, stream=True)
    expected_body = msgspec.json.encode({**get_codec(case.codec).encode(streamed).body, **case.stream_body_extra})
    assert (seen.method, seen.path, seen.body) == ("POST", case.stream_path, expected_body)
    assert seen.headers == _expected_headers(server, expected_body, case.stream_headers)
    assert [e.text for e in got if isinstance(e, TextDelta) and e.text] == ["Hel", "lo!"]
    assert [e.stop_reason for e in got if isinstance(e, Stop)] == ["end_turn"]
    assert isinstance(got[0], MessageStart)
    assert any(isinstance(e, UsageUpdate) for e in got)
    assert events.response == get_codec(case.codec).decode_response(msgspec.json.encode(case.reply))
    assert _usage_of(events.response) == case.usage


@pytest.mark.parametrize("case", CASES, ids=[c.codec for c in CASES])
def test_ir_encoded_and_wire_body_send_the_same_request(case: Case, server: ProviderServer) -> None:
    request = _request(case.model)
    encoded = get_codec(case.codec).encode(request)
    server.expect(*[Reply(200, case.reply) for _ in range(3)])
    with _client(case, server) as client:
        a = client.send(request)
        b = client.send(encoded)
        c = client.send(dict(encoded.body), model=case.model)
    assert a == b == c
    first, *rest = server.seen
    assert all(
        (s.method, s.path, s.body, s.headers) == (first.method, first.path, first.body, first.headers) for s in rest
    )
    built = build_request(request, case.codec, api_key=KEY, base_url=server.url + case.prefix, **case.kwargs)
    assert (built.method, built.url.raw_path.decode(), built.content) == ("POST", case.path, first.body)


BODY_STREAM = [c for c in CASES if "stream" not in get_codec(c.codec).URL_FIELDS]


@pytest.mark.parametrize("case", BODY_STREAM, ids=[c.codec for c in BODY_STREAM])
def test_send_of_a_streaming_body_reads_the_stream_to_the_end(case: Case, server: ProviderServer) -> None:
    body = {**get_codec(case.codec).encode(_request(case.model)).body, "stream": True}
    server.expect(Reply(200, chunks=case.stream_chunks, content_type=case.stream_type))
    with _client(case, server) as client:
        response = client.send(body, model=case.model)
    assert response.content == [Text(text="Hello!")]
    assert server.seen[0].path == case.stream_path
    assert _usage_of(response) == case.usage


def test_anthropic_2023_version_sends_x_api_key(server: ProviderServer) -> None:
    server.expect(Reply(200, R.ANTHROPIC_MESSAGE))
    with Client(
        "anthropic", api_key=KEY, base_url=server.url, retry=0, codec_options={"api_version": "2023-06-01"}
    ) as c:
        c.send(_request("claude-opus-5"))
    headers = server.seen[0].headers
    assert (headers["x-api-key"], headers["anthropic-version"]) == (KEY, "2023-06-01")
    assert "authorization" not in headers


def test_anthropic_beta_headers_follow_the_body(server: ProviderServer) -> None:
    request = msgspec.structs.replace(
        _request("claude-opus-5"),
        provider_options={"anthropic": {"thread": {"type": "create"}, "fallbacks": ["claude-opus-5"]}},
    )
    server.expect(Reply(200, R.ANTHROPIC_MESSAGE), Reply(200, R.ANTHROPIC_MESSAGE))
    with Client("anthropic", api_key=KEY, base_url=server.url, retry=0, betas=["context-1m-2025-08-07"]) as c:
        c.send(request)
        c.send(_request("claude-opus-5"))
    assert server.seen[0].headers["anthropic-beta"] == (
        "context-1m-2025-08-07,message-threads-2026-08-12,server-side-fallback-2026-07-01"
    )
    assert server.seen[1].headers["anthropic-beta"] == "context-1m-2025-08-07"


def test_bedrock_betas_travel_in_the_body(server: ProviderServer) -> None:
    server.expect(Reply(200, R.ANTHROPIC_MESSAGE))
    with Client("anthropic-bedrock", api_key=KEY, base_url=server.url, retry=0, betas=["context-1m-2025-08-07"]) as c:
        c.send(_request("anthropic.claude-opus-5-v1:0"))
    seen = server.seen[0]
    assert seen.json()["anthropic_beta"] == ["context-1m-2025-08-07"]
    assert "anthropic-beta" not in seen.headers


def test_credentials_from_the_documented_environment_variables(
    server: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-env-key")
    monkeypatch.setenv("OPENAI_API_KEY", "openai-env-key")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-1")
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-env-key")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "anthropic-token")
    gemini = build_request(_request("gemini-3-pro"), "gemini")
    assert gemini.headers["x-goog-api-key"] == "gemini-env-key"
    monkeypatch.setenv("GOOGLE_API_KEY", "google-env-key")  # google-genai prefers GOOGLE_API_KEY
    assert build_request(_request("gemini-3-pro"), "gemini").headers["x-goog-api-key"] == "google-env-key"
    chat = build_request(_request("gpt-5.6"), "openai-chat")
    assert (chat.headers["authorization"], chat.headers["openai-organization"]) == ("Bearer openai-env-key", "org-1")
    assert str(chat.url) == "https://api.openai.com/v1/chat/completions"
    bedrock = build_request(_request("anthropic.claude-opus-5-v1:0"), "bedrock-converse", region="eu-west-1")
    assert bedrock.headers["authorization"] == "Bearer bedrock-env-key"
    assert (
        str(bedrock.url)
        == "https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-opus-5-v1%3A0/converse"
    )
    anthropic = build_request(_request("claude-opus-5"), "anthropic", codec_options={"api_version": "2023-06-01"})
    assert anthropic.headers["authorization"] == "Bearer anthropic-token"  # an auth token is always Bearer


def test_default_base_urls() -> None:
    vertex = build_request(_request("claude-opus-5"), "anthropic-vertex", api_key=KEY, region="global", project="p")
    assert str(vertex.url) == (
        "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-opus-5:rawPredict"
    )
    vertex = build_request(
        _request("claude-opus-5"), "anthropic-vertex", api_key=KEY, region="europe-west1", project="p"
    )
    assert str(vertex.url).startswith(
        "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1/"
    )
    router = build_request(_request("openai/gpt-5.6"), "openrouter", api_key=KEY)
    assert str(router.url) == "https://openrouter.ai/api/v1/chat/completions"
    messages = build_request(_request("claude-opus-5"), "anthropic", api_key=KEY)
    assert str(messages.url) == "https://api.anthropic.com/v1/messages"


def test_clear_errors_for_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CredentialsError, match=r"anthropic: no credentials: pass api_key=.*ANTHROPIC_API_KEY"):
        Client("anthropic")
    with pytest.raises(ConfigurationError, match=r"gemini: the request has no model .*pass model="):
        build_request(msgspec.structs.replace(_request("x"), model=None), "gemini", api_key=KEY)
    with pytest.raises(ConfigurationError, match="no region"):
        build_request(_request("claude-opus-5"), "anthropic-vertex", api_key=KEY, project="p")
    with pytest.raises(ConfigurationError, match="no Google Cloud project"):
        build_request(_request("claude-opus-5"), "anthropic-vertex", api_key=KEY, region="us-east5")
    with pytest.raises(ConfigurationError, match="cannot go through a 'anthropic' client"):
        Client("anthropic", api_key=KEY).build_request(get_codec("openai-chat").encode(_request("gpt-5.6")))
    with pytest.raises(ConfigurationError, match="needs the codec"):
        build_request({"model": "m"})
    with pytest.raises(TypeError, match="not list"):
        Client("anthropic", api_key=KEY).build_request([])  # type: ignore[arg-type]


def test_aws_extra_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "botocore", None)
    monkeypatch.setitem(sys.modules, "botocore.auth", None)
    with pytest.raises(
        CredentialsError, match=r"needs botocore: install the aws extra \(pip install 'ir-codec\[aws\]'\)"
    ):
        Client("bedrock-converse", region="us-east-1")
