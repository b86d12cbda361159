"""Gemini replies: ``GenerateContentResponse`` <-> IR :class:`Response`, usage, stop reasons,
and the ``streamGenerateContent?alt=sse`` stream decoder and encoder.

Wire: ``types.GenerateContentResponse``; REST keys from ``models.py``
``_GenerateContentResponse_from_mldev``; PROVIDERS.md 7a.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

import msgspec

from ir_codec.codec import EncodeContext, expect_object, load_json, wire_convert
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Audio,
    Document,
    Image,
    Part,
    ProviderPart,
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
    error_as_number,
    error_stop,
    merge_raw,
    part_options,
    reply_error,
    wire_stop_reason,
    write_or_zero,
)
from ir_codec.stream import (
    MessageStart,
    ResponseAssembler,
    Stop,
    StreamDecoder,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
)

from .lift import PART_KINDS, lift_part, opts
from .wire import NAME, WGenerateContentResponse, WUsageMetadata, assign_ids, norm_content, omit_derived_ids

if TYPE_CHECKING:
    from ir_codec.codec import Codec

__all__ = [
    "GeminiStreamDecoder",
    "GeminiStreamEncoder",
    "decode_response",
    "encode_reply",
    "normalize_reply",
    "usage_from_wire",
]

# types.FinishReason -> IR StopReason. Gemini answers STOP also after a function call and after
# a stop sequence (it has no separate reason for either): STOP with a functionCall part in the
# content is `tool_use`, otherwise `end_turn`.
_FINISH: dict[str, StopReason] = {
    "STOP": "end_turn",
    "MAX_TOKENS": "max_tokens",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
    "MALFORMED_FUNCTION_CALL": "error",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "MISSING_THOUGHT_SIGNATURE": "error",
    "MALFORMED_RESPONSE": "error",
    "LANGUAGE": "other",
    "OTHER": "other",
    "IMAGE_OTHER": "other",
    "NO_IMAGE": "other",
    "FINISH_REASON_UNSPECIFIED": "other",
}


def usage_from_wire(raw: Mapping[str, Any] | None) -> Usage | None:
    """Normalize ``usageMetadata`` (camelCase or snake_case) into the IR's disjoint buckets;
    ``None`` when the reply has none.

    ``totalTokenCount = promptTokenCount + toolUsePromptTokenCount + candidatesTokenCount +
    thoughtsTokenCount`` (PROVIDERS.md §7a, §13): tool-use prompt tokens (results of
    server-side tool runs fed back to the model) are billed as input, thoughts as output.
    ``promptTokenCount`` includes the cached tokens (``cachedContentTokenCount``). So
    ``input = prompt + toolUsePrompt``, split by :meth:`Usage.from_inclusive` (``cache_read =
    cached``, capped at the input; ``uncached`` the rest), ``output = candidates + thoughts``,
    ``reasoning = thoughts`` (``None`` when ``thoughtsTokenCount`` is absent: a model that does
    not think), and the buckets add up to ``totalTokenCount``. Gemini reports no cache writes:
    ``cache_write_tokens`` is ``None``. The other counters of a present ``usageMetadata`` that
    are absent (or null) are 0: proto3 JSON leaves out fields that hold their default value.
    """
    if raw is None:
        return None
    raw = _camel_tree(expect_object(raw, "$.usageMetadata"))
    u = wire_convert(raw, WUsageMetadata, "$.usageMetadata")
    return Usage.from_inclusive(
        u.prompt_token_count + u.tool_use_prompt_token_count,
        cache_read_tokens=u.cached_content_token_count,
        output_tokens=u.candidates_token_count + u.thoughts_token_count,
        reasoning_tokens=u.thoughts_token_count if "thoughtsTokenCount" in raw else None,
    )


# --------------------------------------------------------------------------------------------
# snake_case replies (google-genai ``model_dump()``): one normalization, then the camelCase path


_SDK_ONLY = frozenset({"sdk_http_response", "automatic_function_calling_history", "parsed"})
"""Fields of the SDK's ``GenerateContentResponse`` model that are not REST fields (types.py);
kept raw where they hold something, never renamed inside."""


def _camel_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _camel_tree(value: Any) -> Any:
    """A metadata subtree (usage, safety ratings, citations, grounding, prompt feedback, ...)
    with camelCase keys and no null members. These are proto messages without free-form maps,
    so every key is a field name; proto3 JSON reads ``null`` as the field's default, i.e.
    absent (https://protobuf.dev/programming-guides/json/)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if v is None:
                continue
            ck = _camel_key(k) if isinstance(k, str) else k
            if ck in out:
                raise DecodeError(f"$.{ck}", "one spelling of the field", "both snake_case and camelCase")
            out[ck] = _camel_tree(v)
        return out
    if isinstance(value, list):
        return [_camel_tree(v) for v in value]
    return value


def _no_nulls(value: Any) -> Any:
    """An object without its null members (proto3 JSON: null is the default, i.e. absent)."""
    return {k: v for k, v in value.items() if v is not None} if isinstance(value, dict) else value


_PAYLOADS = frozenset(
    {
        "functionCall",
        "function_call",
        "functionResponse",
        "function_response",
        "inlineData",
        "inline_data",
        "fileData",
        "file_data",
        "executableCode",
        "executable_code",
        "codeExecutionResult",
        "code_execution_result",
        "videoMetadata",
        "video_metadata",
    }
)
"""Part payload objects (types.Part) whose null members ``model_dump()`` writes."""


def _norm_reply_part(part: Any) -> Any:
    """A part without null members, its payload object (``function_call``, ...) too; the
    values inside (``args``, ``response``) and free-form fields (``part_metadata``) are data
    and stay as they are. The keys are renamed by :func:`~.wire.norm_content` afterwards."""
    part = _no_nulls(part)
    if isinstance(part, dict):
        for k, v in part.items():
            if k in _PAYLOADS:
                part[k] = _no_nulls(v)
    return part


def normalize_reply(data: Mapping[str, Any]) -> dict[str, Any]:
    """A ``GenerateContentResponse`` (or stream chunk) in the REST spelling: google-genai's
    ``model_dump()`` gives snake_case keys and ``null`` for every unset field (``usage_metadata``,
    ``finish_reason``, ``prompt_token_count``, ``function_call``, ... in types.py); both
    spellings decode to the same Response. Parts go through the request side's part
    normalization (:func:`~.wire.norm_content`); ``functionCall.args`` and other data values
    are never renamed."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if v is None:
            continue
        if k in _SDK_ONLY:
            out[k] = v
            continue
        ck = _camel_key(k)
        if ck in out:
            raise DecodeError(f"$.{ck}", "one spelling of the field", "both snake_case and camelCase")
        if ck == "candidates" and isinstance(v, list):
            out[ck] = [_norm_candidate(c, f"$.candidates[{i}]") for i, c in enumerate(v)]
        else:
            out[ck] = _camel_tree(v)
    return out


def _norm_candidate(value: Any, path: str) -> Any:
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        if v is None:
            continue
        ck = _camel_key(k)
        if ck in out:
            raise DecodeError(f"{path}.{ck}", "one spelling of the field", "both snake_case and camelCase")
        if ck == "content" and isinstance(v, dict):
            content = _no_nulls(v)
            if isinstance(content.get("parts"), list):
                content["parts"] = [_norm_reply_part(p) for p in content["parts"]]
            out[ck] = content
        else:
            out[ck] = _camel_tree(v)
    return out


def _stop_reason(raw: str | None, has_call: bool) -> StopReason | None:
    if raw is None:
        return None
    if raw == "STOP" and has_call:
        return "tool_use"
    return _FINISH.get(raw, "other")


def _blocked(data: Mapping[str, Any]) -> str | None:
    """``promptFeedback.blockReason``: the prompt itself was blocked (no candidates)."""
    feedback = data.get("promptFeedback")
    return feedback.get("blockReason") if isinstance(feedback, dict) else None


def _first(candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The candidate the IR response holds (index 0); the others stay raw."""
    return next((c for c in candidates if c.get("index", 0) == 0), None)


def _reply_options(data: Mapping[str, Any], first: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """``provider_options`` of the IR response: every top-level field the IR does not map, the
    first candidate's own fields (``candidate``) and the other candidates, raw (``candidates``,
    for candidateCount > 1)."""
    options: dict[str, Any] = {
        k: v for k, v in data.items() if k not in ("candidates", "modelVersion", "responseId", "error")
    }
    rest = (
        {k: v for k, v in data["error"].items() if k not in _ERROR_KEYS} if isinstance(data.get("error"), dict) else {}
    )
    if rest:  # the error's fields beyond ReplyError's (details)
        options["error"] = rest
    if "usageMetadata" in options and _rewrites(options["usageMetadata"]):
        del options["usageMetadata"]  # the IR usage writes it back as it is
    if first is not None:
        extra = {k: v for k, v in first.items() if k not in ("content", "finishReason")}
        if extra:
            options["candidate"] = extra
    others = [c for c in data.get("candidates", []) if c is not first]
    if others:
        options["candidates"] = others
    return opts(options)


_ERROR_KEYS = ("code", "message", "status")
"""The fields of Gemini's error object (``google.rpc.Status``) that :class:`ReplyError` holds."""


_STATUS_CODES = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ABORTED": 409,
    "ALREADY_EXISTS": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "INTERNAL": 500,
    "UNKNOWN": 500,
    "DATA_LOSS": 500,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}
"""The HTTP code of each ``google.rpc.Code`` status (``google/rpc/code.proto``), for an error
whose code is not a number (another provider's)."""


def _error(data: Mapping[str, Any]) -> ReplyError | None:
    """The error a stream ended with: a chunk ``{"error": {"code": 500, "message": ...,
    "status": "INTERNAL"}}``, which the SDK raises (``google/genai/_api_client.py``)."""
    return reply_error(data.get("error"), "$.error", type_key="status", code_key="code")


def _rewrites(raw: Any) -> bool:
    """Whether the IR usage of ``raw`` writes exactly ``raw`` back (then it need not be kept)."""
    usage = usage_from_wire(raw) if isinstance(raw, dict) else None
    if usage is None:
        return False
    written = _usage_body(usage, EncodeContext(NAME))
    return _nonzero(written) == _nonzero(_camel_tree(raw))


def _nonzero(usage: dict[str, Any]) -> dict[str, Any]:
    """Counters as proto3 JSON compares them: a 0 is absent (``thoughtsTokenCount`` excepted,
    whose presence says the model thinks)."""
    return {k: v for k, v in usage.items() if v != 0 or k == "thoughtsTokenCount"}


def decode_response(payload: Any) -> Response:
    """Lift a ``GenerateContentResponse`` to an IR :class:`Response` (its first candidate)."""
    data = normalize_reply(expect_object(load_json(payload), "$"))
    wire_convert(data, WGenerateContentResponse)
    first = _first(data.get("candidates", []))
    content: list[Part] = []
    raw_stop: str | None = None
    if first is not None:
        parts = norm_content(first.get("content", {}), "$.candidates[0].content").get("parts", [])
        ids, names = assign_ids([{"parts": parts}])
        content = [lift_part(p, ids, names, (0, j), f"$.candidates[0].content.parts[{j}]") for j, p in enumerate(parts)]
        raw_stop = first.get("finishReason")
    stop = _stop_reason(raw_stop, any(isinstance(p, ToolUse) for p in content))
    if first is None and _blocked(data) is not None:
        raw_stop, stop = _blocked(data), "content_filter"
    error = _error(data)
    if error is not None:
        raw_stop, stop = error_stop(error).raw_stop_reason, "error"  # as the stream reads it
    return Response(
        id=data.get("responseId"),
        model=data.get("modelVersion"),
        content=content,
        stop_reason=stop,
        raw_stop_reason=raw_stop,
        usage=usage_from_wire(data.get("usageMetadata")),
        provider_options=_reply_options(data, first),
        error=error,
    )


_TEXT_KEYS = frozenset({"text", "thought", "thoughtSignature"})


class GeminiStreamDecoder(StreamDecoder):
    """``streamGenerateContent?alt=sse``: each SSE ``data`` is a partial GenerateContentResponse.

    Text arrives as consecutive text parts that belong together (the same ``thought`` flag, until
    a part carries a ``thoughtSignature``); ``functionCall`` parts arrive whole; ``usageMetadata``
    is cumulative (the last one counts) and ``finishReason`` comes with the last chunk. The
    decoder merges the chunks into the equivalent whole reply (:meth:`whole_response`) and feeds
    the assembler what decoding that reply gives beyond the IR events (each part's provider
    fields, parts that arrive whole, the reply's raw fields), so that :meth:`finish` is exactly
    ``decode_response`` of the whole reply.
    """

    def __init__(self) -> None:
        super().__init__()
        self._top: dict[str, Any] = {}
        self._cands: dict[int, dict[str, Any]] = {}
        self._calls: dict[int, _PartialCall] = {}

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        chunk = normalize_reply(expect_object(data, "$"))
        wire_convert(_without_pieces(chunk), WGenerateContentResponse)
        out: list[StreamEvent] = []
        if "responseId" in chunk or "modelVersion" in chunk:
            out.append(MessageStart(id=chunk.get("responseId"), model=chunk.get("modelVersion")))
        for key, value in chunk.items():
            if key != "candidates":
                self._top[key] = value
        for cand in chunk.get("candidates", []):
            idx = cand.get("index", 0)
            state = self._cands.setdefault(idx, {"parts": [], "extra": {}})
            for key, value in cand.items():
                if key != "content":
                    state["extra"][key] = value
            content = norm_content(cand.get("content", {}), f"$.candidates[{idx}].content")
            for key, value in content.items():
                if key != "parts":
                    state.setdefault("content_extra", {})[key] = value
            for k, part in enumerate(content.get("parts", [])):
                whole = self._partial(idx, part, f"$.candidates[{idx}].content.parts[{k}]")
                if whole is not None:
                    out += self._add_part(idx, state, whole)
            if "finishReason" in cand:
                out += self._close_call(idx)
            if idx == 0 and "finishReason" in cand:
                has_call = any("functionCall" in p for p in state["parts"])
                out.append(
                    Stop(stop_reason=_stop_reason(cand["finishReason"], has_call), raw_stop_reason=cand["finishReason"])
                )
        blocked = _blocked(chunk)
        if blocked is not None and 0 not in self._cands:
            out.append(Stop(stop_reason="content_filter", raw_stop_reason=blocked))
        error = _error(chunk)
        if error is not None:
            out.append(error_stop(error))
        usage = usage_from_wire(chunk.get("usageMetadata"))
        if usage is not None:
            out.append(UsageUpdate(usage=usage))
        whole = self.whole_response()
        self.assembler.response_options = _reply_options(whole, _first(whole.get("candidates", [])))
        return out

    def _add_part(self, idx: int, state: dict[str, Any], part: dict[str, Any]) -> list[StreamEvent]:
        j = _merge(state["parts"], part)
        return self._part_events(state["parts"], j, part) if idx == 0 else []

    def _partial(self, idx: int, part: dict[str, Any], path: str) -> dict[str, Any] | None:
        """A ``functionCall`` streamed in pieces (Vertex; google-genai types.py ``FunctionCall``:
        ``partial_args`` "represents the arguments/fields that are streamed incrementally",
        ``will_continue``: "another partial message for the current FunctionCall is expected to
        follow"; PROVIDERS.md §13): the pieces are joined into one call, and an empty
        ``functionCall`` (or the first piece without ``willContinue``) closes it. Returns the
        part to merge now: this one when it is not a piece, the whole call when it closes."""
        call = part.get("functionCall")
        pending = self._calls.get(idx)
        if not isinstance(call, dict) or (pending is None and not {"partialArgs", "willContinue"} & set(call)):
            return part
        if pending is None:
            pending = self._calls[idx] = _PartialCall()
        pending.add(part, call, f"{path}.functionCall")
        if call.get("willContinue") is True:
            return None
        del self._calls[idx]
        return pending.whole(f"{path}.functionCall")

    def _close_call(self, idx: int) -> list[StreamEvent]:
        """A call still open when its candidate finishes (or the stream ends) is closed there."""
        pending = self._calls.pop(idx, None)
        if pending is None:
            return []
        state = self._cands.setdefault(idx, {"parts": [], "extra": {}})
        return self._add_part(idx, state, pending.whole(f"$.candidates[{idx}].content.parts"))

    def _end(self) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        for idx in list(self._calls):
            out += self._close_call(idx)
        return out

    def _part_events(self, parts: list[dict[str, Any]], j: int, piece: dict[str, Any]) -> list[StreamEvent]:
        """The IR events of ``piece``, now merged into the first candidate's part ``j``."""
        ids, names = assign_ids([{"parts": parts}])
        part = lift_part(parts[j], ids, names, (0, j), f"$.candidates[0].content.parts[{j}]")
        match part:
            case Text():
                events: list[StreamEvent] = [TextDelta(index=j, text=piece["text"])]
            case Thinking():
                sig = piece.get("thoughtSignature")
                events = [ThinkingDelta(index=j, text=piece["text"], signature=sig, origin=part.origin)]
            case ToolUse():
                args = msgspec.json.encode(part.input).decode()
                events = [ToolCallStart(index=j, id=part.id, name=part.name), ToolCallDelta(index=j, arguments=args)]
            case _:  # media, function responses, opaque parts: whole, without an IR event of their own
                self.assembler.add_part(j, part)
                return []
        self.assembler.set_part_options(j, part.provider_options)
        return events

    def whole_response(self) -> dict[str, Any]:
        """The equivalent non-streamed reply assembled from the chunks so far."""
        body = dict(self._top)
        cands = []
        for idx in sorted(self._cands):
            state = self._cands[idx]
            cand: dict[str, Any] = {"content": {**state.get("content_extra", {}), "parts": state["parts"]}}
            cand.update(state["extra"])
            cands.append(cand)
        if cands:
            body["candidates"] = cands
        return body


def _merge(parts: list[dict[str, Any]], part: dict[str, Any]) -> int:
    """Append ``part`` to the merged parts, or join a text piece to the text part before it;
    returns the index it went to. Only text pieces join (a piece holding another payload field
    starts a part of its own)."""
    if "text" in part and parts and not any(k in part for k in PART_KINDS if k != "text"):
        last = parts[-1]
        if (
            "text" in last
            and bool(last.get("thought")) == bool(part.get("thought"))
            and "thoughtSignature" not in last
            and not set(last) - _TEXT_KEYS
        ):
            last["text"] += part["text"]
            for k, v in part.items():
                if k != "text":
                    last[k] = v
            return len(parts) - 1
    parts.append(dict(part))
    return len(parts) - 1


def _is_piece(part: Any) -> bool:
    """A piece of a ``functionCall`` streamed in pieces (see ``GeminiStreamDecoder._partial``)."""
    call = part.get("functionCall") if isinstance(part, dict) else None
    return isinstance(call, dict) and ("name" not in call or bool({"partialArgs", "willContinue"} & set(call)))


def _without_pieces(chunk: dict[str, Any]) -> dict[str, Any]:
    """The chunk to check against the wire types: pieces of a call are checked when joined."""
    cands = chunk.get("candidates")
    if not isinstance(cands, list):
        return chunk
    out = []
    for cand in cands:
        content = cand.get("content") if isinstance(cand, dict) else None
        parts = content.get("parts") if isinstance(content, dict) else None
        if isinstance(content, dict) and isinstance(parts, list) and any(_is_piece(p) for p in parts):
            cand = {**cand, "content": {**content, "parts": [p for p in parts if not _is_piece(p)]}}
        out.append(cand)
    return {**chunk, "candidates": out}


class _PartialCall:
    """One ``functionCall`` arriving in pieces: its name, id, the other part fields (e.g. a
    ``thoughtSignature``) and the arguments built from ``partialArgs``."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.call: dict[str, Any] = {}
        self.args: dict[str, Any] = {}
        self.open_strings: set[str] = set()

    def add(self, part: dict[str, Any], call: dict[str, Any], path: str) -> None:
        for k, v in part.items():
            if k != "functionCall":
                self.fields[k] = v
        for k, v in call.items():
            if k == "args":
                self.args.update(expect_object(v, f"{path}.args"))
            elif k not in ("partialArgs", "willContinue"):
                self.call[k] = v
        pieces = call.get("partialArgs", [])
        if not isinstance(pieces, list):
            raise DecodeError(f"{path}.partialArgs", "a list", type(pieces).__name__)
        for n, raw in enumerate(pieces):
            self._apply(expect_object(raw, f"{path}.partialArgs[{n}]"), f"{path}.partialArgs[{n}]")

    def _apply(self, piece: dict[str, Any], path: str) -> None:
        """``PartialArg``: ``jsonPath`` (RFC 9535, e.g. ``$.foo.bar[0].data``) and one of
        ``stringValue``, ``numberValue``, ``boolValue``, ``nullValue``; ``willContinue``: "another
        PartialArg message for the current json_path is expected to follow" (a string goes on)."""
        where = piece.get("jsonPath")
        if not isinstance(where, str):
            raise DecodeError(f"{path}.jsonPath", "a JSON path string", type(where).__name__)
        keys = _json_path(where, f"{path}.jsonPath")
        if "stringValue" in piece:
            text = piece["stringValue"]
            if not isinstance(text, str):
                raise DecodeError(f"{path}.stringValue", "a string", type(text).__name__)
            if where in self.open_strings:
                text = str(_get(self.args, keys)) + text
            value: Any = text
        elif "numberValue" in piece:
            value = piece["numberValue"]
        elif "boolValue" in piece:
            value = piece["boolValue"]
        elif "nullValue" in piece:
            value = None
        else:  # only a path: the value comes in a later piece
            return
        _set(self.args, keys, value, f"{path}.jsonPath")
        if piece.get("willContinue") is True:
            self.open_strings.add(where)
        else:
            self.open_strings.discard(where)

    def whole(self, path: str) -> dict[str, Any]:
        if not isinstance(self.call.get("name"), str):
            raise DecodeError(f"{path}.name", "a function name in one of the pieces", "none")
        return {**self.fields, "functionCall": {**self.call, "args": self.args}}


_SEGMENT = re.compile(r"""\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]""")


def _json_path(text: str, path: str) -> list[str | int]:
    """The keys of a singular RFC 9535 path: ``$`` then ``.name``, ``['name']`` or ``[index]``."""
    if not text.startswith("$"):
        raise DecodeError(path, "an RFC 9535 path starting with $", text[:80])
    keys: list[str | int] = []
    pos = 1
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if m is None:
            raise DecodeError(path, "an RFC 9535 singular path (.name, ['name'], [index])", text[:80])
        name, index, single, double = m.groups()
        if index is not None:
            keys.append(int(index))
        else:
            quoted = single if single is not None else double
            keys.append(name if name is not None else re.sub(r"\\(.)", r"\1", quoted))
        pos = m.end()
    if not keys:
        raise DecodeError(path, "a path below $", text)
    return keys


def _get(root: Any, keys: list[str | int]) -> Any:
    for key in keys:
        root = root[key]
    return root


def _set(root: dict[str, Any], keys: list[str | int], value: Any, path: str) -> None:
    node: Any = root
    for key, nxt in zip(keys, [*keys[1:], None], strict=True):
        last = nxt is None
        if isinstance(key, int):
            if not isinstance(node, list):
                raise DecodeError(path, "a path that agrees with the arguments so far", "an index into a non-list")
            while len(node) <= key:
                node.append(None)
            if last:
                node[key] = value
            elif not isinstance(node[key], dict | list):
                node[key] = [] if isinstance(nxt, int) else {}
        else:
            if not isinstance(node, dict):
                raise DecodeError(path, "a path that agrees with the arguments so far", "a name into a non-object")
            if last:
                node[key] = value
            elif not isinstance(node.get(key), dict | list):
                node[key] = [] if isinstance(nxt, int) else {}
        if not last:
            node = node[key]


# --------------------------------------------------------------------------------------------
# Encoding replies (IR Response -> GenerateContentResponse)

_WRITE_FINISH: dict[StopReason, str] = {
    "end_turn": "STOP",
    "tool_use": "STOP",  # with a functionCall part it reads back as tool_use
    "max_tokens": "MAX_TOKENS",
    "content_filter": "SAFETY",
    "error": "MALFORMED_RESPONSE",
    "other": "OTHER",
}
"""IR stop reason -> ``types.FinishReason`` (the first value that reads back as it)."""

_REPLY_PARTS = (Text, Thinking, Refusal, ToolUse, ProviderPart, Image, Audio, Document)
"""What a model turn can hold (``types.Part``: text, thoughts, function calls, inline media)."""


def _usage_body(usage: Usage, ctx: EncodeContext) -> dict[str, Any]:
    """``usageMetadata`` (camelCase REST keys): ``promptTokenCount`` is the sum of the input
    buckets (Gemini counts cached tokens in it; it reports no cache writes, so written tokens
    are counted there as uncached input, reported), ``candidatesTokenCount + thoughtsTokenCount``
    the output, as :func:`usage_from_wire` reads them back."""
    why = "Gemini reads an absent counter as 0"
    if usage.uncached_input_tokens is None:
        write_or_zero(usage, "uncached_input_tokens", ctx, why)
    read = write_or_zero(usage, "cache_read_tokens", ctx, why)
    if usage.cache_write_tokens is not None:
        ctx.lossy(("usage", "cache_write_tokens"), LossKind.DROPPED, "Gemini reports no cache writes; counted as input")
        if usage.cache_write_tokens:
            ctx.lossy(("usage", "uncached_input_tokens"), LossKind.CHANGED, "holds the written tokens too")
    ttls = ("cache_write_5m_tokens", "cache_write_1h_tokens", "cache_write_30m_tokens", "cache_write_12h_tokens")
    drop_counters(usage, ttls, ctx, "Gemini reports no cache writes")
    prompt = usage.input_tokens or 0
    output = write_or_zero(usage, "output_tokens", ctx, why)
    thoughts = usage.reasoning_tokens
    out: dict[str, Any] = {"promptTokenCount": prompt}
    if read:
        out["cachedContentTokenCount"] = read
    out["candidatesTokenCount"] = output - (thoughts or 0)
    if thoughts is not None:
        out["thoughtsTokenCount"] = thoughts
    out["totalTokenCount"] = prompt + output
    return out


_ReplyPart: TypeAlias = Text | Thinking | Refusal | ToolUse | ProviderPart | Image | Audio | Document


def _in_reply(p: Part) -> TypeGuard[_ReplyPart]:
    """Whether a model turn holds ``p`` (the others are dropped: redacted thinking, tool
    results, another codec's provider part)."""
    return isinstance(p, _REPLY_PARTS) and not (isinstance(p, ProviderPart) and p.codec != NAME)


def _reply_part(p: Part, path: IRPath, ctx: EncodeContext) -> dict[str, Any] | None:
    """The wire part of the reply part ``p`` at ``path`` (``None``: dropped, reported), the
    same for the whole reply and its stream. Derived call ids are omitted afterwards, over the
    parts in order (:func:`~.wire.omit_derived_ids`)."""
    from .lower import _LOWER_PART  # the request side's part lowering: the same wire parts

    if not _in_reply(p):
        drop_part(p, path, ctx, "a Gemini model turn")
        return None
    if p.cache is not None:
        ctx.lossy((*path, "cache"), LossKind.DROPPED, "a reply carries no cache marks")
        p = msgspec.structs.replace(p, cache=None)
    own = getattr(p, "provider_options", {}).get(NAME, {})
    if any(v is None for v in own.values()):  # a reply part reads back without null members
        for k in [k for k, v in own.items() if v is None]:
            ctx.lossy((*path, "provider_options", NAME, k), LossKind.DROPPED, "a null member reads back as absent")
        kept = {k: v for k, v in own.items() if v is not None}
        p = msgspec.structs.replace(p, provider_options={**p.provider_options, NAME: kept})  # type: ignore[union-attr]
    if isinstance(p, Thinking):
        if p.signature is not None and p.origin not in (None, "gemini"):
            ctx.lossy((*path, "signature"), LossKind.DROPPED, f"a {p.origin} signature does not verify here")
            ctx.lossy((*path, "origin"), LossKind.DROPPED, "no signature is sent; the origin goes with it")
            p = msgspec.structs.replace(p, signature=None, origin=None)
        elif p.signature is not None and p.origin is None:
            ctx.lossy((*path, "origin"), LossKind.CHANGED, "a thoughtSignature reads back as Gemini's")
        elif p.signature is None and p.origin is not None:
            ctx.lossy((*path, "origin"), LossKind.DROPPED, "nothing is signed; the origin is not sent")
    wire = _LOWER_PART[type(p)](p, path, {}, ctx)
    for key in ("functionCall", "functionResponse"):  # ids may be omitted: not in the part's own data
        if isinstance(wire.get(key), dict):
            wire[key] = dict(wire[key])
    return wire


def _reply_parts(response: Response, ctx: EncodeContext) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for j, p in enumerate(response.content):
        part = _reply_part(p, ("content", j), ctx)
        if part is not None:
            parts.append(part)
    omit_derived_ids([{"role": "model", "parts": parts}])
    return parts


def encode_reply(response: Response, ctx: EncodeContext) -> dict[str, Any]:
    """The ``GenerateContentResponse`` of ``response`` (REST camelCase; the first candidate, the
    others and the reply's raw fields from ``provider_options["gemini"]``)."""
    own = part_options(response.provider_options, None, (), ctx, NAME)
    parts = _reply_parts(response, ctx)
    body: dict[str, Any] = {}
    blocked = _blocked(own)
    if not parts and blocked is not None and blocked == response.raw_stop_reason and "candidate" not in own:
        # the prompt was blocked: no candidates, promptFeedback.blockReason says why
        if response.stop_reason != "content_filter":
            ctx.lossy(("stop_reason",), LossKind.CHANGED, "a blocked prompt reads back as content_filter")
    else:
        has_call = any("functionCall" in p for p in parts)
        if response.error is None:
            finish = wire_stop_reason(response, ctx, lambda w: _stop_reason(w, has_call), _WRITE_FINISH, None)
        else:  # the reply ended with the error, before a finish reason
            finish = None
            if response.stop_reason != "error":
                ctx.lossy(
                    ("stop_reason",), LossKind.CHANGED, "a reply that ends with an error reads as stop reason 'error'"
                )
        cand: dict[str, Any] = {"content": {"role": "model", "parts": parts}}
        if finish is not None:
            cand["finishReason"] = finish
        extra = own.pop("candidate", {})
        merge_raw(cand, extra if isinstance(extra, dict) else {}, ("provider_options",), ctx, NAME)
        body["candidates"] = [cand, *own.pop("candidates", [])]
    raw_usage = own.pop("usageMetadata", None)
    if response.usage is not None:
        if raw_usage is not None and usage_from_wire(raw_usage) == response.usage:
            body["usageMetadata"] = raw_usage  # as the provider wrote it (details by modality, ...)
        else:
            body["usageMetadata"] = _usage_body(response.usage, ctx)
            if raw_usage is not None:
                ctx.lossy(("provider_options", NAME, "usageMetadata"), LossKind.CHANGED, "rewritten from the IR usage")
    elif raw_usage is not None:
        ctx.lossy(("provider_options", NAME, "usageMetadata"), LossKind.DROPPED, "the Response has no usage")
    if response.model is not None:
        body["modelVersion"] = response.model
    if response.id is not None:
        body["responseId"] = response.id
    for k in [k for k, v in own.items() if _camel_tree({k: v}) != {k: v}]:
        why = "reads back in camelCase and without null members (proto3 JSON)"
        ctx.lossy(("provider_options", NAME, k), LossKind.DROPPED, why)
        del own[k]
    if response.error is not None:  # first: the SDK knows an error chunk by its first key
        error = response.error
        code = error_as_number(error.code)
        if not isinstance(code, int):  # the SDK picks its exception by the number
            code = _STATUS_CODES.get(error.type or "", 500)
            why = f"Gemini's error code is a number (the SDK raises by it): written as {code}"
            ctx.lossy(("error", "code"), LossKind.CHANGED, why)
        wire = {"code": code, "message": error.message, "status": error.type}
        wire = {k: v for k, v in wire.items() if v is not None}
        rest = own.pop("error", {})
        merge_raw(wire, rest if isinstance(rest, dict) else {}, ("error",), ctx, NAME)
        body = {"error": wire, **body}
    merge_raw(body, own, (), ctx, NAME)
    return body


# --------------------------------------------------------------------------------------------
# The stream encoder: IR stream events -> ``streamGenerateContent?alt=sse`` chunks, as they come


class GeminiStreamEncoder(StreamEncoder):
    """IR stream events to ``streamGenerateContent?alt=sse`` chunks, each a partial
    ``GenerateContentResponse`` (google-genai ``types.py`` ``GenerateContentResponse``; the
    recorded shape of ``tests/responses/gemini/*.stream.json``). Gemini has no opening event:
    the first chunk is the first one with content. Each chunk carries ``modelVersion`` and
    ``responseId`` as far as they are known.

    - a text or thought piece: a chunk holding it as its one part (``{"text": piece}``,
      ``{"text": piece, "thought": true}``), written at once;
    - when a text or thought part closes: what ends it on the wire, its ``thoughtSignature``
      and its own provider fields, in a chunk ``{"text": "", "thought": true,
      "thoughtSignature": ...}`` that the decoder joins to the part (Gemini sends signatures
      so). Only then, because the decoder starts a new part after a signed one;
    - a function call: one ``functionCall`` part when it closes (the wire carries calls whole);
    - a part that arrives whole: its wire part at once;
    - at the end, a last chunk with the ``finishReason``, the ``usageMetadata`` and the reply's
      other fields, from the whole reply body (or, for a blocked prompt, that body).

    Each part is written as the whole reply writes it (:func:`_reply_part`, with a throw-away
    context: :meth:`finish` reports the whole reply's losses). What only the stream loses is
    reported at the end, from the parts the stream decoder assembles from the chunks written
    (:func:`_merge`, the decoder's own rule): consecutive text (or thought) parts that it joins
    as it joins Gemini's own pieces (``changed``; an empty one vanishes, ``dropped``), and a
    part that does not read back as the whole reply writes it (provider fields that arrived
    after it closed).
    """

    def __init__(self, codec: Codec) -> None:
        super().__init__(codec)
        """The source index of every part (their order gives the positions in the Response)."""
        self._pieces: dict[int, ResponseAssembler] = {}
        """Each streamed part as its own pieces assemble it."""
        self._thought: dict[int, bool] = {}
        """The streamed text (False) and thought (True) parts; the others are calls."""
        self._wire: list[dict[str, Any]] = []
        """The parts the stream decoder assembles from the chunks written so far."""
        self._members: list[list[int]] = []
        """The source indices whose chunks went into each of :attr:`_wire`."""
        self._landed: dict[int, set[int]] = {}
        """Source index -> the parts of :attr:`_wire` its chunks went into."""
        self._ids: list[dict[str, Any]] = []
        """The functionCall / functionResponse parts written, by name and id (for omit_derived_ids)."""
        self._done: tuple[Response, dict[str, Any]] | None = None

    def _start(self) -> list[WireEvent]:
        return []

    def _begin(self, k: int, ev: Piece) -> list[WireEvent]:
        self._pieces[k] = ResponseAssembler()
        self._pieces[k].apply(ev)
        if isinstance(ev, ToolCallStart | ToolCallDelta):
            return []  # written whole when it closes
        self._thought[k] = isinstance(ev, ThinkingDelta)
        return self._write(k, self._text_part(k, ev.text))

    def _piece(self, k: int, ev: Piece) -> list[WireEvent]:
        self._pieces[k].apply(ev)
        if k not in self._thought or not isinstance(ev, TextDelta | ThinkingDelta) or not ev.text:
            return []  # a call's arguments, or no text (a signature is written when the part closes)
        return self._write(k, self._text_part(k, ev.text))

    def _close(self, k: int) -> list[WireEvent]:
        if k not in self._pieces:
            return []  # a part that arrived whole: written already
        try:
            part = self._pieces[k].content()[0]
        except DecodeError:
            # a call closed before its arguments are whole JSON (the rest arrives late, reported
            # by the core; if it never does, finish raises this error): it cannot be written
            return []
        opts = self.assembler.part_options.get(k)
        if opts:
            part = msgspec.structs.replace(part, provider_options=opts)
        wire = _reply_part(part, ("content", k), EncodeContext(NAME))
        if wire is None:  # pragma: no cover - text, thoughts and calls are always in a reply
            return []
        if k not in self._thought:
            return self._write(k, self._with_ids(wire))
        ending = {key: v for key, v in wire.items() if key != "text"}
        if ending == {key: v for key, v in self._text_part(k, "").items() if key != "text"}:
            return []  # nothing beyond the pieces
        return self._write(k, {"text": "", **ending})

    def _whole(self, k: int, part: Part) -> list[WireEvent]:
        wire = _reply_part(part, ("content", k), EncodeContext(NAME))
        return [] if wire is None else self._write(k, self._with_ids(wire))

    def _end(self, response: Response, body: dict[str, Any]) -> list[WireEvent]:
        self._done = (response, body)
        error: list[WireEvent] = [(None, {"error": body["error"]})] if "error" in body else []
        body = {k: v for k, v in body.items() if k != "error"}
        cands = body.get("candidates", [])
        if not cands:  # a blocked prompt: promptFeedback, no candidates
            return [(None, dict(body)), *error]
        first = cands[0]
        last_cand = {k: v for k, v in first.items() if k != "content"}
        last_cand["content"] = {**{k: v for k, v in first["content"].items() if k != "parts"}, "parts": []}
        last = {k: v for k, v in body.items() if k != "candidates"}
        last["candidates"] = [last_cand, *cands[1:]]
        if error and len(last_cand) == 1 and len(cands) == 1 and not last.keys() - {"modelVersion", "responseId"}:
            return error  # nothing left to say but the error: the stream ends with it, as Gemini's does
        return [(None, last), *error]

    def finish(self) -> list[WireEvent]:
        out = super().finish()
        self._report_joins()
        return out

    # -- helpers ------------------------------------------------------------------------------

    def _text_part(self, k: int, text: str) -> dict[str, Any]:
        """The wire part of a piece of the text or thought part ``k``."""
        piece = Thinking(text=text) if self._thought[k] else Text(text=text)
        wire = _reply_part(piece, ("content", k), EncodeContext(NAME))
        assert wire is not None
        return wire

    def _with_ids(self, wire: dict[str, Any]) -> dict[str, Any]:
        """``wire`` without a derived call / response id, decided over the parts written before
        it as over the whole reply's parts (:func:`~.wire.omit_derived_ids`)."""
        if "functionCall" not in wire and "functionResponse" not in wire:
            return wire
        omit_derived_ids([{"parts": [*self._ids, wire]}])
        for key in ("functionCall", "functionResponse"):
            if isinstance(wire.get(key), dict):
                self._ids.append({key: {f: wire[key][f] for f in ("name", "id") if f in wire[key]}})
        return wire

    def _write(self, k: int, part: dict[str, Any]) -> list[WireEvent]:
        """The chunk of one part of source part ``k``; what the decoder makes of it is kept."""
        w = _merge(self._wire, part)
        if w == len(self._members):
            self._members.append([])
        if k not in self._members[w]:
            self._members[w].append(k)
        self._landed.setdefault(k, set()).add(w)
        known = (("modelVersion", self.assembler.model), ("responseId", self.assembler.id))
        head = {key: v for key, v in known if v is not None}
        return [(None, {"candidates": [{"content": {"role": "model", "parts": [part]}}], **head})]

    def _report_joins(self) -> None:
        """What only the stream loses: parts the decoder joins, and parts that do not read back
        as the whole reply writes them."""
        assert self._done is not None
        response, body = self._done
        position = self.positions()
        kept = [j for j, p in enumerate(response.content) if _in_reply(p)]
        cands = body.get("candidates") or [{}]
        whole = dict(zip(kept, cands[0].get("content", {}).get("parts", []), strict=True))

        def lossy(k: int, kind: LossKind, why: str) -> None:
            self.stream_loss(("content", position[k]), kind, why)

        for members in self._members:
            if len(members) < 2:
                continue
            # as for joined strings: empty plain pieces vanish; the others change when two or more join
            parts = {k: whole[position[k]] for k in members}
            full = [k for k in members if parts[k].get("text") or set(parts[k]) - {"text", "thought"}]
            full = full or members[:1]  # all empty: the first one stays
            for k in members:
                if k not in full:
                    lossy(k, LossKind.DROPPED, "an empty text piece vanishes in the stream")
                elif len(full) > 1:
                    lossy(k, LossKind.CHANGED, "consecutive text parts are one part in a Gemini stream")
        for k, landed in sorted(self._landed.items()):
            w = min(landed)
            if len(landed) > 1 or (self._members[w] == [k] and self._wire[w] != whole[position[k]]):
                why = "what arrived for this part after it was streamed (its provider fields) is not in the stream"
                lossy(k, LossKind.CHANGED, why)
