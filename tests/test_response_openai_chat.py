"""openai-chat replies, streams and usage.

Fixtures ``tests/responses/openai-chat/*.json`` decode to hand-computed usage whose buckets add up
to the provider's totals (``prompt_tokens`` includes cache reads and writes); ``*.stream.json``
chunk lists assemble to the same Response as the equivalent whole reply; properties check random
usage numbers and random replies streamed in random chunks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir_codec import get_codec
from ir_codec.errors import DecodeError
from ir_codec.ir import Refusal, Text, ToolUse, Usage
from ir_codec.strategies import json_objects

HERE = Path(__file__).resolve().parent / "responses"


def fixtures(codec: str) -> tuple[list[Path], list[Path]]:
    root = HERE / codec
    whole = sorted(p for p in root.glob("*.json") if not p.name.endswith(".stream.json"))
    return whole, sorted(root.glob("*.stream.json"))


def load(p: Path) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(p.read_text())
    assert spec.get("doc"), "each fixture names the document it follows"
    return spec


def check_fixture_usage(codec: str, path: Path) -> None:
    spec = load(path)
    r = get_codec(codec).decode_response(spec["response"])
    assert r.usage == msgspec.convert(spec["usage"], Usage)
    raw = spec["response"]["usage"]
    # the disjoint buckets add up to the provider's own totals
    assert r.usage.input_tokens == raw["prompt_tokens"]
    assert r.usage.output_tokens == raw["completion_tokens"]
    assert r.usage.total_tokens == raw["total_tokens"]
    if r.usage.reasoning_tokens is not None:
        assert r.usage.reasoning_tokens <= r.usage.output_tokens
    assert r.id == spec["response"]["id"]
    assert r.raw_stop_reason == spec["response"]["choices"][0]["finish_reason"]


def check_stream(codec: str, path: Path) -> None:
    spec = load(path)
    c = get_codec(codec)
    dec = c.stream_decoder()
    for name, data in spec["events"]:
        dec.feed(data, name)
    assert dec.finish() == c.decode_response(spec["response"])


def raw_usage(u: Usage) -> dict[str, Any]:
    """The Chat ``CompletionUsage`` a provider would report for ``u`` (test-local encoder)."""
    prompt = u.uncached_input_tokens + u.cache_read_tokens + u.cache_write_tokens
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": u.output_tokens,
        "total_tokens": prompt + u.output_tokens,
        "prompt_tokens_details": {"cached_tokens": u.cache_read_tokens, "cache_write_tokens": u.cache_write_tokens},
    }
    if u.reasoning_tokens is not None:
        out["completion_tokens_details"] = {"reasoning_tokens": u.reasoning_tokens}
    return out


def chat_usages() -> st.SearchStrategy[Usage]:
    n = st.integers(0, 2_000_000)

    @st.composite
    def build(draw: st.DrawFn) -> Usage:
        out = draw(n)
        return Usage(
            uncached_input_tokens=draw(n),
            cache_read_tokens=draw(n),
            cache_write_tokens=draw(n),
            output_tokens=out,
            reasoning_tokens=draw(st.none() | st.integers(0, out)),
        )

    return build()


def completion(model: str, message: dict[str, Any], finish: str, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "r-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": usage,
    }


@st.composite
def replies_and_chunks(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A whole reply (text and/or tool calls) and the same reply cut into random chunks."""
    text = draw(st.text(max_size=30))
    calls: list[dict[str, Any]] = [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {
                "name": draw(st.sampled_from(["f", "g"])),
                "arguments": json.dumps(draw(json_objects()), indent=draw(st.sampled_from([None, 1]))),
            },
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    usage = raw_usage(draw(chat_usages()))
    finish = "tool_calls" if calls else draw(st.sampled_from(["stop", "length", "content_filter"]))
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = calls
    whole = completion("gpt-5.6", message, finish, usage)

    def cuts(s: str) -> list[str]:
        points = sorted(draw(st.sets(st.integers(1, max(1, len(s) - 1)), max_size=3))) if len(s) > 1 else []
        return [s[a:b] for a, b in zip([0, *points], [*points, len(s)], strict=True) if s[a:b]]

    base: dict[str, Any] = {"id": "r-1", "object": "chat.completion.chunk", "created": 0, "model": "gpt-5.6"}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    chunks += [
        {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]} for piece in cuts(text)
    ]
    for i, call in enumerate(calls):
        head = {
            "index": i,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        chunks.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [head]}, "finish_reason": None}]})
        for piece in cuts(call["function"]["arguments"]):
            delta = {"tool_calls": [{"index": i, "function": {"arguments": piece}}]}
            chunks.append({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    chunks.append({**base, "choices": [], "usage": usage})
    return whole, chunks


NAME = "openai-chat"
WHOLE, STREAMS = fixtures(NAME)


@pytest.mark.parametrize("path", WHOLE, ids=[p.stem for p in WHOLE])
def test_fixture_usage(path: Path) -> None:
    check_fixture_usage(NAME, path)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_stream_equals_whole(path: Path) -> None:
    check_stream(NAME, path)


def test_fixtures_exist() -> None:
    assert len(WHOLE) >= 3 and STREAMS
    kinds = {json.dumps(load(p)["usage"]) for p in WHOLE}
    assert any('"cache_read_tokens": 0' not in k and "cache_read_tokens" in k for k in kinds)
    assert any('"cache_write_tokens": 0' not in k and "cache_write_tokens" in k for k in kinds)


def test_fixture_content() -> None:
    c = get_codec(NAME)
    r = c.decode_response(load(HERE / NAME / "tool_calls.json")["response"])
    assert [type(p) for p in r.content] == [ToolUse, ToolUse]
    assert r.stop_reason == "tool_use"
    first = r.content[0]
    assert isinstance(first, ToolUse) and first.input == {"city": "Paris"}
    assert first.provider_options == {NAME: {"arguments": '{"city": "Paris"}'}}  # the exact text, for the next turn
    r = c.decode_response(load(HERE / NAME / "refusal.json")["response"])
    assert r.content == [Refusal(text="I can't help with that.")]
    assert (r.stop_reason, r.raw_stop_reason) == ("refusal", "stop")
    r = c.decode_response(load(HERE / NAME / "cache_read.json")["response"])
    assert r.content == [Text(text="Here is the summary.")] and r.stop_reason == "end_turn"


@pytest.mark.parametrize(
    ("finish", "reason"),
    [
        ("stop", "end_turn"),
        ("length", "max_tokens"),
        ("tool_calls", "tool_use"),
        ("function_call", "tool_use"),
        ("content_filter", "content_filter"),
        ("new_reason", "other"),
    ],
)
def test_stop_reasons(finish: str, reason: str) -> None:
    r = get_codec(NAME).decode_response(
        completion("m", {"role": "assistant", "content": "x"}, finish, {"prompt_tokens": 1, "completion_tokens": 1})
    )
    assert (r.stop_reason, r.raw_stop_reason) == (reason, finish)


@given(chat_usages())
def test_usage_buckets_from_raw_numbers(u: Usage) -> None:
    r = get_codec(NAME).decode_response(completion("m", {"role": "assistant", "content": "x"}, "stop", raw_usage(u)))
    assert r.usage == u


@settings(max_examples=200)
@given(replies_and_chunks())
def test_streamed_and_whole_agree(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    whole, chunks = case
    c = get_codec(NAME)
    dec = c.stream_decoder()
    for chunk in chunks:
        dec.feed(json.dumps(chunk))
    assert dec.finish() == c.decode_response(whole)


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"choices": []}, "$.choices"),
        (
            {"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": "many", "completion_tokens": 1}},
            "$.usage.prompt_tokens",
        ),
        (
            {
                "choices": [{"message": {"content": "x"}}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 9}},
            },
            "$.usage.prompt_tokens",
        ),
        ({"choices": [{"message": {"content": ["x"]}}]}, "$.choices[0].message.content"),
        (
            {"choices": [{"message": {"tool_calls": [{"id": "a", "type": "function", "function": {}}]}}]},
            "$.choices[0].message.tool_calls[0].function",
        ),
    ],
)
def test_bad_replies_are_decode_errors(payload: dict[str, Any], path: str) -> None:
    with pytest.raises(DecodeError) as info:
        get_codec(NAME).decode_response(payload)
    assert info.value.path == path
