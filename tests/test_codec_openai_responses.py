"""The openai-responses codec: table tests and decode errors. The invariant properties, documented
payloads, replies and the SDK check run in the shared suite (tests/test_conformance.py, case in
tests/conformance/openai_responses.py)."""

from __future__ import annotations

from typing import Any

import pytest

from ir_codec import DecodeError, Response, get_codec
from ir_codec.errors import LossKind
from ir_codec.invariant import check_request, check_wire, diff_paths
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Message,
    ProviderPart,
    ProviderTool,
    Refusal,
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

NAME = "openai-responses"
CODEC = get_codec(NAME)
DROPPED, CHANGED, APPROXIMATED = LossKind.DROPPED, LossKind.CHANGED, LossKind.APPROXIMATED

# --------------------------------------------------------------------------------------------
# Tables: IR -> wire with exact warnings


def _user(*parts: Any) -> Message:
    return Message(role="user", content=list(parts))


def _enc(req: Request, **options: Any) -> tuple[dict[str, Any], list[list[str]]]:
    e = get_codec(NAME, **options).encode(req)
    check_request(get_codec(NAME, **options), req)
    return e.body, [[w.path, w.reason, w.kind] for w in e.warnings]


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
    assert [(w[0], w[2]) for w in warnings] == [("system[0].cache", DROPPED), ("system", CHANGED)]


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
        (
            Request(stop=["x"], top_k=3, seed=1, n=2),
            [("top_k", DROPPED), ("stop", DROPPED), ("seed", DROPPED), ("n", DROPPED)],
        ),
        (
            Request(messages=[_user(Text(text="a", cache=CacheControl()))]),
            [("messages[0].content[0].cache", APPROXIMATED)],
        ),
        (
            Request(cache=CacheControl(ttl=CacheTtl.ONE_HOUR), messages=[_user(Text(text="a"))]),
            [("cache", APPROXIMATED)],
        ),
        (
            Request(tools=[Tool(name="f", cache=CacheControl(ttl=CacheTtl.THIRTY_MINUTES))]),
            [("tools[0].cache", DROPPED)],
        ),
        (Request(messages=[_user(Document(source=TextSource(text="t")))]), [("messages[0].content[0]", CHANGED)]),
        (
            Request(
                messages=[Message(role="assistant", content=[Thinking(text="hm", signature="sig", origin="openai")])]
            ),
            [("messages[0].content[0]", DROPPED)],
        ),
        (
            Request(messages=[_user(ToolResult(tool_use_id="c", is_error=True))]),
            [("messages[0].content[0].is_error", DROPPED)],
        ),
        (
            Request(messages=[_user(Image(source=UrlSource(url="https://x", media_type="image/png")))]),
            [("messages[0].content[0].source.media_type", DROPPED)],
        ),
        (
            Request(messages=[_user(ProviderPart(codec="anthropic", data={"type": "x"}))]),
            [("messages[0].content[0]", DROPPED)],
        ),
        (
            Request(
                messages=[
                    Message(role="assistant", content=[ToolUse(id="a", name="f", input={})]),
                    Message(role="assistant", content=[ToolUse(id="b", name="f", input={})]),
                ]
            ),
            [("messages[0]", CHANGED), ("messages[1]", CHANGED)],
        ),
        # A dropped part is reported at its own index, and what follows it at its own (the
        # caller's) index too: here marks the planner changed after dropped parts.
        (
            Request(
                messages=[
                    _user(
                        Text(text="a"),
                        Audio(source=Base64Source(media_type="audio/wav", data="AA==")),
                        Refusal(text="no", cache=CacheControl(ttl=CacheTtl.TWELVE_HOURS)),
                        Text(text="b", cache=CacheControl(ttl=CacheTtl.FIVE_MINUTES)),
                    )
                ]
            ),
            [
                ("messages[0].content[1]", DROPPED),
                ("messages[0].content[2]", DROPPED),
                ("messages[0].content[3].cache", APPROXIMATED),
            ],
        ),
        (
            Request(
                messages=[
                    Message(
                        role="assistant",
                        content=[
                            Image(source=UrlSource(url="https://x")),
                            Thinking(text="t", cache=CacheControl(), provider_options={NAME: {"id": "rs_1"}}),
                            Text(text="b"),
                        ],
                    ),
                    _user(Text(text="c")),
                ]
            ),
            [("messages[0].content[0]", DROPPED), ("messages[0].content[1].cache", DROPPED)],
        ),
        (
            Request(
                messages=[
                    _user(
                        ToolResult(
                            tool_use_id="c",
                            content=[
                                Audio(source=Base64Source(media_type="audio/wav", data="AA==")),
                                Text(text="r", cache=CacheControl(ttl=CacheTtl.ONE_HOUR)),
                            ],
                        )
                    )
                ]
            ),
            [("messages[0].content[0].content[0]", DROPPED), ("messages[0].content[0].content[1].cache", APPROXIMATED)],
        ),
        (
            Request(tools=[ProviderTool(codec="anthropic", data={"type": "x"}), Tool(name="f", strict=True)]),
            [("tools[0]", DROPPED)],
        ),
        # Items of another role than their message read back as a turn of their own: the list
        # itself gains a turn.
        (
            Request(
                messages=[_user(Text(text="a"), ProviderPart(codec=NAME, data={"type": "item_reference", "id": "m"}))]
            ),
            [("messages[0]", CHANGED), ("messages", CHANGED)],
        ),
    ],
)
def test_warning_cases(req: Request, warnings: list[tuple[str, LossKind]]) -> None:
    _, got = _enc(req)
    assert [(w[0], w[2]) for w in got] == warnings


def test_marks_over_the_cap_keep_first_and_last() -> None:
    texts = [Text(text=str(i), cache=CacheControl(ttl=CacheTtl.THIRTY_MINUTES)) for i in range(6)]
    body, warnings = _enc(Request(messages=[_user(*texts)]))
    marked = [i for i, c in enumerate(body["input"][0]["content"]) if "prompt_cache_breakpoint" in c]
    assert marked == [0, 3, 4, 5]
    assert [(w[0], w[2]) for w in warnings] == [
        ("messages[0].content[1].cache", DROPPED),
        ("messages[0].content[2].cache", DROPPED),
    ]


def test_no_explicit_breakpoints_option_drops_marks() -> None:
    req = Request(cache=CacheControl(), messages=[_user(Text(text="a", cache=CacheControl()))])
    body, warnings = _enc(req, explicit_breakpoints=False)
    assert "prompt_cache_options" not in body
    assert [(w[0], w[2]) for w in warnings] == [("messages[0].content[0].cache", DROPPED), ("cache", DROPPED)]


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
            role="assistant",
            content=[Thinking(text="plan", signature="gAAA", origin="openai", provider_options={NAME: {"id": "rs_1"}})],
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
            [("messages[0].content[0].provider_options.openai-responses.detail", DROPPED)],
        ),
        (
            Request(
                messages=[
                    _user(Image(source=FileSource(file_id="f"), provider_options={NAME: {"detail": "auto", "x": 1}}))
                ]
            ),
            [("messages[0].content[0].provider_options.openai-responses.detail", DROPPED)],
        ),
        (
            Request(messages=[_user(Text(text="a", provider_options={NAME: {"text": "b"}}))]),
            [("messages[0].content[0].provider_options.openai-responses.text", DROPPED)],
        ),
        (
            Request(
                messages=[Message(role="user", content=[Text(text="a")], provider_options={NAME: {"role": "system"}})]
            ),
            [("messages[0].provider_options.openai-responses.role", DROPPED)],
        ),
        (
            Request(
                messages=[
                    Message(role="assistant", content=[Text(text="a", provider_options={NAME: {"annotations": []}})])
                ]
            ),
            [("messages[0].content[0].provider_options.openai-responses.annotations", DROPPED)],
        ),
        (
            Request(
                response_format=__import__("ir_codec").ResponseFormat(type="text"),
                provider_options={NAME: {"text": {"format": 1}}},
            ),
            [("provider_options.openai-responses.text.format", DROPPED)],
        ),
        (
            Request(
                messages=[
                    _user(Image(source=FileSource(file_id="f"), provider_options={NAME: {"image_url": "https://x"}}))
                ]
            ),
            [("messages[0].content[0].provider_options.openai-responses.image_url", DROPPED)],
        ),
    ],
)
def test_hand_written_option_conflicts(req: Request, warnings: list[tuple[str, LossKind]]) -> None:
    # A raw option that collides with a field the IR writes or decode lifts is reported at its
    # own key (the judge reports an options entry that vanished member by member).
    _, got = _enc(req)
    assert [(w[0], w[2]) for w in got] == warnings


def test_merged_turns_beside_a_turn_of_the_same_role_are_named_at_the_list() -> None:
    """A tool result and a text turn read back as one user turn; the user turn after them (its
    audio dropped) may take one's place when read back, so the merge is named at the list
    (the core's ``report_merged``, the rule Chat follows too). Found by the conformance property."""
    x = Request(
        messages=[
            Message(role="assistant", content=[ToolUse(id="call_0", name="0", input={})]),
            Message(role="user", content=[ToolResult(tool_use_id="call_0")]),
            Message(role="user", content=[Text(text="")]),
            Message(role="user", content=[Audio(source=Base64Source(media_type="audio/wav", data="AA=="))]),
        ],
        tools=[Tool(name="0", input_schema={"type": "object", "properties": {}})],
    )
    e = check_request(CODEC, x)
    assert [(w.path, w.kind) for w in e.warnings] == [
        ("messages[3].content[0]", DROPPED),
        ("messages", CHANGED),
    ]
    assert e.warnings[1].reason == "the input items of messages[1], messages[2] read back as one turn"


@pytest.mark.parametrize("kind", [{"x": 1}, [1]], ids=["object", "array"])
def test_an_opaque_part_whose_type_is_no_string(kind: Any) -> None:
    # The data of a ProviderPart is the caller's: a "type" that is an object or an array is
    # neither an input nor an output part. In a request it is no valid item (dropped, reported);
    # in a reply it is written as the opaque output item it is (it failed with a TypeError).
    part = ProviderPart(codec=NAME, data={"type": kind})
    e = CODEC.encode(Request(model="m", messages=[Message(role="user", content=[Text(text="hi"), part])]))
    assert e.body["input"] == [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}]
    assert [(w.path, w.kind) for w in e.warnings] == [("messages[0].content[1]", DROPPED)]
    assert "not valid Responses wire" in e.warnings[0].reason
    reply = CODEC.encode_response(Response(id="r", model="m", content=[part]))
    assert reply.body["output"] == [{"type": kind}]
