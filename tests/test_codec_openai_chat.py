"""The openai-chat codec: table tests of its rules and decode errors. The invariant properties,
documented payloads, replies and the SDK check run in the shared suite (tests/test_conformance.py,
case in tests/conformance/openai_chat.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.errors import DecodeError, LossKind
from ir_codec.invariant import check_request, check_wire
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Json,
    Message,
    ProviderPart,
    Refusal,
    Request,
    ResponseFormat,
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
)

NAME = "openai-chat"
CODEC = get_codec(NAME)
M = "gpt-5.6"  # Chat Completions refuses a body without a model (the IR check requires one)

# -- tool-call arguments ------------------------------------------------------------------------

ARGUMENTS = [
    # (raw arguments text, IR input, kept raw in provider_options)
    ('{"city":"Paris"}', {"city": "Paris"}, False),
    ('{"city": "Paris"}', {"city": "Paris"}, True),
    ('{\n  "a": [1, 2.5, null],\n  "b": {"c": true}\n}', {"a": [1, 2.5, None], "b": {"c": True}}, True),
    ('{"x":1.0}', {"x": 1.0}, False),
    ('{"é":"ü"}', {"é": "ü"}, False),
    ('{"\\u00e9":"x"}', {"é": "x"}, True),
    ("{}", {}, False),
    ("", {}, True),
    ("[1, 2]", {}, True),
    ('"just a string"', {}, True),
    ("{not json", {}, True),
]


@pytest.mark.parametrize(("raw", "value", "kept"), ARGUMENTS)
def test_tool_call_arguments_are_byte_stable(raw: str, value: dict[str, Any], kept: bool) -> None:
    payload = {
        "model": "gpt-5.6",
        "messages": [
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": raw}}],
            },
        ],
    }
    ir = CODEC.decode(payload)
    use = ir.messages[1].content[0]
    assert isinstance(use, ToolUse)
    assert use.input == value
    assert ("arguments" in use.provider_options.get(NAME, {})) is kept
    e = CODEC.encode(ir)
    assert e.warnings == []
    assert e.body["messages"][1]["tool_calls"][0]["function"]["arguments"] == raw
    sent = json.loads(e.to_json())["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert sent.encode() == raw.encode()


def test_stale_kept_arguments_are_reported_and_replaced() -> None:
    use = ToolUse(id="c", name="f", input={"a": 2}, provider_options={NAME: {"arguments": '{"a": 1}'}})
    e = CODEC.encode(Request(model=M, messages=[Message(role="assistant", content=[use])]))
    assert e.body["messages"][0]["tool_calls"][0]["function"]["arguments"] == '{"a":2}'
    assert [w.path for w in e.warnings] == ["messages[0].content[0].provider_options.openai-chat.arguments"]


# -- roles and message layout -------------------------------------------------------------------

U = Message(role="user", content=[Text(text="hi")])


def _enc(req: Request, **options: Any) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    e = get_codec(NAME, **options).encode(req)
    return e.body["messages"], [(w.path, w.reason) for w in e.warnings]


ROLE_CASES = [
    (  # one plain system block: a developer message with a string
        Request(model=M, system=[SystemBlock(text="Be brief.")], messages=[U]),
        {},
        [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "hi"}],
        [],
    ),
    (  # several blocks: one message, one text part per block
        Request(model=M, system=[SystemBlock(text="A"), SystemBlock(text="B")], messages=[U]),
        {"system_role": "system"},
        [
            {"role": "system", "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]},
            {"role": "user", "content": "hi"},
        ],
        [],
    ),
    (  # a mid-conversation system message keeps its place; a role override is honoured
        Request(
            model=M,
            messages=[
                U,
                Message(role="system", content=[Text(text="now formal")], provider_options={NAME: {"role": "system"}}),
            ],
        ),
        {},
        [{"role": "user", "content": "hi"}, {"role": "system", "content": "now formal"}],
        [],
    ),
    (  # tool results become tool messages, text after them a user message, in IR order
        Request(
            model=M,
            messages=[
                Message(
                    role="assistant",
                    content=[
                        Text(text="calling"),
                        ToolUse(id="c1", name="f", input={"q": 1}),
                        ToolUse(id="c2", name="g", input={}),
                    ],
                ),
                Message(
                    role="user",
                    content=[
                        ToolResult(tool_use_id="c1", content=[Text(text="r1")]),
                        ToolResult(tool_use_id="c2", content=[Json(value={"ok": True})]),
                        Text(text="thanks"),
                    ],
                ),
            ],
        ),
        {},
        [
            {
                "role": "assistant",
                "content": "calling",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"q":1}'}},
                    {"id": "c2", "type": "function", "function": {"name": "g", "arguments": "{}"}},
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "r1"},
            {"role": "tool", "tool_call_id": "c2", "content": '{"ok":true}'},
            {"role": "user", "content": "thanks"},
        ],
        [("messages[1].content[1].content[0]", "openai-chat tool messages have no JSON part; JSON sent as its text")],
    ),
]


@pytest.mark.parametrize(("req", "options", "wire", "warnings"), ROLE_CASES)
def test_role_rules(req: Request, options: dict[str, Any], wire: list[Any], warnings: list[Any]) -> None:
    msgs, got = _enc(req, **options)
    assert msgs == wire
    assert got == warnings
    check_request(get_codec(NAME, **options), req)


CALL_A = Message(role="assistant", content=[ToolUse(id="a", name="f", input={})])  # what a tool result answers

WARNING_CASES = [
    (
        Request(model=M, messages=[Message(role="system", content=[Text(text="s")]), U]),
        [("system", LossKind.CHANGED), ("messages[0]", LossKind.MOVED)],
    ),
    (
        Request(
            model=M,
            messages=[
                CALL_A,
                Message(role="user", content=[ToolResult(tool_use_id="a")]),
                Message(role="user", content=[Text(text="x")]),
            ],
        ),
        # an empty result is sent as "" (Chat refuses an empty content list, PROVIDERS.md §13)
        [
            ("messages[1].content[0].content", LossKind.CHANGED),
            ("messages[1]", LossKind.CHANGED),
            ("messages[2]", LossKind.CHANGED),
        ],
    ),
    (
        Request(
            model=M, messages=[Message(role="assistant", content=[ToolUse(id="a", name="f", input={}), Text(text="t")])]
        ),
        [("messages[0].content", LossKind.MOVED)],
    ),
    (
        Request(
            model=M,
            messages=[Message(role="assistant", content=[Thinking(text="hmm", signature="sig"), Text(text="t")])],
        ),
        [("messages[0].content[0]", LossKind.DROPPED)],
    ),
    (
        Request(model=M, messages=[Message(role="user", content=[Image(source=FileSource(file_id="file_1"))])]),
        [("messages[0].content[0]", LossKind.DROPPED), ("messages[0]", LossKind.DROPPED)],  # then empty: dropped
    ),
    (
        Request(
            model=M,
            messages=[
                Message(role="user", content=[Image(source=UrlSource(url="https://x/y.png", media_type="image/png"))])
            ],
        ),
        [("messages[0].content[0].source.media_type", LossKind.DROPPED)],
    ),
    (
        Request(model=M, messages=[Message(role="user", content=[Document(source=UrlSource(url="https://x/a.pdf"))])]),
        [("messages[0].content[0]", LossKind.DROPPED), ("messages[0]", LossKind.DROPPED)],
    ),
    (
        Request(model=M, messages=[Message(role="user", content=[Document(source=TextSource(text="doc"))])]),
        [("messages[0].content[0]", LossKind.DROPPED), ("messages[0]", LossKind.DROPPED)],
    ),
    (
        Request(
            model=M,
            messages=[Message(role="user", content=[Audio(source=Base64Source(media_type="audio/mpeg", data="AAAA"))])],
        ),
        [("messages[0].content[0].source.media_type", LossKind.CHANGED)],
    ),
    (
        Request(
            model=M,
            messages=[
                CALL_A,
                Message(
                    role="user",
                    content=[
                        ToolResult(tool_use_id="a", is_error=True, content=[Image(source=UrlSource(url="https://i"))])
                    ],
                ),
            ],
        ),
        [
            ("messages[1].content[0].content[0]", LossKind.DROPPED),
            ("messages[1].content[0].is_error", LossKind.DROPPED),
            ("messages[1].content[0].content", LossKind.CHANGED),
        ],
    ),
    (
        Request(
            model=M,
            messages=[Message(role="user", content=[ProviderPart(codec="anthropic", data={"type": "search_result"})])],
        ),
        [("messages[0].content[0]", LossKind.DROPPED), ("messages[0]", LossKind.DROPPED)],
    ),
    (Request(model=M, top_k=5, reasoning=None), [("top_k", LossKind.DROPPED)]),
    (
        Request(model=M, response_format=ResponseFormat(type="json_schema", schema={"type": "object"})),
        [("response_format.name", LossKind.CHANGED)],
    ),
    (
        Request(model=M, response_format=ResponseFormat(type="json_object", strict=True)),
        [("response_format.strict", LossKind.DROPPED)],
    ),
    (Request(model=M, tool_choice=ToolChoice(mode="auto", name="f")), [("tool_choice.name", LossKind.DROPPED)]),
    (Request(model=M, tools=[Tool(name="f", cache=CacheControl())]), [("tools[0].cache", LossKind.DROPPED)]),
    (
        Request(model=M, provider_options={"anthropic": {"speed": "fast"}}),
        [("provider_options.anthropic", LossKind.DROPPED)],
    ),
    (
        Request(
            model=M,
            messages=[
                Message(role="assistant", content=[Refusal(text="no", cache=CacheControl(ttl=CacheTtl.THIRTY_MINUTES))])
            ],
        ),
        [("messages[0].content[0].cache", LossKind.DROPPED)],
    ),
]


@pytest.mark.parametrize(("req", "losses"), WARNING_CASES)
def test_each_loss_is_reported_where_it_happens(req: Request, losses: list[tuple[str, LossKind]]) -> None:
    # precise paths (spec/losses.md): a merged or moved message at its own index, not the list
    e = check_request(CODEC, req)
    assert [(w.path, w.kind) for w in e.warnings] == losses


# -- caching knobs ------------------------------------------------------------------------------


def _marked(ttl: CacheTtl) -> Request:
    return Request(model=M, system=[SystemBlock(text="sys", cache=CacheControl(ttl=ttl))], messages=[U])


CACHE_CASES = [
    (CacheTtl.THIRTY_MINUTES, {"mode": "explicit", "ttl": "30m"}, []),
    (CacheTtl.TWELVE_HOURS, {"mode": "explicit", "ttl": "12h"}, []),
    (CacheTtl.FIVE_MINUTES, {"mode": "explicit", "ttl": "30m"}, ["TTL 5m is not offered by openai-chat; sent as 30m"]),
    (CacheTtl.ONE_HOUR, {"mode": "explicit", "ttl": "12h"}, ["TTL 1h is not offered by openai-chat; sent as 12h"]),
]


@pytest.mark.parametrize(("ttl", "mark", "reasons"), CACHE_CASES)
def test_breakpoint_ttl_tiers(ttl: CacheTtl, mark: dict[str, Any], reasons: list[str]) -> None:
    e = check_request(CODEC, _marked(ttl))
    assert e.body["messages"][0]["content"] == [{"type": "text", "text": "sys", "prompt_cache_breakpoint": mark}]
    assert [w.reason for w in e.warnings] == reasons


def test_breakpoints_off_reports_every_mark() -> None:
    codec = get_codec(NAME, explicit_breakpoints=False)
    e = check_request(codec, _marked(CacheTtl.THIRTY_MINUTES))
    assert e.body["messages"][0] == {"role": "developer", "content": "sys"}
    assert [w.path for w in e.warnings] == ["system[0].cache"]


@pytest.mark.parametrize(
    ("ttl", "warned"), [(CacheTtl.THIRTY_MINUTES, False), (CacheTtl.TWELVE_HOURS, True), (CacheTtl.FIVE_MINUTES, True)]
)
def test_request_cache_is_the_implicit_mode(ttl: CacheTtl, warned: bool) -> None:
    e = check_request(CODEC, Request(model=M, messages=[U], cache=CacheControl(ttl=ttl), cache_key="tenant-1"))
    assert e.body["prompt_cache_options"] == {"mode": "implicit", "ttl": "30m"}
    assert e.body["prompt_cache_key"] == "tenant-1"
    assert [w.path for w in e.warnings] == (["cache"] if warned else [])


def test_explicit_mode_and_retention_travel_raw() -> None:
    payload = {
        "model": "gpt-5.6",
        "prompt_cache_options": {"mode": "explicit"},
        "prompt_cache_retention": "24h",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "doc", "prompt_cache_breakpoint": {"mode": "explicit"}},
                    {"type": "text", "text": "q"},
                ],
            }
        ],
    }
    ir = CODEC.decode(payload)
    assert ir.cache is None
    assert ir.provider_options[NAME] == {"prompt_cache_options": {"mode": "explicit"}, "prompt_cache_retention": "24h"}
    assert ir.messages[0].content[0].cache == CacheControl(ttl=CacheTtl.THIRTY_MINUTES)
    check_wire(CODEC, payload)


def test_mark_on_a_tool_result_moves_to_the_text_before() -> None:
    req = Request(
        model=M,
        messages=[
            Message(role="assistant", content=[Text(text="t"), ToolUse(id="a", name="f", input={})]),
            Message(
                role="user",
                content=[
                    ToolResult(tool_use_id="a", content=[Text(text="r")], cache=CacheControl(ttl=CacheTtl.TWELVE_HOURS))
                ],
            ),
        ],
    )
    e = check_request(CODEC, req)
    assert e.body["messages"][0]["content"] == [
        {"type": "text", "text": "t", "prompt_cache_breakpoint": {"mode": "explicit", "ttl": "12h"}}
    ]
    assert [w.path for w in e.warnings] == ["messages[0].content[0].cache", "messages[1].content[0].cache"]


# -- decode errors ------------------------------------------------------------------------------

BAD = [
    ({"messages": "hi"}, "$.messages"),
    ({}, "$"),
    ({"messages": [], "temperature": "hot"}, "$.temperature"),
    ({"messages": [{"role": "robot", "content": "x"}]}, "$.messages[0].role"),
    ({"messages": [{"role": "user"}]}, "$.messages[0]"),
    ({"messages": [{"role": "user", "content": [{"type": "text"}]}]}, "$.messages[0].content[0]"),
    (
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": 3}}]}]},
        "$.messages[0].content[0].image_url.url",
    ),
    (
        {"messages": [{"role": "developer", "content": [{"type": "image_url", "image_url": {"url": "u"}}]}]},
        "$.messages[0].content[0].type",
    ),
    ({"messages": [{"role": "tool", "content": "x"}]}, "$.messages[0]"),
    (
        {
            "messages": [
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "a", "type": "function", "function": {"name": "f", "arguments": 5}}],
                }
            ]
        },
        "$.messages[0].tool_calls[0].function.arguments",
    ),
    (
        {
            "messages": [
                {"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "A", "format": "ogg"}}]}
            ]
        },
        "$.messages[0].content[0].input_audio.format",
    ),
    ({"messages": [], "tools": [{"type": "function", "function": {"description": "no name"}}]}, "$.tools[0].function"),
    ({"messages": [3]}, "$.messages[0]"),
    (b"{not json", "$"),
]


@pytest.mark.parametrize(("payload", "path"), BAD)
def test_bad_wire_is_a_decode_error_with_its_path(payload: Any, path: str) -> None:
    with pytest.raises(DecodeError) as info:
        CODEC.decode(payload)
    assert info.value.path == path


# -- cross-codec ----------------------------------------------------------------------------------


def test_transpile_from_anthropic_keeps_tool_ids_and_moves_results() -> None:
    try:
        anthropic = get_codec("anthropic")
    except Exception:  # pragma: no cover - the anthropic codec is written in parallel
        pytest.skip("anthropic codec not available")
    payload = {
        "model": "claude-opus-5",
        "max_tokens": 100,
        "system": "be brief",
        "messages": [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "checking"},
                    {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {"city": "Paris"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_01", "content": "sunny"},
                    {"type": "text", "text": "and tomorrow?"},
                ],
            },
        ],
    }
    ir = anthropic.decode(payload)
    msgs = CODEC.encode(ir).body["messages"]
    assert [m["role"] for m in msgs] == ["developer", "user", "assistant", "tool", "user"]
    assert msgs[2]["tool_calls"][0]["id"] == "toolu_01"
    assert msgs[3] == {"role": "tool", "tool_call_id": "toolu_01", "content": "sunny"}
    back = anthropic.encode(CODEC.decode(CODEC.encode(ir).body)).body
    results = back["messages"][2]["content"]
    assert results[0]["type"] == "tool_result" and results[0]["tool_use_id"] == "toolu_01"
    assert results[1] == {"type": "text", "text": "and tomorrow?"}


ODD_PAYLOADS: list[dict[str, Any]] = [
    # shapes the codec does not model travel raw and come back unchanged
    {"messages": [], "tools": [{"function": {"name": "no_type"}}]},
    {"messages": [], "tools": [{"type": "custom", "custom": {"name": "grammar_tool"}}]},
    {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "file", "file": {}}, {"type": "file", "file": {"file_data": "JVBERi0="}}],
            }
        ]
    },
    {
        "messages": [
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "custom", "custom": {"name": "t", "input": "x"}}]}
        ]
    },
    {"messages": [{"role": "user", "content": [{"type": "input_video", "video_url": "https://v"}]}], "tools": []},
    {"messages": [{"role": "user", "content": "x"}], "temperature": None, "stop": None, "max_tokens": None},
    {"messages": [{"role": "developer", "name": "ops", "content": "rules"}, {"role": "system", "content": "also"}]},
    # a custom tool call (GPT-5 custom tools: ChatCompletionMessageCustomToolCallParam) answered by
    # a tool message: the answer is kept raw beside the raw call, then a user turn after it
    {
        "messages": [
            {"role": "user", "content": "patch it"},
            {
                "role": "assistant",
                "tool_calls": [{"id": "c9", "type": "custom", "custom": {"name": "t", "input": "x"}}],
            },
            {"role": "tool", "tool_call_id": "c9", "content": "applied"},
            {"role": "tool", "tool_call_id": "c9", "content": [{"type": "text", "text": "twice"}]},
            {"role": "user", "content": "thanks"},
        ],
        "tools": [{"type": "custom", "custom": {"name": "t"}}],
    },
    # the legacy function call and its answer (ChatCompletionFunctionMessageParam, deprecated)
    {
        "messages": [
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "function_call": {"name": "get_weather", "arguments": '{"city":"Paris"}'}},
            {"role": "function", "name": "get_weather", "content": '{"temp": 20}'},
            {"role": "function", "name": "get_weather", "content": None},
        ],
        "functions": [{"name": "get_weather", "parameters": {"type": "object"}}],
        "function_call": "auto",
    },
]


@pytest.mark.parametrize("payload", [{"model": M, **p} for p in ODD_PAYLOADS])
def test_odd_payloads_round_trip(payload: dict[str, Any]) -> None:
    check_wire(CODEC, payload)
    check_request(CODEC, CODEC.decode(payload))


@pytest.mark.parametrize("payload", [{"model": M, **p} for p in ODD_PAYLOADS[-2:]])
def test_messages_kept_raw_come_back_exactly_and_are_reported_elsewhere(payload: dict[str, Any]) -> None:
    # a tool message answering a raw call is itself kept raw (it used to be a ToolResult that
    # answered no ToolUse: encode refused the IR decode had just made); so is a function message
    request = CODEC.decode(payload)
    assert CODEC.encode(request).body == payload
    kept = [
        (i, j) for i, m in enumerate(request.messages) for j, p in enumerate(m.content) if isinstance(p, ProviderPart)
    ]
    raw = [m for m in payload["messages"] if m["role"] in ("tool", "function")]
    assert [request.messages[i].content[j].data for i, j in kept if i == 2] == [{"message": m} for m in raw]  # type: ignore[union-attr]
    e = get_codec("anthropic", default_max_tokens=64).encode(request)
    assert [m["content"] for m in e.body["messages"]][0] == [
        {"type": "text", "text": payload["messages"][0]["content"]}
    ]
    dropped = {w.path for w in e.warnings if w.kind == LossKind.DROPPED}
    assert {f"messages[2].content[{j}]" for i, j in kept if i == 2} <= dropped


def test_a_tool_message_answering_a_function_call_stays_a_tool_result() -> None:
    payload = {
        "model": M,
        "messages": [
            {"role": "user", "content": "x"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "c2", "type": "custom", "custom": {"name": "t", "input": "x"}},
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "one"},
            {"role": "tool", "tool_call_id": "c2", "content": "two"},
        ],
    }
    content = CODEC.decode(payload).messages[2].content
    assert content[0] == ToolResult(tool_use_id="c1", content=[Text(text="one")])
    assert content[1] == ProviderPart(codec=NAME, data={"message": payload["messages"][3]})
    assert CODEC.encode(CODEC.decode(payload)).body == payload


def test_unhashable_role_or_type_is_a_decode_error() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"messages": [{"role": ["user"], "content": "x"}]}, "$.messages[0].role"),
        (
            {"messages": [{"role": "user", "content": [{"type": ["text"], "text": "x"}]}]},
            "$.messages[0].content[0].type",
        ),
    ]
    for payload, path in cases:
        with pytest.raises(DecodeError) as info:
            CODEC.decode(payload)
        assert info.value.path == path


# -- flavor hooks (codecs/openai_chat/flavor.py; spec/adding-a-provider.md) ----------------------


def test_flavor_hooks_rename_fields_map_tool_ids_and_modes() -> None:
    import re

    from ir_codec.codecs.openai_chat import ChatFlavor, OpenAIChatCodec

    class NineCharIds(ChatFlavor):  # the shape of La Plateforme's differences (PROVIDERS.md §13)
        RENAMED_FIELDS = {"seed": "random_seed"}
        TOOL_CHOICE_MODES = {**ChatFlavor.TOOL_CHOICE_MODES, "required": "any"}
        TOOL_CALL_ID_PATTERN = re.compile("[a-zA-Z0-9]{9}")
        TOOL_CALL_ID_LENGTH = 9

    class Flavored(OpenAIChatCodec):  # not registered: a test-local codec
        NAME = "x-flavored"
        FLAVOR = NineCharIds()

    codec = Flavored()
    req = Request(
        model=M,
        seed=7,
        tool_choice=ToolChoice(mode="required"),
        messages=[
            Message(role="assistant", content=[ToolUse(id="call_1", name="f", input={})]),
            Message(role="user", content=[ToolResult(tool_use_id="call_1", content=[Text(text="r")])]),
        ],
    )
    e = check_request(codec, req)
    wire_id = e.body["messages"][0]["tool_calls"][0]["id"]
    assert len(wire_id) == 9 and wire_id.isalnum() and e.body["messages"][1]["tool_call_id"] == wire_id
    assert (e.body["random_seed"], e.body["tool_choice"]) == (7, "any") and "seed" not in e.body
    assert [(w.path, w.kind) for w in e.warnings] == [
        ("messages[0].content[0].id", LossKind.CHANGED),
        ("messages[1].content[0].tool_use_id", LossKind.CHANGED),
    ]
    back = codec.decode(e.body)
    assert (back.seed, back.tool_choice) == (7, ToolChoice(mode="required"))
    assert check_request(codec, back).warnings == []  # a valid id is sent as it is
    check_wire(codec, e.body)
