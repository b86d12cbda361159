"""The OpenAI Responses codec reads and writes the common message (plain text parts, no options)
at once; these are the near-plain cases next to it, each with what the general path makes of it.

Shapes: ``EasyInputMessageParam``, ``ResponseInputTextParam`` and ``ResponseOutputTextParam``
(openai-python ``types/responses``), where ``output_text`` carries ``annotations`` and an
explicit ``prompt_cache_breakpoint`` marks a part (PROVIDERS.md §13)."""

from __future__ import annotations

from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.errors import DecodeError
from ir_codec.ir import (
    CacheControl,
    CacheTtl,
    Message,
    Part,
    ProviderPart,
    Request,
    Text,
    ToolResult,
    ToolUse,
)

CODEC = get_codec("openai-responses")
NAME = "openai-responses"
CITE = {"type": "url_citation", "url": "https://example.com", "title": "t", "start_index": 0, "end_index": 1}
OUT = {"type": "output_text", "text": "x", "annotations": []}


def _read(items: list[dict[str, Any]]) -> list[tuple[str, list[Part], dict[str, Any]]]:
    request = CODEC.decode({"model": "m", "input": items})
    return [(m.role, m.content, dict(m.provider_options)) for m in request.messages]


DECODE_CASES = [
    pytest.param(
        [{"role": "user", "content": [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}]}],
        [("user", [Text(text="a"), Text(text="b")], {})],
        id="plain user parts",
    ),
    pytest.param(
        [
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "a"},
                    {"type": "input_text", "text": "b", "prompt_cache_breakpoint": {"mode": "explicit", "ttl": "12h"}},
                ],
            }
        ],
        [("user", [Text(text="a"), Text(text="b", cache=CacheControl(ttl=CacheTtl.TWELVE_HOURS))], {})],
        id="a marked part beside a plain one",
    ),
    pytest.param(
        [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "a", "x": 1}]}],
        [("user", [Text(text="a", provider_options={NAME: {"x": 1}})], {})],
        id="an unknown part field is kept",
    ),
    pytest.param(
        [{"type": "message", "role": "assistant", "content": [OUT]}],
        [("assistant", [Text(text="x")], {})],
        id="assistant output_text with no annotations",
    ),
    pytest.param(
        [{"type": "message", "role": "assistant", "content": [{**OUT, "annotations": [CITE]}]}],
        [("assistant", [Text(text="x", provider_options={NAME: {"annotations": [CITE]}})], {})],
        id="assistant output_text with an annotation",
    ),
    pytest.param(
        [{"type": "message", "role": "user", "id": "msg_1", "content": [{"type": "input_text", "text": "a"}]}],
        [("user", [Text(text="a")], {NAME: {"id": "msg_1"}})],
        id="a message field",
    ),
    pytest.param(
        [{"type": "message", "role": "assistant", "content": [{"type": "input_text", "text": "a"}]}],
        [
            (
                "assistant",
                [
                    ProviderPart(
                        codec=NAME,
                        data={"type": "message", "role": "assistant", "content": [{"type": "input_text", "text": "a"}]},
                    )
                ],
                {},
            )
        ],
        id="input_text in an assistant message stays raw",
    ),
    pytest.param(
        [{"type": "message", "role": "user", "content": [{"type": "output_text", "text": "a", "annotations": []}]}],
        [
            (
                "user",
                [
                    ProviderPart(
                        codec=NAME,
                        data={
                            "type": "message",
                            "role": "user",
                            "content": [{"type": "output_text", "text": "a", "annotations": []}],
                        },
                    )
                ],
                {},
            )
        ],
        id="output_text in a user message stays raw",
    ),
]


@pytest.mark.parametrize(("items", "expected"), DECODE_CASES)
def test_decode_near_plain_messages(items: list[dict[str, Any]], expected: list[Any]) -> None:
    assert _read(items) == expected


def test_a_plain_looking_part_of_the_wrong_type_is_still_refused() -> None:
    with pytest.raises(DecodeError) as exc:
        _read([{"type": "message", "role": "user", "content": [{"type": "input_text", "text": 5}]}])
    assert exc.value.path == "$.input[0].content[0].text"


def _write(messages: list[Message]) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    encoded = CODEC.encode(Request(model="m", messages=messages))
    return encoded.body["input"], [(w.path, w.kind.value) for w in encoded.warnings]


def _msg(role: str, *texts: str) -> dict[str, Any]:
    kind = "output_text" if role == "assistant" else "input_text"
    extra: dict[str, Any] = {"annotations": []} if role == "assistant" else {}
    return {"type": "message", "role": role, "content": [{"type": kind, "text": t, **extra} for t in texts]}


CALL = ToolUse(id="c1", name="f", input={})
RESULT = ToolResult(tool_use_id="c1", content=[Text(text="r")])
ENCODE_CASES = [
    pytest.param(
        [
            Message(role="user", content=[Text(text="a"), Text(text="b")]),
            Message(role="assistant", content=[Text(text="c")]),
        ],
        [_msg("user", "a", "b"), _msg("assistant", "c")],
        [],
        id="plain messages",
    ),
    pytest.param(
        [Message(role="user", content=[Text(text="a"), Text(text="b", cache=CacheControl(ttl=CacheTtl.TWELVE_HOURS))])],
        [
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "a"},
                    {"type": "input_text", "text": "b", "prompt_cache_breakpoint": {"mode": "explicit", "ttl": "12h"}},
                ],
            }
        ],
        [],
        id="a marked part",
    ),
    pytest.param(
        [Message(role="user", content=[Text(text="a")], provider_options={NAME: {"id": "msg_1"}})],
        [{**_msg("user", "a"), "id": "msg_1"}],
        [],
        id="message options",
    ),
    pytest.param([Message(role="user", content=[])], [_msg("user")], [], id="an empty message"),
    pytest.param(
        [Message(role="user", content=[Text(text="a")]), Message(role="user", content=[Text(text="b")])],
        [_msg("user", "a"), _msg("user", "b")],
        [],
        id="two user messages stay two turns",
    ),
    pytest.param(
        [
            Message(role="user", content=[Text(text="q")]),
            Message(role="assistant", content=[CALL]),
            Message(role="user", content=[RESULT]),
            Message(role="user", content=[Text(text="b")]),
        ],
        [
            _msg("user", "q"),
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "r"},
            _msg("user", "b"),
        ],
        [("messages[2]", "changed"), ("messages[3]", "changed")],
        id="a tool result and a plain message read back as one turn",
    ),
]


@pytest.mark.parametrize(("messages", "items", "warnings"), ENCODE_CASES)
def test_encode_near_plain_messages(messages: list[Message], items: list[Any], warnings: list[Any]) -> None:
    assert _write(messages) == (items, warnings)
