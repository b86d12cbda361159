"""The async client over ``httpx.MockTransport``: send, stream, retries, errors, the Gemini cache
lifecycle and warm-up, with the same requests the sync client sends."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest

from ir_codec import CacheControl, CacheTtl, Message, Request, SystemBlock, Text, get_codec
from ir_codec.errors import CacheExpiredError, CacheNotFoundError, InvalidCacheConfigError, RateLimitError, StreamError
from ir_codec.pricing import TokenPrice
from ir_codec.stream import TextDelta
from ir_codec.transport import AsyncClient, Client, RetryPolicy, aensure_cached
from tests.transport import replies as R
from tests.transport.gemini_fake import GeminiCacheFake
from tests.transport.mock import Recorder
from tests.transport.server import Reply

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_env")]

KEY = "test-key-0123456789"
BASE = "https://provider.test"


def _request(model: str = "claude-opus-5", **changes: Any) -> Request:
    r = Request(model=model, max_tokens=64, messages=[Message(role="user", content=[Text(text="Hi")])])
    return msgspec.structs.replace(r, **changes)


def _client(codec: str, recorder: Recorder, **kw: Any) -> AsyncClient:
    kw.setdefault("retry", 0)
    return AsyncClient(codec, api_key=KEY, base_url=BASE, transport=recorder.transport(), **kw)


async def test_send_matches_the_sync_client() -> None:
    recorder = Recorder(Reply(200, R.ANTHROPIC_MESSAGE))
    async with _client("anthropic", recorder) as client:
        response = await client.send(_request())
    sync = Client("anthropic", api_key=KEY, base_url=BASE).build_request(_request())
    (seen,) = recorder.seen
    assert (seen.method, seen.path, seen.body) == ("POST", "/v1/messages", sync.content)
    assert {k: v for k, v in seen.headers.items() if k not in ("user-agent",)} == {
        k: v for k, v in sync.headers.items() if k not in ("user-agent",)
    } | {"accept": "*/*", "accept-encoding": seen.headers["accept-encoding"], "connection": "keep-alive"}
    assert response == get_codec("anthropic").decode_response(msgspec.json.encode(R.ANTHROPIC_MESSAGE))


@pytest.mark.parametrize(
    ("codec", "model", "chunks", "path"),
    [
        ("anthropic", "claude-opus-5", R.sse(R.ANTHROPIC_EVENTS), "/v1/messages"),
        ("gemini", "gemini-3-pro", R.sse(R.GEMINI_EVENTS), "/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse"),
        (
            "bedrock-converse",
            "anthropic.claude-opus-5-v1:0",
            R.converse_frames(R.CONVERSE_EVENTS),
            "/model/anthropic.claude-opus-5-v1%3A0/converse-stream",
        ),
        (
            "anthropic-bedrock",
            "anthropic.claude-opus-5-v1:0",
            R.invoke_frames(R.ANTHROPIC_EVENTS),
            "/model/anthropic.claude-opus-5-v1%3A0/invoke-with-response-stream",
        ),
        ("openai-responses", "gpt-5.6", R.sse(R.RESPONSES_EVENTS), "/responses"),
    ],
)
async def test_stream(codec: str, model: str, chunks: list[bytes], path: str) -> None:
    recorder = Recorder(Reply(200, chunks=chunks))
    async with _client(codec, recorder) as client:
        async with client.stream(_request(model)) as events:
            texts = [e.text async for e in events if isinstance(e, TextDelta) and e.text]
        assert texts == ["Hel", "lo!"]
        assert events.response.content == [Text(text="Hello!")]
        recorder.replies.append(Reply(200, chunks=chunks))
        again = await client.send(_request(model, stream=True))
    assert again == events.response
    assert [s.path for s in recorder.seen] == [path, path]


async def test_429_then_200_and_errors() -> None:
    recorder = Recorder(Reply(429, R.ANTHROPIC_ERROR, headers={"retry-after": "0"}), Reply(200, R.ANTHROPIC_MESSAGE))
    async with _client("anthropic", recorder, retry=RetryPolicy(max_retries=1)) as client:
        assert (await client.send(_request())).content == [Text(text="Hello!")]
    assert len(recorder.seen) == 2
    recorder = Recorder(Reply(429, R.ANTHROPIC_ERROR, headers={"retry-after": "0"}))
    async with _client("anthropic", recorder) as client:
        with pytest.raises(RateLimitError) as info:
            await client.send(_request())
    assert (info.value.status, info.value.error_type, info.value.retry_after) == (429, "rate_limit_error", 0.0)
    overloaded = ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    recorder = Recorder(Reply(200, chunks=R.sse([R.ANTHROPIC_EVENTS[0], overloaded])))
    async with _client("anthropic", recorder) as client:
        with pytest.raises(StreamError, match="overloaded_error: Overloaded"):
            await client.send(_request(stream=True))


async def test_gemini_cache_lifecycle() -> None:
    fake = GeminiCacheFake(KEY)
    recorder = Recorder(route=fake)
    question = _request("gemini-3-pro", max_tokens=None)
    async with _client("gemini", recorder) as client:
        caches = client.caches
        made = [
            await caches.create(
                _request("gemini-3-pro", max_tokens=None, system=[SystemBlock(text="S")]), ttl=CacheTtl.ONE_HOUR
            )
            for _ in range(3)
        ]
        assert recorder.seen[0].json()["ttl"] == "3600s"
        assert [h.name async for h in caches.iter(page_size=2)] == [h.name for h in made]
        assert (await caches.get(made[0])) == made[0]
        updated = await caches.update(made[0], ttl=60)
        assert recorder.seen[-1].path == "/v1beta/cachedContents/c001?updateMask=ttl"
        reply = await client.send(caches.use(updated, question))
        assert reply.usage is not None and reply.usage.cache_read_tokens == 1500
        with pytest.raises(InvalidCacheConfigError):
            await client.send(msgspec.structs.replace(caches.use(updated, question), system=[SystemBlock(text="S")]))
        fake.expire(str(made[1].name))
        with pytest.raises(CacheExpiredError):
            await caches.get(made[1])
        fake.collect()
        with pytest.raises(CacheNotFoundError):
            await caches.delete(made[1])
        await caches.delete(made[2])
        page = await caches.list()
        assert [h.name for h in page.items] == [made[0].name] and page.next_page_token is None


async def test_warm() -> None:
    recorder = Recorder(Reply(200, R.ANTHROPIC_WARM))
    request = _request(system=[SystemBlock(text="S", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))])
    async with _client("anthropic", recorder) as client:
        warm = await aensure_cached(request, client, price=TokenPrice(input=Decimal("3"), output=Decimal("15")))
    assert recorder.seen[0].json()["max_tokens"] == 0
    assert warm.cost is not None and warm.cost.total == Decimal("0.012288")


async def test_a_given_async_http_client_is_used_and_left_open() -> None:
    recorder = Recorder(Reply(200, R.ANTHROPIC_MESSAGE))
    async with httpx.AsyncClient(transport=recorder.transport(), headers={"user-agent": "mine/1"}) as http:
        async with AsyncClient("anthropic", api_key=KEY, base_url=BASE, http_client=http, timeout=5) as client:
            await client.send(_request())
        assert not http.is_closed
    assert recorder.seen[0].headers["user-agent"] == "mine/1"
