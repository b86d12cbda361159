"""Anthropic replies, streams and usage (shared by anthropic, anthropic-bedrock, anthropic-vertex).

Fixtures ``tests/responses/anthropic/*.json`` decode to hand-computed usage whose buckets add up
to the provider's totals; ``*.stream.json`` event lists assemble to the same Response as the
equivalent whole reply; properties check random usage numbers and random replies streamed in
random chunks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import get_codec
from ir_codec.errors import DecodeError
from ir_codec.ir import Part, ProviderPart, RedactedThinking, Response, Text, Thinking, ToolUse, Usage
from ir_codec.strategies import json_objects

ROOT = Path(__file__).resolve().parent / "responses" / "anthropic"
WHOLE = sorted(p for p in ROOT.glob("*.json") if not p.name.endswith(".stream.json"))
STREAMS = sorted(ROOT.glob("*.stream.json"))
CODECS = ["anthropic", "anthropic-bedrock", "anthropic-vertex"]


def _load(p: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(p.read_text())
    assert spec.get("doc"), "each fixture names the document it follows"
    return spec


def _provider_totals(raw: dict[str, Any]) -> tuple[int, int]:
    """(total input, output) as Anthropic defines them: input_tokens + cache read + cache creation."""
    return (
        raw["input_tokens"] + (raw.get("cache_read_input_tokens") or 0) + (raw.get("cache_creation_input_tokens") or 0),
        raw["output_tokens"],
    )


@pytest.mark.parametrize("path", WHOLE, ids=[p.stem for p in WHOLE])
@pytest.mark.parametrize("codec", CODECS)
def test_fixture_usage(path: Path, codec: str) -> None:
    spec = _load(path)
    r = get_codec(codec).decode_response(spec["response"])
    assert r.usage == msgspec.convert(spec["usage"], Usage)
    raw = spec["response"]["usage"]
    assert (r.usage.input_tokens, r.usage.output_tokens) == _provider_totals(raw)
    if r.usage.cache_write_5m_tokens is not None:
        assert r.usage.cache_write_5m_tokens + (r.usage.cache_write_1h_tokens or 0) == r.usage.cache_write_tokens
    if r.usage.reasoning_tokens is not None:
        assert r.usage.reasoning_tokens <= r.usage.output_tokens
    assert r.raw_stop_reason == spec["response"]["stop_reason"]
    assert r.id == spec["response"]["id"]


def test_fixture_content() -> None:
    codec = get_codec("anthropic")
    r = codec.decode_response(_load(ROOT / "thinking_tool_use.json")["response"])
    assert [type(p) for p in r.content] == [Thinking, RedactedThinking, ToolUse]
    assert r.stop_reason == "tool_use"
    assert isinstance(r.content[0], Thinking) and r.content[0].signature
    r = codec.decode_response(_load(ROOT / "server_tool_refusal.json")["response"])
    assert [type(p) for p in r.content] == [ProviderPart, ProviderPart, Text]
    assert r.stop_reason == "refusal"
    assert r.provider_options["anthropic"]["stop_details"]["category"] == "cyber"
    assert "citations" in r.content[2].provider_options["anthropic"]  # type: ignore[union-attr]
    r = codec.decode_response(_load(ROOT / "cache_write_mixed_ttl.json")["response"])
    assert r.stop_reason == "max_tokens"
    r = codec.decode_response(
        {**_load(ROOT / "no_cache.json")["response"], "stop_reason": "model_context_window_exceeded"}
    )
    assert (r.stop_reason, r.raw_stop_reason) == ("context_window_exceeded", "model_context_window_exceeded")
    r = codec.decode_response({**_load(ROOT / "no_cache.json")["response"], "stop_reason": "something_new"})
    assert (r.stop_reason, r.raw_stop_reason) == ("other", "something_new")


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_stream_fixture_equals_whole(path: Path) -> None:
    spec = _load(path)
    codec = get_codec("anthropic")
    dec = codec.stream_decoder()
    for name, data in spec["events"]:
        dec.feed(data, name)
    streamed = dec.finish()
    assert streamed == codec.decode_response(spec["response"])
    assert streamed.usage == msgspec.convert(spec["usage"], Usage)


def test_stream_from_sse_text() -> None:
    from ir_codec.stream import parse_sse

    spec = _load(ROOT / "text_cached.stream.json")
    lines = []
    for name, data in spec["events"]:
        lines += [f"event: {name}", f"data: {json.dumps(data)}", ""]
    dec = get_codec("anthropic-vertex").stream_decoder()
    for name, data in parse_sse(lines):
        dec.feed(data, name)
    assert dec.finish() == get_codec("anthropic-vertex").decode_response(spec["response"])


BAD_RESPONSES = [
    ({"content": [], "usage": {"input_tokens": "1", "output_tokens": 1}}, "$.usage.input_tokens"),
    ({"content": [{"type": "text"}], "usage": {}}, "$.content[0]"),
    ({"content": [{"type": 1}], "usage": {}}, "$.content[0].type"),
    ({"content": {}, "usage": {}}, "$.content"),
    (
        {"content": [], "usage": {"cache_creation": {"ephemeral_1h_input_tokens": "x"}}},
        "$.usage.cache_creation.ephemeral_1h_input_tokens",
    ),
    ({"content": []}, "$"),
]


@pytest.mark.parametrize(("payload", "path"), BAD_RESPONSES)
def test_bad_responses_name_the_json_path(payload: dict[str, Any], path: str) -> None:
    with pytest.raises(DecodeError) as exc:
        get_codec("anthropic").decode_response(payload)
    assert exc.value.path == path


def test_bad_stream_event() -> None:
    dec = get_codec("anthropic").stream_decoder()
    with pytest.raises(DecodeError):
        dec.feed({"type": "content_block_delta", "index": "0", "delta": {"type": "text_delta", "text": "x"}})
    with pytest.raises(DecodeError):
        dec.feed({"type": "content_block_delta", "index": 0, "delta": {"type": "mystery"}})


# --------------------------------------------------------------------------------------------
# Properties

counts = st.integers(0, 5_000_000)


def raw_usage(u: Usage, split: bool, details: bool) -> dict[str, Any]:
    """The provider's usage shape for normalized counts (Anthropic's buckets are disjoint)."""
    raw: dict[str, Any] = {
        "input_tokens": u.uncached_input_tokens,
        "cache_read_input_tokens": u.cache_read_tokens,
        "cache_creation_input_tokens": u.cache_write_tokens,
        "output_tokens": u.output_tokens,
    }
    if split:
        raw["cache_creation"] = {
            "ephemeral_5m_input_tokens": u.cache_write_5m_tokens,
            "ephemeral_1h_input_tokens": u.cache_write_1h_tokens,
        }
    if details:
        raw["output_tokens_details"] = {"thinking_tokens": u.reasoning_tokens}
    return raw


@st.composite
def usages(draw: st.DrawFn) -> tuple[Usage, bool, bool]:
    split, details = draw(st.booleans()), draw(st.booleans())
    w5, w1, out = draw(counts), draw(counts), draw(counts)
    u = Usage(
        uncached_input_tokens=draw(counts),
        cache_read_tokens=draw(counts),
        cache_write_tokens=w5 + w1,
        cache_write_5m_tokens=w5 if split else None,
        cache_write_1h_tokens=w1 if split else None,
        output_tokens=out,
        reasoning_tokens=draw(st.integers(0, out)) if details else None,
    )
    return u, split, details


@given(usages(), st.sampled_from(CODECS))
def test_usage_round_trip(drawn: tuple[Usage, bool, bool], codec: str) -> None:
    u, split, details = drawn
    raw = raw_usage(u, split, details)
    got = get_codec(codec).decode_response({"content": [], "usage": raw}).usage
    assert got == u
    assert (got.input_tokens, got.output_tokens) == _provider_totals(raw)


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12)
reply_parts = st.one_of(
    st.builds(Text, text=st.text(max_size=60)),
    st.builds(ToolUse, id=_word.map(lambda w: "toolu_" + w), name=_word, input=json_objects()),
    st.builds(Thinking, text=st.text(max_size=60), signature=_word),
    st.builds(RedactedThinking, data=_word),
)


def whole_block(p: Part) -> dict[str, Any]:
    if isinstance(p, Text):
        return {"type": "text", "text": p.text}
    if isinstance(p, ToolUse):
        return {"type": "tool_use", "id": p.id, "name": p.name, "input": p.input}
    if isinstance(p, Thinking):
        return {"type": "thinking", "thinking": p.text, "signature": p.signature}
    assert isinstance(p, RedactedThinking)
    return {"type": "redacted_thinking", "data": p.data}


def _chunks(s: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(s) + 1) for c in cuts} | {0, len(s)})
    return [s[a:b] for a, b in zip(points, points[1:], strict=False)]


def stream_events(reply: dict[str, Any], cuts: list[int]) -> list[dict[str, Any]]:
    """The SSE event sequence the API sends for ``reply``, text and JSON cut at ``cuts``."""
    start_usage = {**reply["usage"], "output_tokens": 1}
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": {**reply, "content": [], "stop_reason": None, "usage": start_usage}}
    ]
    for i, b in enumerate(reply["content"]):
        if b["type"] == "text":
            events.append({"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}})
            events += [
                {"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": c}}
                for c in _chunks(b["text"], cuts)
            ]
        elif b["type"] == "thinking":
            events.append(
                {
                    "type": "content_block_start",
                    "index": i,
                    "content_block": {"type": "thinking", "thinking": "", "signature": ""},
                }
            )
            events += [
                {"type": "content_block_delta", "index": i, "delta": {"type": "thinking_delta", "thinking": c}}
                for c in _chunks(b["thinking"], cuts)
            ]
            events.append(
                {
                    "type": "content_block_delta",
                    "index": i,
                    "delta": {"type": "signature_delta", "signature": b["signature"]},
                }
            )
        elif b["type"] == "tool_use":
            events.append({"type": "content_block_start", "index": i, "content_block": {**b, "input": {}}})
            events += [
                {"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": c}}
                for c in _chunks(json.dumps(b["input"]), cuts)
            ]
        else:
            events.append({"type": "content_block_start", "index": i, "content_block": b})
        events.append({"type": "content_block_stop", "index": i})
    events.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": reply["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": reply["usage"]["output_tokens"]},
        }
    )
    events.append({"type": "message_stop"})
    return events


@given(
    st.lists(reply_parts, max_size=5),
    usages(),
    st.sampled_from(["end_turn", "tool_use", "max_tokens", "pause_turn", "refusal"]),
    st.lists(st.integers(0, 200), max_size=6),
)
def test_stream_equals_whole(parts: list[Part], drawn: tuple[Usage, bool, bool], stop: str, cuts: list[int]) -> None:
    u, split, details = drawn
    reply = {
        "id": "msg_x",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-5",
        "content": [whole_block(p) for p in parts],
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": raw_usage(u, split, details),
    }
    codec = get_codec("anthropic")
    whole = codec.decode_response(reply)
    assert whole == Response(
        id="msg_x", model="claude-opus-5", content=parts, stop_reason=whole.stop_reason, raw_stop_reason=stop, usage=u
    )
    dec = codec.stream_decoder()
    for ev in stream_events(reply, cuts):
        dec.feed(ev, ev["type"])
    assert dec.finish() == whole
