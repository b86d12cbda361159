"""OpenAI Chat and its flavors: the fast path for a plain tool turn agrees with the general path.

Decode reads an assistant message of null content and plain function tool calls, and a tool
message of a string content, at once (``wire.plain_tool_turn``, ``wire.plain_wire_call``).
Each table case is checked twice: against the IR written here from the documented shapes
(``openai/types/chat/chat_completion_assistant_message_param.py``: ``content`` may be null when
``tool_calls`` is given; ``chat_completion_message_function_tool_call_param.py``: ``{id, type:
"function", function: {name, arguments}}`` with ``arguments`` a JSON text;
``chat_completion_tool_message_param.py``: ``{role: "tool", tool_call_id, content}``), and
against the general path forced by turning the fast path off, for every flavor of the lifter.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import get_codec
from ir_codec.codecs.openai_chat import lift, wire
from ir_codec.errors import DecodeError
from ir_codec.ir import Message, ProviderPart, Request, Text, Tool, ToolResult, ToolUse

FLAVORS = ["openai-chat", "openrouter", "mistral", "deepseek"]
Q = {"role": "user", "content": "q"}
ID = "call12345"  # nine letters and digits: an id every flavor keeps as it is


def _call(**over: Any) -> dict[str, Any]:
    call = {"id": ID, "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}}
    return call | over


def _turn(*calls: Any, answer: Any = "42", **assistant: Any) -> list[dict[str, Any]]:
    a = {"role": "assistant", "content": None, "tool_calls": list(calls)} | assistant
    return [Q, a, {"role": "tool", "tool_call_id": ID, "content": answer}]


def _ir(*calls: ToolUse, answer: str = "42") -> list[Message]:
    return [
        Message(role="user", content=[Text(text="q")]),
        Message(role="assistant", content=list(calls)),
        Message(role="user", content=[ToolResult(tool_use_id=ID, content=[Text(text=answer)])]),
    ]


USE = ToolUse(id=ID, name="f", input={"a": 1})

# (id, messages, the IR messages expected, or None where only the agreement is asserted)
CASES: list[tuple[str, list[Any], list[Message] | None]] = [
    ("plain-turn", _turn(_call()), _ir(USE)),
    (
        "two-calls",
        [Q, {"role": "assistant", "content": None, "tool_calls": [_call(), _call(id="call67890")]}],
        [
            Message(role="user", content=[Text(text="q")]),
            Message(role="assistant", content=[USE, ToolUse(id="call67890", name="f", input={"a": 1})]),
        ],
    ),
    (
        "spaced-arguments-kept-raw",
        _turn(_call(function={"name": "f", "arguments": '{"a": 1}'})),
        _ir(ToolUse(id=ID, name="f", input={"a": 1}, provider_options={"@": {"arguments": '{"a": 1}'}})),
    ),
    (
        "arguments-not-json",
        _turn(_call(function={"name": "f", "arguments": "oops"})),
        _ir(ToolUse(id=ID, name="f", input={}, provider_options={"@": {"arguments": "oops"}})),
    ),
    (
        "arguments-an-array",
        _turn(_call(function={"name": "f", "arguments": "[1]"})),
        _ir(ToolUse(id=ID, name="f", input={}, provider_options={"@": {"arguments": "[1]"}})),
    ),
    ("arguments-null", _turn(_call(function={"name": "f", "arguments": None})), None),
    ("arguments-absent", _turn(_call(function={"name": "f"})), None),
    ("call-with-index", _turn(_call(index=0)), None),
    ("function-with-extra", _turn(_call(function={"name": "f", "arguments": "{}", "strict": True})), None),
    ("custom-call", [Q, {"role": "assistant", "content": None, "tool_calls": [{"id": ID, "type": "custom"}]}], None),
    ("content-empty-string", _turn(_call(), content=""), None),
    ("content-text", _turn(_call(), content="let me look"), None),
    ("content-absent", [Q, {"role": "assistant", "tool_calls": [_call()]}], None),
    ("no-calls", [Q, {"role": "assistant", "content": None, "tool_calls": []}], None),
    # null as absent, as the codec's canonicalizations say (it was refused)
    ("calls-null", [Q, {"role": "assistant", "content": "hi", "tool_calls": None}], None),
    ("refusal-beside-calls", _turn(_call(), refusal="no"), None),
    ("answer-parts", _turn(_call(), answer=[{"type": "text", "text": "42"}]), None),
    ("answer-empty", _turn(_call(), answer=""), _ir(USE, answer="")),
    ("tool-message-extra", [*_turn(_call())[:2], {"role": "tool", "tool_call_id": ID, "content": "4", "n": 1}], None),
    ("user-after-tool", [*_turn(_call()), {"role": "user", "content": "more"}], None),
]

BAD: list[tuple[str, list[Any], str]] = [
    ("call-id-a-number", _turn(_call(id=7)), "$.messages[1]"),
    ("call-not-an-object", _turn("call"), "$.messages[1]"),
    ("name-a-number", _turn(_call(function={"name": 1, "arguments": "{}"})), "$.messages[1]"),
    ("arguments-an-object", _turn(_call(function={"name": "f", "arguments": {"a": 1}})), "$.messages[1]"),
    ("tool-id-null", [*_turn(_call())[:2], {"role": "tool", "tool_call_id": None, "content": "4"}], "$.messages[2]"),
    ("tool-content-number", _turn(_call(), answer=42), "$.messages[2]"),
]


def _decode(name: str, messages: list[Any]) -> Request:
    return get_codec(name).decode({"model": "m", "messages": messages})


def _named(name: str, messages: list[Message]) -> list[Message]:
    """The expected IR with the placeholder codec name ``@`` of provider_options filled in."""

    def fix(p: Any) -> Any:
        if isinstance(p, ToolUse) and "@" in p.provider_options:
            return ToolUse(id=p.id, name=p.name, input=p.input, provider_options={name: p.provider_options["@"]})
        return p

    return [Message(role=m.role, content=[fix(p) for p in m.content]) for m in messages]


DOCUMENTED = [c for c in CASES if c[2] is not None]  # the cases whose IR is written out above


@pytest.mark.parametrize("name", FLAVORS)
@pytest.mark.parametrize(("messages", "expected"), [c[1:] for c in DOCUMENTED], ids=[c[0] for c in DOCUMENTED])
def test_the_fast_path_reads_what_the_documented_shape_says(
    name: str, messages: list[Any], expected: list[Message]
) -> None:
    assert _decode(name, messages).messages == _named(name, expected)


@pytest.mark.parametrize("name", FLAVORS)
@pytest.mark.parametrize(("messages", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_fast_path_agrees_with_the_general_path(
    name: str, messages: list[Any], expected: list[Message] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _decode(name, messages)
    monkeypatch.setattr(lift, "plain_tool_turn", lambda m: False)
    monkeypatch.setattr(lift, "plain_wire_call", lambda call: False)
    slow = _decode(name, messages)
    assert fast == slow
    # and the body encodes back as it came, both ways alike
    assert get_codec(name).encode(fast).body == get_codec(name).encode(slow).body


@pytest.mark.parametrize("name", FLAVORS)
@pytest.mark.parametrize(("messages", "path"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_tool_turn_is_the_same_decode_error_both_ways(
    name: str, messages: list[Any], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(DecodeError) as fast:
        _decode(name, messages)
    monkeypatch.setattr(lift, "plain_tool_turn", lambda m: False)
    monkeypatch.setattr(lift, "plain_wire_call", lambda call: False)
    with pytest.raises(DecodeError) as slow:
        _decode(name, messages)
    assert fast.value.path.startswith(path)
    assert (fast.value.path, fast.value.expected, fast.value.found) == (
        slow.value.path,
        slow.value.expected,
        slow.value.found,
    )


def test_a_custom_call_stays_a_provider_part() -> None:
    custom = {"id": ID, "type": "custom", "custom": {"name": "g", "input": "x"}}
    req = _decode("openai-chat", [Q, {"role": "assistant", "content": None, "tool_calls": [custom]}])
    assert isinstance(req.messages[1].content[0], ProviderPart)


# -- the check of each message before grouping: plain_message written out in Lifter.request -----

_ROLES = st.sampled_from(["user", "assistant", "system", "developer", "tool", "robot", 1, None])
_PART = st.sampled_from([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}, "a", 1, {}, None])
_CONTENT = st.one_of(st.text(max_size=3), st.lists(_PART, max_size=3), st.none(), st.integers(-5, 5))
_DICT_MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": _ROLES, "content": _CONTENT}),
    st.fixed_dictionaries({"role": _ROLES}),
    st.fixed_dictionaries({"role": _ROLES, "content": _CONTENT, "name": st.just("n")}),
)
_MESSAGE = st.one_of(_DICT_MESSAGE, st.just([1]), st.just("m"))


@given(_MESSAGE)
def test_a_plain_message_is_one_its_role_type_accepts(m: Any) -> None:
    if wire.plain_message(m):
        assert wire.checked_message(m, "$") is m


@given(st.lists(_DICT_MESSAGE, min_size=1, max_size=4) | st.lists(_MESSAGE, min_size=1, max_size=3))
def test_the_first_bad_message_is_the_error_whatever_comes_after(messages: list[Any]) -> None:
    """Decode checks every message, in order, before it reads any: the error names the first
    message that is no object (the body's type), else the first its role's type rejects, as
    ``checked_message`` names it."""
    first_bad = next(
        (DecodeError(f"$.messages[{i}]", "object", "?") for i, m in enumerate(messages) if type(m) is not dict), None
    )
    for i, m in enumerate(messages):
        if first_bad is not None:
            break
        try:
            wire.checked_message(m, f"$.messages[{i}]")
        except DecodeError as exc:
            first_bad = exc
    try:
        _decode("openai-chat", messages)
    except DecodeError as exc:
        if first_bad is not None:
            assert (exc.path, exc.expected) == (first_bad.path, first_bad.expected)
            assert first_bad.found == "?" or exc.found == first_bad.found
    else:
        assert first_bad is None


# -- a text part with a mark and nothing else (Lifter.parts, wire.marked_text_block) -------------

_MARKS: list[tuple[str, Any]] = [
    ("explicit-30m", {"mode": "explicit", "ttl": "30m"}),
    ("explicit-12h", {"mode": "explicit", "ttl": "12h"}),
    ("explicit-no-ttl", {"mode": "explicit"}),
    ("implicit", {"mode": "implicit"}),
    ("ttl-5m", {"mode": "explicit", "ttl": "5m"}),
    ("extra-key", {"mode": "explicit", "ttl": "30m", "x": 1}),
    ("ephemeral", {"type": "ephemeral"}),
    ("ephemeral-1h", {"type": "ephemeral", "ttl": "1h"}),
    ("not-an-object", "30m"),
    ("null", None),
]
_KEYS = ["prompt_cache_breakpoint", "cache_control"]


def _marked_messages(key: str, mark: Any) -> list[dict[str, Any]]:
    part = {"type": "text", "text": "t", key: mark}
    return [
        {"role": "system", "content": [part]},
        {"role": "developer", "content": [part]},
        {"role": "user", "content": [{"type": "text", "text": "q"}, part]},
        {"role": "assistant", "content": [part]},
        {"role": "assistant", "content": None, "tool_calls": [_call()]},
        {"role": "tool", "tool_call_id": ID, "content": [part]},
        {"role": "user", "content": [part]},
    ]


@pytest.mark.parametrize("name", FLAVORS)
@pytest.mark.parametrize("key", _KEYS)
@pytest.mark.parametrize("mark", [m for _, m in _MARKS], ids=[i for i, _ in _MARKS])
def test_a_marked_text_part_reads_alike_both_ways(
    name: str, key: str, mark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"model": "m", "messages": _marked_messages(key, mark)}
    _alike_both_ways(name, body, "marked_text_block", monkeypatch)


def _outcome(name: str, body: dict[str, Any]) -> Request | DecodeError:
    try:
        return get_codec(name).decode(body)
    except DecodeError as exc:
        return exc


def _alike_both_ways(name: str, body: dict[str, Any], helper: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``body`` decodes to the same request, or the same error, with the fast path ``helper``
    of the lifter turned off."""
    fast = _outcome(name, body)
    monkeypatch.setattr(lift, helper, lambda *args: False)
    slow = _outcome(name, body)
    if isinstance(fast, DecodeError):
        assert isinstance(slow, DecodeError)
        assert (fast.path, fast.expected, fast.found) == (slow.path, slow.expected, slow.found)
    else:
        assert fast == slow


def test_a_breakpoint_on_the_system_prompt_and_the_last_part_is_read_as_marks() -> None:
    mark = {"mode": "explicit", "ttl": "30m"}
    req = _decode(
        "openai-chat",
        [
            {"role": "developer", "content": [{"type": "text", "text": "sys", "prompt_cache_breakpoint": mark}]},
            {"role": "user", "content": [{"type": "text", "text": "q", "prompt_cache_breakpoint": mark}]},
        ],
    )
    assert req.system[0].cache is not None and req.system[0].cache.ttl == "30m"
    assert req.messages[0].content == [Text(text="q", cache=req.system[0].cache)]


def _m(role: str, content: Any = "x", **extra: Any) -> dict[str, Any]:
    return {"role": role, "content": content, **extra}


# (id, wire messages, the IR messages they form, by index): the rule of group_messages' doc
GROUPS: list[tuple[str, list[dict[str, Any]], list[list[int]]]] = [
    ("alternating", [_m("user"), _m("assistant"), _m("user")], [[0], [1], [2]]),
    ("user-then-results-then-user", [_m("user"), _m("tool"), _m("tool"), _m("user")], [[0, 1, 2, 3]]),
    ("two-users", [_m("user"), _m("user")], [[0], [1]]),
    ("result-then-user-with-a-field", [_m("tool"), _m("user", name="n")], [[0, 1]]),
    ("user-result-user-with-a-field", [_m("user"), _m("tool"), _m("user", name="n")], [[0, 1], [2]]),
    ("empty-user-stands-alone", [_m("user", []), _m("tool"), _m("user", [])], [[0], [1], [2]]),
    ("results-between-answers", [_m("assistant"), _m("tool"), _m("assistant")], [[0], [1], [2]]),
    ("system-roles", [_m("system"), _m("user"), _m("developer"), _m("user")], [[0], [1], [2], [3]]),
    ("results-after-a-system-message", [_m("user"), _m("system"), _m("tool")], [[0], [1], [2]]),
]


@pytest.mark.parametrize(("messages", "groups"), [c[1:] for c in GROUPS], ids=[c[0] for c in GROUPS])
def test_group_messages(messages: list[dict[str, Any]], groups: list[list[int]]) -> None:
    assert wire.group_messages(messages, 0) == groups


# -- a function tool of the plain shape (Lifter.tool, wire.plain_wire_tool) ------------------------
# ``chat_completion_function_tool_param.py``: ``{type: "function", function: FunctionDefinition}``;
# ``shared_params/function_definition.py``: ``name`` required; ``description``, ``parameters``,
# ``strict`` optional.

SCHEMA = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
_TOOLS: list[tuple[str, Any]] = [
    ("full", {"type": "function", "function": {"name": "f", "description": "d", "parameters": SCHEMA, "strict": True}}),
    ("name-only", {"type": "function", "function": {"name": "f"}}),
    ("name-and-parameters", {"type": "function", "function": {"name": "f", "parameters": SCHEMA}}),
    ("strict-false", {"type": "function", "function": {"name": "f", "strict": False}}),
    ("description-null", {"type": "function", "function": {"name": "f", "description": None}}),
    ("parameters-null", {"type": "function", "function": {"name": "f", "parameters": None}}),
    ("strict-null", {"type": "function", "function": {"name": "f", "strict": None}}),
    ("strict-one", {"type": "function", "function": {"name": "f", "strict": 1}}),
    ("extra-function-field", {"type": "function", "function": {"name": "f", "x": 1}}),
    ("marked", {"type": "function", "function": {"name": "f"}, "cache_control": {"type": "ephemeral"}}),
    (
        "breakpoint",
        {"type": "function", "function": {"name": "f"}, "prompt_cache_breakpoint": {"mode": "explicit"}},
    ),
    ("custom", {"type": "custom", "custom": {"name": "g"}}),
    ("name-a-number", {"type": "function", "function": {"name": 1}}),
    ("parameters-a-list", {"type": "function", "function": {"name": "f", "parameters": []}}),
    ("function-a-string", {"type": "function", "function": "f"}),
    ("not-an-object", "f"),
]


@pytest.mark.parametrize("name", FLAVORS)
@pytest.mark.parametrize("tool", [t for _, t in _TOOLS], ids=[i for i, _ in _TOOLS])
def test_a_tool_reads_alike_both_ways(name: str, tool: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _alike_both_ways(name, {"model": "m", "messages": [Q], "tools": [tool]}, "plain_wire_tool", monkeypatch)


def test_a_plain_tool_is_read_as_the_documented_fields_say() -> None:
    body = {"model": "m", "messages": [Q], "tools": [_TOOLS[0][1], _TOOLS[1][1]]}
    tools = get_codec("openai-chat").decode(body).tools
    assert tools == [
        Tool(name="f", description="d", input_schema=SCHEMA, strict=True),
        Tool(name="f", input_schema={"type": "object"}),
    ]


# -- a message of plain text parts (Lifter.request's message check and loop) ------------------------

IMG = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
_LISTS: list[tuple[str, list[dict[str, Any]]]] = [
    ("one-text", [_m("user", [{"type": "text", "text": "a"}])]),
    ("two-texts", [_m("user", [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])]),
    ("empty", [_m("user", [])]),
    ("text-with-a-field", [_m("user", [{"type": "text", "text": "a", "x": 1}])]),
    ("text-then-image", [_m("user", [{"type": "text", "text": "a"}, IMG])]),
    ("two-users", [_m("user", [{"type": "text", "text": "a"}]), _m("user", [{"type": "text", "text": "b"}])]),
    ("after-a-result", [*_turn(_call()), _m("user", [{"type": "text", "text": "more"}])]),
    ("system-texts", [_m("system", [{"type": "text", "text": "s"}]), _m("user", "q")]),
    ("assistant-texts", [_m("user", "q"), _m("assistant", [{"type": "text", "text": "a"}])]),
    ("developer-texts", [_m("user", "q"), _m("developer", [{"type": "text", "text": "d"}])]),
]


@pytest.mark.parametrize("name", FLAVORS)
@pytest.mark.parametrize("messages", [m for _, m in _LISTS], ids=[i for i, _ in _LISTS])
def test_a_message_of_text_parts_reads_alike_both_ways(
    name: str, messages: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _alike_both_ways(name, {"model": "m", "messages": messages}, "plain_text_block", monkeypatch)
