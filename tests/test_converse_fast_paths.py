"""bedrock-converse: the fast paths for plain messages agree with the general path.

Encode writes a plain part at once (``lower._plain_block``) and keeps a message whose parts are
all kept as they are without rebuilding it (``lower._kept_whole``); decode reads plain text,
toolUse and toolResult blocks at once (``lift.plain_text_member``, ``lift._plain_tool_block``).
Each table case is checked twice: against the value written here from the documented Converse
shapes (AWS Converse API reference: ``Message`` is ``{role, content}``, ``ContentBlock`` a
one-member union: ``{"text"}``, ``{"toolUse": {toolUseId, name, input}}``, ``{"toolResult":
{toolUseId, content, status}}``, and a ``{"cachePoint": {"type": "default"}}`` block after the
block it marks), and against the general path forced by turning the fast paths off.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.codecs.bedrock_converse import lift, lower
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    CacheControl,
    CacheTtl,
    Json,
    Message,
    Part,
    ProviderPart,
    Refusal,
    Request,
    Text,
    ToolResult,
    ToolUse,
)
from ir_codec.lowering import plain_text_member

NAME = "bedrock-converse"
C = get_codec(NAME)
M5 = CacheControl(ttl=CacheTtl.FIVE_MINUTES)
OWN = {NAME: {"x": 1}}
DROPPED, CHANGED = LossKind.DROPPED, LossKind.CHANGED


@pytest.fixture
def general(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn every fast path off: each part and block goes through the general machinery."""
    monkeypatch.setattr(lower, "_kept_whole", lambda part: False)
    monkeypatch.setattr(lower, "plain_text", lambda part: False)
    monkeypatch.setattr(lower, "_plain_block", lambda part: None)
    monkeypatch.setattr(lift, "plain_text_member", lambda obj: False)
    monkeypatch.setattr(lift, "_plain_tool_block", lambda obj: None)


def _q() -> Message:
    return Message(role="user", content=[Text(text="q")])


def _call(**kw: Any) -> Message:
    return Message(role="assistant", content=[ToolUse(id="t1", name="f", input={"a": 1}, **kw)])


def _answer(*content: Any, **kw: Any) -> Message:
    return Message(role="user", content=[ToolResult(tool_use_id="t1", content=list(content), **kw)])


Q = {"role": "user", "content": [{"text": "q"}]}
CALL = {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "f", "input": {"a": 1}}}]}

# (id, messages, expected body["messages"], expected warnings (path, kind))
ENCODE: list[tuple[str, list[Message], list[dict[str, Any]], list[tuple[str, LossKind]]]] = [
    (
        "plain-texts",
        [Message(role="user", content=[Text(text="a"), Text(text="b")])],
        [{"role": "user", "content": [{"text": "a"}, {"text": "b"}]}],
        [],
    ),
    (
        "text-then-marked-text",
        [Message(role="user", content=[Text(text="a"), Text(text="b", cache=M5)])],
        [{"role": "user", "content": [{"text": "a"}, {"text": "b"}, {"cachePoint": {"type": "default"}}]}],
        [],
    ),
    (
        "marked-text-first",
        [Message(role="user", content=[Text(text="a", cache=M5), Text(text="b")])],
        [{"role": "user", "content": [{"text": "a"}, {"cachePoint": {"type": "default"}}, {"text": "b"}]}],
        [],
    ),
    (
        "text-with-options-between-plain",
        [
            Message(
                role="user",
                content=[
                    Text(text="a"),
                    Text(text="b", provider_options={NAME: {"x": 1, "text": "z"}, "anthropic": {"y": 2}}),
                    Text(text="c"),
                ],
            )
        ],
        [{"role": "user", "content": [{"text": "a"}, {"text": "b", "x": 1}, {"text": "c"}]}],
        [
            ("messages[0].content[1].provider_options.anthropic", DROPPED),
            ("messages[0].content[1].provider_options.bedrock-converse.text", DROPPED),
        ],
    ),
    (
        "empty-text",
        [Message(role="user", content=[Text(text=""), Text(text="b")])],
        [{"role": "user", "content": [{"text": "b"}]}],
        [("messages[0].content[0]", DROPPED)],
    ),
    (
        "only-empty-text",
        [_q(), Message(role="assistant", content=[Text(text="")]), Message(role="user", content=[Text(text="c")])],
        [{"role": "user", "content": [{"text": "q"}, {"text": "c"}]}],
        [
            ("messages[1].content[0]", DROPPED),
            ("messages[1]", DROPPED),
            ("messages[2]", CHANGED),  # the two user turns now beside each other are merged
            ("messages[0]", CHANGED),
        ],
    ),
    (
        "whitespace-text-is-sent",
        [Message(role="user", content=[Text(text=" ")])],
        [{"role": "user", "content": [{"text": " "}]}],
        [],
    ),
    (
        "message-with-options",
        [Message(role="user", content=[Text(text="a")], provider_options={NAME: {"role": "assistant", "x": 2}})],
        [{"role": "user", "content": [{"text": "a"}], "x": 2}],
        [("messages[0].provider_options.bedrock-converse.role", DROPPED)],
    ),
    (
        "assistant-turn-first",
        [Message(role="assistant", content=[Text(text="hi")])],
        [{"role": "user", "content": [{"text": "."}]}, {"role": "assistant", "content": [{"text": "hi"}]}],
        [("messages", CHANGED)],
    ),
    (
        "merged-user-turns",
        [_q(), Message(role="user", content=[Text(text="b"), Text(text="c", provider_options={"gemini": {}})])],
        [{"role": "user", "content": [{"text": "q"}, {"text": "b"}, {"text": "c"}]}],
        [
            ("messages[1]", CHANGED),
            ("messages[0]", CHANGED),
            ("messages[1].content[1].provider_options.gemini", DROPPED),
        ],
    ),
    (
        "tool-use-and-error-result",
        [_q(), _call(), _answer(Text(text="r"), is_error=True)],
        [
            Q,
            CALL,
            {
                "role": "user",
                "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}], "status": "error"}}],
            },
        ],
        [],
    ),
    (
        "tool-result-empty",
        [_q(), _call(), _answer()],
        [Q, CALL, {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": []}}]}],
        [],
    ),
    (
        "tool-use-with-options",
        [_q(), _call(provider_options={NAME: {"name": "g", "q": 1}}), _answer(Text(text="r"))],
        [
            Q,
            {
                "role": "assistant",
                "content": [{"toolUse": {"toolUseId": "t1", "name": "f", "input": {"a": 1}, "q": 1}}],
            },
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}]}}]},
        ],
        [("messages[1].content[0].provider_options.bedrock-converse.name", DROPPED)],
    ),
    (
        "marked-tool-use",
        [_q(), _call(cache=M5), _answer(Text(text="r"))],
        [
            Q,
            {"role": "assistant", "content": [*CALL["content"], {"cachePoint": {"type": "default"}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}]}}]},
        ],
        [],
    ),
    (
        "tool-result-with-empty-text-and-json",
        [_q(), _call(), _answer(Text(text="r"), Text(text=""), Json(value={"k": 1}))],
        [
            Q,
            CALL,
            {
                "role": "user",
                "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}, {"json": {"k": 1}}]}}],
            },
        ],
        [("messages[2].content[0].content[1]", DROPPED)],
    ),
    (
        "tool-result-with-options",
        [_q(), _call(), _answer(Text(text="r"), provider_options={NAME: {"status": "success", "y": 1}})],
        [
            Q,
            CALL,
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}], "y": 1}}]},
        ],
        [("messages[2].content[0].provider_options.bedrock-converse.status", DROPPED)],
    ),
    (
        "refusal-beside-text",
        [_q(), Message(role="assistant", content=[Text(text="a"), Refusal(text="no")])],
        [Q, {"role": "assistant", "content": [{"text": "a"}, {"text": "no"}]}],
        [("messages[1].content[1]", CHANGED)],
    ),
]


def _dump(body: Any) -> str:
    return json.dumps(body)  # keeps the key order, which the comparison must see


def _encode(messages: list[Message]) -> tuple[str, list[Any]]:
    e = C.encode(Request(messages=messages))
    return _dump(e.body["messages"]), list(e.warnings)


@pytest.mark.parametrize(("messages", "body", "losses"), [c[1:] for c in ENCODE], ids=[c[0] for c in ENCODE])
def test_encode(messages: list[Message], body: list[dict[str, Any]], losses: list[tuple[str, LossKind]]) -> None:
    e = C.encode(Request(messages=messages))
    assert _dump(e.body["messages"]) == _dump(body)
    assert [(w.path, w.kind) for w in e.warnings] == losses


@pytest.mark.parametrize("messages", [c[1] for c in ENCODE], ids=[c[0] for c in ENCODE])
def test_encode_general_path_agrees(messages: list[Message], request: pytest.FixtureRequest) -> None:
    fast = _encode(messages)
    request.getfixturevalue("general")
    assert _encode(messages) == fast


# (part, the block it is written as at once, or None: the general path lowers it)
PLAIN_PARTS: list[tuple[Part, dict[str, Any] | None]] = [
    (Text(text="a"), {"text": "a"}),
    (Text(text="a", cache=M5), None),
    (Text(text="a", provider_options=OWN), None),
    (Text(text="a", provider_options={"gemini": {}}), None),
    (ToolUse(id="t", name="f", input={}), {"toolUse": {"toolUseId": "t", "name": "f", "input": {}}}),
    (ToolUse(id="t", name="f", input={}, cache=M5), None),
    (ToolUse(id="t", name="f", input={}, provider_options=OWN), None),
    (
        ToolResult(tool_use_id="t", content=[Text(text="r")], is_error=True),
        {"toolResult": {"toolUseId": "t", "content": [{"text": "r"}], "status": "error"}},
    ),
    (ToolResult(tool_use_id="t", content=[Text(text="r", cache=M5)]), None),
    (ToolResult(tool_use_id="t", content=[Text(text="r", provider_options=OWN)]), None),
    (ToolResult(tool_use_id="t", content=[Json(value={})]), None),
    (ToolResult(tool_use_id="t", provider_options=OWN), None),
    (Refusal(text="a"), None),
    (ProviderPart(codec=NAME, data={"text": "a"}), None),
]


@pytest.mark.parametrize(("part", "block"), PLAIN_PARTS)
def test_plain_block(part: Part, block: dict[str, Any] | None) -> None:
    assert lower._plain_block(part) == block


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        (Text(text="a", cache=M5, provider_options=OWN), True),  # kept; its mark and options lower later
        (Text(text=""), False),
        (ToolUse(id="t", name="f", input={}), True),
        (ToolResult(tool_use_id="t", content=[Text(text="r")]), True),
        (ToolResult(tool_use_id="t", content=[Text(text="r"), Text(text="")]), False),
        (ToolResult(tool_use_id="t", content=[Json(value={})]), False),
        (Refusal(text="a"), False),
    ],
)
def test_kept_whole(part: Part, whole: bool) -> None:
    assert lower._kept_whole(part) is whole


# ----------------------------------------------------------------------------------------------
# Decode

TU = {"toolUseId": "t1", "name": "f", "input": {"a": 1}}

# (id, body["messages"], expected IR messages)
DECODE: list[tuple[str, list[Any], list[Message]]] = [
    (
        "plain-texts",
        [{"role": "user", "content": [{"text": "a"}, {"text": ""}]}],
        [Message(role="user", content=[Text(text="a"), Text(text="")])],
    ),
    (
        "text-then-cache-point",
        [{"role": "user", "content": [{"text": "a"}, {"text": "b"}, {"cachePoint": {"type": "default"}}]}],
        [Message(role="user", content=[Text(text="a"), Text(text="b", cache=M5)])],
    ),
    (
        "cache-point-between-texts",
        [{"role": "user", "content": [{"text": "a"}, {"cachePoint": {"type": "default", "ttl": "1h"}}, {"text": "b"}]}],
        [Message(role="user", content=[Text(text="a", cache=CacheControl(ttl=CacheTtl.ONE_HOUR)), Text(text="b")])],
    ),
    (
        "cache-point-opens-next-message",
        [
            {"role": "user", "content": [{"text": "a"}]},
            {"role": "assistant", "content": [{"cachePoint": {"type": "default"}}, {"text": "b"}]},
        ],
        [Message(role="user", content=[Text(text="a", cache=M5)]), Message(role="assistant", content=[Text(text="b")])],
    ),
    (
        "text-with-unknown-field",
        [{"role": "user", "content": [{"text": "a"}, {"text": "b", "x": 1}]}],
        [Message(role="user", content=[Text(text="a"), Text(text="b", provider_options=OWN)])],
    ),
    (
        "message-with-unknown-field",
        [{"role": "assistant", "content": [{"text": "a"}], "x": 1}],
        [Message(role="assistant", content=[Text(text="a")], provider_options=OWN)],
    ),
    (
        "tool-use-and-results",
        [
            {"role": "assistant", "content": [{"toolUse": TU}]},
            {
                "role": "user",
                "content": [
                    {"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}], "status": "error"}},
                    {"toolResult": {"toolUseId": "t1", "content": [], "status": "success"}},
                    {"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}, {"json": {"k": 1}}]}},
                ],
            },
        ],
        [
            Message(role="assistant", content=[ToolUse(id="t1", name="f", input={"a": 1})]),
            Message(
                role="user",
                content=[
                    ToolResult(tool_use_id="t1", content=[Text(text="r")], is_error=True),
                    ToolResult(tool_use_id="t1", content=[]),
                    ToolResult(tool_use_id="t1", content=[Text(text="r"), Json(value={"k": 1})]),
                ],
            ),
        ],
    ),
    (
        "tool-blocks-with-unknown-fields",
        [
            {"role": "assistant", "content": [{"toolUse": {**TU, "type": "x"}}, {"toolUse": {**TU, "input": [1]}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "r", "x": 1}]}}]},
        ],
        [
            Message(
                role="assistant",
                content=[
                    ToolUse(id="t1", name="f", input={"a": 1}, provider_options={NAME: {"type": "x"}}),
                    ProviderPart(codec=NAME, data={"toolUse": {**TU, "input": [1]}}),
                ],
            ),
            Message(
                role="user",
                content=[ToolResult(tool_use_id="t1", content=[Text(text="r", provider_options=OWN)])],
            ),
        ],
    ),
]


def _decode(messages: list[Any]) -> str:
    return repr(C.decode(json.dumps({"messages": messages}).encode()))


@pytest.mark.parametrize(("wire", "ir"), [c[1:] for c in DECODE], ids=[c[0] for c in DECODE])
def test_decode(wire: list[Any], ir: list[Message]) -> None:
    assert C.decode(json.dumps({"messages": wire}).encode()) == Request(messages=ir)


@pytest.mark.parametrize("wire", [c[1] for c in DECODE], ids=[c[0] for c in DECODE])
def test_decode_general_path_agrees(wire: list[Any], request: pytest.FixtureRequest) -> None:
    fast = _decode(wire)
    request.getfixturevalue("general")
    assert _decode(wire) == fast


# (id, body["messages"], path of the DecodeError)
BAD: list[tuple[str, list[Any], str]] = [
    ("text-not-a-string", [{"role": "user", "content": [{"text": "a"}, {"text": 1}]}], "$.messages[0].content[1].text"),
    (
        "two-members",
        [{"role": "user", "content": [{"text": "a"}, {"text": "b", "toolUse": TU}]}],
        "$.messages[0].content[1]",
    ),
    (
        "second-cache-point",
        [
            {
                "role": "user",
                "content": [{"text": "a"}, {"cachePoint": {"type": "default"}}, {"cachePoint": {"type": "default"}}],
            }
        ],
        "$.messages[0].content[2]",
    ),
    (
        "tool-use-id-too-long",
        [{"role": "assistant", "content": [{"toolUse": {**TU, "toolUseId": "t" * 65}}]}],
        "$.messages[0].content[0].toolUse.toolUseId",
    ),
    (
        "tool-result-status-null",
        [{"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [], "status": None}}]}],
        "$.messages[0].content[0].toolResult.status",
    ),
    (
        "tool-result-bad-status",
        [{"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [], "status": "ok"}}]}],
        "$.messages[0].content[0].toolResult.status",
    ),
]


@pytest.mark.parametrize(("wire", "path"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_decode_errors(wire: list[Any], path: str, request: pytest.FixtureRequest) -> None:
    body = json.dumps({"messages": wire}).encode()
    with pytest.raises(DecodeError) as fast:
        C.decode(body)
    assert fast.value.path == path
    request.getfixturevalue("general")
    with pytest.raises(DecodeError) as slow:
        C.decode(body)
    assert str(slow.value) == str(fast.value)


@pytest.mark.parametrize(
    ("block", "part"),
    [
        ({"toolUse": TU}, ToolUse(id="t1", name="f", input={"a": 1})),
        ({"toolUse": {**TU, "toolUseId": ""}}, None),
        ({"toolUse": {**TU, "name": "n" * 65}}, None),
        ({"toolUse": {**TU, "input": None}}, None),
        ({"toolUse": {**TU, "type": "x"}}, None),
        ({"toolUse": TU, "x": 1}, None),
        (
            {"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}]}},
            ToolResult(tool_use_id="t1", content=[Text(text="r")]),
        ),
        (
            {"toolResult": {"toolUseId": "t1", "content": [], "status": "error"}},
            ToolResult(tool_use_id="t1", is_error=True),
        ),
        ({"toolResult": {"toolUseId": "t1", "content": [], "status": None}}, None),
        ({"toolResult": {"toolUseId": "t1", "content": [], "status": "ok"}}, None),
        ({"toolResult": {"toolUseId": "t1", "content": [], "x": 1}}, None),
        ({"toolResult": {"toolUseId": "t1", "content": [{"json": {}}]}}, None),
        ({"toolResult": {"toolUseId": "t1", "content": [{"text": "r", "x": 1}]}}, None),
        ({"text": "a"}, None),
    ],
)
def test_plain_tool_block(block: dict[str, Any], part: Part | None) -> None:
    assert lift._plain_tool_block(block) == part


@pytest.mark.parametrize(
    ("block", "plain"),
    [
        ({"text": "a"}, True),
        ({"text": ""}, True),
        ({"text": 1}, False),
        ({"text": "a", "x": 1}, False),
        (["text"], False),
    ],
)
def test_plain_text_member(block: Any, plain: bool) -> None:
    assert plain_text_member(block) is plain


@pytest.mark.parametrize("forced", [False, True])
def test_general_path_is_what_the_fixture_forces(forced: bool, request: pytest.FixtureRequest) -> None:
    """The plain cases take the fast paths; with the ``general`` fixture they do not (so the
    agreement tests above compare two different paths)."""
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    calls: list[str] = []
    part, union = lower._Lowering.part, lift._lift_union

    def spy_part(self: Any, *args: Any) -> Any:
        calls.append("part")
        return part(self, *args)

    def spy_union(*args: Any) -> Any:
        calls.append("union")
        return union(*args)

    monkeypatch.setattr(lower._Lowering, "part", spy_part)
    monkeypatch.setattr(lift, "_lift_union", spy_union)
    if forced:
        request.getfixturevalue("general")
    wire = C.encode(Request(messages=[_q(), _call(), _answer(Text(text="r"))])).to_json()
    C.decode(wire)
    # three parts and the text inside the result, each way
    assert calls == (["part"] * 4 + ["union"] * 4 if forced else [])
