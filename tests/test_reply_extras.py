"""The fields of a reply the IR has no word for come back when the same provider's reply is
written: OpenAI's ``created``, ``system_fingerprint`` and ``service_tier``
(``openai/types/chat/chat_completion.py``), OpenRouter's ``provider`` and its usage ``cost`` /
``is_byok``, the usage details the IR does not count (``prompt_tokens_details.audio_tokens``,
``completion_tokens_details.accepted_prediction_tokens``: ``completion_usage.py``). They are
kept raw in ``Response.provider_options[codec]`` (the usage's under ``"usage"``), written back
whole and streamed, and reported where another provider's reply cannot hold them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ir_codec import decode_stream, get_codec, transpile_response, transpile_stream
from ir_codec.codec import EncodeContext
from ir_codec.errors import LossKind
from ir_codec.ir import Text, ToolUse
from ir_codec.replies import kept_fields, merge_unwritten, sse_bytes, unwritten, write_kept

ROOT = Path(__file__).resolve().parent / "responses"

_USAGE = {
    "prompt_tokens": 1200,
    "completion_tokens": 40,
    "total_tokens": 1240,
    "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0},
}
_REPLY = {
    "id": "chatcmpl-9",
    "object": "chat.completion",
    "created": 1790000000,
    "model": "gpt-5",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi", "refusal": None}, "finish_reason": "stop"}
    ],
    "usage": _USAGE,
    "system_fingerprint": "fp_1",
    "service_tier": "default",
}


def test_chat_keeps_the_reply_fields_the_ir_has_no_word_for() -> None:
    codec = get_codec("openai-chat")
    r = codec.decode_response(_REPLY)
    assert r.provider_options == {
        "openai-chat": {
            "created": 1790000000,
            "system_fingerprint": "fp_1",
            "service_tier": "default",
            "usage": {
                "prompt_tokens_details": {"audio_tokens": 0},
                "completion_tokens_details": {"audio_tokens": 0, "accepted_prediction_tokens": 0},
            },
        }
    }
    e = codec.encode_response(r)
    assert (e.body, e.warnings) == (_REPLY, [])


def test_created_zero_is_what_encode_writes_and_is_not_kept() -> None:
    r = get_codec("openai-chat").decode_response({**_REPLY, "created": 0, "usage": None})
    assert r.provider_options == {"openai-chat": {"system_fingerprint": "fp_1", "service_tier": "default"}}


def test_the_stream_carries_them_in_every_chunk() -> None:
    codec = get_codec("openai-chat")
    r = codec.decode_response(_REPLY)
    s = codec.encode_stream(r)
    assert all(data["created"] == 1790000000 and data["system_fingerprint"] == "fp_1" for _, data in s.events)
    assert s.events[-1][1]["usage"] == _USAGE
    assert decode_stream(s.to_sse(), "openai-chat") == r
    assert s.warnings == []


def test_a_field_the_stream_learns_late_is_reported() -> None:
    """The chunks before the one that says it cannot carry it: reported, not silently wrong."""
    head = {"id": "c", "object": "chat.completion.chunk", "model": "m"}
    events = [
        (None, {**head, "created": 0, "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]}),
        (None, {**head, "created": 5, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
    ]
    out = transpile_stream(sse_bytes(events), "openai-chat", "openai-chat", on_lossy="ignore")
    assert [(w.path, w.kind) for w in out.warnings] == [("provider_options.openai-chat.created", LossKind.CHANGED)]


@pytest.mark.parametrize("path", sorted((ROOT / "openrouter").glob("*.json")), ids=lambda p: p.stem)
def test_openrouter_replies_come_back_with_cost_and_provider(path: Path) -> None:
    """The recorded replies: every field comes back but the nulls (``logprobs: null`` reads as
    absent), the message whole (its ``reasoning`` text beside the details, each detail with its
    ``format`` and ``index``)."""
    body = json.loads(path.read_text())["response"]
    codec = get_codec("openrouter")
    got = codec.encode_response(codec.decode_response(body)).body
    for key in ("created", "provider", "usage"):
        if key in body:
            assert got[key] == body[key]
    assert got["choices"][0]["message"] == body["choices"][0]["message"]
    assert {k: v for k, v in body["choices"][0].items() if v is not None} == got["choices"][0]


def test_another_provider_reports_them_not_carried() -> None:
    e = transpile_response(_REPLY, "openai-chat", "anthropic", on_lossy="ignore")
    assert [(w.path, w.kind) for w in e.warnings] == [("provider_options.openai-chat", LossKind.DROPPED)]


@pytest.mark.parametrize(
    ("raw", "written", "kept"),
    [
        ({"a": 1, "b": 2}, {"a": 1}, {"b": 2}),
        ({"a": 1, "b": None}, {"a": 1}, {}),
        ({"d": {"x": 1, "y": 2}}, {"d": {"x": 1}}, {"d": {"y": 2}}),
        ({"d": {"x": 1}}, {"d": {"x": 9}}, {}),  # written from the IR: not kept
        ({"d": {"x": 1}}, {"d": 5}, {}),
        ({"d": [1]}, {}, {"d": [1]}),
    ],
)
def test_unwritten_keeps_what_the_encoder_does_not_write(raw: Any, written: Any, kept: Any) -> None:
    assert unwritten(raw, written) == kept


def test_merge_unwritten_adds_what_is_missing_and_reports_what_the_ir_wrote() -> None:
    ctx = EncodeContext("c")
    target: dict[str, Any] = {"a": 1, "d": {"x": 1}}
    merge_unwritten(target, {"a": 2, "b": 3, "d": {"x": 2, "y": 4}, "n": None}, ("provider_options", "c", "usage"), ctx)
    assert target == {"a": 1, "b": 3, "d": {"x": 1, "y": 4}}
    assert [w.path for w in ctx.warnings] == [
        "provider_options.c.usage.a",
        "provider_options.c.usage.d.x",
        "provider_options.c.usage.n",
    ]
    ctx = EncodeContext("c")
    merge_unwritten(target, [1], ("provider_options", "c", "usage"), ctx)
    assert [(w.path, w.kind) for w in ctx.warnings] == [("provider_options.c.usage", LossKind.DROPPED)]
    assert target == {"a": 1, "b": 3, "d": {"x": 1, "y": 4}}  # unchanged


_RESPONSE = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1767000000,
    "status": "completed",
    "model": "gpt-5",
    "output": [
        {
            "id": "msg_0",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "hi", "annotations": []}],
        }
    ],
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
    "instructions": "Be brief.",
    "metadata": {"run": "7"},
    "temperature": 0.2,
    "usage": {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": 2,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 12,
    },
}


def test_responses_keeps_the_response_objects_own_fields() -> None:
    """``openai/types/responses/response.py``: ``created_at``, ``instructions``, ``metadata`` and
    the request's echo come back, whole and in the terminal stream event."""
    codec = get_codec("openai-responses")
    r = codec.decode_response(_RESPONSE)
    assert r.provider_options == {
        "openai-responses": {
            "created_at": 1767000000,
            "instructions": "Be brief.",
            "metadata": {"run": "7"},
            "temperature": 0.2,
        }
    }
    e = codec.encode_response(r)
    assert (e.body, e.warnings) == (_RESPONSE, [])
    s = codec.encode_stream(r)
    assert s.events[-1][1]["response"] == _RESPONSE
    assert decode_stream(s.to_sse(), "openai-responses") == r


_CITATION = {
    "type": "url_citation",
    "url_citation": {"start_index": 0, "end_index": 2, "title": "Example", "url": "https://example.com/"},
}


def test_a_chat_message_keeps_its_annotations() -> None:
    """A web-search model's URL citations (``chat_completion_message.py``: ``annotations``,
    ``Annotation.url_citation``) come back, whole and in one delta before the finish."""
    message = {"role": "assistant", "content": "hi", "refusal": None, "annotations": [_CITATION]}
    body = {**_REPLY, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    codec = get_codec("openai-chat")
    r = codec.decode_response(body)
    assert r.provider_options["openai-chat"]["message"] == {"annotations": [_CITATION]}
    assert codec.encode_response(r).body == body
    s = codec.encode_stream(r)
    assert [data["choices"][0]["delta"] for _, data in s.events if data["choices"]][-2] == {"annotations": [_CITATION]}
    assert all("message" not in data for _, data in s.events)  # the message's fields: in a delta, not the head
    assert decode_stream(s.to_sse(), "openai-chat") == r


def test_a_responses_function_call_keeps_no_item_id() -> None:
    """On purpose (``_function_call``): the next request would carry the ``fc_`` id, which the API
    refuses without the call's reasoning item. The reply keeps it (``output_ids``, below)."""
    body = {
        **_RESPONSE,
        "output": [
            {
                "id": "fc_1",
                "type": "function_call",
                "call_id": "call_1",
                "name": "f",
                "arguments": "{}",
                "status": "completed",
            }
        ],
    }
    [call] = get_codec("openai-responses").decode_response(body).content
    assert call == ToolUse(id="call_1", name="f", input={})


def test_openrouter_reasoning_details_keep_format_id_and_summary() -> None:
    """OpenRouter ``reasoning_details`` items (``reasoningdetailtext.py``, ``…summary.py``,
    ``…encrypted.py``): ``format`` says whose reasoning it is, for the next request to send back;
    ``id``; a ``reasoning.summary`` item stays one. Whole, streamed, and translated event by event."""
    details = [
        {"type": "reasoning.summary", "summary": "Plan.", "format": "openai-responses-v1", "id": "rs_1"},
        {"type": "reasoning.encrypted", "data": "ZW5j", "format": "openai-responses-v1", "id": "rs_1"},
    ]
    message = {"role": "assistant", "content": "42.", "reasoning_details": details}
    body = {**_REPLY, "model": "openai/gpt-5", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    body.pop("usage")
    codec = get_codec("openrouter")
    r = codec.decode_response(body)
    assert [getattr(p, "provider_options", None) for p in r.content[:2]] == [
        {"openrouter": {"format": "openai-responses-v1", "id": "rs_1", "type": "reasoning.summary"}},
        {"openrouter": {"id": "rs_1"}},  # signed: its format is its origin
    ]
    assert [getattr(p, "origin", None) for p in r.content[:2]] == [None, "openai"]
    e = codec.encode_response(r)
    # each item with its index, as OpenRouter writes them (the stream numbers them so too)
    assert e.body["choices"][0]["message"]["reasoning_details"] == [{**d, "index": n} for n, d in enumerate(details)]
    s = codec.encode_stream(r)
    assert decode_stream(s.to_sse(), "openrouter") == r
    again = transpile_stream(s.to_sse(), "openrouter", "openrouter", on_lossy="raise")
    assert decode_stream(again.to_sse(), "openrouter") == r


def test_a_detail_format_learnt_after_its_first_item_is_reported() -> None:
    head = {"id": "g", "object": "chat.completion.chunk", "model": "m"}
    first = {"type": "reasoning.text", "text": "a", "index": 0}
    late = {"type": "reasoning.text", "text": "b", "index": 0, "format": "anthropic-claude-v1"}
    events = [
        (None, {**head, "choices": [{"index": 0, "delta": {"reasoning_details": [first]}, "finish_reason": None}]}),
        (None, {**head, "choices": [{"index": 0, "delta": {"reasoning_details": [late]}, "finish_reason": "stop"}]}),
    ]
    out = transpile_stream(sse_bytes(events), "openrouter", "openrouter", on_lossy="ignore")
    assert [(w.path, w.kind) for w in out.warnings] == [("content[0].provider_options.openrouter", LossKind.CHANGED)]


@pytest.mark.parametrize(
    ("body", "defaults", "kept"),
    [
        ({"id": "x", "created": 5, "fp": "a"}, None, {"created": 5, "fp": "a"}),
        ({"created": 0, "fp": None}, {"created": 0}, {}),
        ({"tools": [], "tier": "default"}, {"tools": []}, {"tier": "default"}),
    ],
)
def test_kept_fields_leave_the_ir_fields_nulls_and_defaults(body: Any, defaults: Any, kept: Any) -> None:
    assert kept_fields(body, {"id"}, defaults) == kept


def test_write_kept_writes_over_defaults_and_reports_ir_fields_and_nulls() -> None:
    ctx = EncodeContext("c")
    body: dict[str, Any] = {"id": "x", "created": 0}
    write_kept(body, {"created": 5, "id": "y", "fp": None, "tier": "t"}, {"id"}, ("provider_options", "c"), ctx)
    assert body == {"id": "x", "created": 5, "tier": "t"}
    assert [w.path for w in ctx.warnings] == ["provider_options.c.id", "provider_options.c.fp"]


# ``chat_completion.py`` ``Choice.logprobs`` (``ChoiceLogprobs``: ``content`` and ``refusal``, lists
# of ``ChatCompletionTokenLogprob``); a chunk's choice carries the logprobs of its own tokens
# (``chat_completion_chunk.py`` ``ChoiceLogprobs``).
_TOKENS = [
    {
        "token": "Hel",
        "logprob": -0.01,
        "bytes": [72, 101, 108],
        "top_logprobs": [{"token": "Hel", "logprob": -0.01, "bytes": [72, 101, 108]}],
    },
    {
        "token": "lo",
        "logprob": -0.2,
        "bytes": [108, 111],
        "top_logprobs": [{"token": "lo", "logprob": -0.2, "bytes": [108, 111]}],
    },
]


def test_a_chat_choice_keeps_its_logprobs_whole_and_streamed() -> None:
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": "Hello", "refusal": None},
        "logprobs": {"content": _TOKENS, "refusal": None},
        "finish_reason": "stop",
    }
    body = {**_REPLY, "choices": [choice]}
    codec = get_codec("openai-chat")
    r = codec.decode_response(body)
    assert r.provider_options["openai-chat"]["choice"] == {"logprobs": {"content": _TOKENS, "refusal": None}}
    e = codec.encode_response(r)
    assert (e.body, e.warnings) == (body, [])
    logprobs = ChatCompletion.model_validate(e.body).choices[0].logprobs
    assert logprobs is not None and [t.token for t in logprobs.content or []] == ["Hel", "lo"]
    # the provider's stream: each chunk's choice with the logprobs of its token; read as the whole reply
    head = {"id": "chatcmpl-9", "object": "chat.completion.chunk", "created": 1790000000, "model": "gpt-5"}
    extra = {"system_fingerprint": "fp_1", "service_tier": "default"}
    chunks = [
        {
            **head,
            **extra,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}
            ],
        },
        *(
            {
                **head,
                **extra,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": t["token"]},
                        "logprobs": {"content": [t], "refusal": None},
                        "finish_reason": None,
                    }
                ],
            }
            for t in _TOKENS
        ),
        {**head, **extra, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]},
        {**head, **extra, "choices": [], "usage": _USAGE},
    ]
    assert decode_stream(sse_bytes([(None, c) for c in chunks]), "openai-chat") == r
    # written back: the finishing choice carries them all, which reads back the same
    s = codec.encode_stream(r)
    finishing = [data["choices"][0] for _, data in s.events if data["choices"] and data["choices"][0]["finish_reason"]]
    assert finishing == [
        {"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": {"content": _TOKENS, "refusal": None}}
    ]
    for _, data in s.events:
        ChatCompletionChunk.model_validate(data)
    assert decode_stream(s.to_sse(), "openai-chat") == r
    assert s.warnings == []


def test_openrouter_keeps_the_native_finish_reason() -> None:
    """``chatchoice.py`` / ``chatstreamchoice.py``: ``native_finish_reason``, the upstream model's own
    word (``end_turn``), beside the normalized ``finish_reason``; null until the last chunk."""
    from openrouter import components as c

    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": "hi"},
        "finish_reason": "stop",
        "native_finish_reason": "end_turn",
    }
    body = {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 1,
        "model": "anthropic/claude-sonnet-4.5",
        "system_fingerprint": None,
        "choices": [choice],
    }
    codec = get_codec("openrouter")
    r = codec.decode_response(body)
    assert r.provider_options["openrouter"]["choice"] == {"native_finish_reason": "end_turn"}
    assert codec.encode_response(r).body["choices"] == [choice]
    s = codec.encode_stream(r)
    assert [d["choices"][0].get("native_finish_reason") for _, d in s.events if d["choices"]][-1] == "end_turn"
    for _, data in s.events:
        c.ChatStreamChunk.model_validate(data)
    assert decode_stream(s.to_sse(), "openrouter") == r


def test_a_stream_that_ends_with_an_error_reports_the_choice_fields_it_cannot_carry() -> None:
    from ir_codec.ir import ReplyError

    codec = get_codec("openai-chat")
    choice = {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    r = codec.decode_response({**_REPLY, "choices": [{**choice, "logprobs": {"content": _TOKENS[:1]}}]})
    failed = msgspec.structs.replace(r, stop_reason="error", error=ReplyError(type="server_error", message="boom"))
    s = codec.encode_stream(failed)
    assert ("provider_options.openai-chat.choice", LossKind.DROPPED) in [(w.path, w.kind) for w in s.warnings]


# ``response_output_text.py``: ``annotations`` (``url_citation`` of web search, ``file_citation`` of
# file search) and ``logprobs`` of an ``output_text`` part; the stream says them in
# ``response.output_text.annotation.added`` and whole in ``response.content_part.done``
# (``response_output_text_annotation_added_event.py``, ``response_content_part_done_event.py``).
_URL = {"type": "url_citation", "start_index": 0, "end_index": 2, "url": "https://example.com/", "title": "Example"}
_FILE = {"type": "file_citation", "file_id": "file-1", "filename": "notes.pdf", "index": 2}
_LOGPROB = {"token": "hi", "logprob": -0.5, "bytes": [104, 105], "top_logprobs": []}


def test_responses_output_text_keeps_its_annotations_and_logprobs() -> None:
    from openai.types.responses import Response as SdkResponse
    from openai.types.responses import ResponseStreamEvent
    from pydantic import TypeAdapter

    text = {"type": "output_text", "text": "hi", "annotations": [_URL, _FILE], "logprobs": [_LOGPROB]}
    message = {**_RESPONSE["output"][0], "content": [text]}  # type: ignore[index]
    body = {**_RESPONSE, "output": [message]}
    codec = get_codec("openai-responses")
    r = codec.decode_response(body)
    assert r.content[0] == Text(
        text="hi", provider_options={"openai-responses": {"annotations": [_URL, _FILE], "logprobs": [_LOGPROB]}}
    )
    e = codec.encode_response(r)
    assert (e.body, e.warnings) == (body, [])
    SdkResponse.model_validate(e.body)
    s = codec.encode_stream(r)
    added = [data["annotation"] for name, data in s.events if name == "response.output_text.annotation.added"]
    assert added == [_URL, _FILE]
    done = [data["part"] for name, data in s.events if name == "response.content_part.done"]
    assert done == [text]
    events = TypeAdapter(ResponseStreamEvent)
    for _, data in s.events:
        events.validate_python(data)
    assert decode_stream(s.to_sse(), "openai-responses") == r
    assert s.warnings == []


def test_responses_empty_annotations_are_the_default_and_not_kept() -> None:
    """Every output_text has ``annotations`` (required) and most an empty ``logprobs``: nothing to
    keep, so a Text of a plain reply carries no options to report elsewhere."""
    text = {"type": "output_text", "text": "hi", "annotations": [], "logprobs": []}
    body = {**_RESPONSE, "output": [{**_RESPONSE["output"][0], "content": [text]}]}  # type: ignore[index]
    r = get_codec("openai-responses").decode_response(body)
    assert r.content[0] == Text(text="hi")


def test_an_anthropic_tool_use_keeps_its_caller_and_toolset_whole_streamed_and_in_the_next_request() -> None:
    """``types/tool_use_block.py``: ``caller`` (who called the tool: ``direct``, or code execution in
    programmatic tool calling) and ``toolset_name``; ``tool_use_block_param.py`` takes both back."""
    from anthropic.types import Message as SdkMessage

    from ir_codec import Message, Request, ToolResult

    block = {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "get_weather",
        "input": {"city": "Paris"},
        "caller": {"type": "direct"},
        "toolset_name": "weather",
    }
    body = {
        "id": "msg_1",
        "model": "claude-sonnet-4-5",
        "type": "message",
        "role": "assistant",
        "content": [block],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }
    codec = get_codec("anthropic")
    r = codec.decode_response(body)
    own = {"anthropic": {"caller": {"type": "direct"}, "toolset_name": "weather"}}
    assert r.content == [ToolUse(id="toolu_1", name="get_weather", input={"city": "Paris"}, provider_options=own)]
    e = codec.encode_response(r)
    assert (e.body, e.warnings) == (body, [])
    SdkMessage.model_validate(e.body)
    s = codec.encode_stream(r)
    assert [d["content_block"] for n, d in s.events if n == "content_block_start"] == [{**block, "input": {}}]
    assert decode_stream(s.to_sse(), "anthropic") == r
    # the next request sends the call back as it came
    turn = Message(role="assistant", content=r.content)
    answer = Message(role="user", content=[ToolResult(tool_use_id="toolu_1", content=[Text(text="sunny")])])
    req = Request(model="m", max_tokens=5, messages=[Message(role="user", content=[Text(text="q")]), turn, answer])
    assert codec.encode(req).body["messages"][1]["content"] == [block]


def test_responses_output_item_ids_come_back_on_the_reply_not_in_the_next_request() -> None:
    """``response_output_message.py`` / ``response_function_tool_call.py``: a message's ``msg_`` id
    and a call's ``fc_`` id, kept by output index on the reply (its parts go into the next
    request, where the API refuses an item id without its reasoning item); whole, in each event
    that names the item, and read back from a stream as from the whole reply."""
    from openai.types.responses import ResponseStreamEvent
    from pydantic import TypeAdapter

    from ir_codec import Message, Request, continue_request

    message = {
        "id": "msg_67ccd3acc8d48190a77525dc6de64b4104becb25c6b0ecd5",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Checking.", "annotations": []}],
    }
    call = {
        "id": "fc_67ccd3acc8d48190a77525dc6de64b4104becb25c6b0ecd5",
        "type": "function_call",
        "call_id": "call_1",
        "name": "get_weather",
        "arguments": '{"city":"Oslo"}',
        "status": "completed",
    }
    body = {**_RESPONSE, "output": [message, call]}
    codec = get_codec("openai-responses")
    r = codec.decode_response(body)
    assert r.provider_options["openai-responses"]["output_ids"] == [message["id"], call["id"]]
    e = codec.encode_response(r)
    assert (e.body, e.warnings) == (body, [])
    s = codec.encode_stream(r)
    named = {data.get("item_id") for _, data in s.events if data.get("item_id")}
    assert named == {message["id"], call["id"]}
    added = [data["item"]["id"] for name, data in s.events if name == "response.output_item.added"]
    assert added == [message["id"], call["id"]]
    events = TypeAdapter(ResponseStreamEvent)
    for _, data in s.events:
        events.validate_python(data)
    assert decode_stream(s.to_sse(), "openai-responses") == r
    again = transpile_stream(s.to_sse(), "openai-responses", "openai-responses", on_lossy="raise")
    assert again.events == s.events
    # the next request: the parts, without the ids
    nxt = continue_request(Request(model="gpt-5", messages=[Message(role="user", content=[Text(text="q")])]), r, [])
    items = codec.encode(nxt).body["input"]
    assert all("id" not in item for item in items)


def test_responses_output_ids_that_no_longer_fit_the_items_are_reported() -> None:
    """A kept id lands by output index: where an item that takes none (a reasoning item) now
    stands at that index, the id is not written, and reported."""
    from ir_codec.ir import Thinking

    body = {**_RESPONSE, "output": [{**_RESPONSE["output"][0], "id": "msg_abc"}]}  # type: ignore[index]
    codec = get_codec("openai-responses")
    r = codec.decode_response(body)
    moved = msgspec.structs.replace(r, content=[Thinking(text="first"), *r.content])
    e = codec.encode_response(moved)
    assert [item.get("id") for item in e.body["output"]] == ["rs_0", "msg_1"]
    assert ("provider_options.openai-responses.output_ids", LossKind.CHANGED) in [(w.path, w.kind) for w in e.warnings]
