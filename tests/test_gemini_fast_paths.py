"""The Gemini fast paths agree with the general path on near-plain cases.

Encode writes plain text parts, plain function calls and one-text function responses at once
(``lower._lower_message``), keeps messages with nothing to drop as they are
(``lower._all_sendable``); decode copies and lifts ``{"text": ...}`` parts and
``{"role", "parts"}`` contents inline (``wire.plain_text_member``, ``wire._plain_content``). Each
case is run twice, with the fast paths on and with them forced off (``general``), and both runs
must give the wire body (bytes, so key order counts), the warnings and the IR written out here
from the documented shapes (``types.Part``, ``types.FunctionCall``, ``types.FunctionResponse``).
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from ir_codec import get_codec
from ir_codec.codecs.gemini import lift, lower, wire
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Base64Source,
    CacheControl,
    Image,
    Json,
    Message,
    ProviderPart,
    RedactedThinking,
    Request,
    Text,
    Thinking,
    ToolResult,
    ToolUse,
)
from tests.benchmarks.workloads import workload

CODEC = get_codec("gemini")
MARK = CacheControl()
DROPPED, CHANGED = LossKind.DROPPED, LossKind.CHANGED
CACHE_LOST = ("cache", DROPPED)  # a cache mark: generateContent has no inline marks


@pytest.fixture(params=["fast", "general"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with the fast paths on, then with every one of them off."""
    if request.param == "general":
        monkeypatch.setattr(lower, "plain_text", lambda p: False)
        monkeypatch.setattr(lower, "plain_call", lambda p: False)
        monkeypatch.setattr(lower, "_plain_result", lambda p, names: None)
        monkeypatch.setattr(lower, "_all_sendable", lambda content: False)
        monkeypatch.setattr(wire, "plain_text_member", lambda obj: False)
        monkeypatch.setattr(wire, "_plain_content", lambda obj: False)
        monkeypatch.setattr(lift, "plain_text_member", lambda obj: False)
    return str(request.param)


def _enc(messages: list[Message]) -> tuple[bytes, list[tuple[str, LossKind]]]:
    e = CODEC.encode(Request(messages=messages))
    return e.to_json(), [(w.path, w.kind) for w in e.warnings]


def _contents(*contents: dict[str, Any]) -> bytes:
    return msgspec.json.encode({"contents": list(contents)})


def _user(*parts: Any) -> Message:
    return Message(role="user", content=list(parts))


def _model(*parts: Any) -> Message:
    return Message(role="assistant", content=list(parts))


CALL = ToolUse(id="call_1", name="f", input={"q": 1})
WIRE_CALL = {"functionCall": {"id": "call_1", "name": "f", "args": {"q": 1}}}

# name -> (IR messages, the body's contents, the warnings (path, kind))
ENCODE_CASES: dict[str, tuple[list[Message], bytes, list[tuple[str, LossKind]]]] = {
    "plain user text": (
        [_user(Text(text="Hi"), Text(text="there"))],
        _contents({"role": "user", "parts": [{"text": "Hi"}, {"text": "there"}]}),
        [],
    ),
    "empty text": (
        [_user(Text(text=""))],
        _contents({"role": "user", "parts": [{"text": ""}]}),
        [],
    ),
    "model turn": (
        [_user(Text(text="q")), _model(Text(text="a"))],
        _contents({"role": "user", "parts": [{"text": "q"}]}, {"role": "model", "parts": [{"text": "a"}]}),
        [],
    ),
    "leading system turn as systemInstruction": (
        [Message(role="system", content=[Text(text="be brief")]), _user(Text(text="q"))],
        msgspec.json.encode(
            {
                "contents": [{"role": "user", "parts": [{"text": "q"}]}],
                "systemInstruction": {"parts": [{"text": "be brief"}]},
            }
        ),
        [("system", CHANGED), ("messages[0]", LossKind.MOVED)],
    ),
    "system turn in contents": (
        [_user(Text(text="q")), Message(role="system", content=[Text(text="be brief")]), _user(Text(text="r"))],
        _contents(
            {"role": "user", "parts": [{"text": "q"}]},
            {"role": "user", "parts": [{"text": "be brief"}]},
            {"role": "user", "parts": [{"text": "r"}]},
        ),
        [("messages[1].role", CHANGED)],
    ),
    "a cache mark next to plain text": (
        [_user(Text(text="a"), Text(text="b", cache=MARK), Text(text="c"))],
        _contents({"role": "user", "parts": [{"text": "a"}, {"text": "b"}, {"text": "c"}]}),
        [("messages[0].content[1].cache", DROPPED)],
    ),
    "text options merged next to plain text": (
        [_user(Text(text="a"), Text(text="b", provider_options={"gemini": {"videoMetadata": {"fps": 1}}}))],
        _contents({"role": "user", "parts": [{"text": "a"}, {"text": "b", "videoMetadata": {"fps": 1}}]}),
        [],
    ),
    "text options that outrank the text are not sent": (
        [_user(Text(text="b", provider_options={"gemini": {"functionCall": {"name": "g"}}}))],
        _contents({"role": "user", "parts": [{"text": "b"}]}),
        [("messages[0].content[0].provider_options.gemini.functionCall", DROPPED)],
    ),
    "another codec's text options": (
        [_user(Text(text="a", provider_options={"anthropic": {"citations": []}}))],
        _contents({"role": "user", "parts": [{"text": "a"}]}),
        [("messages[0].content[0].provider_options.anthropic", DROPPED)],
    ),
    "message options": (
        [Message(role="user", content=[Text(text="a")], provider_options={"gemini": {"x": 1, "role": "model"}})],
        _contents({"role": "user", "parts": [{"text": "a"}], "x": 1}),
        [("messages[0].provider_options.gemini.role", DROPPED)],
    ),
    "another codec's message options": (
        [Message(role="assistant", content=[Text(text="a")], provider_options={"openai-chat": {"name": "bob"}})],
        _contents({"role": "model", "parts": [{"text": "a"}]}),
        [("messages[0].provider_options.openai-chat", DROPPED)],
    ),
    "thinking is not plain": (
        [_model(Thinking(text="hmm"), Text(text="a"))],
        _contents({"role": "model", "parts": [{"text": "hmm", "thought": True}, {"text": "a"}]}),
        [],
    ),
    "redacted thinking dropped before plain text": (
        [_model(RedactedThinking(data="x"), Text(text="a"))],
        _contents({"role": "model", "parts": [{"text": "a"}]}),
        [("messages[0].content[0]", DROPPED)],
    ),
    "a call and its one-text result": (
        [_model(CALL), _user(ToolResult(tool_use_id="call_1", content=[Text(text="r")]))],
        _contents(
            {"role": "model", "parts": [WIRE_CALL]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"id": "call_1", "name": "f", "response": {"output": "r"}}}],
            },
        ),
        [],
    ),
    "an error result": (
        [_model(CALL), _user(ToolResult(tool_use_id="call_1", content=[Text(text="boom")], is_error=True))],
        _contents(
            {"role": "model", "parts": [WIRE_CALL]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"id": "call_1", "name": "f", "response": {"error": "boom"}}}],
            },
        ),
        [],
    ),
    "derived ids are omitted": (
        [
            _model(ToolUse(id="f_0", name="f", input={})),
            _user(ToolResult(tool_use_id="f_0", content=[Text(text="r")]), Text(text="next")),
        ],
        _contents(
            {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "f", "response": {"output": "r"}}}, {"text": "next"}],
            },
        ),
        [],
    ),
    "call options merged": (
        [
            _model(
                ToolUse(id="call_1", name="f", input={"q": 1}, provider_options={"gemini": {"thoughtSignature": "s"}})
            )
        ],
        _contents({"role": "model", "parts": [{**WIRE_CALL, "thoughtSignature": "s"}]}),
        [],
    ),
    "a call with a cache mark": (
        [_model(ToolUse(id="call_1", name="f", input={"q": 1}, cache=MARK))],
        _contents({"role": "model", "parts": [WIRE_CALL]}),
        [("messages[0].content[0].cache", DROPPED)],
    ),
    "a result without its call": (
        [_user(ToolResult(tool_use_id="call_9", content=[Text(text="r")]))],
        _contents(
            {
                "role": "user",
                "parts": [{"functionResponse": {"id": "call_9", "name": "call_9", "response": {"output": "r"}}}],
            }
        ),
        [("messages[0].content[0]", CHANGED)],
    ),
    "a result of two texts": (
        [_model(CALL), _user(ToolResult(tool_use_id="call_1", content=[Text(text="a"), Text(text="b")]))],
        _contents(
            {"role": "model", "parts": [WIRE_CALL]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"id": "call_1", "name": "f", "response": {"output": ["a", "b"]}}}],
            },
        ),
        [("messages[1].content[0].content", CHANGED)],
    ),
    "a result text with options": (
        [
            _model(CALL),
            _user(ToolResult(tool_use_id="call_1", content=[Text(text="r", provider_options={"gemini": {"x": 1}})])),
        ],
        _contents(
            {"role": "model", "parts": [WIRE_CALL]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"id": "call_1", "name": "f", "response": {"output": "r"}}}],
            },
        ),
        [("messages[1].content[0].content[0].provider_options.gemini", DROPPED)],
    ),
    "a result with options": (
        [
            _model(CALL),
            _user(
                ToolResult(
                    tool_use_id="call_1",
                    content=[Text(text="r")],
                    provider_options={"gemini": {"functionResponse": {"willContinue": True}}},
                )
            ),
        ],
        _contents(
            {"role": "model", "parts": [WIRE_CALL]},
            {
                "role": "user",
                "parts": [
                    {
                        "functionResponse": {
                            "id": "call_1",
                            "name": "f",
                            "response": {"output": "r"},
                            "willContinue": True,
                        }
                    }
                ],
            },
        ),
        [],
    ),
    "a JSON result": (
        [_model(CALL), _user(ToolResult(tool_use_id="call_1", content=[Json(value={"n": 2})]))],
        _contents(
            {"role": "model", "parts": [WIRE_CALL]},
            {"role": "user", "parts": [{"functionResponse": {"id": "call_1", "name": "f", "response": {"n": 2}}}]},
        ),
        [],
    ),
    "an image next to plain text": (
        [_user(Text(text="see"), Image(source=Base64Source(media_type="image/png", data="iVBO")))],
        _contents(
            {"role": "user", "parts": [{"text": "see"}, {"inlineData": {"mimeType": "image/png", "data": "iVBO"}}]}
        ),
        [],
    ),
}


@pytest.mark.parametrize("name", list(ENCODE_CASES))
def test_encode(name: str, path: str) -> None:
    messages, body, warnings = ENCODE_CASES[name]
    assert _enc(messages) == (body, warnings)


def test_encode_same_warning_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reasons too, not only the paths: every case, fast and general."""
    cases = [c for name, c in ENCODE_CASES.items() if not name.startswith("leading")]  # a place of its own
    every = [m for messages, _, _ in cases for m in messages]
    fast = CODEC.encode(Request(messages=every))
    monkeypatch.setattr(lower, "plain_text", lambda p: False)
    monkeypatch.setattr(lower, "plain_call", lambda p: False)
    monkeypatch.setattr(lower, "_plain_result", lambda p, names: None)
    monkeypatch.setattr(lower, "_all_sendable", lambda content: False)
    general = CODEC.encode(Request(messages=every))
    assert fast.to_json() == general.to_json()
    assert fast.warnings == general.warnings
    assert len(fast.warnings) == sum(len(w) for _, _, w in cases)


# name -> (the body's contents, the IR messages)
DECODE_CASES: dict[str, tuple[list[Any], list[Message]]] = {
    "plain text": (
        [{"role": "user", "parts": [{"text": "Hi"}, {"text": ""}]}],
        [_user(Text(text="Hi"), Text(text=""))],
    ),
    "parts before role, a model turn": (
        [{"role": "user", "parts": [{"text": "q"}]}, {"parts": [{"text": "a"}], "role": "model"}],
        [_user(Text(text="q")), _model(Text(text="a"))],
    ),
    "no role": ([{"parts": [{"text": "a"}]}], [_user(Text(text="a"))]),
    "a null role": ([{"role": None, "parts": [{"text": "a"}]}], [_user(Text(text="a"))]),
    "the legacy function role": ([{"role": "function", "parts": [{"text": "a"}]}], [_user(Text(text="a"))]),
    "a single part object": ([{"role": "user", "parts": {"text": "a"}}], [_user(Text(text="a"))]),
    "content extras": (
        [{"role": "user", "parts": [{"text": "a"}], "x_y": 1}],
        [Message(role="user", content=[Text(text="a")], provider_options={"gemini": {"x_y": 1}})],
    ),
    "a thought and a signature": (
        [{"role": "model", "parts": [{"text": "t", "thought": True, "thoughtSignature": "s"}, {"text": "a"}]}],
        [_model(Thinking(text="t", signature="s", origin="gemini"), Text(text="a"))],
    ),
    "thought false is kept": (
        [{"role": "model", "parts": [{"text": "a", "thought": False}]}],
        [_model(Text(text="a", provider_options={"gemini": {"thought": False}}))],
    ),
    "text extras": (
        [{"role": "user", "parts": [{"text": "a"}, {"text": "b", "video_metadata": {"fps": 1}}]}],
        [_user(Text(text="a"), Text(text="b", provider_options={"gemini": {"videoMetadata": {"fps": 1}}}))],
    ),
    "a null text is absent": (
        [{"role": "user", "parts": [{"text": None}]}],
        [_user(ProviderPart(codec="gemini", data={}))],
    ),
    "calls and responses": (
        [
            {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {"q": 1}}}]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "f", "response": {"output": "r"}}}, {"text": "go"}],
            },
        ],
        [
            _model(ToolUse(id="f_0", name="f", input={"q": 1})),
            _user(ToolResult(tool_use_id="f_0", content=[Text(text="r")]), Text(text="go")),
        ],
    ),
}


@pytest.mark.parametrize("name", list(DECODE_CASES))
def test_decode(name: str, path: str) -> None:
    contents, messages = DECODE_CASES[name]
    body = msgspec.json.encode({"contents": contents})
    assert CODEC.decode(body) == Request(messages=messages)
    assert msgspec.json.encode(CODEC.decode(body)) == msgspec.json.encode(Request(messages=messages))


# name -> (the body's contents, the DecodeError's path)
BAD_CASES: dict[str, tuple[list[Any], str]] = {
    "a text that is no string": ([{"role": "user", "parts": [{"text": 5}]}], "$.contents[0].parts[0].text"),
    "no parts": ([{"role": "user", "parts": []}], "$.contents[0].parts"),
    "an unknown role": ([{"role": "bot", "parts": [{"text": "a"}]}], "$.contents[0].role"),
    "a role that is no string": ([{"role": 1, "parts": [{"text": "a"}]}], "$.contents[0].role"),
    "a part that is no object": ([{"role": "user", "parts": ["a"]}], "$.contents[0].parts[0]"),
    "both spellings": (
        [{"role": "user", "parts": [{"text": "a", "thought_signature": "s", "thoughtSignature": "s"}]}],
        "$.contents[0].parts[0].thoughtSignature",
    ),
}


@pytest.mark.parametrize("name", list(BAD_CASES))
def test_decode_errors(name: str, path: str) -> None:
    contents, where = BAD_CASES[name]
    with pytest.raises(DecodeError) as err:
        CODEC.decode(msgspec.json.encode({"contents": contents}))
    assert err.value.path == where


def test_normalize_copies(path: str) -> None:
    """A plain part or content is copied, not shared: normalizing never touches the input."""
    content = {"role": "function", "parts": [{"text": "a"}]}
    out = wire.normalize({"contents": [content]})
    assert out == {"contents": [{"role": "user", "parts": [{"text": "a"}]}]}
    assert content == {"role": "function", "parts": [{"text": "a"}]}
    assert out["contents"][0] is not content
    assert out["contents"][0]["parts"][0] is not content["parts"][0]


def test_workload_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark request M (text, calls, results, an image, cache marks): the same body,
    warnings and decoded IR with the fast paths on and off."""
    chat = get_codec("openai-chat", explicit_breakpoints=True)
    req = chat.decode(msgspec.json.encode(workload("M")))
    fast = CODEC.encode(req)
    fast_ir = CODEC.decode(fast.to_json())
    for module, name, off in (
        (lower, "plain_text", lambda p: False),
        (lower, "plain_call", lambda p: False),
        (lower, "_plain_result", lambda p, names: None),
        (lower, "_all_sendable", lambda content: False),
        (wire, "plain_text_member", lambda obj: False),
        (wire, "_plain_content", lambda obj: False),
        (lift, "plain_text_member", lambda obj: False),
    ):
        monkeypatch.setattr(module, name, off)
    general = CODEC.encode(req)
    assert fast.to_json() == general.to_json()
    assert fast.warnings == general.warnings
    assert fast.warnings  # the cache marks are reported lost
    assert msgspec.json.encode(fast_ir) == msgspec.json.encode(CODEC.decode(general.to_json()))
    # the leading system turn (Chat's `system` message, the codec reading `developer`) is sent as
    # systemInstruction and reads back as the system blocks
    assert req.messages[0].role == "system" and not req.system
    assert len(fast_ir.messages) == len(req.messages) - 1
    assert [b.text for b in fast_ir.system] == [p.text for p in req.messages[0].content]  # type: ignore[union-attr]
