# mypy: disable-error-code="arg-type, list-item, dict-item"
# (the point of this file is IR of the wrong types, which a type checker rightly refuses)
"""IR built in code is checked at encode (issue 9, item 4): wrong IR raises one
InvalidRequestError naming the IR path, through every codec; what is merely spelled loosely
(``ttl="1h"``) is normalized; real IR (every request the strategies draw) passes unchanged."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given

from ir_codec import (
    CacheControl,
    CacheTtl,
    Document,
    Image,
    InvalidRequestError,
    IRCodecError,
    Json,
    Message,
    ReasoningConfig,
    Request,
    SystemBlock,
    Text,
    TextSource,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
    available_codecs,
    encode,
    get_codec,
    transpile,
)
from ir_codec import strategies as irs
from ir_codec.check import validate_ir

REAL = [n for n in available_codecs() if n != "toy"]
PARTS = " | ".join(
    ["Text", "Image", "Document", "Audio", "Json", "ToolUse", "ToolResult", "Thinking", "RedactedThinking", "Refusal"]
    + ["ProviderPart"]
)
RESULT_PARTS = "Text | Image | Document | Audio | Json | ProviderPart"
UNIQUE = "a tool-call id no other ToolUse has"
ANSWER = "the id of a ToolUse in an earlier assistant message"


def user(*parts: Any) -> Message:
    return Message(role="user", content=list(parts))


def assistant(*parts: Any) -> Message:
    return Message(role="assistant", content=list(parts))


def req(*messages: Message, **fields: Any) -> Request:
    """A request every codec takes (model and max_tokens set), but for what the case changes."""
    return Request(**{"model": "m", "max_tokens": 1024, "messages": list(messages), **fields})


def call(id: str = "t1") -> ToolUse:
    return ToolUse(id=id, name="f", input={})


CASES: list[tuple[str, str, Request, str, str, str]] = [
    # (case, codec, request, path, expected, found)
    ("text not a str", "openai-chat", req(user(Text(text=5))), "messages[0].content[0].text", "str", "int"),
    ("text not a str", "anthropic", req(user(Text(text=5))), "messages[0].content[0].text", "str", "int"),
    ("text not a str", "bedrock-converse", req(user(Text(text=5))), "messages[0].content[0].text", "str", "int"),
    (
        "unknown role",
        "gemini",
        req(Message(role="robot", content=[Text(text="hi")])),
        "messages[0].role",
        "one of 'user', 'assistant', 'system'",
        "'robot'",
    ),
    (
        "unknown role",
        "openai-responses",
        req(Message(role="robot", content=[Text(text="hi")])),
        "messages[0].role",
        "one of 'user', 'assistant', 'system'",
        "'robot'",
    ),
    (
        "unknown ttl",
        "anthropic",
        req(user(Text(text="hi")), system=[SystemBlock(text="s", cache=CacheControl(ttl="2h"))]),
        "system[0].cache.ttl",
        "one of '5m', '30m', '1h', '12h'",
        "'2h'",
    ),
    (
        "unknown ttl",
        "openai-chat",
        req(user(Text(text="hi", cache=CacheControl(ttl="2h")))),
        "messages[0].content[0].cache.ttl",
        "one of '5m', '30m', '1h', '12h'",
        "'2h'",
    ),
    (
        "tool call inside a tool result",
        "openrouter",
        req(assistant(call()), user(ToolResult(tool_use_id="t1", content=[call("t2")]))),
        "messages[1].content[0].content[0]",
        RESULT_PARTS,
        "ToolUse",
    ),
    (
        "wrong type nested in a tool result",
        "bedrock-converse",
        req(assistant(call()), user(ToolResult(tool_use_id="t1", content=[Text(text=["a"])]))),
        "messages[1].content[0].content[0].text",
        "str",
        "list",
    ),
    (
        "tool result is_error not a bool",
        "anthropic-vertex",
        req(assistant(call()), user(ToolResult(tool_use_id="t1", is_error="yes"))),
        "messages[1].content[0].is_error",
        "bool",
        "str",
    ),
    (
        "tool input not an object",
        "anthropic",
        req(assistant(ToolUse(id="t1", name="f", input="x"))),
        "messages[0].content[0].input",
        "dict",
        "str",
    ),
    (
        "tool input a list",
        "openai-chat",
        req(assistant(ToolUse(id="t1", name="f", input=["x"]))),
        "messages[0].content[0].input",
        "dict",
        "list",
    ),
    (
        "duplicate tool-use ids",
        "anthropic",
        req(assistant(call(), call())),
        "messages[0].content[1].id",
        f"{UNIQUE} (messages[0].content[0].id is also 't1')",
        "'t1'",
    ),
    (
        "duplicate tool-use ids across turns",
        "openai-responses",
        req(assistant(call()), user(ToolResult(tool_use_id="t1")), assistant(call())),
        "messages[2].content[0].id",
        f"{UNIQUE} (messages[0].content[0].id is also 't1')",
        "'t1'",
    ),
    (
        "orphan tool result",
        "anthropic",
        req(user(ToolResult(tool_use_id="t9"))),
        "messages[0].content[0].tool_use_id",
        ANSWER,
        "'t9'",
    ),
    (
        "orphan tool result",
        "bedrock-converse",
        req(assistant(call()), user(ToolResult(tool_use_id="t1"), ToolResult(tool_use_id="t2"))),
        "messages[1].content[1].tool_use_id",
        ANSWER,
        "'t2'",
    ),
    (
        "tool result before its call",
        "openai-chat",
        req(user(ToolResult(tool_use_id="t1")), assistant(call())),
        "messages[0].content[0].tool_use_id",
        ANSWER,
        "'t1'",
    ),
    (
        "tool result answering a call of a user turn",
        "anthropic-bedrock",
        req(user(call()), user(ToolResult(tool_use_id="t1"))),
        "messages[1].content[0].tool_use_id",
        ANSWER,
        "'t1'",
    ),
    (
        "budget above max_tokens",
        "anthropic",
        req(user(Text(text="hi")), reasoning=ReasoningConfig(type="enabled", budget_tokens=2048)),
        "reasoning.budget_tokens",
        "an int below max_tokens (1024)",
        "2048",
    ),
    (
        "budget equal to max_tokens",
        "gemini",
        req(user(Text(text="hi")), reasoning=ReasoningConfig(type="enabled", budget_tokens=1024)),
        "reasoning.budget_tokens",
        "an int below max_tokens (1024)",
        "1024",
    ),
    *(
        (
            "missing max_tokens",
            name,
            Request(model="m", messages=[user(Text(text="hi"))]),
            "max_tokens",
            f"int: {name} requires max_tokens; set it in the request, or give the codec the option default_max_tokens",
            "None",
        )
        for name in ("anthropic", "anthropic-bedrock", "anthropic-vertex")
    ),
    (
        "missing model",
        "openai-chat",
        Request(messages=[user(Text(text="hi"))]),
        "model",
        "str: openai-chat requires model; set it in the request (decode a body whose provider carries the"
        " model in the URL with endpoint=)",
        "None",
    ),
    (
        "content not a list",
        "openai-responses",
        req(Message(role="user", content=Text(text="hi"))),
        "messages[0].content",
        "list",
        "Text",
    ),
    (
        "content item a str",
        "anthropic",
        req(Message(role="user", content=["hi"])),
        "messages[0].content[0]",
        PARTS,
        "str",
    ),
    ("a part where a tool goes", "gemini", req(tools=[Text(text="x")]), "tools[0]", "Tool | ProviderTool", "Text"),
    ("max_tokens a bool", "openrouter", req(max_tokens=True), "max_tokens", "int | None", "bool"),
    ("metadata value not a str", "openai-chat", req(metadata={"k": 1}), "metadata.k", "str", "int"),
    (
        "unknown tool_choice mode",
        "anthropic",
        req(tools=[Tool(name="f")], tool_choice=ToolChoice(mode="any")),
        "tool_choice.mode",
        "one of 'auto', 'required', 'none', 'tool'",
        "'any'",
    ),
    (
        "text source for an image",
        "bedrock-converse",
        req(user(Image(source=TextSource(text="x")))),
        "messages[0].content[0].source",
        "Base64Source | UrlSource | FileSource",
        "TextSource",
    ),
    (
        "a value JSON cannot hold",
        "gemini",
        req(assistant(call()), user(ToolResult(tool_use_id="t1", content=[Json(value={"a": object()})]))),
        "messages[1].content[0].content[0].value.a",
        "a JSON value",
        "object",
    ),
    ("stop not a list", "openai-chat", req(stop="END"), "stop", "list | None", "str"),
    ("stop not a list", "mistral", req(stop="END"), "stop", "list | None", "str"),
    ("stop not a list", "deepseek", req(stop="END"), "stop", "list | None", "str"),
    (
        "provider options not an object",
        "anthropic",
        req(provider_options={"anthropic": "fast"}),
        "provider_options.anthropic",
        "dict",
        "str",
    ),
    (
        "provider options with a non-str key",
        "openrouter",
        req(user(Text(text="hi", provider_options={1: {}}))),
        "messages[0].content[0].provider_options.1",
        "str",
        "int",
    ),
    (
        "document name not a str",
        "openai-responses",
        req(user(Document(source=UrlSource(url="https://x/a.pdf"), name=3))),
        "messages[0].content[0].name",
        "str | None",
        "int",
    ),
]


@pytest.mark.parametrize(
    ("case", "codec", "request_", "path", "expected", "found"),
    CASES,
    ids=[f"{c[1]}: {c[0]}" for c in CASES],
)
def test_wrong_ir_raises_one_error_naming_the_path(
    case: str, codec: str, request_: Request, path: str, expected: str, found: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        encode(request_, codec)
    e = info.value
    assert type(e) is InvalidRequestError
    assert (e.path, e.expected, e.found) == (path, expected, found)
    assert str(e) == f"{path}: expected {expected}, found {found}"


def test_the_table_covers_every_codec() -> None:
    assert len(CASES) >= 20
    assert {c[1] for c in CASES} == set(REAL)


def test_the_error_is_an_ir_codec_error_and_a_value_error() -> None:
    with pytest.raises(InvalidRequestError) as info:
        encode(req(user(Text(text=5))), "anthropic")
    assert isinstance(info.value, IRCodecError) and isinstance(info.value, ValueError)


def test_a_codec_given_no_request_names_the_request() -> None:
    with pytest.raises(InvalidRequestError) as info:
        get_codec("anthropic").encode({"model": "m"})
    assert (info.value.path, info.value.expected, info.value.found) == ("", "an ir_codec Request", "dict")
    assert str(info.value) == "request: expected an ir_codec Request, found dict"


# --------------------------------------------------------------------------------------------
# Loose spellings are normalized, not refused


def _marked(ttl: Any) -> Request:
    return req(
        user(Text(text="Hi", cache=CacheControl(ttl=ttl))),
        model="gpt-5.6",
        max_tokens=64,
        system=[SystemBlock(text="Be terse.", cache=CacheControl(ttl=ttl))],
    )


def test_ttl_string_on_openai_chat_is_the_enum() -> None:
    e = encode(_marked("1h"), "openai-chat", on_lossy="ignore")
    mark = {"mode": "explicit", "ttl": "12h"}
    assert e.body == {
        "model": "gpt-5.6",
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "Be terse.", "prompt_cache_breakpoint": mark}]},
            {"role": "user", "content": [{"type": "text", "text": "Hi", "prompt_cache_breakpoint": mark}]},
        ],
        "max_completion_tokens": 64,
    }
    assert [(w.path, w.reason) for w in e.warnings] == [
        ("system[0].cache", "TTL 1h is not offered by openai-chat; sent as 12h"),
        ("messages[0].content[0].cache", "TTL 1h is not offered by openai-chat; sent as 12h"),
    ]
    same = encode(_marked(CacheTtl.ONE_HOUR), "openai-chat", on_lossy="ignore")
    assert same.body == e.body and same.warnings == e.warnings


def test_ttl_string_on_bedrock_converse_keeps_the_hour() -> None:
    e = encode(_marked("1h"), "bedrock-converse")
    point = {"cachePoint": {"type": "default", "ttl": "1h"}}
    assert e.body == {
        "messages": [{"role": "user", "content": [{"text": "Hi"}, point]}],
        "system": [{"text": "Be terse."}, point],
        "inferenceConfig": {"maxTokens": 64},
    }
    assert e.warnings == []
    assert e.endpoint.path == "/model/gpt-5.6/converse"


def test_validate_ir_returns_the_request_normalized() -> None:
    r = validate_ir(
        req(user(Text(text="hi")), temperature=1, system=[SystemBlock(text="s", cache=CacheControl(ttl="1h"))])
    )
    cache = r.system[0].cache
    assert cache is not None and type(cache.ttl) is CacheTtl and cache.ttl is CacheTtl.ONE_HOUR
    assert type(r.temperature) is float and r.temperature == 1.0


# --------------------------------------------------------------------------------------------
# What each provider refuses, and what it does not


@pytest.mark.parametrize("codec", ["gemini", "openai-responses"])
def test_results_without_a_call_in_the_request_pass_where_the_provider_takes_them(codec: str) -> None:
    # Gemini pairs function responses by name and order (the codec reports the missing call);
    # a Responses request can answer a call the server holds (previous_response_id).
    e = encode(req(user(ToolResult(tool_use_id="call_1", content=[Text(text="ok")]))), codec, on_lossy="ignore")
    assert e.body


def test_duplicate_call_ids_pass_on_gemini() -> None:
    r = req(user(Text(text="hi")), assistant(call("dup"), call("dup")))
    assert encode(r, "gemini", on_lossy="ignore").body["contents"][1]["parts"][0]["functionCall"]["id"] == "dup"


def test_budget_below_max_tokens_passes() -> None:
    r = req(user(Text(text="hi")), max_tokens=4096, reasoning=ReasoningConfig(type="enabled", budget_tokens=2048))
    assert encode(r, "anthropic").body["thinking"] == {"type": "enabled", "budget_tokens": 2048}


# --------------------------------------------------------------------------------------------
# Required fields, and the option that supplies max_tokens

OPENAI_BODY = {"model": "gpt-5.6", "messages": [{"role": "user", "content": "Hi"}]}


def test_transpile_without_max_tokens_names_the_field_and_the_option() -> None:
    with pytest.raises(InvalidRequestError) as info:
        transpile(OPENAI_BODY, read="openai-chat", write="anthropic")
    assert info.value.path == "max_tokens"
    assert "default_max_tokens" in info.value.expected


@pytest.mark.parametrize("name", ["anthropic", "anthropic-bedrock", "anthropic-vertex"])
def test_default_max_tokens_fills_a_missing_max_tokens(name: str) -> None:
    e = transpile(OPENAI_BODY, read="openai-chat", write=name, write_options={"default_max_tokens": 1024})
    assert e.body["max_tokens"] == 1024


def test_default_max_tokens_does_not_override_the_request() -> None:
    e = encode(req(user(Text(text="hi")), max_tokens=64), "anthropic", default_max_tokens=1024)
    assert e.body["max_tokens"] == 64


def test_default_max_tokens_is_checked_against_the_budget() -> None:
    r = Request(
        model="m", messages=[user(Text(text="hi"))], reasoning=ReasoningConfig(type="enabled", budget_tokens=2048)
    )
    with pytest.raises(InvalidRequestError) as info:
        encode(r, "anthropic", default_max_tokens=1024)
    assert info.value.path == "reasoning.budget_tokens"


@pytest.mark.parametrize("bad", [-1, "1024", True, 1.5])
def test_default_max_tokens_must_be_a_count(bad: Any) -> None:
    with pytest.raises(IRCodecError, match="default_max_tokens"):
        get_codec("anthropic", default_max_tokens=bad)


def test_model_is_required_only_where_the_body_needs_it() -> None:
    bare = Request(max_tokens=64, messages=[user(Text(text="hi"))])
    for name in REAL:
        if "model" in get_codec(name).REQUIRED_FIELDS:  # openai-chat, mistral, deepseek
            with pytest.raises(InvalidRequestError):
                encode(bare, name, on_lossy="ignore")
        else:
            encode(bare, name, on_lossy="ignore")


def test_required_must_name_request_fields() -> None:
    with pytest.raises(ValueError, match="not Request fields"):
        validate_ir(Request(), required={"max_token"})
    with pytest.raises(ValueError, match="tool_ids"):
        validate_ir(Request(), tool_ids="strict")


# --------------------------------------------------------------------------------------------
# Real IR is never refused


@given(irs.requests(codecs=REAL))
def test_every_drawn_request_is_valid_and_comes_back_equal(x: Request) -> None:
    required = frozenset().union(*(get_codec(n).REQUIRED_FIELDS for n in REAL))
    assert required == {"model", "max_tokens"}
    y = validate_ir(x, required=required, tool_ids="paired")
    assert y == x
    assert msgspec.json.encode(y) == msgspec.json.encode(x)


@given(irs.requests())
def test_drawn_requests_without_codecs_are_valid_ir(x: Request) -> None:
    assert validate_ir(x) == x
