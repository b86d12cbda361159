"""``ir-codec send``, ``ir-codec cache ...`` and ``ir-codec warm`` against the loopback server."""

from __future__ import annotations

import io
import json
from typing import Any

import msgspec
import pytest

from ir_codec import CacheControl, CacheTtl, Message, Request, SystemBlock, Text, get_codec, ir_to_json
from ir_codec.cli import main
from tests.transport import replies as R
from tests.transport.gemini_fake import GeminiCacheFake
from tests.transport.server import ProviderServer, Reply

pytestmark = pytest.mark.usefixtures("clean_env")

KEY = "cli-key-0123456789"


def run(argv: list[str], data: bytes = b"") -> tuple[int, bytes, str]:
    out, err = io.BytesIO(), io.StringIO()
    code = main(argv, stdin=io.BytesIO(data), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


REQUEST = Request(
    model="claude-opus-5",
    max_tokens=64,
    system=[SystemBlock(text="Be terse.", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))],
    messages=[Message(role="user", content=[Text(text="Say hello.")])],
)
USAGE_FIELDS = {
    "uncached_input_tokens": 12,
    "cache_read_tokens": 4000,
    "cache_write_tokens": 1500,
    "cache_write_5m_tokens": 500,
    "cache_write_1h_tokens": 1000,
    "cache_write_30m_tokens": None,
    "cache_write_12h_tokens": None,
    "output_tokens": 3,
    "reasoning_tokens": None,
}


def test_send_a_wire_body(server: ProviderServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    body = get_codec("anthropic").encode(REQUEST).to_json()
    server.expect(Reply(200, R.ANTHROPIC_MESSAGE))
    code, out, err = run(["send", "--codec", "anthropic", "--base-url", server.url], body)
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["content"] == [{"type": "text", "text": "Hello!"}]
    assert shown["usage"] == USAGE_FIELDS
    assert server.seen[0].body == body and server.seen[0].headers["authorization"] == f"Bearer {KEY}"


def test_send_ir_streamed_prints_events_then_the_response(
    server: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    request = Request(model="gemini-3-pro", messages=[Message(role="user", content=[Text(text="Hi")])])
    server.expect(Reply(200, chunks=R.sse(R.GEMINI_EVENTS), content_type="text/event-stream"))
    code, out, err = run(
        ["send", "--codec", "gemini", "--base-url", server.url, "--ir", "--stream"], ir_to_json(request)
    )
    assert (code, err) == (0, "")
    decoder = get_codec("gemini").stream_decoder()
    expected = [msgspec.json.encode(e).decode() for n, d in R.GEMINI_EVENTS for e in decoder.feed(d, n)]
    lines = out.decode().split("\n")
    assert lines[: len(expected)] == expected and len(expected) >= 4
    response = json.loads("\n".join(lines[len(expected) :]))
    assert response["content"] == [{"type": "text", "text": "Hello!"}]
    assert server.seen[0].path == "/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse"


def test_send_with_a_model_in_the_url_and_strict(server: ProviderServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", KEY)
    body = get_codec("bedrock-converse").encode(REQUEST).to_json()
    server.expect(Reply(200, R.CONVERSE_REPLY))
    code, out, err = run(
        ["send", "--codec", "bedrock-converse", "--base-url", server.url, "--model", "anthropic.claude-opus-5-v1:0"],
        body,
    )
    assert code == 0 and json.loads(out)["stop_reason"] == "end_turn"
    assert server.seen[0].path == "/model/anthropic.claude-opus-5-v1%3A0/converse"
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    code, out, err = run(
        ["send", "--codec", "gemini", "--base-url", server.url, "--ir", "--strict"], ir_to_json(REQUEST)
    )
    assert (code, out) == (3, b"")
    warnings = get_codec("gemini").encode(REQUEST).warnings
    assert len(warnings) == 1
    assert err.splitlines() == [
        *(f"warning: {w.codec}: {w.path}: {w.reason}" for w in warnings),
        "error: --strict: 1 lossy warning(s); nothing sent",
    ]
    assert len(server.seen) == 1


def test_send_failures_exit_4(server: ProviderServer, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(["send", "--codec", "anthropic", "--base-url", server.url], b"{}")
    assert (code, out) == (4, b"")
    assert err.startswith("error: anthropic: no credentials: pass api_key=...")
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    server.expect(Reply(429, R.ANTHROPIC_ERROR))
    body = get_codec("anthropic").encode(REQUEST).to_json()
    code, out, err = run(["send", "--codec", "anthropic", "--base-url", server.url, "--retries", "0"], body)
    assert (code, err) == (4, f"error: anthropic: HTTP 429 rate_limit_error: {R.ANTHROPIC_ERROR['error']['message']}\n")
    code, out, err = run(["send", "--codec", "anthropic", "--base-url", server.url], b"[1]")
    assert (code, err) == (2, "error: $: expected an object, found list\n")


def test_cache_commands(server: ProviderServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    fake = GeminiCacheFake(KEY)
    server.route = fake
    base = ["--base-url", server.url]
    to_cache = Request(
        model="gemini-3-pro",
        system=[SystemBlock(text="S")],
        messages=[Message(role="user", content=[Text(text="Doc")])],
    )

    def ok(argv: list[str], data: bytes = b"") -> Any:
        code, out, err = run(argv, data)
        assert (code, err) == (0, ""), err
        return json.loads(out)

    made = ok(["cache", "create", "--ttl", "600", "--display-name", "doc", *base], ir_to_json(to_cache))
    assert (made["name"], made["model"], made["display_name"], made["token_count"]) == (
        "cachedContents/c001",
        "models/gemini-3-pro",
        "doc",
        1500,
    )
    assert server.seen[-1].json()["ttl"] == "600s"
    ok(["cache", "create", "--ttl", "120s", *base], ir_to_json(to_cache))
    ok(["cache", "create", "--expire-time", "2099-01-01T00:00:00Z", *base], ir_to_json(to_cache))
    assert ok(["cache", "get", "c001", *base])["name"] == "cachedContents/c001"
    page = ok(["cache", "list", "--page-size", "2", *base])
    assert ([h["name"] for h in page["items"]], page["next_page_token"]) == (
        ["cachedContents/c001", "cachedContents/c002"],
        "2",
    )
    assert [h["name"] for h in ok(["cache", "list", "--all", *base])] == [f"cachedContents/c00{i}" for i in (1, 2, 3)]
    updated = ok(["cache", "update", "c001", "--ttl", "7200s", *base])
    assert updated["expires"] > made["expires"]
    assert ok(["cache", "delete", "cachedContents/c001", *base]) == {"deleted": "cachedContents/c001"}
    code, out, err = run(["cache", "get", "c001", *base])
    assert (code, out) == (4, b"")
    assert err.startswith("error: gemini: cache 'cachedContents/c001' not found: CachedContent not found")
    code, out, err = run(["cache", "update", "c002", *base])
    assert (code, err) == (2, "error: an update needs ttl or expire_time (only the expiration can be updated)\n")


def test_warm_prints_usage_and_cost(server: ProviderServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    server.expect(Reply(200, R.ANTHROPIC_WARM))
    code, out, err = run(
        ["warm", "--codec", "anthropic", "--base-url", server.url, "--input-price", "3", "--output-price", "15"],
        ir_to_json(REQUEST),
    )
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert (shown["codec"], shown["strategy"]) == ("anthropic", "max_tokens=0")
    assert shown["usage"]["cache_write_1h_tokens"] == 2048 and shown["usage"]["output_tokens"] == 0
    assert shown["cost"] == {
        "total": "0.012288",
        "uncached_input": "0",
        "cache_read": "0",
        "cache_write": "0.012288",
        "output": "0",
    }
    assert shown["cache"]["token_count"] == 2048
    assert server.seen[0].json()["max_tokens"] == 0
    code, out, err = run(["warm", "--codec", "anthropic", "--input-price", "3"], ir_to_json(REQUEST))
    assert (code, err) == (2, "error: --input-price and --output-price go together\n")
