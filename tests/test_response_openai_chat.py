"""openai-chat replies and streams: what the fixtures ``tests/responses/openai-chat/`` decode to,
stop reasons and decode errors.

The fixture usage (``prompt_tokens`` includes cache reads and writes), stream-equals-whole
(fixtures and random replies in random chunks) and usage round-trip checks run in the shared
suite (tests/test_conformance.py, case in tests/conformance/openai_chat.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.conformance import load_fixture
from ir_codec.errors import DecodeError
from ir_codec.ir import Refusal, Text, ToolUse

from .conformance.openai_chat import completion

HERE = Path(__file__).resolve().parent / "responses"
NAME = "openai-chat"


def test_fixture_content() -> None:
    c = get_codec(NAME)
    r = c.decode_response(load_fixture(HERE / NAME / "tool_calls.json")["response"])
    assert [type(p) for p in r.content] == [ToolUse, ToolUse]
    assert r.stop_reason == "tool_use"
    first = r.content[0]
    assert isinstance(first, ToolUse) and first.input == {"city": "Paris"}
    assert first.provider_options == {NAME: {"arguments": '{"city": "Paris"}'}}  # the exact text, for the next turn
    r = c.decode_response(load_fixture(HERE / NAME / "refusal.json")["response"])
    assert r.content == [Refusal(text="I can't help with that.")]
    assert (r.stop_reason, r.raw_stop_reason) == ("refusal", "stop")
    r = c.decode_response(load_fixture(HERE / NAME / "cache_read.json")["response"])
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


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"choices": []}, "$.choices"),
        (
            {"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": "many", "completion_tokens": 1}},
            "$.usage.prompt_tokens",
        ),
        # Counters overlapping beyond prompt_tokens decode by the overlap rule, and a counter
        # left out is None (tests/test_reply_fidelity.py), no longer a DecodeError.
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
