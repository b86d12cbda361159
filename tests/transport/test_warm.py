"""Warm-up: the cheapest call that writes a request's cache, what the server receives for each
provider, and its usage and cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from ir_codec import CacheControl, CacheTtl, Message, ReasoningConfig, Request, SystemBlock, Text, get_codec
from ir_codec.errors import CacheNotSupportedError, InvalidCacheConfigError
from ir_codec.pricing import OPENAI, TokenPrice
from ir_codec.transport import CacheMark, Client, ensure_cached
from tests.transport import replies as R
from tests.transport.server import ProviderServer, Reply

pytestmark = pytest.mark.usefixtures("clean_env")

KEY = "test-key-0123456789"
HOUR = CacheControl(ttl=CacheTtl.ONE_HOUR)
PRICE = TokenPrice(input=Decimal("3"), output=Decimal("15"))


def _conversation(model: str, **changes: Any) -> Request:
    return msgspec.structs.replace(
        Request(
            model=model,
            max_tokens=512,
            system=[SystemBlock(text="You review contracts.", cache=HOUR)],
            messages=[
                Message(role="user", content=[Text(text="The contract ...", cache=HOUR), Text(text="Summarize.")]),
                Message(role="assistant", content=[Text(text="It is a lease.")]),
                Message(role="user", content=[Text(text="Who pays repairs?")]),
            ],
        ),
        **changes,
    )


def _client(codec: str, server: ProviderServer, prefix: str = "", **kw: Any) -> Client:
    return Client(codec, api_key=KEY, base_url=server.url + prefix, retry=0, **kw)


def test_anthropic_sends_max_tokens_0_up_to_the_last_mark(server: ProviderServer) -> None:
    request = _conversation("claude-opus-5")
    server.expect(Reply(200, R.ANTHROPIC_WARM))
    before = dt.datetime.now(dt.UTC)
    with _client("anthropic", server) as client:
        warm = ensure_cached(request, client, price=PRICE)
    (seen,) = server.seen
    cut = msgspec.structs.replace(request, messages=request.messages[:1])
    assert seen.body == msgspec.json.encode({**get_codec("anthropic").encode(cut).body, "max_tokens": 0})
    assert seen.path == "/v1/messages"
    assert (warm.codec, warm.strategy) == ("anthropic", "max_tokens=0")
    assert warm.usage is not None
    assert (warm.usage.cache_write_tokens, warm.usage.cache_write_1h_tokens, warm.usage.output_tokens) == (
        2048,
        2048,
        0,
    )
    assert warm.cost is not None and warm.cost.total == Decimal("0.012288")  # 2048 tokens at 2 x 3 per million
    assert warm.response.content == [] and warm.response.stop_reason == "max_tokens"
    h = warm.handle
    assert (h.kind, h.token_count, h.marks) == (
        "marks",
        2048,
        (
            CacheMark(path="system[0]", ttl=CacheTtl.ONE_HOUR),
            CacheMark(path="messages[0].content[0]", ttl=CacheTtl.ONE_HOUR),
        ),
    )
    assert h.created is not None and before <= h.created and h.expires == h.created + dt.timedelta(hours=1)


def test_a_marked_assistant_turn_keeps_the_user_turn_after_it(server: ProviderServer) -> None:
    request = _conversation("claude-opus-5")
    marked = msgspec.structs.replace(
        request.messages[1], content=[Text(text="It is a lease.", cache=CacheControl(ttl=CacheTtl.FIVE_MINUTES))]
    )
    request = msgspec.structs.replace(
        request,
        messages=[
            request.messages[0],
            marked,
            *request.messages[2:],
            Message(role="assistant", content=[Text(text="x")]),
        ],
    )
    server.expect(Reply(200, R.ANTHROPIC_WARM))
    with _client("anthropic", server) as client:
        warm = client.ensure_cached(request)
    assert len(server.seen[0].json()["messages"]) == 3
    assert warm.cost is None
    assert warm.handle.created is not None
    assert warm.handle.expires == warm.handle.created + dt.timedelta(minutes=5)  # the shortest TTL marked


def test_automatic_caching_sends_the_whole_request(server: ProviderServer) -> None:
    request = _conversation("claude-opus-5", cache=CacheControl())
    server.expect(Reply(200, R.ANTHROPIC_WARM))
    with _client("anthropic", server) as client:
        client.ensure_cached(request)
    assert len(server.seen[0].json()["messages"]) == 3
    assert server.seen[0].json()["max_tokens"] == 0


def test_bedrock_invoke_and_vertex_use_the_same_pre_warm(server: ProviderServer) -> None:
    server.expect(Reply(200, R.ANTHROPIC_WARM), Reply(200, R.ANTHROPIC_WARM))
    with _client("anthropic-bedrock", server) as client:
        client.ensure_cached(_conversation("anthropic.claude-opus-5-v1:0"))
    with _client("anthropic-vertex", server, "/v1", region="us-east5", project="p") as client:
        client.ensure_cached(_conversation("claude-opus-5"))
    assert [s.path for s in server.seen] == [
        "/model/anthropic.claude-opus-5-v1%3A0/invoke",
        "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-opus-5:rawPredict",
    ]
    assert [(s.json()["max_tokens"], len(s.json()["messages"])) for s in server.seen] == [(0, 1), (0, 1)]


def test_openai_responses_prewarm(server: ProviderServer) -> None:
    request = _conversation("gpt-5.6", cache_key="tenant-7")
    reply = {**R.RESPONSE, "output": [], "usage": {**R.RESPONSES_USAGE, "output_tokens": 0}}
    server.expect(Reply(200, reply))
    price = TokenPrice(input=Decimal("2"), output=Decimal("8"), multipliers=OPENAI)
    with _client("openai-responses", server, "/v1", price=price, on_lossy="ignore") as client:
        warm = client.ensure_cached(request)
    body = get_codec("openai-responses").encode(request).body
    expected = {**body, "prompt_cache_options": {**body.get("prompt_cache_options", {}), "prewarm": True}}
    assert server.seen[0].body == msgspec.json.encode(expected)
    assert warm.strategy == "prompt_cache_options.prewarm"
    # 12 uncached at 2, 4000 read at 0.2, 1500 written (30m tier) at 2.5, per million
    assert warm.cost is not None and warm.cost.total == Decimal("0.004574")
    assert warm.handle.cache_key == "tenant-7"


def test_openai_chat_and_bedrock_converse_ask_for_one_token(server: ProviderServer) -> None:
    server.expect(Reply(200, R.CHAT_COMPLETION), Reply(200, R.CONVERSE_REPLY))
    with _client("openai-chat", server, "/v1", on_lossy="ignore") as client:
        chat = client.ensure_cached(_conversation("gpt-5.6"))
    with _client("bedrock-converse", server) as client:
        converse = client.ensure_cached(_conversation("anthropic.claude-opus-5-v1:0"))
    chat_body = get_codec("openai-chat").encode(_conversation("gpt-5.6")).body
    assert server.seen[0].body == msgspec.json.encode({**chat_body, "max_completion_tokens": 1})
    cut = _conversation("anthropic.claude-opus-5-v1:0")
    cut = msgspec.structs.replace(cut, messages=cut.messages[:1])
    converse_body = get_codec("bedrock-converse").encode(cut).body
    assert server.seen[1].body == msgspec.json.encode({**converse_body, "inferenceConfig": {"maxTokens": 1}})
    assert (chat.strategy, converse.strategy) == ("max_completion_tokens=1", "maxTokens=1")
    assert converse.usage is not None and converse.usage.cache_write_tokens == 1500


def test_what_cannot_be_warmed_is_refused_before_sending(server: ProviderServer) -> None:
    with _client("anthropic", server) as client:
        with pytest.raises(InvalidCacheConfigError, match="nothing to warm"):
            client.ensure_cached(
                Request(model="claude-opus-5", max_tokens=5, messages=[Message(role="user", content=[Text(text="x")])])
            )
        thinking = _conversation(
            "claude-opus-5", reasoning=ReasoningConfig(type="enabled", budget_tokens=2048), max_tokens=4096
        )
        with pytest.raises(InvalidCacheConfigError, match="refuses max_tokens 0 .* with thinking enabled"):
            client.ensure_cached(thinking)
    with (
        _client("gemini", server) as client,
        pytest.raises(CacheNotSupportedError, match=r"gemini: warm: .*caches.create"),
    ):
        client.ensure_cached(_conversation("gemini-3-pro"))
    assert server.seen == []
