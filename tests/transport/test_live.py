"""Calls to the real provider APIs: one small request each, whole and streamed, a warm-up where
the provider has one, and the Gemini cache lifecycle. Marked ``live`` and skipped unless the
provider's key is in the environment (``pytest -m live`` with the keys set runs them).

Models come from ``IR_CODEC_LIVE_<PROVIDER>_MODEL`` when set, else the defaults below.
"""

from __future__ import annotations

import os

import pytest

from ir_codec import CacheControl, Message, Request, SystemBlock, Text
from ir_codec.stream import TextDelta
from ir_codec.transport import Client

pytestmark = pytest.mark.live


def _needs(*names: str) -> None:
    if not any(os.environ.get(n) for n in names):
        pytest.skip(f"set {' or '.join(names)} to run")


def _model(provider: str, default: str) -> str:
    return os.environ.get(f"IR_CODEC_LIVE_{provider.upper()}_MODEL", default)


def _hello(model: str, **more: object) -> Request:
    return Request(
        model=model,
        max_tokens=32,
        messages=[Message(role="user", content=[Text(text="Reply with the single word: hello")])],
        **more,  # type: ignore[arg-type]
    )


LONG = "You answer questions about the following text.\n" + "The quick brown fox jumps over the lazy dog. " * 400

CASES = [
    ("anthropic", ("ANTHROPIC_API_KEY",), "claude-haiku-4-5"),
    ("openai-chat", ("OPENAI_API_KEY",), "gpt-5-mini"),
    ("openai-responses", ("OPENAI_API_KEY",), "gpt-5-mini"),
    ("openrouter", ("OPENROUTER_API_KEY",), "openai/gpt-5-mini"),
    ("gemini", ("GEMINI_API_KEY", "GOOGLE_API_KEY"), "gemini-2.5-flash"),
    (
        "bedrock-converse",
        ("AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID"),
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    ),
]


@pytest.mark.parametrize(("codec", "keys", "model"), CASES, ids=[c[0] for c in CASES])
def test_send_and_stream(codec: str, keys: tuple[str, ...], model: str) -> None:
    _needs(*keys)
    model = _model(codec.replace("-", "_"), model)
    with Client(codec, timeout=60) as client:
        whole = client.send(_hello(model))
        with client.stream(_hello(model)) as events:
            texts = [e.text for e in events if isinstance(e, TextDelta)]
    assert whole.usage is not None and (whole.usage.output_tokens or 0) > 0 and whole.content
    streamed = events.response.usage
    assert "".join(texts).strip() and streamed is not None and (streamed.output_tokens or 0) > 0


def test_anthropic_warm_up() -> None:
    _needs("ANTHROPIC_API_KEY")
    request = Request(
        model=_model("anthropic", "claude-haiku-4-5"),
        max_tokens=32,
        system=[SystemBlock(text=LONG, cache=CacheControl())],
        messages=[Message(role="user", content=[Text(text="What jumps?")])],
    )
    with Client("anthropic", timeout=60) as client:
        warm = client.ensure_cached(request)
    assert warm.usage is not None and warm.usage.output_tokens == 0
    assert (warm.usage.cache_write_tokens or 0) + (warm.usage.cache_read_tokens or 0) > 0


def test_gemini_cache_lifecycle() -> None:
    _needs("GEMINI_API_KEY", "GOOGLE_API_KEY")
    model = _model("gemini", "gemini-2.5-flash")
    to_cache = Request(
        model=model,
        system=[SystemBlock(text="You answer questions about the text.")],
        messages=[Message(role="user", content=[Text(text=LONG * 3)])],
    )
    with Client("gemini", timeout=60) as client:
        handle = client.caches.create(to_cache, ttl=300, display_name="ir-codec live test")
        try:
            assert client.caches.get(handle.name or "") == handle
            assert handle.name in [h.name for h in client.caches.iter(page_size=50)]
            assert client.caches.update(handle, ttl=600).expires != handle.expires
            question = Request(model=model, messages=[Message(role="user", content=[Text(text="What jumps?")])])
            reply = client.send(client.caches.use(handle, question))
            assert reply.usage is not None and (reply.usage.cache_read_tokens or 0) > 0
        finally:
            client.caches.delete(handle)
