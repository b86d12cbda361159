"""Replies: a Responses API response object and its SSE stream lifted to an IR
:class:`~ir_codec.ir.Response`, with usage buckets and stop reasons.

Ground truth: ``openai/types/responses/response.py``, ``response_usage.py`` and
``response_stream_event.py``; the usage cheat sheet of PROVIDERS.md section 6.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from ir_codec.codec import (
    Codec,
    EncodeContext,
    expect_object,
    expect_str,
    foreign_reasoning,
    load_json,
    wire_convert,
)
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Part,
    ProviderPart,
    RedactedThinking,
    Refusal,
    ReplyError,
    Response,
    StopReason,
    Text,
    Thinking,
    ToolUse,
    Usage,
)
from ir_codec.paths import IRPath
from ir_codec.replies import (
    Piece,
    StreamEncoder,
    WireEvent,
    drop_counters,
    drop_part,
    error_named,
    error_stop,
    kept_fields,
    merge_unwritten,
    own_provider_part,
    part_options,
    reply_error,
    unwritten,
    write_kept,
    write_or_zero,
)
from ir_codec.stream import (
    MessageStart,
    PartOptions,
    Stop,
    StreamDecoder,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
    event_type,
)

from .wire import (
    JOIN,
    NAME,
    WEasyInputMessage,
    WInputTokensDetails,
    WResponse,
    WResponseFunctionToolCall,
    WResponseOutputRefusal,
    WResponseOutputText,
    WResponseReasoningItem,
    WResponseUsage,
    type_of,
)

__all__ = ["ResponsesStreamDecoder", "ResponsesStreamEncoder", "decode_response", "encode_reply", "lift_usage"]

_PART_STRIDE = 1000
"""Part index = output_index * stride + content_index, so parts keep the output order."""


def decode_response(payload: Mapping[str, Any] | bytes | str) -> Response:
    """Lift a Responses API response object (``openai/types/responses/response.py``).

    Output items become parts in order: ``output_text`` -> Text, ``refusal`` -> Refusal,
    ``function_call`` -> ToolUse, ``reasoning`` -> Thinking (summaries joined with a blank
    line, signature = ``encrypted_content``), anything else -> ProviderPart. Usage follows
    PROVIDERS.md's cheat sheet: ``input_tokens`` includes cached and written tokens.
    """
    body = expect_object(load_json(payload), "$")
    wire_convert(body, WResponse)
    content: list[Part] = []
    for i, item in enumerate(body.get("output") or []):
        item = expect_object(item, f"$.output[{i}]")
        t = item.get("type")
        lift = _OUTPUT_ITEMS.get(t, _opaque_item) if isinstance(t, str) else _opaque_item
        content += lift(item, f"$.output[{i}]")
    stop, raw = _stop_reason(body, content)
    usage = lift_usage(body["usage"], "$.usage") if body.get("usage") is not None else None
    return Response(
        id=body.get("id"),
        model=body.get("model"),
        content=content,
        stop_reason=stop,
        raw_stop_reason=raw,
        usage=usage,
        provider_options=_reply_extras(body, usage),
        error=_failure(body, "$"),
    )


_RESPONSE_FIELDS = frozenset({"id", "object", "model", "output", "status", "usage", "error", "incomplete_details"})
"""The Response object's fields the IR holds (``incomplete_details``: as the stop reason)."""

_DEFAULTS: dict[str, Any] = {"created_at": 0, "parallel_tool_calls": True, "tool_choice": "auto", "tools": []}
"""What :func:`encode_reply` writes for the required fields the IR has no word for."""


def _reply_extras(body: Mapping[str, Any], usage: Usage | None) -> dict[str, dict[str, Any]]:
    """The Response object's fields the IR has no word for (``created_at``, ``instructions``,
    ``metadata``, the request's echo: ``temperature``, ``tools``, ...) but the defaults
    :func:`encode_reply` writes anyway, and under ``usage`` the counts the IR usage does not
    write back: ``provider_options["openai-responses"]``, written back by encode."""
    extras = kept_fields(body, _RESPONSE_FIELDS, _DEFAULTS)
    output = body.get("output")
    ids = _output_ids(output) if isinstance(output, list) else None
    if ids is not None:
        extras["output_ids"] = ids
    raw_usage = body.get("usage")
    if isinstance(raw_usage, dict) and usage is not None:
        kept = unwritten(raw_usage, _usage_body(usage, EncodeContext(NAME)))
        if kept:
            extras["usage"] = kept
    return {NAME: extras} if extras else {}


def _output_ids(output: list[Any]) -> list[str | None] | None:
    """The ids of the output's message and function-call items, by output index, where they are
    not what :func:`encode_reply` writes anyway (``msg_<n>``, none on a call); ``None`` where
    there are none. Kept on the reply, not on its parts: a part goes into the next request,
    where the API refuses an item id without the reasoning item it came with (``_function_call``);
    a reasoning item's id is its part's (``_reasoning_options``)."""
    ids = [
        _kept_id(i, item.get("type"), item.get("id")) if isinstance(item, dict) else None
        for i, item in enumerate(output)
    ]
    while ids and ids[-1] is None:  # as a stream knows them: up to the last item with one
        ids.pop()
    return ids or None


def _kept_id(index: int, kind: Any, own: Any) -> str | None:
    """The id the reply keeps for the output item at ``index`` of type ``kind`` whose id is
    ``own``: a function call's, a message's other than ``msg_<index>`` (what the encoder writes
    anyway); else ``None``."""
    if not isinstance(own, str):
        return None
    return own if kind == "function_call" or (kind == "message" and own != _item_id("msg", index)) else None


def _write_ids(output: list[dict[str, Any]], ids: Any, ctx: EncodeContext) -> None:
    """Give the message and function-call items of ``output`` the ids kept by decode
    (:func:`_output_ids`), by output index; where they do not read back so (the items moved),
    report it."""
    if not isinstance(ids, list):
        ctx.lossy(("provider_options", NAME, "output_ids"), LossKind.DROPPED, "item ids are a list; dropped")
        return
    for i, item in enumerate(output):
        own = ids[i] if i < len(ids) else None
        if isinstance(own, str) and item.get("type") == "message":
            item["id"] = own
        elif isinstance(own, str) and item.get("type") == "function_call" and "id" not in item:
            output[i] = {"id": own, **item}
    if _output_ids(output) != ids:
        why = "the output items the ids name are not where they were; the ids written read back otherwise"
        ctx.lossy(("provider_options", NAME, "output_ids"), LossKind.CHANGED, why)


def _failure(body: Mapping[str, Any], path: str) -> ReplyError | None:
    """The ``error`` of a failed response (``response_error.py``: ``code``, ``message``, and
    ``type``, the original error type)."""
    error = reply_error(body.get("error"), f"{path}.error")
    if error is not None and body.get("status") != "failed":
        raise DecodeError(f"{path}.status", "'failed' beside an error", repr(body.get("status")))
    return error


_FAILURE_CODES = frozenset(
    """server_error rate_limit_exceeded invalid_prompt data_residency_mismatch bio_policy
    misalignment_policy_violation vector_store_timeout invalid_image invalid_image_format
    invalid_base64_image invalid_image_url image_too_large image_too_small image_parse_error
    image_content_policy_violation invalid_image_mode image_file_too_large
    unsupported_image_media_type empty_image_file failed_to_download_image
    image_file_not_found""".split()
)
"""``ResponseError.code``'s values (openai ``types/responses/response_error.py``)."""


def _failure_body(error: ReplyError, ctx: EncodeContext) -> dict[str, Any]:
    """A failed response's ``error`` (``response_error.py``): a ``code`` of the SDK's values (any
    other is written as ``server_error``, reported), the ``message``, the ``type`` where known."""
    code = error.code
    if code not in _FAILURE_CODES:
        code = "server_error"
        ctx.lossy(("error", "code"), LossKind.CHANGED, f"not a Responses error code; written as {code!r}")
    wire: dict[str, Any] = {"code": code, "message": error.message}
    if error.type is not None:
        wire["type"] = error.type
    return wire


def lift_usage(raw: Any, path: str) -> Usage:
    """``input_tokens`` includes ``cached_tokens`` and ``cache_write_tokens`` (PROVIDERS.md 6,
    response_usage.py); the IR buckets are disjoint, so both are taken out of it by
    :meth:`Usage.from_inclusive`'s overlap rule (reads, then writes, each capped at what is
    left: never a negative bucket). A counter not reported is ``None``."""
    u = wire_convert(raw, WResponseUsage, path)
    d = u.input_tokens_details or WInputTokensDetails()
    ttl = d.cache_write_tokens_details
    return Usage.from_inclusive(
        u.input_tokens,
        cache_read_tokens=d.cached_tokens,
        cache_write_tokens=d.cache_write_tokens,
        cache_write_30m_tokens=ttl.get("ttl_30m_tokens") if ttl is not None else None,
        cache_write_12h_tokens=ttl.get("ttl_12h_tokens") if ttl is not None else None,
        output_tokens=u.output_tokens,
        reasoning_tokens=u.output_tokens_details.reasoning_tokens if u.output_tokens_details else None,
    )


# --------------------------------------------------------------------------------------------
# Output items (wire tag -> lifting)


def _tool_input(arguments: str, path: str) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(arguments.strip() or "{}")
    except msgspec.DecodeError:
        raise DecodeError(path, "JSON text", arguments[:80]) from None
    if not isinstance(value, dict):
        raise DecodeError(path, "a JSON object", type(value).__name__)
    return value


_TEXT_KEPT = ("annotations", "logprobs")
"""Fields of an ``output_text`` part kept in the Text's options where they are not empty
(``response_output_text.py``: the ``url_citation`` / ``file_citation`` annotations of web and
file search, the token ``logprobs``); empty, they are what the encoder writes anyway."""


def _kept_text_fields(c: Mapping[str, Any]) -> dict[str, Any]:
    """The :data:`_TEXT_KEPT` fields of an ``output_text`` part (or of a Text's options) that are
    not empty."""
    return {k: c[k] for k in _TEXT_KEPT if isinstance(c.get(k), list) and c[k]}


def _text_options(c: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    kept = _kept_text_fields(c)
    return {NAME: kept} if kept else {}


def _output_text(c: dict[str, Any], path: str) -> Part:
    wire_convert(c, WResponseOutputText, path)
    return Text(text=c["text"], provider_options=_text_options(c))


def _output_refusal(c: dict[str, Any], path: str) -> Part:
    wire_convert(c, WResponseOutputRefusal, path)
    return Refusal(text=c["refusal"])


_OUTPUT_PARTS: dict[str, Callable[[dict[str, Any], str], Part]] = {
    "output_text": _output_text,
    "refusal": _output_refusal,
}
"""Output message content tag -> lifting; any other part is opaque."""


def _output_message(item: dict[str, Any], path: str) -> list[Part]:
    wire_convert(item, WEasyInputMessage, path)
    out: list[Part] = []
    for k, c in enumerate(item["content"]):
        c = expect_object(c, f"{path}.content[{k}]")
        t = c.get("type")
        lift = _OUTPUT_PARTS.get(t) if isinstance(t, str) else None
        out.append(lift(c, f"{path}.content[{k}]") if lift is not None else ProviderPart(codec=NAME, data=c))
    return out


def _output_function_call(item: dict[str, Any], path: str) -> list[Part]:
    wire_convert(item, WResponseFunctionToolCall, path)
    return [ToolUse(id=item["call_id"], name=item["name"], input=_tool_input(item["arguments"], f"{path}.arguments"))]


def _output_reasoning(item: dict[str, Any], path: str) -> list[Part]:
    wire_convert(item, WResponseReasoningItem, path)
    sig = item.get("encrypted_content")
    text = JOIN.join(s["text"] for s in item["summary"])
    signed = isinstance(sig, str)
    return [
        Thinking(
            text=text,
            signature=sig if signed else None,
            origin="openai" if signed else None,
            provider_options=_reasoning_options(item),
        )
    ]


def _reasoning_options(item: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The reasoning item's own fields (its ``id`` above all: the next request's reasoning item
    must carry the id OpenAI assigned, response_reasoning_item_param.py); ``status`` and the
    like are output-only and not kept."""
    return {NAME: {"id": item["id"]}} if isinstance(item.get("id"), str) else {}


def _opaque_item(item: dict[str, Any], path: str) -> list[Part]:
    return [ProviderPart(codec=NAME, data=item)]


_OUTPUT_ITEMS: dict[str, Callable[[dict[str, Any], str], list[Part]]] = {
    "message": _output_message,
    "function_call": _output_function_call,
    "reasoning": _output_reasoning,
}
"""Output item tag -> its parts; any other item (hosted-tool calls, ...) is one opaque part."""


_CLIENT_CALLS = frozenset({"custom_tool_call", "computer_call", "local_shell_call", "shell_call", "apply_patch_call"})
"""Output items (``response_output_item.py``) that call a tool the client runs, as a function
call does; hosted-tool calls (``web_search_call``, ``mcp_call``, ...) run on OpenAI's side."""


def _calls_tool(p: Part) -> bool:
    """``p`` asks the client to run a tool: a ToolUse, or one of the calls kept opaque."""
    if type(p) is not ProviderPart:
        return type(p) is ToolUse
    t = p.data.get("type")
    return p.codec == NAME and isinstance(t, str) and t in _CLIENT_CALLS


def _stop_reason(body: Mapping[str, Any], content: list[Part]) -> tuple[StopReason | None, str | None]:
    """The stop reason a Responses object reads as: ``completed`` with a tool call for the
    client to run (a function call or a call kept opaque, :data:`_CLIENT_CALLS`) is
    ``tool_use``."""
    status = body.get("status")
    if status == "completed":
        if any(map(_calls_tool, content)):
            return "tool_use", "completed"
        if any(isinstance(p, Refusal) for p in content):
            return "refusal", "completed"
        return "end_turn", "completed"
    if status == "incomplete":
        reason = (body.get("incomplete_details") or {}).get("reason")
        mapped: StopReason = {"max_output_tokens": "max_tokens", "content_filter": "content_filter"}.get(
            reason or "", "other"
        )  # type: ignore[assignment]
        return mapped, reason or "incomplete"
    if status == "failed":
        return "error", "failed"
    if status == "cancelled":
        return "other", "cancelled"
    return None, status


# --------------------------------------------------------------------------------------------
# The stream


class ResponsesStreamDecoder(StreamDecoder):
    """Responses SSE events (``data.type`` names the event) to IR stream events.

    Text, refusal and tool-argument deltas are reassembled per (output_index, content_index);
    whole items that have no delta form (refusals, hosted-tool calls) are added when done;
    ``response.completed`` / ``incomplete`` / ``failed`` carry the usage and the status.
    """

    def __init__(self) -> None:
        super().__init__()
        self._args: dict[int, str] = {}
        self._ids: dict[int, str | None] = {}  # output index -> the item id kept (_output_ids)
        self._parts: list[Part] = []

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        data = expect_object(data, "$")
        t = event_type(data, name)
        handler = _STREAM_HANDLERS.get(t) if t is not None else None
        return handler(self, data) if handler is not None else []  # in_progress, *.done echoes, new events

    def _created(self, data: dict[str, Any]) -> list[StreamEvent]:
        r = expect_object(data.get("response"), "$.response")
        return [MessageStart(id=r.get("id"), model=r.get("model"))]

    def _item_added(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        item = expect_object(data.get("item"), "$.item")
        self._note_id(i, item)
        if item.get("type") == "function_call":
            self._args[i] = ""
            call_id = expect_str(item.get("call_id"), "$.item.call_id")
            return [ToolCallStart(index=i * _PART_STRIDE, id=call_id, name=expect_str(item.get("name"), "$.item.name"))]
        if item.get("type") == "reasoning":
            # the item's id before its first piece: an encoder fed these events opens the item under it
            opts = _reasoning_options(item)
            first: list[StreamEvent] = [PartOptions(index=i * _PART_STRIDE, provider_options=opts)] if opts else []
            return [*first, ThinkingDelta(index=i * _PART_STRIDE, text="")]
        return []

    def _note_id(self, i: int, item: dict[str, Any]) -> None:
        """A message or function-call item's id, as the whole reply keeps it (:func:`_output_ids`),
        known before the item's first piece (an encoder fed these events opens the item under it)."""
        own = _kept_id(i, item.get("type"), item.get("id"))
        if own is None:
            return
        self._ids[i] = own
        ids = [self._ids.get(k) for k in range(max(self._ids) + 1)]
        opts = self.assembler.response_options
        self.assembler.response_options = {**opts, NAME: {**opts.get(NAME, {}), "output_ids": ids}}

    def _part_added(self, data: dict[str, Any]) -> list[StreamEvent]:
        part = expect_object(data.get("part"), "$.part")
        if part.get("type") == "output_text":
            # Open the part, so an empty text still becomes a Text part.
            return [
                TextDelta(index=_index(data, "output_index") * _PART_STRIDE + _index(data, "content_index"), text="")
            ]
        return []

    def _text_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        idx = _index(data, "output_index") * _PART_STRIDE + _index(data, "content_index")
        return [TextDelta(index=idx, text=expect_str(data.get("delta"), "$.delta"))]

    def _args_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        delta = expect_str(data.get("delta"), "$.delta")
        self._args[i] = self._args.get(i, "") + delta
        return [ToolCallDelta(index=i * _PART_STRIDE, arguments=delta)]

    def _summary_part(self, data: dict[str, Any]) -> list[StreamEvent]:
        if _index(data, "summary_index") > 0:
            return [ThinkingDelta(index=_index(data, "output_index") * _PART_STRIDE, text=JOIN)]
        return []

    def _summary_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        text = expect_str(data.get("delta"), "$.delta")
        return [ThinkingDelta(index=_index(data, "output_index") * _PART_STRIDE, text=text)]

    def _part_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        part = expect_object(data.get("part"), "$.part")
        idx = _index(data, "output_index") * _PART_STRIDE + _index(data, "content_index")
        if part.get("type") == "refusal":
            wire_convert(part, WResponseOutputRefusal, "$.part")
            self.assembler.add_part(idx, Refusal(text=part["refusal"]))
            self._parts.append(Refusal(text=part["refusal"]))
        elif part.get("type") == "output_text":
            if opts := _text_options(part):  # the part whole: its annotations and logprobs
                self.assembler.set_part_options(idx, opts)
        else:
            self.assembler.add_part(idx, ProviderPart(codec=NAME, data=part))
        return []

    def _item_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        item = expect_object(data.get("item"), "$.item")
        t = item.get("type")
        if t == "function_call":
            self._parts.append(ToolUse(id="", name="", input={}))
            full = item.get("arguments")
            if isinstance(full, str) and not self._args.get(i) and full:
                return [ToolCallDelta(index=i * _PART_STRIDE, arguments=full)]
            return []
        if t == "reasoning":
            self.assembler.set_part_options(i * _PART_STRIDE, _reasoning_options(item))
            sig = item.get("encrypted_content")
            return (
                [ThinkingDelta(index=i * _PART_STRIDE, signature=sig, origin="openai")] if isinstance(sig, str) else []
            )
        if t != "message":
            part = ProviderPart(codec=NAME, data=item)
            self.assembler.add_part(i * _PART_STRIDE, part)
            self._parts.append(part)  # a client-run call (_CLIENT_CALLS) stops for tool use
        return []

    def _finished(self, data: dict[str, Any]) -> list[StreamEvent]:
        r = expect_object(data.get("response"), "$.response")
        wire_convert(r, WResponse, "$.response")
        out: list[StreamEvent] = [MessageStart(id=r.get("id"), model=r.get("model"))]
        if r.get("usage") is not None:
            out.append(UsageUpdate(usage=lift_usage(r["usage"], "$.response.usage")))
        stop, raw = _stop_reason(r, self._parts)
        out.append(Stop(stop_reason=stop, raw_stop_reason=raw, error=_failure(r, "$.response")))
        usage = next((ev.usage for ev in out if isinstance(ev, UsageUpdate)), None)
        self.assembler.response_options = _reply_extras(r, usage)
        return out


def _error(self: ResponsesStreamDecoder, data: dict[str, Any]) -> list[StreamEvent]:
    """The ``error`` event (``response_error_event.py``: ``code``, ``message``, ``param``): the
    stream ends there."""
    error = reply_error(data, "$", type_key=None) or ReplyError()
    return [error_stop(error)]  # a Responses error event has a code and no type


def _index(data: Mapping[str, Any], key: str) -> int:
    v = data.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise DecodeError(f"$.{key}", "a non-negative integer", type(v).__name__)
    return v


_STREAM_HANDLERS: dict[str, Callable[[ResponsesStreamDecoder, dict[str, Any]], list[StreamEvent]]] = {
    "response.created": ResponsesStreamDecoder._created,
    "response.output_item.added": ResponsesStreamDecoder._item_added,
    "response.content_part.added": ResponsesStreamDecoder._part_added,
    "response.output_text.delta": ResponsesStreamDecoder._text_delta,
    "response.function_call_arguments.delta": ResponsesStreamDecoder._args_delta,
    "response.reasoning_summary_part.added": ResponsesStreamDecoder._summary_part,
    "response.reasoning_summary_text.delta": ResponsesStreamDecoder._summary_delta,
    "response.content_part.done": ResponsesStreamDecoder._part_done,
    "response.output_item.done": ResponsesStreamDecoder._item_done,
    "response.completed": ResponsesStreamDecoder._finished,
    "response.incomplete": ResponsesStreamDecoder._finished,
    "response.failed": ResponsesStreamDecoder._finished,
    "error": _error,
}
"""Stream event type -> handler; other events (in_progress, *.done echoes, ...) carry nothing new."""


# --------------------------------------------------------------------------------------------
# Encoding replies (IR Response -> Response object)

_CONTENT_TYPES = frozenset({"output_text", "refusal", "reasoning_text", "summary_text"})
"""Tags of message content parts; a provider part with another tag is a whole output item."""
_INCOMPLETE: dict[StopReason, str] = {"max_tokens": "max_output_tokens", "content_filter": "content_filter"}


def _item_id(prefix: str, output_index: int, raw: Mapping[str, Any] | None = None) -> str:
    """The id of the output item at ``output_index``, the one the reply body and every stream
    event naming the item carry: a reasoning item's own id (``provider_options``, kept by
    decode), else ``<prefix>_<output_index>`` (``msg_<n>``, unless the reply kept the message's
    id: :func:`_output_ids`; ``rs_<n>``: reported by the reply encoder)."""
    own = raw.get("id") if raw is not None else None
    return own if isinstance(own, str) else f"{prefix}_{output_index}"


def _head(id_: str | None, model: str | None) -> dict[str, Any]:
    """The Response object's fields before its status (``response.py``): ``created_at`` is not
    in the IR (written 0); a missing id or model is ``""`` (reported by :func:`encode_reply`)."""
    return {
        "id": id_ if id_ is not None else "",
        "model": model if model is not None else "",
        "object": "response",
        "created_at": 0,
    }


def _tail() -> dict[str, Any]:
    """The required request echo the IR has no word for, written as the default turn."""
    return {"parallel_tool_calls": True, "tool_choice": "auto", "tools": []}


def _message(output_index: int, status: str) -> dict[str, Any]:
    """An output message item without content (``response_output_message.py``)."""
    return {
        "id": _item_id("msg", output_index),
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": [],
    }


def _content_part(p: Text | Refusal, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``ResponseOutputText`` (annotations required; with the annotations and logprobs kept in
    ``raw``, the Text's own options) or ``ResponseOutputRefusal``."""
    if isinstance(p, Text):
        return _output_text_part(p.text, raw or {})
    return {"type": "refusal", "refusal": p.text}


def _output_text_part(text: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "output_text", "text": text, "annotations": []}
    part.update(_kept_text_fields(raw))
    return part


def _function_call(call_id: str, name: str, arguments: str, status: str) -> dict[str, Any]:
    """``ResponseFunctionToolCall`` (``response_function_tool_call.py``) without its item id. The
    ToolUse keeps none, on purpose: an agent loop sends the call back in the next request, and
    the API refuses a ``function_call`` that names its item id without the reasoning item it came
    with ("was provided without its required 'reasoning' item"); the reply keeps it
    (:func:`_output_ids`, written by :func:`_call_item`)."""
    return {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments, "status": status}


def _call_item(item_id: str, call_id: str, name: str, arguments: str, status: str) -> dict[str, Any]:
    """:func:`_function_call` with the item id decode kept on the reply (none: ``""``)."""
    item = _function_call(call_id, name, arguments, status)
    return {"id": item_id, **item} if item_id else item


def _usage_body(usage: Usage, ctx: EncodeContext) -> dict[str, Any]:
    """``ResponseUsage`` (response_usage.py): ``input_tokens`` is the sum of the input buckets
    (the inverse of :func:`lift_usage`); the details objects and their counters are required."""
    if usage.uncached_input_tokens is None:
        write_or_zero(usage, "uncached_input_tokens", ctx, "ResponseUsage requires input_tokens")
    why = "ResponseUsage requires it"
    details: dict[str, Any] = {
        "cached_tokens": write_or_zero(usage, "cache_read_tokens", ctx, why),
        "cache_write_tokens": write_or_zero(usage, "cache_write_tokens", ctx, why),
    }
    if usage.cache_write_30m_tokens is not None or usage.cache_write_12h_tokens is not None:
        details["cache_write_tokens_details"] = {
            "ttl_30m_tokens": write_or_zero(usage, "cache_write_30m_tokens", ctx, why),
            "ttl_12h_tokens": write_or_zero(usage, "cache_write_12h_tokens", ctx, why),
        }
    drop_counters(usage, ("cache_write_5m_tokens", "cache_write_1h_tokens"), ctx, "OpenAI has no 5m / 1h tier")
    inp = usage.input_tokens or 0
    out = write_or_zero(usage, "output_tokens", ctx, why)
    return {
        "input_tokens": inp,
        "input_tokens_details": details,
        "output_tokens": out,
        "output_tokens_details": {"reasoning_tokens": write_or_zero(usage, "reasoning_tokens", ctx, why)},
        "total_tokens": inp + out,
    }


def _reasoning_item(
    p: Thinking | RedactedThinking, j: int, output_index: int, raw: dict[str, Any], ctx: EncodeContext
) -> dict[str, Any]:
    """The reasoning item of ``p`` (content ``j``, output item ``output_index``;
    ``response_reasoning_item.py``); ``raw`` is its own options, ``id`` taken out of it."""
    path: IRPath = ("content", j)
    item_id = _item_id("rs", output_index, raw)
    if not isinstance(raw.pop("id", None), str):
        ctx.lossy(
            (*path, "provider_options", NAME, "id"), LossKind.CHANGED, f"a reasoning item needs an id; {item_id!r}"
        )
    item: dict[str, Any] = {"id": item_id, "type": "reasoning"}
    if isinstance(p, RedactedThinking):
        ctx.lossy(
            path, LossKind.CHANGED, "encrypted reasoning is a reasoning item without summary; reads back as thinking"
        )
        item["summary"] = []
        item["encrypted_content"] = p.data
    else:
        item["summary"] = [{"type": "summary_text", "text": p.text}] if p.text else []
        if p.signature is not None and p.origin not in (None, "openai"):
            ctx.lossy((*path, "signature"), LossKind.DROPPED, f"a {p.origin} signature does not verify here")
            ctx.lossy((*path, "origin"), LossKind.DROPPED, "no signature is sent; the origin goes with it")
        elif p.signature is not None:
            item["encrypted_content"] = p.signature
            if p.origin is None:
                ctx.lossy((*path, "origin"), LossKind.CHANGED, "encrypted content reads back as OpenAI's")
        elif p.origin is not None:
            ctx.lossy((*path, "origin"), LossKind.DROPPED, "nothing is signed; the origin is not sent")
    for k in raw:  # decode keeps the item id only
        ctx.lossy((*path, "provider_options", NAME, k), LossKind.DROPPED, "not read back from a reply item")
    return item


def _status(response: Response, content: list[Part], ctx: EncodeContext) -> dict[str, Any]:
    """``status`` and ``incomplete_details`` (decode: :func:`_stop_reason`)."""
    stop, raw = response.stop_reason, response.raw_stop_reason
    out: dict[str, Any] = {}
    if stop is None:
        if raw in ("in_progress", "queued"):
            out["status"] = raw
    elif stop in _INCOMPLETE or (stop == "other" and raw in ("max_messages", "steered")):
        reason = raw if stop == "other" else _INCOMPLETE[stop]
        out = {"status": "incomplete", "incomplete_details": {"reason": reason}}
    elif stop == "error":
        out["status"] = "failed"
    elif stop == "other":
        out["status"] = "cancelled"
    else:
        out["status"] = "completed"
    got, _ = _stop_reason({**out}, content)
    if got != stop:
        ctx.lossy(("stop_reason",), LossKind.CHANGED, f"the Responses status reads back as {got!r}")
    return out


def encode_reply(response: Response, ctx: EncodeContext) -> dict[str, Any]:
    """The Responses ``Response`` object of ``response`` (``openai/types/responses/response.py``).
    Consecutive text and refusal parts share one output message (``msg_<n>``, or the id the reply
    kept: :func:`_output_ids`; a part the reply drops does not separate them); the fields the IR
    has no word for are written as an empty default turn."""
    own = part_options(response.provider_options, None, (), ctx, NAME)
    kept_usage = own.pop("usage", None)
    kept_ids = own.pop("output_ids", None)
    output: list[dict[str, Any]] = []
    kept: list[Part] = []
    message: dict[str, Any] | None = None
    for j, p in enumerate(response.content):
        path: IRPath = ("content", j)
        if isinstance(p, ProviderPart):
            if not own_provider_part(p, NAME, path, ctx, "a Responses reply"):
                continue
            kept.append(p)
            if type_of(p.data) in _CONTENT_TYPES:
                if message is None:
                    message = _message(len(output), "completed")
                    output.append(message)
                message["content"].append(dict(p.data))
            else:
                output.append(dict(p.data))
                message = None
            continue
        if not isinstance(p, Text | Refusal | Thinking | RedactedThinking | ToolUse):
            drop_part(p, path, ctx, "a Responses reply")
            continue
        raw = part_options(p.provider_options, p.cache, path, ctx, NAME)
        if (why := foreign_reasoning(p, "openai")) is not None:
            ctx.lossy(path, LossKind.DROPPED, why)
            continue
        kept.append(p)
        if isinstance(p, Text | Refusal | ToolUse):
            written = _kept_text_fields(raw) if isinstance(p, Text) else {}  # on the output_text part
            for k in raw:
                if k in written:
                    continue
                ctx.lossy((*path, "provider_options", NAME, k), LossKind.DROPPED, "not read back from the reply")
        if isinstance(p, Text | Refusal):
            if message is None:
                message = _message(len(output), "completed")
                output.append(message)
            message["content"].append(_content_part(p, raw))
            continue
        message = None
        if isinstance(p, ToolUse):
            output.append(_function_call(p.id, p.name, msgspec.json.encode(p.input).decode(), "completed"))
        else:
            output.append(_reasoning_item(p, j, len(output), raw, ctx))
    for field in ("id", "model"):
        if getattr(response, field) is None:
            ctx.lossy((field,), LossKind.CHANGED, f"a Responses reply requires {field}; written as ''")
    if kept_ids is not None:
        _write_ids(output, kept_ids, ctx)
    error = response.error
    if error is None:
        status = _status(response, kept, ctx)
    else:  # a failed response says why (response_error.py)
        status = {"status": "failed", "error": _failure_body(error, ctx)}
        if response.stop_reason != "error":
            ctx.lossy(("stop_reason",), LossKind.CHANGED, "a failed response reads back as 'error'")
    body: dict[str, Any] = {**_head(response.id, response.model), **status, "output": output}
    body.update(_tail())
    write_kept(body, own, _RESPONSE_FIELDS, ("provider_options", NAME), ctx)  # the object's own (_reply_extras)
    if response.usage is not None:
        body["usage"] = _usage_body(response.usage, ctx)
        if kept_usage is not None:
            merge_unwritten(body["usage"], kept_usage, ("provider_options", NAME, "usage"), ctx)
    elif kept_usage is not None:
        ctx.lossy(("provider_options", NAME, "usage"), LossKind.DROPPED, "the Response has no usage")
    return body


# --------------------------------------------------------------------------------------------
# Encoding streams (IR stream events -> Responses SSE events, as they arrive)
#
# Event shapes: ``openai/types/responses/response_stream_event.py`` and the files it lists:
# response_created_event.py, response_output_item_added_event.py / _done_event.py,
# response_content_part_added_event.py / _done_event.py, response_text_delta_event.py /
# response_text_done_event.py, response_refusal_delta_event.py / _done_event.py,
# response_reasoning_summary_part_added_event.py / _done_event.py,
# response_reasoning_summary_text_delta_event.py / _done_event.py,
# response_function_call_arguments_delta_event.py / _done_event.py, response_completed_event.py,
# response_incomplete_event.py, response_failed_event.py.

_TERMINAL = {"incomplete": "response.incomplete", "failed": "response.failed"}
"""The terminal event for the reply's status; any other status ends with ``response.completed``."""


@dataclass(slots=True)
class _Slot:
    """A streamed part as written: its output item and what its pieces said."""

    kind: str
    """``text`` (a content part of the open message), ``reasoning`` or ``call``."""
    output_index: int
    item_id: str
    content_index: int = 0
    text: str = ""
    """The text, summary or arguments text written so far."""
    summary: bool = False
    """A reasoning summary part is open (the first non-empty piece opens it)."""
    signature: str | None = None
    origin: str | None = None
    call_id: str = ""
    name: str = ""
    closed: bool = False


class ResponsesStreamEncoder(StreamEncoder):
    """IR stream events to Responses SSE events (:class:`~ir_codec.replies.StreamEncoder`).

    ``response.created`` opens the stream; each part opens its output item when its first piece
    arrives and each piece is one delta event; text and refusals are content parts of one
    message item as in :func:`encode_reply` (the message is done when a part of another item
    opens, or at the end); a reasoning item's ``encrypted_content`` is only in its
    ``output_item.done``; ``response.completed`` / ``incomplete`` / ``failed`` carries the whole
    reply body. Every event has its ``sequence_number``; item ids are :func:`_item_id`'s, as in
    the body.
    """

    ERROR_EVENTS = True

    def _error_event(self, response: Response) -> bool:
        """A stream that ended with ``response.failed`` (raw stop reason ``failed``) ends so
        again, its body saying the error; any other ends with the ``error`` event."""
        return response.raw_stop_reason != "failed"

    def __init__(self, codec: Codec) -> None:
        super().__init__(codec)
        self._seq = 0
        self._outputs = 0
        """Output items opened so far: the next item's ``output_index``."""
        self._message: tuple[int, list[dict[str, Any]]] | None = None
        """The open message item: its output index and its content parts."""
        self._slots: dict[int, _Slot] = {}

    # -- writing ------------------------------------------------------------------------------

    def _emit(self, kind: str, **fields: Any) -> WireEvent:
        event = (kind, {"type": kind, "sequence_number": self._seq, **fields})
        self._seq += 1
        return event

    def _raw(self, k: int) -> dict[str, Any]:
        return dict(self.assembler.part_options.get(k, {}).get(NAME, {}))

    def _add_item(self, item: dict[str, Any]) -> tuple[int, list[WireEvent]]:
        """Open an output item (the open message is done first): its index and events."""
        out = self._message_done()
        index = self._outputs
        self._outputs += 1
        return index, [*out, self._emit("response.output_item.added", output_index=index, item=item)]

    def _message_done(self) -> list[WireEvent]:
        if self._message is None:
            return []
        index, parts = self._message
        self._message = None
        item = {**self._message_item(index, "completed"), "content": [dict(p) for p in parts]}
        return [self._emit("response.output_item.done", output_index=index, item=item)]

    def _content_part(self, part: dict[str, Any], added: dict[str, Any]) -> tuple[dict[str, Any], list[WireEvent]]:
        """Add ``part`` to the open message (opening one) with ``content_part.added`` of
        ``added`` (the part before its deltas): where it is, and the events."""
        out: list[WireEvent] = []
        if self._message is None:
            index = self._outputs
            self._outputs += 1
            self._message = (index, [])
            out.append(
                self._emit(
                    "response.output_item.added", output_index=index, item=self._message_item(index, "in_progress")
                )
            )
        index, parts = self._message
        where = {"item_id": self._message_id(index), "output_index": index, "content_index": len(parts)}
        parts.append(part)
        return where, [*out, self._emit("response.content_part.added", **where, part=added)]

    def _open_text(self, k: int) -> list[WireEvent]:
        part = {"type": "output_text", "text": "", "annotations": []}
        where, out = self._content_part(part, dict(part))
        self._slots[k] = _Slot("text", where["output_index"], where["item_id"], where["content_index"])
        return out

    def _open_reasoning(self, k: int, raw: Mapping[str, Any]) -> list[WireEvent]:
        index = self._outputs
        item_id = _item_id("rs", index, raw)
        self._slots[k] = _Slot("reasoning", index, item_id)
        _, out = self._add_item({"id": item_id, "type": "reasoning", "summary": []})
        return out

    def _open_call(self, k: int, call_id: str, name: str) -> list[WireEvent]:
        item_id = self._kept_id(self._outputs, "function_call") or ""  # the index _add_item gives it
        index, out = self._add_item(_call_item(item_id, call_id, name, "", "in_progress"))
        self._slots[k] = _Slot("call", index, item_id, call_id=call_id, name=name)
        return out

    def _kept_id(self, index: int, kind: str) -> str | None:
        """The id decode kept for the ``kind`` item at output ``index`` (:func:`_output_ids`), as
        known now (a stream learns each one before its item's first piece)."""
        ids = self.assembler.response_options.get(NAME, {}).get("output_ids")
        return _kept_id(index, kind, ids[index] if isinstance(ids, list) and index < len(ids) else None)

    def _message_id(self, index: int) -> str:
        """The id of the message item at output ``index``: the one kept, else ``msg_<index>``."""
        return self._kept_id(index, "message") or _item_id("msg", index)

    def _message_item(self, index: int, status: str) -> dict[str, Any]:
        return {**_message(index, status), "id": self._message_id(index)}

    def _text(self, s: _Slot, text: str) -> list[WireEvent]:
        """A piece of a text or reasoning summary."""
        if not text:
            return []
        s.text += text
        where = {"item_id": s.item_id, "output_index": s.output_index}
        if s.kind == "text":
            at = {**where, "content_index": s.content_index}
            return [self._emit("response.output_text.delta", **at, delta=text, logprobs=[])]
        out: list[WireEvent] = []
        if not s.summary:  # the reply body has one summary part, the whole text
            s.summary = True
            part = {"type": "summary_text", "text": ""}
            out.append(self._emit("response.reasoning_summary_part.added", **where, summary_index=0, part=part))
        return [*out, self._emit("response.reasoning_summary_text.delta", **where, summary_index=0, delta=text)]

    def _arguments(self, s: _Slot, arguments: str) -> list[WireEvent]:
        if not arguments:
            return []
        s.text += arguments
        where = {"item_id": s.item_id, "output_index": s.output_index}
        return [self._emit("response.function_call_arguments.delta", **where, delta=arguments)]

    def _sign(self, s: _Slot, ev: ThinkingDelta) -> None:
        """A signature is only written in the item's ``output_item.done`` (``encrypted_content``)."""
        if ev.signature is not None:
            s.signature = (s.signature or "") + ev.signature
        if ev.origin is not None:
            s.origin = ev.origin

    def _reasoning_done(self, s: _Slot, part: Thinking | RedactedThinking, raw: dict[str, Any]) -> list[WireEvent]:
        where = {"item_id": s.item_id, "output_index": s.output_index}
        out: list[WireEvent] = []
        if s.summary:
            text = s.text
            out.append(self._emit("response.reasoning_summary_text.done", **where, summary_index=0, text=text))
            part_done = {"type": "summary_text", "text": text}
            out.append(self._emit("response.reasoning_summary_part.done", **where, summary_index=0, part=part_done))
        # the item the reply body writes (a foreign signature left out), its losses reported there
        item = _reasoning_item(part, 0, s.output_index, raw, EncodeContext(NAME))
        item["id"] = s.item_id
        return [*out, self._emit("response.output_item.done", output_index=s.output_index, item=item)]

    # -- the hooks ------------------------------------------------------------------------------

    def _start(self) -> list[WireEvent]:
        a = self.assembler
        response = {**_head(a.id, a.model), "status": "in_progress", "output": [], **_tail(), "usage": None}
        return [self._emit("response.created", response=response)]

    def _begin(self, k: int, ev: Piece) -> list[WireEvent]:
        if isinstance(ev, TextDelta):
            return self._open_text(k) + self._piece(k, ev)
        if isinstance(ev, ThinkingDelta):
            return self._open_reasoning(k, self._raw(k)) + self._piece(k, ev)
        if isinstance(ev, ToolCallStart):
            return self._open_call(k, ev.id, ev.name)
        return self._open_call(k, "", "") + self._piece(k, ev)  # arguments before the call's start

    def _piece(self, k: int, ev: Piece) -> list[WireEvent]:
        s = self._slots[k]
        if isinstance(ev, ThinkingDelta):
            self._sign(s, ev)
        if isinstance(ev, TextDelta | ThinkingDelta) and s.kind != "call":
            return self._text(s, ev.text)
        if isinstance(ev, ToolCallDelta) and s.kind == "call":
            return self._arguments(s, ev.arguments)
        return []  # a piece of another kind of part: the assembled part is checked at the end

    def _close(self, k: int) -> list[WireEvent]:
        s = self._slots.get(k)
        if s is None or s.closed:  # a whole part, written already
            return []
        s.closed = True
        where = {"item_id": s.item_id, "output_index": s.output_index}
        if s.kind == "text":
            part = _output_text_part(s.text, self._raw(k))  # with the annotations and logprobs known now
            if self._message is not None and self._message[0] == s.output_index:  # closes before its message
                self._message[1][s.content_index] = part
            at = {**where, "content_index": s.content_index}
            out = [
                self._emit("response.output_text.annotation.added", **at, annotation_index=n, annotation=a)
                for n, a in enumerate(part["annotations"])
            ]
            return [
                *out,
                self._emit("response.output_text.done", **at, text=s.text, logprobs=part.get("logprobs", [])),
                self._emit("response.content_part.done", **at, part=dict(part)),
            ]
        if s.kind == "reasoning":
            thinking = Thinking(text=s.text, signature=s.signature, origin=s.origin)
            return self._reasoning_done(s, thinking, self._raw(k))
        arguments = s.text if s.text.strip() else "{}"
        item = _call_item(s.item_id, s.call_id, s.name, arguments, "completed")
        return [
            self._emit("response.function_call_arguments.done", **where, arguments=arguments),
            self._emit("response.output_item.done", output_index=s.output_index, item=item),
        ]

    def _whole(self, k: int, part: Part) -> list[WireEvent]:
        if isinstance(part, Text):
            return self._open_text(k) + self._text(self._slots[k], part.text) + self._close(k)
        if isinstance(part, Thinking):
            out = self._open_reasoning(k, part.provider_options.get(NAME, {}))
            s = self._slots[k]
            s.signature, s.origin, s.closed = part.signature, part.origin, True
            return (
                out
                + self._text(s, part.text)
                + self._reasoning_done(s, part, dict(part.provider_options.get(NAME, {})))
            )
        if isinstance(part, ToolUse):
            out = self._open_call(k, part.id, part.name)
            return out + self._arguments(self._slots[k], msgspec.json.encode(part.input).decode()) + self._close(k)
        if isinstance(part, Refusal):
            where, out = self._content_part(
                {"type": "refusal", "refusal": part.text}, {"type": "refusal", "refusal": ""}
            )
            if part.text:
                out.append(self._emit("response.refusal.delta", **where, delta=part.text))
            done = {"type": "refusal", "refusal": part.text}
            out.append(self._emit("response.refusal.done", **where, refusal=part.text))
            return [*out, self._emit("response.content_part.done", **where, part=done)]
        if isinstance(part, RedactedThinking) and foreign_reasoning(part, "openai") is None:
            out = self._open_reasoning(k, part.provider_options.get(NAME, {}))
            s = self._slots[k]
            s.closed = True
            return out + self._reasoning_done(s, part, dict(part.provider_options.get(NAME, {})))
        if isinstance(part, ProviderPart) and part.codec == NAME:
            if type_of(part.data) in _CONTENT_TYPES:
                where, out = self._content_part(dict(part.data), dict(part.data))
                return [*out, self._emit("response.content_part.done", **where, part=dict(part.data))]
            index, out = self._add_item(dict(part.data))
            return [*out, self._emit("response.output_item.done", output_index=index, item=dict(part.data))]
        return []  # the reply drops it (reported by encode_reply)

    def _error_end(self, response: Response, body: dict[str, Any], error: ReplyError) -> list[WireEvent]:
        """The ``error`` event (``response_error_event.py``), where the stream ends: the items
        open stay open, and the usage, which only the terminal event carries, is not written."""
        self._report_late_ids()
        if response.usage is not None:
            self.stream_loss(("usage",), LossKind.DROPPED, "the stream ends at the error event, before the usage")
        position = self.positions()
        for k, slot in self._slots.items():
            if slot.kind == "reasoning" and not slot.closed and slot.signature is not None:
                # output_item.done, never written, carries the encrypted content (and the origin it tells)
                self.withdraw(("content", position[k], "origin"), LossKind.CHANGED)
                why = "the stream ends at the error, before the reasoning item is done: its encrypted content is lost"
                self.ctx.lossy(("content", position[k]), LossKind.CHANGED, why)
        for key in response.provider_options.get(NAME, {}):  # created_at, instructions, ...
            if key == "output_ids":  # said by the items' own events, which the stream wrote
                continue
            why = "the stream ends at the error event; only the terminal response event carries the response's fields"
            self.stream_loss(("provider_options", NAME, key), LossKind.DROPPED, why)
        self.withdraw_under(("error",))  # the body's failed-response error is not written: the event's losses
        code = error_named(error, "code", self.ctx)
        return [self._emit("error", code=code, message=error.message, param=None)]

    def _end(self, response: Response, body: dict[str, Any]) -> list[WireEvent]:
        out = self._message_done()
        self._report_late_ids()
        kind = _TERMINAL.get(body.get("status", ""), "response.completed")
        return [*out, self._emit(kind, response=dict(body))]

    def _report_late_ids(self) -> None:
        """A reasoning item's id that came after the item was opened: the stream names the item
        by the id it was opened with (the body, ``response.completed``, by its own)."""
        position = self.positions()
        for k, s in self._slots.items():
            if s.kind != "reasoning" or k in self.assembler.extra_parts:
                continue
            own = self._raw(k).get("id")
            if isinstance(own, str) and own != s.item_id:
                why = f"the reasoning item id came after the item was opened; streamed as {s.item_id!r}"
                self.ctx.lossy(("content", position[k], "provider_options", NAME, "id"), LossKind.CHANGED, why)
