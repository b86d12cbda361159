"""The OpenAI Responses fast paths for tool calls, tool results and turns agree with the general
path on near-plain cases.

Decode reads a plain message, a ``function_call`` with only ``call_id``, ``name`` and string
``arguments`` and a ``function_call_output`` with only ``call_id`` and a string ``output`` at
once (``lift._plain_item``), and makes a one-item turn a message at once
(``lift._message_from_group``). Encode writes a message of option-free tool calls and results at
once (``lower._plain_items``), keeps messages with nothing to drop as they are
(``lower._always_sent``), and skips the regrouping report when each message is one turn of its
own role (``lift._one_item_each``). Each case runs twice, with the fast paths on and forced off
(``general``); both runs must give the IR, wire body (bytes: key order counts), warnings or
error written out here from the documented shapes (openai-python ``types/responses``:
``ResponseFunctionToolCallParam``: ``type``, ``call_id``, ``name``, ``arguments``, optional
``id`` and ``status``; ``FunctionCallOutput``: ``type``, ``call_id``, ``output`` (a string or a
list of input parts), optional ``id`` and ``status``; ``EasyInputMessageParam``).
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from ir_codec import get_codec
from ir_codec.codec import EncodeContext
from ir_codec.codecs.openai_responses import lift, lower
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import Json, Message, Part, ProviderPart, Request, Text, ToolResult, ToolUse

CODEC = get_codec("openai-responses")
NAME = "openai-responses"
DROPPED, CHANGED = LossKind.DROPPED, LossKind.CHANGED


@pytest.fixture(params=["fast", "general"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with the fast paths on, then with every one of them off."""
    if request.param == "general":
        monkeypatch.setattr(lift, "_plain_item", lambda item, ttl: None)
        monkeypatch.setattr(lift, "_plain_part", lambda c, role: False)
        monkeypatch.setattr(lift, "_message_from_group", lift._message_from_turn)
        monkeypatch.setattr(lift, "_one_item_each", lambda recs, roles, groups: False)
        monkeypatch.setattr(lower, "plain_texts", lambda parts: None)
        monkeypatch.setattr(lower, "_plain_items", lambda content, i, items, recs: False)
        monkeypatch.setattr(lower, "_always_sent", lambda content: False)
    return str(request.param)


# --------------------------------------------------------------------------------------------
# Decode


def _read(items: Any) -> list[tuple[str, list[Part], dict[str, Any]]]:
    request = CODEC.decode(msgspec.json.encode({"model": "m", "input": items}))
    return [(m.role, m.content, dict(m.provider_options)) for m in request.messages]


CALL_ITEM = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": '{"q":1}'}
OUT_ITEM = {"type": "function_call_output", "call_id": "c1", "output": "r"}
USE = ToolUse(id="c1", name="f", input={"q": 1})
RES = ToolResult(tool_use_id="c1", content=[Text(text="r")])

# name -> (input items, messages read back as (role, content, provider_options))
DECODE_CASES: dict[str, tuple[Any, list[tuple[str, list[Part], dict[str, Any]]]]] = {
    "plain function_call": ([CALL_ITEM], [("assistant", [USE], {})]),
    "function_call with id and status": (
        [{**CALL_ITEM, "id": "fc_1", "status": "completed"}],
        [
            (
                "assistant",
                [
                    ToolUse(
                        id="c1",
                        name="f",
                        input={"q": 1},
                        provider_options={NAME: {"id": "fc_1", "status": "completed"}},
                    )
                ],
                {},
            )
        ],
    ),
    "function_call arguments not in the compact form": (
        [{**CALL_ITEM, "arguments": '{"q": 1}'}],
        [
            (
                "assistant",
                [ToolUse(id="c1", name="f", input={"q": 1}, provider_options={NAME: {"arguments": '{"q": 1}'}})],
                {},
            )
        ],
    ),
    "function_call arguments not an object": (
        [{**CALL_ITEM, "arguments": "[1]"}],
        [("assistant", [ProviderPart(codec=NAME, data={**CALL_ITEM, "arguments": "[1]"})], {})],
    ),
    "function_call arguments not JSON": (
        [{**CALL_ITEM, "arguments": "{"}],
        [("assistant", [ProviderPart(codec=NAME, data={**CALL_ITEM, "arguments": "{"})], {})],
    ),
    "function_call with an unknown field": (
        [{**CALL_ITEM, "x": None}],
        [("assistant", [ToolUse(id="c1", name="f", input={"q": 1}, provider_options={NAME: {"x": None}})], {})],
    ),
    "plain function_call_output": ([OUT_ITEM], [("user", [RES], {})]),
    "function_call_output with a list output": (
        [{**OUT_ITEM, "output": [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}]}],
        [("user", [ToolResult(tool_use_id="c1", content=[Text(text="a"), Text(text="b")])], {})],
    ),
    "function_call_output with a status": (
        [{**OUT_ITEM, "status": "completed"}],
        [
            (
                "user",
                [
                    ToolResult(
                        tool_use_id="c1", content=[Text(text="r")], provider_options={NAME: {"status": "completed"}}
                    )
                ],
                {},
            )
        ],
    ),
    "function_call_output with a null call_id stays raw": (
        [{**OUT_ITEM, "call_id": None}],
        [("user", [ProviderPart(codec=NAME, data={**OUT_ITEM, "call_id": None})], {})],
    ),
    "function_call_output without call_id stays raw": (
        [{"type": "function_call_output", "output": "r"}],
        [("user", [ProviderPart(codec=NAME, data={"type": "function_call_output", "output": "r"})], {})],
    ),
    "a message without type": ([{"role": "user", "content": "hi"}], [("user", [Text(text="hi")], {})]),
    "an assistant string content": (
        [{"type": "message", "role": "assistant", "content": "a"}],
        [("assistant", [Text(text="a")], {})],
    ),
    "a developer message": (
        [{"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "d"}]}],
        [("system", [Text(text="d")], {NAME: {"role": "developer"}})],
    ),
    "an empty message": ([{"type": "message", "role": "user", "content": []}], [("user", [], {})]),
    "a message with a status": (
        [{"type": "message", "role": "assistant", "content": "a", "status": "completed"}],
        [("assistant", [Text(text="a")], {NAME: {"status": "completed"}})],
    ),
    "a tool result and a user message share a turn": (
        [
            {"role": "user", "content": "q"},
            CALL_ITEM,
            OUT_ITEM,
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "b"}]},
        ],
        [("user", [Text(text="q")], {}), ("assistant", [USE], {}), ("user", [RES, Text(text="b")], {})],
    ),
    "two calls share a turn": (
        [CALL_ITEM, {**CALL_ITEM, "call_id": "c2"}],
        [("assistant", [USE, ToolUse(id="c2", name="f", input={"q": 1})], {})],
    ),
    "the input as a string": ("Hi", [("user", [Text(text="Hi")], {})]),
}


@pytest.mark.parametrize("case", DECODE_CASES)
def test_decode(path: str, case: str) -> None:
    items, expected = DECODE_CASES[case]
    assert _read(items) == expected


# name -> (input items, the error's path)
BAD_CASES: dict[str, tuple[list[Any], str]] = {
    "function_call without call_id": ([{"type": "function_call", "name": "f", "arguments": "{}"}], "$.input[1]"),
    "function_call with a number call_id": ([{**CALL_ITEM, "call_id": 1}], "$.input[1].call_id"),
    "function_call with object arguments": ([{**CALL_ITEM, "arguments": {}}], "$.input[1].arguments"),
    "function_call with a bad status": ([{**CALL_ITEM, "status": "done"}], "$.input[1].status"),
    "function_call_output with a number output": ([{**OUT_ITEM, "output": 1}], "$.input[1].output"),
    "function_call_output with a number call_id": ([{**OUT_ITEM, "call_id": 1}], "$.input[1].call_id"),
    "a message of an unknown role": ([{"type": "message", "role": "tool", "content": "x"}], "$.input[1].role"),
    "a message with a string part": ([{"role": "user", "content": ["x"]}], "$.input[1].content[0]"),
    "a message with a null content": ([{"role": "user", "content": None}], "$.input[1].content"),
    "a text part with a number text": (
        [{"role": "assistant", "content": [{"type": "output_text", "text": 1, "annotations": []}]}],
        "$.input[1].content[0].text",
    ),
}


@pytest.mark.parametrize("case", BAD_CASES)
def test_decode_refuses(path: str, case: str) -> None:
    items, where = BAD_CASES[case]
    with pytest.raises(DecodeError) as exc:
        _read([{"role": "user", "content": "ok"}, *items])
    assert exc.value.path == where
    general = str(exc.value)
    assert general.startswith(where)


def test_decode_errors_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each refused input gets the same error message on both paths."""

    def errors() -> list[str]:
        out = []
        for items, _ in BAD_CASES.values():
            with pytest.raises(DecodeError) as exc:
                _read(items)
            out.append(str(exc.value))
        return out

    fast = errors()
    monkeypatch.setattr(lift, "_plain_item", lambda item, ttl: None)
    monkeypatch.setattr(lift, "_plain_part", lambda c, role: False)
    assert errors() == fast
    assert len(set(fast)) == len(fast)


# --------------------------------------------------------------------------------------------
# Encode


def _write(messages: list[Message]) -> tuple[bytes, list[tuple[str, LossKind]]]:
    encoded = CODEC.encode(Request(model="m", messages=messages))
    return encoded.to_json(), [(w.path, w.kind) for w in encoded.warnings]


def _body(*items: dict[str, Any]) -> bytes:
    return msgspec.json.encode({"model": "m", "input": list(items)})


def _asst(*parts: Part, **options: Any) -> Message:
    return Message(role="assistant", content=list(parts), provider_options={NAME: options} if options else {})


def _user(*parts: Part) -> Message:
    return Message(role="user", content=list(parts))


CALL_WIRE = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": '{"q":1}'}
Q = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "q"}]}
A = {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "a", "annotations": []}]}
ARGS_AT = f"messages[1].content[0].provider_options.{NAME}.arguments"

# name -> (IR messages, wire body, warnings (path, kind))
ENCODE_CASES: dict[str, tuple[list[Message], bytes, list[tuple[str, LossKind]]]] = {
    "a call and its result": (
        [_user(Text(text="q")), _asst(USE), _user(RES), _asst(Text(text="a"))],
        _body(Q, CALL_WIRE, {"type": "function_call_output", "call_id": "c1", "output": "r"}, A),
        [],
    ),
    "two calls in one message": (
        [_user(Text(text="q")), _asst(USE, ToolUse(id="c2", name="g", input={}))],
        _body(Q, CALL_WIRE, {"type": "function_call", "call_id": "c2", "name": "g", "arguments": "{}"}),
        [],
    ),
    "a call with id and status options": (
        [
            _user(Text(text="q")),
            _asst(
                ToolUse(
                    id="c1", name="f", input={"q": 1}, provider_options={NAME: {"id": "fc_1", "status": "completed"}}
                )
            ),
        ],
        _body(Q, {**CALL_WIRE, "id": "fc_1", "status": "completed"}),
        [],
    ),
    "a call keeps its own arguments text": (
        [
            _user(Text(text="q")),
            _asst(ToolUse(id="c1", name="f", input={"q": 1}, provider_options={NAME: {"arguments": '{"q": 1}'}})),
        ],
        _body(Q, {**CALL_WIRE, "arguments": '{"q": 1}'}),
        [],
    ),
    "a call with other arguments text": (
        [
            _user(Text(text="q")),
            _asst(ToolUse(id="c1", name="f", input={"q": 1}, provider_options={NAME: {"arguments": '{"q":2}'}})),
        ],
        _body(Q, CALL_WIRE),
        [(ARGS_AT, DROPPED)],
    ),
    "a call with another codec's options": (
        [
            _user(Text(text="q")),
            _asst(ToolUse(id="c1", name="f", input={"q": 1}, provider_options={"anthropic": {"x": 1}})),
        ],
        _body(Q, CALL_WIRE),
        [("messages[1].content[0].provider_options.anthropic", DROPPED)],
    ),
    "a message option with no message item": (
        [_user(Text(text="q")), _asst(USE, id="msg_1")],
        _body(Q, CALL_WIRE),
        [(f"messages[1].provider_options.{NAME}.id", DROPPED)],
    ),
    "a call beside text": (
        [_user(Text(text="q")), _asst(Text(text="a"), USE)],
        _body(Q, A, CALL_WIRE),
        [],
    ),
    "a result of two texts": (
        [_user(ToolResult(tool_use_id="c1", content=[Text(text="a"), Text(text="b")]))],
        _body(
            {
                "type": "function_call_output",
                "call_id": "c1",
                "output": [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}],
            }
        ),
        [],
    ),
    "an empty result": (
        [_user(ToolResult(tool_use_id="c1", content=[]))],
        _body({"type": "function_call_output", "call_id": "c1", "output": []}),
        [],
    ),
    "an error result": (
        [_user(ToolResult(tool_use_id="c1", content=[Text(text="r")], is_error=True))],
        _body({"type": "function_call_output", "call_id": "c1", "output": "r"}),
        [("messages[0].content[0].is_error", DROPPED)],
    ),
    "a result with an id option": (
        [_user(ToolResult(tool_use_id="c1", content=[Text(text="r")], provider_options={NAME: {"id": "fco_1"}}))],
        _body({"type": "function_call_output", "call_id": "c1", "output": "r", "id": "fco_1"}),
        [],
    ),
    "a result text with an option": (
        [_user(ToolResult(tool_use_id="c1", content=[Text(text="r", provider_options={NAME: {"x": 1}})]))],
        _body(
            {"type": "function_call_output", "call_id": "c1", "output": [{"type": "input_text", "text": "r", "x": 1}]}
        ),
        [],
    ),
    "a JSON result is sent as its text": (
        [_user(ToolResult(tool_use_id="c1", content=[Json(value={"a": 1})]))],
        _body({"type": "function_call_output", "call_id": "c1", "output": '{"a":1}'}),
        [("messages[0].content[0].content[0]", CHANGED)],
    ),
    "a result and a user message read back as one turn": (
        [_user(Text(text="q")), _asst(USE), _user(RES), _user(Text(text="b"))],
        _body(
            Q,
            CALL_WIRE,
            {"type": "function_call_output", "call_id": "c1", "output": "r"},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "b"}]},
        ),
        [("messages[2]", CHANGED), ("messages[3]", CHANGED)],
    ),
    "a call in a user message": (
        [_user(USE)],
        _body(CALL_WIRE),
        [("messages[0]", CHANGED), ("messages", CHANGED)],
    ),
    "two call messages read back as one turn": (
        [_user(Text(text="q")), _asst(USE), _asst(ToolUse(id="c2", name="g", input={}))],
        _body(Q, CALL_WIRE, {"type": "function_call", "call_id": "c2", "name": "g", "arguments": "{}"}),
        [("messages[1]", CHANGED), ("messages[2]", CHANGED)],
    ),
    "a foreign part beside a call": (
        [_user(Text(text="q")), _asst(USE, ProviderPart(codec="anthropic", data={"type": "x"}))],
        _body(Q, CALL_WIRE),
        [("messages[1].content[1]", DROPPED)],
    ),
    "a foreign part in a result": (
        [
            _user(
                ToolResult(
                    tool_use_id="c1", content=[Text(text="r"), ProviderPart(codec="anthropic", data={"type": "x"})]
                )
            )
        ],
        _body({"type": "function_call_output", "call_id": "c1", "output": "r"}),
        [("messages[0].content[0].content[1]", DROPPED)],
    ),
}


@pytest.mark.parametrize("case", ENCODE_CASES)
def test_encode(path: str, case: str) -> None:
    messages, body, warnings = ENCODE_CASES[case]
    assert _write(messages) == (body, warnings)


def test_reduce_keeps_sendable_messages(path: str) -> None:
    """A message of text, calls and results of sendable parts is kept as the same object, with
    nothing reported."""
    m = _user(Text(text="q"), ToolResult(tool_use_id="c1", content=[Text(text="r"), Json(value={})]))
    request = Request(model="m", messages=[_asst(USE), m])
    ctx = EncodeContext(NAME)
    reduced, _ = lower.reduce_request(request, ctx)
    assert reduced is request
    assert reduced.messages[1] is m
    assert ctx.warnings == []
