"""The openai-responses codec: the four invariant properties, table tests, decode errors."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import DecodeError, get_codec
from ir_codec.invariant import check_request, check_wire, diff_paths, loss_report
from ir_codec.ir import (
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Message,
    ProviderPart,
    RedactedThinking,
    Request,
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolResult,
    ToolUse,
    UrlSource,
)
from ir_codec.strategies import requests

NAME = "openai-responses"
CODEC = get_codec(NAME)

_ID = st.text(alphabet="abcdef0123456789", min_size=1, max_size=8)

PROVIDER_DATA = st.one_of(
    _ID.map(lambda i: {"type": "item_reference", "id": "msg_" + i}),
    _ID.map(lambda i: {"id": "msg_" + i}),
    st.fixed_dictionaries(
        {
            "type": st.just("web_search_call"),
            "id": _ID.map(lambda i: "ws_" + i),
            "status": st.sampled_from(["completed", "in_progress"]),
            "action": st.fixed_dictionaries({"type": st.just("search"), "query": st.text(max_size=10)}),
        }
    ),
    st.fixed_dictionaries({"type": st.just("input_image"), "detail": st.sampled_from(["low", "high"])}),
    _ID.map(lambda i: {"type": "custom_tool_call_output", "call_id": "call_" + i, "output": "ok"}),
    st.fixed_dictionaries(
        {
            "type": st.just("reasoning"),
            "id": _ID.map(lambda i: "rs_" + i),
            "summary": st.lists(
                st.fixed_dictionaries({"type": st.just("summary_text"), "text": st.text(max_size=8)}),
                min_size=2,
                max_size=3,
            ),
        }
    ),
)
PROVIDER_TOOLS = st.one_of(
    st.just({"type": "web_search"}),
    _ID.map(lambda i: {"type": "file_search", "vector_store_ids": ["vs_" + i]}),
    st.just({"type": "function", "name": "loose", "parameters": None}),
)


def _with_reasoning_ids(req: Request) -> Request:
    """Give some thinking parts an OpenAI reasoning item id (as decoded OpenAI reasoning has),
    so that reasoning items are lowered too; which ones is fixed by the part's own content."""
    messages = []
    for i, m in enumerate(req.messages):
        content = []
        for j, p in enumerate(m.content):
            key = p.text if isinstance(p, Thinking) else p.data if isinstance(p, RedactedThinking) else None
            if isinstance(p, Thinking | RedactedThinking) and key is not None and len(key) % 2 == 0:
                opts = {**p.provider_options, NAME: {**p.provider_options.get(NAME, {}), "id": f"rs_{i}_{j}"}}
                p = msgspec.structs.replace(p, provider_options=opts)
            content.append(p)
        messages.append(msgspec.structs.replace(m, content=content))
    return msgspec.structs.replace(req, messages=messages)


def ir_requests() -> st.SearchStrategy[Request]:
    return requests(codecs=[NAME], provider_data={NAME: PROVIDER_DATA}, provider_tools={NAME: PROVIDER_TOOLS}).map(
        _with_reasoning_ids
    )


# --------------------------------------------------------------------------------------------
# The four invariant properties


def _uncanonicalize(body: dict[str, Any], flip: Any) -> dict[str, Any]:
    """Rewrite an encoded body into equivalent non-canonical wire forms (each one listed in
    CANONICALIZATIONS), chosen by ``flip``."""
    p = copy.deepcopy(body)
    pco = p.get("prompt_cache_options")
    default_ttl = pco.get("ttl", "30m") if isinstance(pco, dict) else "30m"
    for item in p.get("input", []):
        parts = item.get("content") if item.get("type") == "message" else item.get("output")
        if isinstance(parts, list):
            for c in parts:
                if c.get("type") == "input_image" and c.get("detail") == "auto" and flip():
                    del c["detail"]
                if c.get("type") == "output_text" and c.get("annotations") == [] and flip():
                    del c["annotations"]
                bp = c.get("prompt_cache_breakpoint")
                if isinstance(bp, dict) and bp.get("ttl") == default_ttl and flip():
                    del bp["ttl"]
        if item.get("type") == "message":
            content = item["content"]
            if len(content) == 1 and set(content[0]) in ({"type", "text"}, {"type", "text", "annotations"}):
                c = content[0]
                plain = c["type"] == "input_text" or (c["type"] == "output_text" and c.get("annotations", []) == [])
                if plain and flip():
                    item["content"] = c["text"]
            if flip():
                del item["type"]
        if item.get("type") == "function_call_output" and isinstance(item["output"], str) and flip():
            item["output"] = [{"type": "input_text", "text": item["output"]}]
    inp = p.get("input")
    if (
        isinstance(inp, list)
        and len(inp) == 1
        and set(inp[0]) in ({"type", "role", "content"}, {"role", "content"})
        and inp[0]["role"] == "user"
        and isinstance(inp[0]["content"], str)
        and flip()
    ):
        p["input"] = inp[0]["content"]
    if "input" not in p and flip():
        p["input"] = []
    if isinstance(pco, dict):
        if pco.get("ttl") == "30m" and pco.get("mode") == "implicit" and flip():
            del pco["ttl"]
        if pco.get("mode") == "implicit" and flip():
            del pco["mode"]
    return p


@given(ir_requests(), st.randoms(use_true_random=False))
def test_invariant_properties_1_to_4(req: Request, rnd: Any) -> None:
    """All four properties on every generated request (generation dominates the cost, so one
    draw serves all four): 1. the encode validates and is JSON; 2. every loss is reported and
    only loss; 3. encode(decode(e)) == e; 4. the wire (rewritten into equivalent non-canonical
    forms) survives decode + encode up to the canonicalizations."""
    e = CODEC.encode(req)
    CODEC.validate_wire(e.body)  # property 1
    assert msgspec.json.decode(e.to_json()) == e.body
    uncovered, unjustified = loss_report(req, CODEC.decode(e.body), e.warnings)  # property 2
    assert uncovered == [] and unjustified == [], (uncovered, [str(w) for w in unjustified], e.body)
    check_request(CODEC, req)  # properties 1-3 through the shared checker
    payload = _uncanonicalize(e.body, lambda: rnd.random() < 0.5)  # property 4
    check_wire(CODEC, payload)
    assert CODEC.canonicalize(payload) == e.body


# --------------------------------------------------------------------------------------------
# Tables: IR -> wire with exact warnings


def _user(*parts: Any) -> Message:
    return Message(role="user", content=list(parts))


def _enc(req: Request, **options: Any) -> tuple[dict[str, Any], list[list[str]]]:
    e = get_codec(NAME, **options).encode(req)
    check_request(get_codec(NAME, **options), req)
    return e.body, [[w.path, w.reason] for w in e.warnings]


def test_single_system_block_is_instructions() -> None:
    body, warnings = _enc(Request(model="m", system=[SystemBlock(text="Be terse.")], messages=[_user(Text(text="Hi"))]))
    assert body == {
        "model": "m",
        "instructions": "Be terse.",
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}],
    }
    assert warnings == []


def test_several_system_blocks_are_joined_and_marks_dropped() -> None:
    req = Request(system=[SystemBlock(text="a", cache=CacheControl()), SystemBlock(text="b")])
    body, warnings = _enc(req)
    assert body == {"instructions": "a\n\nb"}
    assert [w[0] for w in warnings] == ["system[0].cache", "system"]


def test_tool_call_exchange_round_trips_and_keeps_raw_arguments() -> None:
    raw = '{"city": "Paris",  "n": 1.0}'
    req = Request(
        messages=[
            _user(Text(text="Weather?")),
            Message(
                role="assistant",
                content=[
                    ToolUse(
                        id="call_1",
                        name="wx",
                        input={"city": "Paris", "n": 1.0},
                        provider_options={NAME: {"arguments": raw}},
                    )
                ],
            ),
            _user(ToolResult(tool_use_id="call_1", content=[Text(text="sunny")]), Text(text="thanks")),
        ],
        tools=[Tool(name="wx", input_schema={"type": "object"}, strict=True)],
    )
    body, warnings = _enc(req)
    assert warnings == []
    assert body["input"][1] == {"type": "function_call", "call_id": "call_1", "name": "wx", "arguments": raw}
    assert body["input"][2] == {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}
    assert body["tools"] == [{"type": "function", "name": "wx", "parameters": {"type": "object"}, "strict": True}]
    assert CODEC.decode(body) == req


@pytest.mark.parametrize(
    ("part", "wire"),
    [
        (
            Image(source=UrlSource(url="https://x/a.png")),
            {"type": "input_image", "image_url": "https://x/a.png", "detail": "auto"},
        ),
        (
            Image(source=Base64Source(media_type="image/png", data="AAAA")),
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "auto"},
        ),
        (
            Image(source=FileSource(file_id="file_1"), provider_options={NAME: {"detail": "low"}}),
            {"type": "input_image", "file_id": "file_1", "detail": "low"},
        ),
        (
            Document(source=FileSource(file_id="file_2"), name="a.pdf"),
            {"type": "input_file", "file_id": "file_2", "filename": "a.pdf"},
        ),
        (
            Document(source=Base64Source(media_type="application/pdf", data="JVBE")),
            {"type": "input_file", "file_data": "data:application/pdf;base64,JVBE"},
        ),
        (
            Text(text="x", cache=CacheControl(ttl=CacheTtl.TWELVE_HOURS)),
            {"type": "input_text", "text": "x", "prompt_cache_breakpoint": {"mode": "explicit", "ttl": "12h"}},
        ),
    ],
)
def test_user_parts(part: Any, wire: dict[str, Any]) -> None:
    body, warnings = _enc(Request(messages=[_user(part)]))
    assert body["input"][0]["content"] == [wire]
    assert warnings == []


@pytest.mark.parametrize(
    ("req", "warnings"),
    [
        (Request(stop=["x"], top_k=3, seed=1, n=2), ["top_k", "stop", "seed", "n"]),
        (Request(messages=[_user(Text(text="a", cache=CacheControl()))]), ["messages[0].content[0].cache"]),
        (Request(cache=CacheControl(ttl=CacheTtl.ONE_HOUR), messages=[_user(Text(text="a"))]), ["cache"]),
        (Request(tools=[Tool(name="f", cache=CacheControl(ttl=CacheTtl.THIRTY_MINUTES))]), ["tools[0].cache"]),
        (Request(messages=[_user(Document(source=TextSource(text="t")))]), ["messages[0].content[0]"]),
        (
            Request(messages=[Message(role="assistant", content=[Thinking(text="hm", signature="sig")])]),
            ["messages[0].content[0]"],
        ),
        (Request(messages=[_user(ToolResult(tool_use_id="c", is_error=True))]), ["messages[0].content[0].is_error"]),
        (
            Request(messages=[_user(Image(source=UrlSource(url="https://x", media_type="image/png")))]),
            ["messages[0].content[0].source.media_type"],
        ),
        (Request(messages=[_user(ProviderPart(codec="anthropic", data={"type": "x"}))]), ["messages[0].content[0]"]),
        (
            Request(
                messages=[
                    Message(role="assistant", content=[ToolUse(id="a", name="f", input={})]),
                    Message(role="assistant", content=[ToolUse(id="b", name="f", input={})]),
                ]
            ),
            ["messages"],
        ),
    ],
)
def test_warning_cases(req: Request, warnings: list[str]) -> None:
    _, got = _enc(req)
    assert [w[0] for w in got] == warnings


def test_marks_over_the_cap_keep_first_and_last() -> None:
    texts = [Text(text=str(i), cache=CacheControl(ttl=CacheTtl.THIRTY_MINUTES)) for i in range(6)]
    body, warnings = _enc(Request(messages=[_user(*texts)]))
    marked = [i for i, c in enumerate(body["input"][0]["content"]) if "prompt_cache_breakpoint" in c]
    assert marked == [0, 3, 4, 5]
    assert [w[0] for w in warnings] == ["messages[0].content[1].cache", "messages[0].content[2].cache"]


def test_no_explicit_breakpoints_option_drops_marks() -> None:
    req = Request(cache=CacheControl(), messages=[_user(Text(text="a", cache=CacheControl()))])
    body, warnings = _enc(req, explicit_breakpoints=False)
    assert "prompt_cache_options" not in body
    assert [w[0] for w in warnings] == ["messages[0].content[0].cache", "cache"]


def test_reasoning_item_round_trips_as_thinking() -> None:
    item = {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [{"type": "summary_text", "text": "plan"}],
        "encrypted_content": "gAAA",
    }
    req = CODEC.decode({"input": [item]})
    assert req.messages == [
        Message(
            role="assistant", content=[Thinking(text="plan", signature="gAAA", provider_options={NAME: {"id": "rs_1"}})]
        )
    ]
    assert CODEC.encode(req).body == {"input": [item]}


def test_developer_message_is_a_system_message() -> None:
    payload = {"input": [{"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "x"}]}]}
    req = CODEC.decode(payload)
    assert req.messages[0].role == "system"
    assert req.messages[0].provider_options == {NAME: {"role": "developer"}}
    assert CODEC.encode(req).body == payload


def test_turn_regrouping() -> None:
    items = [
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "a", "annotations": []}],
            "id": "msg_1",
            "status": "completed",
        },
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "r"},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "u1"}]},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "u2"}]},
    ]
    req = CODEC.decode({"input": items})
    assert [(m.role, len(m.content)) for m in req.messages] == [("assistant", 2), ("user", 2), ("user", 1)]
    assert req.messages[0].provider_options == {NAME: {"id": "msg_1", "status": "completed"}}
    check_wire(CODEC, {"input": items})


def test_diff_helper_sees_role_change() -> None:
    assert diff_paths(Message(role="user", content=[]), Message(role="system", content=[])) == ["role"]


# --------------------------------------------------------------------------------------------
# Decode errors name the JSON path


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"input": 3}, "$.input"),
        ({"input": [3]}, "$.input[0]"),
        ({"input": [{"type": "message", "role": "robot", "content": "x"}]}, "$.input[0].role"),
        ({"input": [{"type": "function_call", "call_id": "c", "name": "f"}]}, "$.input[0]"),
        ({"input": [{"type": "function_call", "call_id": "c", "name": "f", "arguments": 1}]}, "$.input[0].arguments"),
        ({"input": [{"role": "user", "content": [{"type": "input_text", "text": 5}]}]}, "$.input[0].content[0].text"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image", "detail": "huge", "image_url": "u"}]}]},
            "$.input[0].content[0].detail",
        ),
        ({"tools": [{"type": "function", "name": "f"}]}, "$.tools[0]"),
        ({"tools": [{"name": "f"}]}, "$.tools[0]"),
        ({"prompt_cache_options": {"ttl": "1h"}}, "$.prompt_cache_options.ttl"),
        ({"temperature": "hot"}, "$.temperature"),
        ({"input": [{"type": "reasoning", "id": "r", "summary": [{"type": "summary_text"}]}]}, "$.input[0].summary[0]"),
    ],
)
def test_decode_errors(payload: dict[str, Any], path: str) -> None:
    with pytest.raises(DecodeError) as info:
        CODEC.decode(payload)
    assert info.value.path == path


def test_decode_rejects_bad_json() -> None:
    with pytest.raises(DecodeError):
        CODEC.decode(b"{")


@pytest.mark.parametrize(
    ("req", "warnings"),
    [
        (
            Request(
                messages=[_user(Image(source=FileSource(file_id="f"), provider_options={NAME: {"detail": "auto"}}))]
            ),
            ["messages[0].content[0].provider_options.openai-responses"],
        ),
        (
            Request(
                messages=[
                    _user(Image(source=FileSource(file_id="f"), provider_options={NAME: {"detail": "auto", "x": 1}}))
                ]
            ),
            ["messages[0].content[0].provider_options.openai-responses.detail"],
        ),
        (
            Request(messages=[_user(Text(text="a", provider_options={NAME: {"text": "b"}}))]),
            ["messages[0].content[0].provider_options.openai-responses"],
        ),
        (
            Request(
                messages=[Message(role="user", content=[Text(text="a")], provider_options={NAME: {"role": "system"}})]
            ),
            ["messages[0].provider_options.openai-responses"],
        ),
        (
            Request(
                messages=[
                    Message(role="assistant", content=[Text(text="a", provider_options={NAME: {"annotations": []}})])
                ]
            ),
            ["messages[0].content[0].provider_options.openai-responses"],
        ),
        (
            Request(
                response_format=__import__("ir_codec").ResponseFormat(type="text"),
                provider_options={NAME: {"text": {"format": 1}}},
            ),
            ["provider_options.openai-responses"],
        ),
        (
            Request(
                messages=[
                    _user(Image(source=FileSource(file_id="f"), provider_options={NAME: {"image_url": "https://x"}}))
                ]
            ),
            ["messages[0].content[0].provider_options.openai-responses"],
        ),
    ],
)
def test_hand_written_option_conflicts(req: Request, warnings: list[str]) -> None:
    _, got = _enc(req)
    assert [w[0] for w in got] == warnings
