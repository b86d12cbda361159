"""Streaming: provider event streams to IR stream events and, at the end, a :class:`Response`.

A codec's :meth:`stream_decoder` returns a :class:`StreamDecoder`. Feed it the provider's
events one at a time (an SSE event's parsed JSON ``data``, or for Bedrock one ConverseStream
event object); it returns the IR :class:`StreamEvent` values that event carries and keeps
assembling. :meth:`StreamDecoder.finish` returns the same :class:`Response` that decoding the
non-streamed reply would give.

    dec = get_codec("anthropic").stream_decoder()
    for name, data in parse_sse(lines):
        for ev in dec.feed(data, name):
            ...
    response = dec.finish()
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import msgspec

from ._json import load_json
from .errors import DecodeError
from .ir import Part, ProviderOptions, ReplyError, Response, StopReason, Text, Thinking, ToolUse, Usage

__all__ = [
    "MessageStart",
    "PartOptions",
    "ReplyOptions",
    "ResponseAssembler",
    "SSEReader",
    "Stop",
    "StreamDecoder",
    "StreamEvent",
    "TextDelta",
    "ThinkingDelta",
    "ToolCallDelta",
    "ToolCallStart",
    "UsageUpdate",
    "WholePart",
    "event_type",
    "events_of",
    "parse_sse",
]


class StreamEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", omit_defaults=True):
    pass


class MessageStart(StreamEvent, frozen=True, kw_only=True, tag="message_start"):
    id: str | None = None
    model: str | None = None


class TextDelta(StreamEvent, frozen=True, kw_only=True, tag="text_delta"):
    index: int
    text: str


class ThinkingDelta(StreamEvent, frozen=True, kw_only=True, tag="thinking_delta"):
    index: int
    text: str = ""
    signature: str | None = None
    origin: str | None = None
    """Who signed the thinking (``Thinking.origin``), where this piece tells; the last one given wins."""


class ToolCallStart(StreamEvent, frozen=True, kw_only=True, tag="tool_call_start"):
    index: int
    id: str
    name: str


class ToolCallDelta(StreamEvent, frozen=True, kw_only=True, tag="tool_call_delta"):
    """A piece of the JSON text of a tool call's arguments."""

    index: int
    arguments: str


class UsageUpdate(StreamEvent, frozen=True, kw_only=True, tag="usage"):
    """The usage known so far (replaces earlier updates: providers send cumulative counts)."""

    usage: Usage


class Stop(StreamEvent, frozen=True, kw_only=True, tag="stop"):
    stop_reason: StopReason | None
    raw_stop_reason: str | None = None
    error: ReplyError | None = None
    """The error that ended the stream (``stop_reason`` ``"error"``): ``Response.error``."""


class WholePart(StreamEvent, frozen=True, kw_only=True, tag="part"):
    """A part that arrived whole (a redacted thinking block, a refusal, a provider's own block).
    At the index of a streamed part it replaces what the pieces assembled (a decoder that reads
    the pieces itself, e.g. tool-call arguments kept byte for byte)."""

    index: int
    part: Part


class PartOptions(StreamEvent, frozen=True, kw_only=True, tag="part_options"):
    """The provider fields of the part streamed at ``index`` (citations on a text block);
    replaces earlier ones."""

    index: int
    provider_options: ProviderOptions


class ReplyOptions(StreamEvent, frozen=True, kw_only=True, tag="reply_options"):
    """The provider fields of the reply itself (``Response.provider_options``) known so far;
    replaces earlier ones."""

    provider_options: ProviderOptions


_OPENED: dict[str, dict[str, Any]] = {
    "text": {"kind": "text", "text": ""},
    "thinking": {"kind": "thinking", "text": "", "signature": None, "origin": None},
    "tool": {"kind": "tool", "id": "", "name": "", "arguments": ""},
}
"""A part as its first piece opens it (the assembler's record, copied)."""


def _index(index: Any) -> int:
    if type(index) is not int:
        raise DecodeError("content", "an integer part index", _json_kind(index))
    return index


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise DecodeError(path, "a string", _json_kind(value))
    return value


def _reply_error(error: Any) -> ReplyError | None:
    """``error`` of a :class:`Stop`, checked: a :class:`ReplyError` of a string ``message`` and
    a string (or no) ``type`` and ``code``."""
    if error is None:
        return None
    if not isinstance(error, ReplyError):
        raise DecodeError("error", "an ir_codec ReplyError", type(error).__name__)
    _str(error.message, "error.message")
    for field in ("type", "code"):
        if getattr(error, field) is not None:
            _str(getattr(error, field), f"error.{field}")
    return error


def _takes(index: int, part: dict[str, Any], field: str, piece: Any) -> None:
    """Nothing when ``part`` (streamed at ``index``) takes a string ``piece`` for ``field``;
    else the DecodeError: a piece of another kind of part, or no string."""
    if field in part and isinstance(piece, str):
        return
    if isinstance(piece, str):
        raise DecodeError(f"content[{index}]", f"a part that takes {field} pieces", f"a {part['kind']} part")
    raise DecodeError(f"content[{index}].{field}", "a string", _json_kind(piece))


def _json_kind(value: Any) -> str:
    """``value``'s kind in JSON words (what a decoder read from the wire)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


def event_type(data: Mapping[str, Any], name: str | None) -> str | None:
    """The type of a provider event whose JSON names it (``"type"``, else the SSE event name):
    ``None`` when neither does, a :class:`~ir_codec.errors.DecodeError` when it is no string. A
    decoder passes over the types it does not know (``ping``, events added later)."""
    t = data.get("type", name)
    if t is not None and not isinstance(t, str):
        raise DecodeError("$.type", "an event type string", type(t).__name__)
    return t


class ResponseAssembler:
    """Builds a :class:`Response` from IR stream events, in the order the parts were opened.

    Codec hooks (a decoder never patches the assembled response after the fact):
    :meth:`add_part` for a whole part that arrived in one event, :meth:`set_part_options` for
    provider fields of a streamed part (citations on a text block), and
    :attr:`response_options` for provider fields of the reply itself.
    """

    def __init__(self) -> None:
        self._recorded: list[StreamEvent] = []
        self.id: str | None = None
        self.model: str | None = None
        self._parts: dict[int, dict[str, Any]] = {}
        self.usage: Usage | None = None
        """The last :class:`UsageUpdate`'s usage; ``None`` while the stream has reported none."""
        self.stop_reason: StopReason | None = None
        self.raw_stop_reason: str | None = None
        self.error: ReplyError | None = None
        self.extra_parts: dict[int, Part] = {}
        self.part_options: dict[int, dict[str, dict[str, Any]]] = {}
        self.response_options: dict[str, dict[str, Any]] = {}
        """``provider_options`` of the assembled :class:`Response` (codec name -> raw fields)."""

    def apply(self, ev: StreamEvent) -> None:
        """Take one IR event. A decoder builds its events from the provider's JSON without
        checking each field's type, so this does: a value of the wrong type, or a piece for a
        part of another kind (a tool call's arguments on a text), is a
        :class:`~ir_codec.errors.DecodeError` at the part's IR path (``content[2].text``)."""
        if isinstance(ev, MessageStart):
            self.id = _str(ev.id, "id") if ev.id is not None else self.id
            self.model = _str(ev.model, "model") if ev.model is not None else self.model
        elif isinstance(ev, TextDelta):
            p = self._part(ev.index, "text", ev.text, "text")
            p["text"] += ev.text
        elif isinstance(ev, ThinkingDelta):
            p = self._part(ev.index, "thinking", ev.text, "text")
            p["text"] += ev.text
            if ev.signature is not None:
                _takes(ev.index, p, "signature", ev.signature)
                p["signature"] = (p["signature"] or "") + ev.signature
            if ev.origin is not None:
                _takes(ev.index, p, "origin", ev.origin)
                p["origin"] = ev.origin
        elif isinstance(ev, ToolCallStart):
            i = _index(ev.index)
            call_id, name = _str(ev.id, f"content[{i}].id"), _str(ev.name, f"content[{i}].name")
            self._parts[i] = {"kind": "tool", "id": call_id, "name": name, "arguments": ""}
        elif isinstance(ev, ToolCallDelta):
            p = self._part(ev.index, "tool", ev.arguments, "arguments")
            p["arguments"] += ev.arguments
        elif isinstance(ev, UsageUpdate):
            self.usage = ev.usage
        elif isinstance(ev, Stop):
            self.stop_reason = ev.stop_reason
            self.raw_stop_reason = ev.raw_stop_reason
            self.error = _reply_error(ev.error)
        elif isinstance(ev, WholePart):
            self.extra_parts[ev.index] = ev.part
        elif isinstance(ev, PartOptions):
            self.part_options[ev.index] = ev.provider_options
        elif isinstance(ev, ReplyOptions):
            self.response_options = {k: dict(v) for k, v in ev.provider_options.items()}

    def _part(self, index: Any, kind: str, piece: Any, key: str) -> dict[str, Any]:
        """The part being streamed at ``index`` (opened as ``kind`` at its first piece), checked
        to take a ``piece`` (a string) at ``key``."""
        i = _index(index)
        p = self._parts.get(i)
        if p is None:
            p = self._parts[i] = dict(_OPENED[kind])
        _takes(i, p, key, piece)
        return p

    def add_part(self, index: int, part: Part) -> None:
        """A whole part that arrived in one event (e.g. a redacted thinking block). At the index
        of a streamed part it replaces that part (a decoder that reads the streamed pieces
        itself, e.g. tool-call arguments kept byte for byte). The decoder's ``feed`` passes it
        on as a :class:`WholePart` event."""
        self.extra_parts[index] = part
        self._recorded.append(WholePart(index=index, part=part))

    def set_part_options(self, index: int, provider_options: dict[str, dict[str, Any]]) -> None:
        """``provider_options`` for the part streamed at ``index`` (replaces earlier ones); passed
        on as a :class:`PartOptions` event."""
        self.part_options[index] = provider_options
        self._recorded.append(PartOptions(index=index, provider_options=provider_options))

    def take_recorded(self) -> list[StreamEvent]:
        """The :class:`WholePart` and :class:`PartOptions` events the hooks recorded since the
        last call."""
        out, self._recorded = self._recorded, []
        return out

    def indices(self) -> list[int]:
        """The source index (the IR events' ``index``) of each part of :meth:`content`, in order."""
        return sorted(set(self.extra_parts) | set(self._parts))

    def content(self) -> list[Part]:
        out: list[tuple[int, Part]] = list(self.extra_parts.items())
        for i, p in self._parts.items():
            if i in self.extra_parts:
                continue
            opts = self.part_options.get(i, {})
            if p["kind"] == "text":
                out.append((i, Text(text=p["text"], provider_options=opts)))
            elif p["kind"] == "thinking":
                sig, origin = p["signature"], p.get("origin")
                out.append((i, Thinking(text=p["text"], signature=sig, origin=origin, provider_options=opts)))
            else:
                args = p["arguments"].strip() or "{}"
                try:
                    value = msgspec.json.decode(args)
                except msgspec.DecodeError:
                    raise DecodeError(f"$.tool_call[{i}].arguments", "JSON text", args[:80]) from None
                if not isinstance(value, dict):
                    raise DecodeError(f"$.tool_call[{i}].arguments", "a JSON object", type(value).__name__)
                out.append((i, ToolUse(id=p["id"], name=p["name"], input=value, provider_options=opts)))
        return [p for _, p in sorted(out, key=lambda t: t[0])]

    def response(self) -> Response:
        return Response(
            id=self.id,
            model=self.model,
            content=self.content(),
            stop_reason=self.stop_reason,
            raw_stop_reason=self.raw_stop_reason,
            usage=self.usage,
            provider_options=self.response_options,
            error=self.error,
        )


class StreamDecoder:
    """Base of every codec's stream decoder. Subclasses implement :meth:`_events` (and
    :meth:`_end` where the end of the stream closes something).

    The events returned carry everything :meth:`finish` assembles: besides the pieces, the
    parts that arrive whole (:class:`WholePart`), the provider fields of parts
    (:class:`PartOptions`) and of the reply (:class:`ReplyOptions`), so that a stream encoder
    fed the same events writes the whole reply (:class:`ir_codec.replies.StreamEncoder`).
    """

    def __init__(self) -> None:
        self.assembler = ResponseAssembler()
        self._sent_options: dict[str, dict[str, Any]] = {}
        self._ended = False

    def feed(self, event: Any, name: str | None = None) -> list[StreamEvent]:
        """Take one provider event (parsed JSON, JSON text, or the official SDK's event object,
        e.g. anthropic's ``RawMessageStartEvent``); return its IR events."""
        if isinstance(event, bytes | str):
            data = load_json(event)
        elif hasattr(event, "model_dump"):
            from .replies import wire_of

            data = wire_of(event)
        else:
            data = event
        out = self._events(data, name)
        for ev in out:
            self.assembler.apply(ev)
        return self._side_events(out)

    def _side_events(self, out: list[StreamEvent]) -> list[StreamEvent]:
        """``out`` with what the hooks recorded after it, and the reply's fields, when they
        changed, after its :class:`MessageStart` but before its content: an encoder knows them
        when this event's content opens the reply."""
        recorded = self.assembler.take_recorded()
        opts = self.assembler.response_options
        if opts != self._sent_options:  # a decoder may change them in place: compare with a copy
            self._sent_options = copy.deepcopy(opts)
            at = next((i for i, ev in enumerate(out) if not isinstance(ev, MessageStart)), len(out))
            return [*out[:at], ReplyOptions(provider_options=copy.deepcopy(opts)), *out[at:], *recorded]
        return [*out, *recorded]

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        raise NotImplementedError

    def end(self) -> list[StreamEvent]:
        """The IR events that only the end of the stream gives (a call still open is closed);
        once: a second call returns ``[]``. :meth:`finish` calls it."""
        if self._ended:
            return []
        self._ended = True
        out = self._end()
        for ev in out:
            self.assembler.apply(ev)
        return self._side_events(out)

    def _end(self) -> list[StreamEvent]:
        return []

    def finish(self) -> Response:
        """The assembled :class:`Response` (after :meth:`end`)."""
        self.end()
        return self.assembler.response()


def events_of(response: Response) -> list[StreamEvent]:
    """The IR stream events of a whole ``response``: assembling them gives ``response`` back.

    Text, thinking and tool calls without a cache mark come as pieces (one each), their
    provider fields as :class:`PartOptions` before them; every other part comes whole
    (:class:`WholePart`).
    """
    out: list[StreamEvent] = [MessageStart(id=response.id, model=response.model)]
    if response.provider_options:
        out.append(ReplyOptions(provider_options=response.provider_options))
    for i, p in enumerate(response.content):
        if not isinstance(p, Text | Thinking | ToolUse) or p.cache is not None:
            out.append(WholePart(index=i, part=p))
            continue
        if p.provider_options:  # first: an encoder knows a part's fields when it opens the part
            out.append(PartOptions(index=i, provider_options=p.provider_options))
        if isinstance(p, Text):
            out.append(TextDelta(index=i, text=p.text))
        elif isinstance(p, Thinking):
            out.append(ThinkingDelta(index=i, text=p.text, signature=p.signature, origin=p.origin))
        else:
            out.append(ToolCallStart(index=i, id=p.id, name=p.name))
            out.append(ToolCallDelta(index=i, arguments=msgspec.json.encode(p.input).decode()))
    if response.usage is not None:
        out.append(UsageUpdate(usage=response.usage))
    out.append(Stop(stop_reason=response.stop_reason, raw_stop_reason=response.raw_stop_reason, error=response.error))
    return out


class SSEReader:
    """Server-Sent Events bytes to ``(event name, parsed JSON data)`` pairs, fed in chunks as
    they arrive (a chunk may end anywhere, even inside a line).

    The WHATWG rules: lines end at CRLF, LF or CR, a byte-order mark at the very start is
    skipped, ``event:`` names the event, ``data:`` lines
    are joined with newlines, comments (``:``), other fields and blank keep-alives are skipped,
    and ``data: [DONE]`` (OpenAI's terminator) ends the stream (:attr:`done`; later events are
    ignored).

    Lines stay bytes: an event's data goes to :func:`~ir_codec._json.load_json` as it came, so
    text that is not UTF-8 is refused there with the JSON path of the string that holds it (an
    event name that is not UTF-8: a :class:`~ir_codec.errors.DecodeError` at ``event``)."""

    def __init__(self) -> None:
        self._pending = b""
        self._name: str | None = None
        self._data: list[bytes] = []
        self._started = False  # past the first line (where a byte-order mark may stand)
        self.done = False

    def feed(self, chunk: bytes | str) -> list[tuple[str | None, Any]]:
        """The events the lines completed by ``chunk`` finish."""
        lines = (
            self._pending + (chunk.encode("utf-8", "surrogatepass") if isinstance(chunk, str) else chunk)
        ).splitlines(keepends=True)
        # the last line waits for its break; one that ends in CR also for the LF that may follow
        self._pending = lines.pop() if lines and lines[-1][-1:] != b"\n" else b""
        out: list[tuple[str | None, Any]] = []
        for raw in lines:
            self.take(raw.rstrip(b"\r\n"), out)
        return out

    def line(self, line: str, out: list[tuple[str | None, Any]]) -> None:
        """Take one line of text (without its line break); a finished event is appended to ``out``."""
        self.take(line.encode("utf-8", "surrogatepass"), out)

    def take(self, line: bytes, out: list[tuple[str | None, Any]]) -> None:
        """Take one line of bytes (without its line break); a finished event is appended to ``out``."""
        if self.done:
            return
        if not self._started:
            self._started = True
            if line[:3] == b"\xef\xbb\xbf":
                line = line[3:]
        if not line:
            if self._data:
                data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
                if b"[DONE]" in data and data.decode("utf-8", "replace").strip() == "[DONE]":
                    self.done = True
                else:
                    out.append((self._name, load_json(data)))
                self._data = []
            self._name = None
            return
        key, _, value = line.partition(b":")
        if not key:  # a comment
            return
        if value[:1] == b" ":
            value = value[1:]
        if key == b"data":
            self._data.append(value)
        elif key == b"event":
            try:
                self._name = value.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = value[exc.start : exc.start + 1].hex()
                raise DecodeError("event", "an event name of UTF-8 text", f"invalid UTF-8 (byte 0x{bad})") from None

    def close(self) -> list[tuple[str | None, Any]]:
        """The last event, when the stream ends without a blank line after it."""
        out: list[tuple[str | None, Any]] = []
        if self._pending:
            pending, self._pending = self._pending, b""
            self.take(pending.rstrip(b"\r\n"), out)
        self.take(b"", out)
        return out


def parse_sse(lines: Iterable[str | bytes]) -> Iterator[tuple[str | None, Any]]:
    """Parse Server-Sent Events lines into ``(event name, parsed JSON data)`` pairs
    (:class:`SSEReader`'s rules); a line may keep its line break."""
    reader = SSEReader()
    out: list[tuple[str | None, Any]] = []
    take = reader.take
    for raw in lines:
        line = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        take(line.rstrip(b"\r\n"), out)
        if out:
            yield from out
            out.clear()
        if reader.done:
            return
    yield from reader.close()
