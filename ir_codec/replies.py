"""Encoding replies and streams: an IR :class:`~ir_codec.ir.Response` to a provider's reply JSON
(:meth:`Codec.encode_response <ir_codec.codec.Codec.encode_response>`) or to its event stream
(:meth:`Codec.encode_stream <ir_codec.codec.Codec.encode_stream>`), with every loss reported as
a :class:`~ir_codec.errors.LossyEncode` at its path in the Response (``content[2]``,
``usage.cache_write_tokens``), through the same :class:`~ir_codec.codec.EncodeContext` as
requests.

The rules every reply encoder follows (``spec/replies.md``):

- usage buckets go back to the provider's own counting: disjoint counters (Anthropic,
  Bedrock) take the buckets as they are; inclusive ones (OpenAI, OpenRouter, Gemini) are the
  sum of the buckets, the inverse of :meth:`Usage.from_inclusive <ir_codec.ir.Usage.from_inclusive>`;
  a counter the target must write but the Response does not know is written as 0 and reported;
- a part the reply format cannot hold is dropped (reported ``dropped``); a cache mark on a
  reply part is dropped; options of another codec are dropped;
- the stop reason is written as the raw wire value when the Response's ``raw_stop_reason`` is a
  value of the target that means the same IR stop reason, else as the target's value for the IR
  stop reason. ``raw_stop_reason`` is the source wire's own spelling: another provider writes
  its own, which is not a loss (a ``stop_reason`` it cannot say is, ``changed``).

This module holds the pieces more than one codec needs; the per-provider mapping is in each
codec's ``reply.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

import msgspec

from .codec import EncodeContext
from .errors import DecodeError, IRCodecError, LossKind, LossyEncode
from .ir import (
    CacheControl,
    Part,
    ProviderOptions,
    ProviderPart,
    ReplyError,
    Response,
    StopReason,
    Text,
    Thinking,
    ToolUse,
    Usage,
)
from .paths import IRPath, beneath, render
from .stream import (
    ResponseAssembler,
    Stop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    WholePart,
)

if TYPE_CHECKING:
    from .codec import Codec

WireEvent: TypeAlias = tuple[str | None, dict[str, Any]]
"""One provider stream event: the SSE ``event:`` name (or Bedrock's event type; ``None`` where
the provider names none) and its JSON ``data``."""

Piece: TypeAlias = TextDelta | ThinkingDelta | ToolCallStart | ToolCallDelta
"""The IR events that stream a part's content."""

__all__ = [
    "EncodedStream",
    "Piece",
    "StreamEncoder",
    "WireEvent",
    "drop_counters",
    "drop_part",
    "error_as_number",
    "error_stop",
    "error_named",
    "kept_fields",
    "merge_raw",
    "merge_unwritten",
    "own_provider_part",
    "part_options",
    "reply_error",
    "response_options",
    "sse_bytes",
    "unwritten",
    "wire_of",
    "wire_stop_reason",
    "write_kept",
    "write_or_zero",
]


class EncodedStream:
    """The result of a stream encode: the provider's ``events`` in order, every loss in
    ``warnings``.

    Each event is ``(name, data)``: the SSE ``event:`` name (``None`` where the provider writes
    none: OpenAI Chat, Gemini) and the JSON ``data`` object. For Bedrock ConverseStream the name
    is the event type and :meth:`objects` gives the event objects boto3 yields
    (``{"contentBlockDelta": {...}}``); the binary event-stream framing is the transport's job.
    """

    __slots__ = ("codec", "done", "events", "sse", "warnings")

    def __init__(
        self,
        events: list[tuple[str | None, dict[str, Any]]],
        warnings: list[Any],
        codec: Any,
        *,
        sse: bool = True,
        done: bool = False,
    ) -> None:
        self.events = events
        self.warnings = warnings
        self.codec = codec
        self.sse = sse
        """Whether the provider streams Server-Sent Events (all but Bedrock)."""
        self.done = done
        """Whether the stream ends with ``data: [DONE]`` (OpenAI Chat and its flavors)."""

    def to_sse(self) -> bytes:
        """The SSE bytes: ``event: <name>`` (where named) and ``data: <json>`` per event, a blank
        line after each, and ``data: [DONE]`` at the end where the provider sends it."""
        if not self.sse:
            raise ValueError(f"{self.codec.NAME} streams are not SSE; use .objects()")
        return sse_bytes(self.events, done=self.done)

    def objects(self) -> list[dict[str, Any]]:
        """Each event as one object keyed by its name (Bedrock's form); unnamed events as they are."""
        return [{name: data} if name is not None else data for name, data in self.events]

    def __repr__(self) -> str:
        return f"EncodedStream(codec={self.codec.NAME!r}, events={len(self.events)}, warnings={len(self.warnings)})"


class StreamEncoder:
    """IR stream events to one provider's stream events, event by event: what a gateway needs to
    answer a streaming client while the upstream provider is still streaming.

        enc = get_codec("anthropic").stream_encoder()
        for ev in upstream_ir_events:        # e.g. another codec's StreamDecoder.feed(...)
            send(enc.feed(ev))               # the target's events this IR event makes, now
        send(enc.finish())                   # the closing events
        enc.warnings                         # every loss, at its path in the assembled Response

    The events written decode (with the codec's :meth:`stream_decoder`) to what decoding
    :meth:`encode_response <ir_codec.codec.Codec.encode_response>` of the assembled Response
    gives, and the warnings are the ones that encode reports, because :meth:`finish` runs it on
    the assembled Response (its body also closes the streams that end with the whole reply,
    Responses' ``response.completed``). What only streaming loses is reported as well: a piece
    that arrives for a part the target has already closed (it is not written) and a part opened
    after a later one (``moved``).

    The core drives the order; a codec's subclass says what to write:

    - :meth:`_start`: the reply's opening events, at the first content event (id, model and
      the usage known by then are in :attr:`assembler`);
    - :meth:`_begin` / :meth:`_piece` / :meth:`_close`: a streamed part (text, thinking, a tool
      call) opens with its first piece, each piece is written as it comes, and the part closes
      when another part opens (:attr:`SEQUENTIAL` targets) or at the end;
    - :meth:`_whole`: a part that arrived whole (:class:`~ir_codec.stream.WholePart`);
    - :meth:`_end`: the closing events, from the assembled Response and its encoded body.

    ``k`` in the hooks is the part's source index (the IR events' ``index``).
    """

    SEQUENTIAL: ClassVar[bool] = True
    """The target streams parts one after another, each opened and closed (Anthropic, Converse,
    Responses, Gemini); ``False``: pieces of different parts may interleave (OpenAI Chat)."""
    ERROR_EVENTS: ClassVar[bool] = False
    """The target's stream can end with an error (Anthropic's ``error`` event, an OpenAI Chat
    error chunk, the Responses ``error`` event, a Converse exception): a Response with an
    ``error`` ends with :meth:`_error_end` instead of :meth:`_end` (:meth:`_error_event`
    decides). Elsewhere the body's closing events carry it (``Codec.REPLY_ERRORS``: Gemini) or
    it is reported dropped."""

    def __init__(self, codec: Codec) -> None:
        self.codec = codec
        self.ctx = EncodeContext(codec.NAME)
        self.assembler = ResponseAssembler()
        """Everything fed so far, assembled."""
        self._written = ResponseAssembler()
        self._order: list[int] = []
        self._closed: set[int] = set()
        self._open: int | None = None
        self._late: set[int] = set()
        self._started = False
        self._finished = False

    @property
    def warnings(self) -> list[LossyEncode]:
        """The :class:`~ir_codec.errors.LossyEncode` warnings so far (complete after :meth:`finish`)."""
        return self.ctx.warnings

    # -- the driver ---------------------------------------------------------------------------

    def feed(self, event: StreamEvent) -> list[WireEvent]:
        """Take one IR stream event; return the target events it makes now (often none: the
        reply's header waits for the first content, usage and the stop reason for the end)."""
        if self._finished:
            raise IRCodecError("the stream encoder has finished; start a new one")
        if not isinstance(event, StreamEvent):
            raise TypeError(f"feed() takes an ir_codec.stream.StreamEvent, not {type(event).__name__}")
        self.assembler.apply(event)
        if isinstance(event, TextDelta | ThinkingDelta | ToolCallStart | ToolCallDelta):
            return self._content(event)
        if isinstance(event, WholePart):
            return self._whole_part(event)
        return []

    def _opening(self) -> list[WireEvent]:
        if self._started:
            return []
        self._started = True
        return self._start()

    def _switch_to(self, k: int) -> list[WireEvent]:
        """Open ``k`` (closing the part open before it in a sequential target)."""
        out: list[WireEvent] = []
        if self.SEQUENTIAL and self._open is not None:
            out += self._close(self._open)
            self._closed.add(self._open)
        self._order.append(k)
        self._open = k
        return out

    def _content(self, ev: Piece) -> list[WireEvent]:
        out = self._opening()
        k = ev.index
        if k in self._closed or (k in self._order and k != self._open and self.SEQUENTIAL):
            self._late.add(k)  # the target closed this part: the piece cannot be written
            return out
        if k not in self._order:
            out += self._switch_to(k)
            self._written.apply(ev)
            return out + self._begin(k, ev)
        self._written.apply(ev)
        return out + self._piece(k, ev)

    def _whole_part(self, ev: WholePart) -> list[WireEvent]:
        k = ev.index
        if k in self._order:  # replaces what the pieces assembled: written already, checked at the end
            return []
        out = self._opening() + self._switch_to(k)
        self._written.apply(ev)
        return out + self._whole(k, ev.part)

    def finish(self) -> list[WireEvent]:
        """The closing events; after it, :attr:`warnings` holds every loss."""
        if self._finished:
            raise IRCodecError("the stream encoder has finished already")
        self._finished = True
        response = self.assembler.response()
        body = self.codec._encode_response(response, self.ctx)
        out = self._opening()
        error = response.error
        if error is not None and self._error_event(response):
            # The stream ends at the error, as the provider's does (a part open stays open); its
            # decoder reads the stop reason "error" there, which the reply body could not say.
            out += self._error_end(response, body, error)
            self.withdraw(("stop_reason",), LossKind.CHANGED)
            if response.stop_reason != "error":
                why = "the stream ends with the error event, which reads as stop reason 'error'"
                self.ctx.lossy(("stop_reason",), LossKind.CHANGED, why)
            self._report_stream_losses(response)
            return out
        if error is not None and not self.codec.REPLY_ERRORS:  # else the closing events carry the body's
            self.ctx.lossy(("error",), LossKind.DROPPED, f"{self.codec.NAME} streams have no error event; dropped")
        if self.SEQUENTIAL and self._open is not None:
            out += self._close(self._open)
            self._closed.add(self._open)
        out += self._end(response, body)
        self._report_stream_losses(response)
        return out

    def _report_stream_losses(self, response: Response) -> None:
        position = self.positions()
        final = dict(zip(position, response.content, strict=True))
        for k in sorted(self._late):
            why = "a piece arrived after the target closed the part (it streams parts one after another); not written"
            self.ctx.lossy(("content", position[k]), LossKind.CHANGED, why)
        for k in self._order:
            if k not in self._late and self._written_content(k) != _content_of(final[k]):
                why = "the part that arrived whole differs from the pieces already written"
                self.ctx.lossy(("content", position[k]), LossKind.CHANGED, why)
        if self.SEQUENTIAL:
            for before, after in itertools.pairwise(self._order):
                if after < before:
                    why = "opened after a later part; the target keeps the order the parts were streamed in"
                    self.ctx.lossy(("content", position[after]), LossKind.MOVED, why)

    def positions(self) -> dict[int, int]:
        """Where each part fed (by its source index ``k``) stands in the assembled Response: the
        ``j`` of its ``content[j]`` path."""
        return {k: j for j, k in enumerate(self.assembler.indices())}

    def stream_loss(self, path: IRPath, kind: LossKind, why: str) -> None:
        """Report what only the stream loses at ``path``, unless a loss at that path or a parent
        of it is reported already (the whole reply's, from :meth:`finish`)."""
        p = render(path)
        if not any(beneath(p, w.path) for w in self.ctx.warnings):
            self.ctx.lossy(path, kind, why)

    def withdraw(self, path: IRPath, kind: LossKind) -> None:
        """Take back the whole reply's loss of ``kind`` at exactly ``path``: the stream carries
        what the whole reply cannot (Converse's raw block events)."""
        where = render(path)
        self.ctx.warnings[:] = [w for w in self.ctx.warnings if not (w.path == where and w.kind == kind)]

    def withdraw_under(self, path: IRPath) -> None:
        """Take back every whole-reply loss at or under ``path``: the stream does not write what
        the whole reply wrote there (an exception that ends a Converse stream before its
        ``metadata``)."""
        where = render(path)
        self.ctx.warnings[:] = [w for w in self.ctx.warnings if not beneath(w.path, where)]

    def _written_content(self, k: int) -> Any:
        """What the events written for part ``k`` say (:func:`_content_of`; tool-call arguments
        written only in part, when the call's last pieces came late, say ``None``)."""
        w = self._written
        if k in w.extra_parts:
            return _content_of(w.extra_parts[k])
        p = w._parts[k]
        if p["kind"] == "tool":
            try:
                args = msgspec.json.decode(p["arguments"].strip() or "{}")
            except msgspec.DecodeError:
                return None
            return (ToolUse, p["id"], p["name"], args)
        kind = Text if p["kind"] == "text" else Thinking
        return (kind, p["text"], p.get("signature"))

    def stream(self, events: Iterable[StreamEvent]) -> EncodedStream:
        """Feed every event of ``events`` and finish: the whole :class:`EncodedStream`."""
        out: list[WireEvent] = []
        for ev in events:
            out += self.feed(ev)
        out += self.finish()
        c = self.codec
        return EncodedStream(out, self.warnings, c, sse=c.STREAM_SSE, done=c.STREAM_DONE)

    # -- what a codec writes ------------------------------------------------------------------

    def _start(self) -> list[WireEvent]:
        raise NotImplementedError

    def _begin(self, k: int, ev: Piece) -> list[WireEvent]:
        raise NotImplementedError

    def _piece(self, k: int, ev: Piece) -> list[WireEvent]:
        raise NotImplementedError

    def _close(self, k: int) -> list[WireEvent]:
        return []

    def _whole(self, k: int, part: Part) -> list[WireEvent]:
        raise NotImplementedError

    def _end(self, response: Response, body: dict[str, Any]) -> list[WireEvent]:
        raise NotImplementedError

    def _error_event(self, response: Response) -> bool:
        """Whether the stream of ``response``, which has an ``error``, ends with the target's
        error event (:meth:`_error_end`): :attr:`ERROR_EVENTS`. Else it ends as usual, and
        the error is the reply body's (``Codec.REPLY_ERRORS``) or reported dropped."""
        return self.ERROR_EVENTS

    def _error_end(self, response: Response, body: dict[str, Any], error: ReplyError) -> list[WireEvent]:
        """The closing events of a stream that ends with ``error`` (:attr:`ERROR_EVENTS`)."""
        raise NotImplementedError


def error_named(error: ReplyError, keeps: str, ctx: EncodeContext) -> str | None:
    """The one name an error object of the target holds, ``keeps`` (``"type"`` or ``"code"``):
    the error's own, else its other name; when the other name is dropped or moved, that is
    reported at ``error``."""
    own, other = (error.type, error.code) if keeps == "type" else (error.code, error.type)
    if other is not None:
        fate = "dropped" if own is not None else f"written as its {keeps}"
        other_field = "code" if keeps == "type" else "type"
        why = f"the target's error has a {keeps} and no {other_field}: the {other_field} {other!r} is {fate}"
        ctx.lossy(("error",), LossKind.CHANGED, why)
    return own if own is not None else other


def reply_error(
    value: Any, path: str, *, type_key: str | None = "type", code_key: str | None = "code"
) -> ReplyError | None:
    """The :class:`ReplyError` of a provider's error object at ``path`` (``None`` when there is
    none): its ``message``, the type under ``type_key`` (Anthropic's and OpenAI's ``type``,
    Gemini's ``status``) and the code under ``code_key`` (OpenAI's, OpenRouter's and the Responses
    ``code``, Gemini's; a number is kept as its text). ``None`` for a key the provider has none
    of."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise DecodeError(path, "an error object", type(value).__name__)
    message = value.get("message", "")
    if not isinstance(message, str):
        raise DecodeError(f"{path}.message", "a string", type(message).__name__)
    kind = _error_field(value, type_key, path, numbers=False)
    return ReplyError(type=kind, code=_error_field(value, code_key, path, numbers=True), message=message)


def _error_field(value: dict[str, Any], key: str | None, path: str, *, numbers: bool) -> str | None:
    v = value.get(key) if key is not None else None
    if v is None or isinstance(v, str):
        return v
    if numbers and type(v) is int:
        return str(v)
    raise DecodeError(
        f"{path}.{key}", "a string, a number or null" if numbers else "a string or null", type(v).__name__
    )


def error_stop(error: ReplyError) -> Stop:
    """The :class:`Stop` of a stream that ends with ``error``: stop reason ``"error"``, the raw
    one the error's type, else its code, else ``"error"``."""
    return Stop(stop_reason="error", raw_stop_reason=error.type or error.code or "error", error=error)


def error_as_number(code: str | None) -> int | str | None:
    """A code read from a number (:func:`reply_error`) written back as that number (OpenRouter's
    codes are numbers or names; Gemini's are numbers)."""
    if code is not None and code.isascii() and code.isdigit() and str(int(code)) == code:
        return int(code)
    return code


def _content_of(part: Part) -> Any:
    """What a part says, for comparing pieces written with the part that replaced them."""
    if isinstance(part, Text | Thinking):
        return (type(part), part.text, getattr(part, "signature", None))
    if isinstance(part, ToolUse):
        return (ToolUse, part.id, part.name, part.input)
    return part


def sse_bytes(events: Iterable[tuple[str | None, Any]], *, done: bool = False) -> bytes:
    """Server-Sent Events bytes for ``(name, data)`` pairs (compact JSON data on one line)."""
    out: list[bytes] = []
    for name, data in events:
        if name is not None:
            out.append(b"event: " + name.encode() + b"\n")
        out.append(b"data: " + msgspec.json.encode(data) + b"\n\n")
    if done:
        out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def part_options(
    provider_options: ProviderOptions,
    cache: CacheControl | None,
    path: IRPath,
    ctx: EncodeContext,
    own: str | frozenset[str],
) -> dict[str, Any]:
    """The options of this codec (``own``: its name or the family names) on a reply part; other
    codecs' options and a cache mark (replies carry none) are reported dropped."""
    names = frozenset({own}) if isinstance(own, str) else own
    if cache is not None:
        ctx.lossy((*path, "cache"), LossKind.DROPPED, "a reply carries no cache marks")
    mine: dict[str, Any] = {}
    for name, fields in provider_options.items():
        if name in names:
            mine = dict(fields)
        else:
            ctx.lossy((*path, "provider_options", name), LossKind.DROPPED, f"options for {name!r} are not carried")
    return mine


def response_options(response: Response, ctx: EncodeContext, own: str | frozenset[str]) -> dict[str, Any]:
    """The Response's own ``provider_options`` for this codec (others reported dropped)."""
    return part_options(response.provider_options, None, (), ctx, own)


def kept_fields(
    body: Mapping[str, Any], ir_fields: Collection[str], defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The top-level fields of a reply the IR has no word for, to keep raw in its
    ``provider_options``: all but ``ir_fields``, nulls (they read as absent) and a value equal to
    the default the encoder writes anyway (``defaults``: Chat's ``created: 0``)."""
    defaults = defaults or {}
    return {
        k: v
        for k, v in body.items()
        if k not in ir_fields and v is not None and (k not in defaults or defaults[k] != v)
    }


def write_kept(
    body: dict[str, Any], kept: Mapping[str, Any], ir_fields: Collection[str], where: IRPath, ctx: EncodeContext
) -> None:
    """Write the fields :func:`kept_fields` kept (the options at ``where``) into ``body``, over
    the defaults it holds; one the IR writes (``ir_fields``) or a null is reported dropped."""
    for k, v in kept.items():
        if k in ir_fields or v is None:
            why = f"{k!r} is written from the IR" if v is not None else "a null reply field reads back as absent"
            ctx.lossy((*where, k), LossKind.DROPPED, why)
        else:
            body[k] = v


def unwritten(raw: Mapping[str, Any], written: Mapping[str, Any]) -> dict[str, Any]:
    """The members of the wire object ``raw`` that ``written`` (what the encoder writes for the
    IR read from ``raw``) lacks, object by object: the fields of a reply the IR does not hold
    (a usage's ``cost``, a ``prompt_tokens_details.audio_tokens``), to keep raw. Null members
    read as absent."""
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if v is None:
            continue
        if k not in written:
            out[k] = v
        elif isinstance(v, dict) and isinstance(written[k], dict):
            sub = unwritten(v, written[k])
            if sub:
                out[k] = sub
    return out


def merge_unwritten(target: dict[str, Any], raw: Any, where: IRPath, ctx: EncodeContext) -> None:
    """Put back what :func:`unwritten` kept at the option path ``where``: members ``target``
    lacks are added, object by object; one it has is written from the IR (reported dropped)."""
    if not isinstance(raw, dict):
        ctx.lossy(where, LossKind.DROPPED, "kept reply fields are an object; dropped")
        return
    for k, v in raw.items():
        if k not in target and v is not None:
            target[k] = v
        elif isinstance(v, dict) and isinstance(target.get(k), dict):
            merge_unwritten(target[k], v, (*where, k), ctx)
        else:
            why = f"{k!r} is written from the IR" if v is not None else "a null field reads back as absent"
            ctx.lossy((*where, k), LossKind.DROPPED, why)


def merge_raw(target: dict[str, Any], raw: Mapping[str, Any], path: IRPath, ctx: EncodeContext, own: str) -> None:
    """Raw options fill the wire fields the encoder did not write; one that would overwrite a
    written field is reported dropped."""
    for k, v in raw.items():
        if k in target:
            ctx.lossy((*path, "provider_options", own, k), LossKind.DROPPED, f"{k!r} is written from the IR")
        else:
            target[k] = v


def drop_part(part: Part, path: IRPath, ctx: EncodeContext, where: str) -> None:
    """Report a part the reply format cannot hold."""
    kind = getattr(part, "type", type(part).__name__)
    ctx.lossy(path, LossKind.DROPPED, f"a {kind} part cannot stand in {where}; dropped")


def own_provider_part(p: ProviderPart, codec: str, path: IRPath, ctx: EncodeContext, where: str) -> bool:
    """Whether a provider part goes into ``codec``'s reply as its raw data: another codec's part
    is dropped (reported, ``where`` names the reply); a cache mark on it is reported dropped
    (a reply carries none)."""
    if p.codec != codec:
        drop_part(p, path, ctx, f"{where} (a {p.codec!r} provider part)")
        return False
    if p.cache is not None:
        ctx.lossy((*path, "cache"), LossKind.DROPPED, "a reply carries no cache marks")
    return True


def wire_stop_reason(
    response: Response,
    ctx: EncodeContext,
    read: Callable[[str], StopReason | None],
    write: Mapping[StopReason, str],
    fallback: str | None,
    decoded: StopReason | None | bool = False,
    *,
    nullable: bool = False,
) -> str | None:
    """The wire stop value of ``response``.

    ``read`` is the codec's decode mapping (wire value -> IR); ``write`` the value to write for
    an IR stop reason; ``fallback`` the value for a stop reason the wire cannot say (``None``:
    the wire field may be null). The raw value is kept when it reads as the same stop reason.
    ``decoded``: the IR stop reason decode will give for the written value where the content
    decides it (Gemini's ``STOP`` with a call is ``tool_use``), else ``False``: ``read``'s.
    """
    stop, raw = response.stop_reason, response.raw_stop_reason
    # the raw value is kept when it reads as the same stop reason; an unknown value reads as
    # "other" and is kept only where the target has it (``write``)
    if raw is not None and stop is not None and read(raw) == stop and (stop != "other" or raw in write.values()):
        wire: str | None = raw
    elif stop is None:
        wire = None if nullable else fallback
    else:
        wire = write.get(stop, fallback)
    got = read(wire) if wire is not None else None
    if decoded is not False:
        got = decoded  # type: ignore[assignment]
    if got != stop:
        why = f"the reply format has no stop reason {stop!r}; written as {wire!r}"
        ctx.lossy(("stop_reason",), LossKind.CHANGED, why)
    return wire


def write_or_zero(usage: Usage, field: str, ctx: EncodeContext, why: str) -> int:
    """A usage counter the wire requires: its value, or 0 (reported) when it is not known."""
    value = getattr(usage, field)
    if value is None:
        ctx.lossy(("usage", field), LossKind.CHANGED, f"{why}; the unknown count is written as 0")
        return 0
    return int(value)


def drop_counters(usage: Usage, fields: Iterable[str], ctx: EncodeContext, why: str) -> None:
    """Report the known counters among ``fields`` that the wire has no place for."""
    for f in fields:
        if getattr(usage, f) is not None:
            ctx.lossy(("usage", f), LossKind.DROPPED, why)


def wire_of(obj: Any) -> Any:
    """The wire JSON of an official SDK's reply or event object, without importing any SDK:
    pydantic v2 models (anthropic, openai, google-genai, mistralai, openrouter) are dumped with
    ``model_dump(mode="json", by_alias=True, exclude_unset=True)`` (the fields the server sent,
    under their wire names; google-genai's snake_case names are read by the Gemini codec as they
    are); anything else is returned unchanged."""
    dump = getattr(obj, "model_dump", None)
    if callable(dump) and not isinstance(obj, type):
        try:
            return dump(mode="json", by_alias=True, exclude_unset=True)
        except TypeError:  # a model_dump without those keywords (not pydantic v2)
            return dump()
    return obj
