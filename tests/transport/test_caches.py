"""The whole Gemini cache lifecycle against the loopback server (create, get, list with
pagination, update, use, expiry, not found, delete, the cachedContent-with-system refusal caught
before sending), and the same vocabulary for the providers without a cache resource."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from ir_codec import CacheControl, CacheTtl, Message, Request, SystemBlock, Text, Tool
from ir_codec.errors import (
    CacheExpiredError,
    CacheNotFoundError,
    CacheNotSupportedError,
    InvalidCacheConfigError,
)
from ir_codec.transport import CacheHandle, CacheMark, CachePage, Client
from tests.transport.gemini_fake import GeminiCacheFake
from tests.transport.server import ProviderServer

pytestmark = pytest.mark.usefixtures("clean_env")

KEY = "AIza-test-0123456789"

SYSTEM = [SystemBlock(text="You answer questions about the contract.")]
TOOLS: list[Any] = [Tool(name="lookup", input_schema={"type": "object", "properties": {"q": {"type": "string"}}})]
DOCS = [
    Message(role="user", content=[Text(text="Contract, part 1 ...")]),
    Message(role="assistant", content=[Text(text="Noted.")]),
]


def _to_cache(**changes: Any) -> Request:
    return msgspec.structs.replace(Request(model="gemini-3-pro", system=SYSTEM, tools=TOOLS, messages=DOCS), **changes)


QUESTION = Request(model="gemini-3-pro", messages=[Message(role="user", content=[Text(text="Which clause ends it?")])])


@pytest.fixture
def gemini(server: ProviderServer) -> Iterator[tuple[Client, GeminiCacheFake, ProviderServer]]:
    fake = GeminiCacheFake(KEY)
    server.route = fake
    with Client("gemini", api_key=KEY, base_url=server.url, retry=0) as client:
        yield client, fake, server


def test_create_sends_the_cache_body_and_returns_a_handle(gemini: Any) -> None:
    client, fake, server = gemini
    handle = client.caches.create(_to_cache(), ttl=600, display_name="contract")
    (seen,) = server.seen
    assert (seen.method, seen.path) == ("POST", "/v1beta/cachedContents")
    wire = client.codec.encode(_to_cache(model=None)).body
    assert seen.body == msgspec.json.encode(
        {
            "model": "models/gemini-3-pro",
            "ttl": "600s",
            "displayName": "contract",
            "contents": wire["contents"],
            "systemInstruction": wire["systemInstruction"],
            "tools": wire["tools"],
        }
    )
    assert seen.headers["x-goog-api-key"] == KEY and seen.headers["content-type"] == "application/json"
    assert (handle.provider, handle.kind, handle.name, handle.model) == (
        "gemini",
        "resource",
        "cachedContents/c001",
        "models/gemini-3-pro",
    )
    assert (handle.display_name, handle.token_count) == ("contract", 2750)
    assert handle.created is not None and handle.expires is not None and handle.updated == handle.created
    assert handle.expires - handle.created == dt.timedelta(seconds=600)
    assert handle.created.tzinfo is not None and not handle.expired()


def test_lifecycle(gemini: Any) -> None:
    client, fake, server = gemini
    caches = client.caches
    expire_at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=2)
    first = caches.create(_to_cache(), ttl=dt.timedelta(minutes=10))
    second = caches.create(_to_cache(), expire_time=expire_at)
    assert server.seen[1].json()["expireTime"] == expire_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert second.expires == expire_at
    for _ in range(3):
        caches.create(_to_cache(), ttl="3600s")

    # get
    assert caches.get(first.name) == first
    assert caches.get("c001") == first  # a bare id is completed
    assert server.seen[-1].path == "/v1beta/cachedContents/c001"

    # list, one page and every page
    page = caches.list(page_size=2)
    assert isinstance(page, CachePage)
    assert ([h.name for h in page.items], page.next_page_token) == (["cachedContents/c001", "cachedContents/c002"], "2")
    assert server.seen[-1].path == "/v1beta/cachedContents?pageSize=2"
    before = len(server.seen)
    names = [h.name for h in caches.iter(page_size=2)]
    assert names == [f"cachedContents/c00{i}" for i in range(1, 6)]
    assert [s.path for s in server.seen[before:]] == [
        "/v1beta/cachedContents?pageSize=2",
        "/v1beta/cachedContents?pageSize=2&pageToken=2",
        "/v1beta/cachedContents?pageSize=2&pageToken=4",
    ]
    last = caches.list(page_size=2, page_token="4")
    assert ([h.name for h in last.items], last.next_page_token) == (["cachedContents/c005"], None)

    # update: ttl, then an absolute expiry, each with its update mask
    updated = caches.update(first, ttl=7200)
    seen = server.seen[-1]
    assert (seen.method, seen.path, seen.body) == (
        "PATCH",
        "/v1beta/cachedContents/c001?updateMask=ttl",
        b'{"ttl":"7200s"}',
    )
    assert updated.expires is not None and first.expires is not None and updated.expires > first.expires
    assert updated.updated is not None and updated.created == first.created
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(microsecond=250500)
    refreshed = caches.refresh(first.name, expire_time=later)
    assert server.seen[-1].path == "/v1beta/cachedContents/c001?updateMask=expireTime"
    # the fraction without its trailing zeros (which the fake must read back too)
    assert server.seen[-1].json() == {"expireTime": later.strftime("%Y-%m-%dT%H:%M:%S") + ".2505Z"}
    assert refreshed.expires == later

    # use: the follow-up names the cache and carries no system prompt or tools
    reply = client.send(caches.use(updated, QUESTION))
    body = fake.generated[-1]
    assert body == {
        "contents": [{"role": "user", "parts": [{"text": "Which clause ends it?"}]}],
        "cachedContent": "cachedContents/c001",
    }
    assert (reply.usage.cache_read_tokens, reply.usage.uncached_input_tokens) == (2750, 12)

    # delete, then it is gone
    caches.delete("cachedContents/c002")
    assert (server.seen[-1].method, server.seen[-1].path) == ("DELETE", "/v1beta/cachedContents/c002")
    with pytest.raises(CacheNotFoundError) as info:
        caches.get("c002")
    assert info.value.name == "cachedContents/c002" and info.value.http_error is not None
    assert info.value.http_error.status == 404


def test_expiry_then_collection(gemini: Any) -> None:
    client, fake, server = gemini
    handle = client.caches.create(_to_cache(), ttl=600)
    fake.expire(handle.name)
    with pytest.raises(CacheExpiredError) as info:
        client.caches.get(handle.name)
    assert info.value.name == handle.name and isinstance(info.value.expires, dt.datetime)
    expired = msgspec.structs.replace(handle, expires=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert expired.expired()
    sent = len(server.seen)
    with pytest.raises(CacheExpiredError):
        client.caches.use(expired, QUESTION)
    assert len(server.seen) == sent  # refused before sending
    # the server still answers a generateContent naming the expired cache: 403 "not found"
    with pytest.raises(CacheNotFoundError, match="CachedContent not found"):
        client.send(msgspec.structs.replace(QUESTION, provider_options={"gemini": {"cachedContent": handle.name}}))
    fake.collect()
    for call in (
        lambda: client.caches.get(handle.name),
        lambda: client.caches.update(handle.name, ttl=60),
        lambda: client.caches.delete(handle.name),
    ):
        with pytest.raises(CacheNotFoundError, match="c001"):
            call()


def test_cached_content_with_a_system_prompt_is_refused_before_sending(gemini: Any) -> None:
    client, fake, server = gemini
    handle = client.caches.create(_to_cache(), ttl=600)
    sent = len(server.seen)
    with pytest.raises(InvalidCacheConfigError, match=r"must not set system, tools: Gemini refuses"):
        client.caches.use(handle, msgspec.structs.replace(QUESTION, system=SYSTEM, tools=TOOLS))
    ir = msgspec.structs.replace(QUESTION, system=SYSTEM, provider_options={"gemini": {"cachedContent": handle.name}})
    with pytest.raises(InvalidCacheConfigError, match=r"uses cachedContent 'cachedContents/c001' and also sets system"):
        client.send(ir)
    wire = {"contents": [], "systemInstruction": {"parts": [{"text": "x"}]}, "cachedContent": handle.name}
    with pytest.raises(InvalidCacheConfigError, match="also sets systemInstruction"):
        client.send(wire, model="gemini-3-pro")
    with pytest.raises(InvalidCacheConfigError, match="also sets tools"):
        client.caches.use(handle, QUESTION)  # fine
        client.stream({"contents": [], "tools": [{}], "cachedContent": handle.name}, model="gemini-3-pro")
    assert len(server.seen) == sent and fake.generated == []
    with pytest.raises(InvalidCacheConfigError, match="made for models/gemini-3-pro, not models/gemini-3-flash"):
        client.caches.use(handle, msgspec.structs.replace(QUESTION, model="gemini-3-flash"))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda c: c.caches.create(_to_cache(), ttl=60, expire_time="2099-01-01T00:00:00Z"), "not both"),
        (lambda c: c.caches.create(_to_cache(), ttl=0), "ttl must be positive"),
        (lambda c: c.caches.create(_to_cache(), ttl=-5), "ttl must be positive"),
        (lambda c: c.caches.create(_to_cache(), ttl="1h"), "not a Duration string"),
        (lambda c: c.caches.create(_to_cache(), expire_time=dt.datetime(2099, 1, 1)), "timezone-aware"),
        (lambda c: c.caches.create(_to_cache(), expire_time="2001-01-01T00:00:00Z"), "not in the future"),
        (lambda c: c.caches.create(_to_cache(max_tokens=100)), "also sets generationConfig"),
        (lambda c: c.caches.create(_to_cache(model=None)), "bound to one model"),
        (lambda c: c.caches.create(_to_cache(), display_name="x" * 129), "at most 128"),
        (lambda c: c.caches.update("c001"), "needs ttl or expire_time"),
        (lambda c: c.caches.get("projects/p/locations/l/cachedContents/c001"), "not a Gemini API cache name"),
        (lambda c: c.caches.list(page_size=0), "page_size must be a positive int"),
    ],
)
def test_invalid_configurations_are_refused_before_sending(gemini: Any, call: Any, match: str) -> None:
    client, fake, server = gemini
    with pytest.raises(InvalidCacheConfigError, match=match):
        call(client)
    assert server.seen == []


def test_providers_without_a_cache_resource() -> None:
    request = Request(
        model="claude-opus-5",
        max_tokens=64,
        system=[SystemBlock(text="Long instructions", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))],
        messages=[Message(role="user", content=[Text(text="Doc", cache=CacheControl()), Text(text="Q?")])],
        cache_key="tenant-7",
    )
    for codec in (
        "anthropic",
        "anthropic-bedrock",
        "bedrock-converse",
        "openai-chat",
        "openai-responses",
        "openrouter",
    ):
        with Client(codec, api_key="k-0123456789", region="us-east-1") as client:
            handle = client.caches.create(request)
            assert handle == CacheHandle(
                provider=codec,
                kind="marks",
                model="claude-opus-5",
                marks=(
                    CacheMark(path="system[0]", ttl=CacheTtl.ONE_HOUR),
                    CacheMark(path="messages[0].content[0]", ttl=CacheTtl.FIVE_MINUTES),
                ),
                cache_key="tenant-7",
            )
            for op, call in (
                ("get", lambda: client.caches.get("x")),
                ("list", lambda: client.caches.list()),
                ("update", lambda: client.caches.update("x", ttl=60)),
                ("delete", lambda: client.caches.delete("x")),
            ):
                with pytest.raises(CacheNotSupportedError) as info:
                    call()
                assert (info.value.provider, info.value.operation) == (codec, op)
                assert str(info.value).startswith(f"{codec}: {op}: this provider has no cache resource")
            keyless = msgspec.structs.replace(request, cache_key=None)
            assert client.caches.use(handle, keyless).cache_key == "tenant-7"
