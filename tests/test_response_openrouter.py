"""openrouter replies, streams and usage (the Chat shape plus reasoning details and cost)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from ir_codec import get_codec
from ir_codec.ir import RedactedThinking, Text, Thinking, Usage

from .test_response_openai_chat import (
    HERE,
    chat_usages,
    check_fixture_usage,
    check_stream,
    completion,
    fixtures,
    load,
    raw_usage,
)

NAME = "openrouter"
WHOLE, STREAMS = fixtures(NAME)


@pytest.mark.parametrize("path", WHOLE, ids=[p.stem for p in WHOLE])
def test_fixture_usage(path: Path) -> None:
    check_fixture_usage(NAME, path)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
def test_stream_equals_whole(path: Path) -> None:
    check_stream(NAME, path)


def test_fixtures_exist() -> None:
    assert len(WHOLE) >= 3 and STREAMS


def test_reasoning_details_become_thinking_with_signatures() -> None:
    r = get_codec(NAME).decode_response(load(HERE / NAME / "reasoning_details.json")["response"])
    assert r.content == [
        Thinking(text="Think about it.", signature="c2lnbmF0dXJl"),
        RedactedThinking(data="ZW5jcnlwdGVk"),
        Text(text="42."),
    ]
    assert r.stop_reason == "max_tokens"
    plain = completion(
        "m",
        {"role": "assistant", "content": "a", "reasoning": "because"},
        "error",
        {"prompt_tokens": 3, "completion_tokens": 2},
    )
    r = get_codec(NAME).decode_response(plain)
    assert r.content == [Thinking(text="because"), Text(text="a")]
    assert (r.stop_reason, r.raw_stop_reason) == ("error", "error")


@given(chat_usages())
def test_usage_buckets_from_raw_numbers(u: Usage) -> None:
    raw = {**raw_usage(u), "cost": 0.5, "is_byok": False}
    r = get_codec(NAME).decode_response(completion("m", {"role": "assistant", "content": "x"}, "stop", raw))
    assert r.usage == u
