"""Anthropic Messages: the fast path for a tool result of plain texts agrees with the general path.

The reduction keeps a user message whose tool results hold only non-empty texts without fitting
each part (``lower._texts_kept``), and the lowering writes a tool result of plain texts at once
(``ir_codec.lowering.plain_result``). Each table case is checked against the body written here
from the documented shape (SDK ``types/tool_result_block_param.py``: ``{type: "tool_result",
tool_use_id, content?, is_error?}``, ``content`` a string or text and image blocks) where it is
a plain case, and against the general path forced by turning the fast paths off, with the same
warnings, on the three platforms.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from ir_codec import get_codec
from ir_codec.codecs.anthropic import lower
from ir_codec.ir import (
    Base64Source,
    CacheControl,
    CacheTtl,
    Image,
    Json,
    Message,
    Part,
    Request,
    SystemBlock,
    Text,
    Tool,
    ToolResult,
    ToolSpec,
    ToolUse,
)
from ir_codec.lowering import plain_result

CODECS = ["anthropic", "anthropic-bedrock", "anthropic-vertex"]
H1 = CacheControl(ttl=CacheTtl.ONE_HOUR)
PNG = Image(source=Base64Source(media_type="image/png", data="iVBORw0KGgo="))


def _request(result: Part, role: str = "user") -> Request:
    return Request(
        model="claude-opus-5",
        max_tokens=64,
        messages=[
            Message(role="user", content=[Text(text="q")]),
            Message(role="assistant", content=[ToolUse(id="t1", name="f", input={})]),
            Message(role=role, content=[result, Text(text="go on")]),  # type: ignore[arg-type]
        ],
    )


def _block(**over: Any) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": "t1"} | over


# (id, the tool result, the block expected (None: only the agreement is asserted))
CASES: list[tuple[str, Part, dict[str, Any] | None]] = [
    (
        "one-text",
        ToolResult(tool_use_id="t1", content=[Text(text="42")]),
        _block(content=[{"type": "text", "text": "42"}]),
    ),
    (
        "two-texts",
        ToolResult(tool_use_id="t1", content=[Text(text="4"), Text(text="2")]),
        _block(content=[{"type": "text", "text": "4"}, {"type": "text", "text": "2"}]),
    ),
    ("no-content", ToolResult(tool_use_id="t1", content=[]), _block()),
    (
        "error",
        ToolResult(tool_use_id="t1", content=[Text(text="boom")], is_error=True),
        _block(content=[{"type": "text", "text": "boom"}], is_error=True),
    ),
    ("empty-text", ToolResult(tool_use_id="t1", content=[Text(text="")]), None),
    ("text-then-empty", ToolResult(tool_use_id="t1", content=[Text(text="a"), Text(text="")]), None),
    ("marked-text", ToolResult(tool_use_id="t1", content=[Text(text="42", cache=H1)]), None),
    ("marked-result", ToolResult(tool_use_id="t1", content=[Text(text="42")], cache=H1), None),
    (
        "text-with-citations",
        ToolResult(
            tool_use_id="t1",
            content=[Text(text="42", provider_options={"anthropic": {"citations": [{"type": "x"}]}})],
        ),
        None,
    ),
    (
        "result-options",
        ToolResult(tool_use_id="t1", content=[Text(text="42")], provider_options={"anthropic": {"x": 1}}),
        None,
    ),
    (
        "foreign-options",
        ToolResult(tool_use_id="t1", content=[Text(text="42")], provider_options={"openai-chat": {"x": 1}}),
        None,
    ),
    ("image", ToolResult(tool_use_id="t1", content=[Text(text="see"), PNG]), None),
    ("json", ToolResult(tool_use_id="t1", content=[Json(value={"a": 1})]), None),
]


def _general(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lower, "plain_result", lambda part: False)
    monkeypatch.setattr(lower, "_texts_kept", lambda part: False)


def _encode(name: str, req: Request) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    e = get_codec(name).encode(req)
    return e.body, [(w.path, str(w.kind), w.reason) for w in e.warnings]


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize(("result", "block"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_tool_result_encodes_alike_both_ways(
    name: str, result: Part, block: dict[str, Any] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _encode(name, _request(result))
    if block is not None:
        assert fast[0]["messages"][2]["content"] == [block, {"type": "text", "text": "go on"}]
        assert fast[1] == []
    _general(monkeypatch)
    assert _encode(name, _request(result)) == fast


@pytest.mark.parametrize(("result", "block"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_tool_result_in_an_assistant_message_is_dropped_both_ways(
    result: Part, block: dict[str, Any] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _encode("anthropic", _request(result, role="assistant"))
    assert ("messages[2].content[0]", "dropped", "tool_result blocks belong in user messages; dropped") in fast[1]
    _general(monkeypatch)
    assert _encode("anthropic", _request(result, role="assistant")) == fast


@pytest.mark.parametrize(
    ("part", "plain"),
    [
        (ToolResult(tool_use_id="t1", content=[Text(text="a")]), True),
        (ToolResult(tool_use_id="t1", content=[]), True),
        (ToolResult(tool_use_id="t1", content=[Text(text="a")], is_error=True), True),
        (ToolResult(tool_use_id="t1", content=[Text(text="a")], cache=H1), False),
        (ToolResult(tool_use_id="t1", content=[Text(text="a", cache=H1)]), False),
        (ToolResult(tool_use_id="t1", content=[Text(text="a")], provider_options={"x": {}}), False),
        (ToolResult(tool_use_id="t1", content=[PNG]), False),
        (Text(text="a"), False),
    ],
)
def test_plain_result(part: Part, plain: bool) -> None:
    assert plain_result(part) is plain


# (id, a message) written at once when it is one plain text (``_Lowering.request``) or its parts
# are plain or marked texts (``_Lowering.message``); the shape: SDK ``types/text_block_param.py``
# ``{type: "text", text, cache_control?}``, ``types/cache_control_ephemeral_param.py``
# ``{type: "ephemeral", ttl?: "5m" | "1h"}``
ONE_PART: list[tuple[str, Message, dict[str, Any] | None]] = [
    (
        "plain",
        Message(role="user", content=[Text(text="hi")]),
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
    ),
    (
        "assistant",
        Message(role="assistant", content=[Text(text="hi")]),
        {"role": "assistant", "content": [{"type": "text", "text": "hi"}]},
    ),
    (
        "marked",
        Message(role="user", content=[Text(text="hi", cache=H1)]),
        {
            "role": "user",
            "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        },
    ),
    (
        "marked-5m",
        Message(role="user", content=[Text(text="a"), Text(text="hi", cache=CacheControl())]),
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "a"},
                {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}},
            ],
        },
    ),
    (
        "marked-with-options",
        Message(role="user", content=[Text(text="hi", cache=H1, provider_options={"anthropic": {"x": 1}})]),
        None,
    ),
    (
        "marked-foreign-options",
        Message(role="user", content=[Text(text="hi", cache=H1, provider_options={"gemini": {"x": 1}})]),
        None,
    ),
    ("marked-empty", Message(role="user", content=[Text(text="a"), Text(text="", cache=H1)]), None),
    ("text-options", Message(role="user", content=[Text(text="hi", provider_options={"anthropic": {"x": 1}})]), None),
    (
        "message-options",
        Message(role="user", content=[Text(text="hi")], provider_options={"anthropic": {"x": 1}}),
        None,
    ),
    ("foreign-options", Message(role="user", content=[Text(text="hi")], provider_options={"gemini": {"x": 1}}), None),
    ("empty-text", Message(role="user", content=[Text(text="")]), None),
    ("two-texts", Message(role="user", content=[Text(text="a"), Text(text="b")]), None),
    ("a-call", Message(role="assistant", content=[ToolUse(id="t9", name="g", input={"a": 1})]), None),
]


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize(("message", "wire"), [c[1:] for c in ONE_PART], ids=[c[0] for c in ONE_PART])
def test_a_message_of_one_part_encodes_alike_both_ways(
    name: str, message: Message, wire: dict[str, Any] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    req = Request(
        model="claude-opus-5", max_tokens=64, messages=[Message(role="user", content=[Text(text="q")]), message]
    )
    fast = _encode(name, req)
    if wire is not None:
        assert fast[0]["messages"][1] == wire
        assert fast[1] == []
    for helper in ("plain_text", "marked_text", "plain_call", "plain_result", "_texts_kept"):
        monkeypatch.setattr(lower, helper, lambda part: False)
    assert _encode(name, req) == fast


def test_paths_after_a_dropped_message_are_the_callers() -> None:
    """The reduction copies the message list only from the first message it changes; a loss
    found later (the planner's) is still reported at the caller's path."""
    m30 = CacheControl(ttl=CacheTtl.THIRTY_MINUTES)
    req = Request(
        model="claude-opus-5",
        max_tokens=64,
        messages=[
            Message(role="user", content=[Text(text="a")]),
            Message(role="assistant", content=[Text(text="")]),
            Message(role="user", content=[Text(text="b")]),
            Message(role="assistant", content=[Text(text="c")]),
            Message(role="user", content=[Text(text="d", cache=m30)]),
        ],
    )
    body, warnings = _encode("anthropic", req)
    assert [m["content"][0]["text"] for m in body["messages"]] == ["a", "b", "c", "d"]
    assert body["messages"][3]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert [(w[0], w[1]) for w in warnings] == [
        ("messages[1].content[0]", "dropped"),
        ("messages[1]", "dropped"),
        ("messages[4].content[0].cache", "approximated"),
    ]


def test_a_tool_without_mark_or_options_is_written_at_once_and_others_are_not() -> None:
    """SDK ``types/tool_param.py``: ``{name, input_schema, description?, strict?, cache_control?}``."""
    schema = {"type": "object", "properties": {}}
    tools: list[ToolSpec] = [
        Tool(name="a", input_schema=schema),
        Tool(name="b", input_schema=schema, description="d", strict=True),
        Tool(name="c", input_schema=schema, cache=H1),
        Tool(name="d", input_schema=schema, provider_options={"anthropic": {"eager_input_streaming": True}}),
    ]
    req = Request(
        model="claude-opus-5", max_tokens=64, messages=[Message(role="user", content=[Text(text="q")])], tools=tools
    )
    body, warnings = _encode("anthropic", req)
    assert body["tools"] == [
        {"name": "a", "input_schema": schema},
        {"name": "b", "input_schema": schema, "description": "d", "strict": True},
        {"name": "c", "input_schema": schema, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
        {"name": "d", "input_schema": schema, "eager_input_streaming": True},
    ]
    assert warnings == []


SYSTEM_CASES: list[tuple[str, SystemBlock, dict[str, Any] | None]] = [
    ("plain", SystemBlock(text="be brief"), {"type": "text", "text": "be brief"}),
    (
        "marked",
        SystemBlock(text="be brief", cache=H1),
        {"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
    ),
    (
        "marked-5m",
        SystemBlock(text="be brief", cache=CacheControl()),
        {"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}},
    ),
    ("options", SystemBlock(text="be brief", provider_options={"anthropic": {"citations": []}}), None),
    ("foreign-options", SystemBlock(text="be brief", cache=H1, provider_options={"gemini": {"x": 1}}), None),
]


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize(("block", "wire"), [c[1:] for c in SYSTEM_CASES], ids=[c[0] for c in SYSTEM_CASES])
def test_a_system_block_without_options_is_written_at_once_as_the_general_path_writes_it(
    name: str, block: SystemBlock, wire: dict[str, Any] | None
) -> None:
    """The shape: SDK ``types/text_block_param.py`` (``system`` is a list of text blocks). The
    general path is the one a block with options takes: the same block once its options are
    an empty entry of another codec's (reported, nothing merged)."""
    req = Request(
        model="claude-opus-5", max_tokens=64, system=[block], messages=[Message(role="user", content=[Text(text="q")])]
    )
    body, warnings = _encode(name, req)
    if wire is not None:
        assert body["system"] == [wire]
        assert warnings == []
    general = msgspec.structs.replace(block, provider_options={**block.provider_options, "toy": {}})
    gbody, gwarnings = _encode(name, msgspec.structs.replace(req, system=[general]))
    assert gbody["system"] == body["system"]
    assert [w for w in gwarnings if "toy" not in w[0]] == warnings
