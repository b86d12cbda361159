"""The public functions: encode, decode, transpile, validate; and for replies and streams
encode_response, decode_response, transpile_response, decode_stream, transpile_stream and
StreamTranspiler."""

from __future__ import annotations

import itertools
import warnings as _warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import msgspec

from ._log import get_logger
from .codec import Codec, Encoded, Endpoint, get_codec, load_json
from .errors import DecodeError, IRCodecError, LossyEncode, LossyEncodeError, LossyEncodeWarning, OnLossy
from .ir import Request, Response
from .replies import EncodedStream, WireEvent, sse_bytes, wire_of
from .stream import SSEReader, parse_sse

Payload = Mapping[str, Any] | bytes | str


def _codec(c: str | Codec, options: dict[str, Any]) -> Codec:
    return get_codec(c, **options) if isinstance(c, str) else c


def _check_on_lossy(on_lossy: str) -> None:
    if on_lossy not in ("warn", "ignore", "raise"):
        raise ValueError(f"on_lossy must be 'warn', 'ignore' or 'raise', not {on_lossy!r}")


def report_lossy(warnings: list[LossyEncode], on_lossy: OnLossy, stacklevel: int = 3) -> None:
    """Apply the ``on_lossy`` policy to the warnings of one encode."""
    _check_on_lossy(on_lossy)
    if not warnings or on_lossy == "ignore":
        return
    if on_lossy == "raise":
        raise LossyEncodeError(warnings)
    log = get_logger()
    for w in warnings:
        _warnings.warn(str(w), LossyEncodeWarning, stacklevel=stacklevel)
        log.warning("lossy_encode", codec=w.codec, path=w.path, reason=w.reason)


def encode(request: Request, to: str | Codec, *, on_lossy: OnLossy = "warn", **options: Any) -> Encoded:
    """Lower an IR request to the wire format of codec ``to``.

    Every loss is in ``Encoded.warnings``; ``on_lossy`` also emits them as
    :class:`LossyEncodeWarning` (``"warn"``), raises :class:`LossyEncodeError` (``"raise"``) or
    does nothing more (``"ignore"``). ``options`` configure the codec (e.g. ``api_version``).

    >>> from ir_codec import Message, Request, Text, encode
    >>> e = encode(Request(model="claude-opus-5", max_tokens=64,
    ...     messages=[Message(role="user", content=[Text(text="hi")])]), "anthropic")
    >>> e.body["messages"]
    [{'role': 'user', 'content': [{'type': 'text', 'text': 'hi'}]}]
    """
    _check_on_lossy(on_lossy)
    if not isinstance(request, Request):
        raise TypeError(f"encode() takes an ir_codec.Request, not {type(request).__name__}")
    e = _codec(to, options).encode(request)
    report_lossy(e.warnings, on_lossy)
    return e


def decode(
    payload: Payload,
    codec: str | Codec,
    *,
    on_lossy: OnLossy = "warn",
    endpoint: Endpoint | None = None,
    **options: Any,
) -> Request:
    """Lift a wire request body of ``codec`` (a mapping or JSON bytes/str) to IR.

    Where the provider carries the model or the stream choice in the URL (Gemini, Bedrock),
    pass the request's ``endpoint`` (``Encoded.endpoint``) to get them back.

    Raises :class:`DecodeError` naming the JSON path of the first problem. Decoding loses
    nothing (unknown fields land in ``provider_options``), so ``on_lossy`` is accepted only for
    symmetry.
    """
    _check_on_lossy(on_lossy)
    c = _codec(codec, options)
    return c.with_endpoint(c.decode(payload), endpoint)


def decode_response(
    payload: Payload | Any, codec: str | Codec, *, on_lossy: OnLossy = "warn", **options: Any
) -> Response:
    """Lift a provider's response body to an IR :class:`Response` with normalized usage.

    ``payload`` is the reply JSON (a mapping, bytes or text) or the official SDK's reply object
    (anything with ``model_dump``: ``anthropic.types.Message``, ``openai`` ``ChatCompletion``,
    google-genai ``GenerateContentResponse``, ...); no SDK is imported."""
    _check_on_lossy(on_lossy)
    return _codec(codec, options).decode_response(wire_of(payload))


def encode_response(response: Response, to: str | Codec, *, on_lossy: OnLossy = "warn", **options: Any) -> Encoded:
    """Lower an IR :class:`Response` to the reply body of codec ``to``; every loss is in
    ``Encoded.warnings`` (paths in the Response: ``content[2]``, ``usage.cache_write_tokens``)
    and goes through ``on_lossy`` as for :func:`encode`.

    >>> from ir_codec import Response, Text, Usage, encode_response
    >>> r = Response(id="msg_1", model="claude-opus-5", content=[Text(text="hi")], stop_reason="end_turn",
    ...     usage=Usage(uncached_input_tokens=10, cache_read_tokens=90, output_tokens=5))
    >>> encode_response(r, "openai-chat").body["usage"]
    {'prompt_tokens': 100, 'completion_tokens': 5, 'total_tokens': 105, 'prompt_tokens_details': {'cached_tokens': 90}}
    """
    _check_on_lossy(on_lossy)
    e = _codec(to, options).encode_response(response)
    report_lossy(e.warnings, on_lossy)
    return e


def transpile_response(
    payload: Payload | Any,
    read: str | Codec,
    write: str | Codec,
    *,
    on_lossy: OnLossy = "warn",
    read_options: dict[str, Any] | None = None,
    write_options: dict[str, Any] | None = None,
) -> Encoded:
    """Translate a reply body (or an SDK reply object) from one provider's format to another's.

    >>> from ir_codec import transpile_response
    >>> body = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn",
    ...     "content": [{"type": "text", "text": "hi"}], "usage": {"input_tokens": 3, "output_tokens": 1}}
    >>> transpile_response(body, "anthropic", "openai-chat").body["choices"][0]["message"]["content"]
    'hi'
    """
    _check_on_lossy(on_lossy)
    response = _codec(read, read_options or {}).decode_response(wire_of(payload))
    e = _codec(write, write_options or {}).encode_response(response)
    report_lossy(e.warnings, on_lossy)
    return e


def decode_stream(events: Any, codec: str | Codec, **options: Any) -> Response:
    """Decode a whole provider stream to the IR :class:`Response` it assembles to.

    ``events``: the SSE bytes or text of the stream (or an iterable of its lines), or an
    iterable of events, each a parsed JSON object, an ``(event name, data)`` pair, or the
    official SDK's event object (Bedrock: the event objects boto3 yields,
    ``{"contentBlockDelta": {...}}``)."""
    c = _codec(codec, options)
    dec = c.stream_decoder()
    for name, data in _events(events, c):
        dec.feed(data, name)
    return dec.finish()


def transpile_stream(
    events: Any,
    read: str | Codec,
    write: str | Codec,
    *,
    on_lossy: OnLossy = "warn",
    read_options: dict[str, Any] | None = None,
    write_options: dict[str, Any] | None = None,
) -> EncodedStream:
    """Translate a provider's whole event stream into another provider's (``events`` as for
    :func:`decode_stream`): :class:`StreamTranspiler` over every event
    (``EncodedStream.to_sse()`` for the SSE bytes, ``.objects()`` for Bedrock)."""
    t = StreamTranspiler(read, write, on_lossy=on_lossy, read_options=read_options, write_options=write_options)
    out: list[WireEvent] = []
    for name, data in _events(events, t.source):
        out += t.feed(data, name)
    out += t.finish()
    return EncodedStream(out, t.warnings, t.target, sse=t.target.STREAM_SSE, done=t.target.STREAM_DONE)


class StreamTranspiler:
    """Translate one provider's stream into another's event by event, as it arrives: what a
    gateway runs between a streaming upstream and a streaming client.

        t = StreamTranspiler("openai-chat", "anthropic")
        async for chunk in upstream.aiter_bytes():
            await client.send(t.feed_bytes(chunk))     # Anthropic SSE, as soon as it is known
        await client.send(t.finish_bytes())

    :meth:`feed` takes one source event (parsed JSON or JSON text, with its SSE event name;
    an SDK event object; a Bedrock event object) and returns the target events it makes.
    The source is read by its codec's :meth:`~ir_codec.codec.Codec.stream_decoder` and written
    by the target's :meth:`~ir_codec.codec.Codec.stream_encoder`; the losses are in
    :attr:`warnings` and go through ``on_lossy`` at :meth:`finish` (``"raise"`` raises there,
    after the events written so far: a stream cannot take them back).
    """

    def __init__(
        self,
        read: str | Codec,
        write: str | Codec,
        *,
        on_lossy: OnLossy = "warn",
        read_options: dict[str, Any] | None = None,
        write_options: dict[str, Any] | None = None,
    ) -> None:
        _check_on_lossy(on_lossy)
        self.source = _codec(read, read_options or {})
        self.target = _codec(write, write_options or {})
        self.on_lossy: OnLossy = on_lossy
        self.decoder = self.source.stream_decoder()
        self.encoder = self.target.stream_encoder()
        self._reader = SSEReader()

    @property
    def warnings(self) -> list[LossyEncode]:
        """The losses so far (all of them after :meth:`finish`)."""
        return self.encoder.warnings

    def feed(self, event: Any, name: str | None = None) -> list[WireEvent]:
        """One source event in; the target events it makes out (often none yet)."""
        out: list[WireEvent] = []
        for ev in self.decoder.feed(event, name):
            out += self.encoder.feed(ev)
        return out

    def feed_bytes(self, chunk: bytes) -> bytes:
        """A chunk of the source's SSE bytes in (it may end anywhere); the target's SSE bytes
        for the events it completes out."""
        if not self.source.STREAM_SSE:
            raise IRCodecError(f"{self.source.NAME} streams are not SSE bytes; feed() the event objects")
        out: list[WireEvent] = []
        for name, data in self._reader.feed(chunk):
            out += self.feed(data, name)
        return self._sse(out)

    def finish(self) -> list[WireEvent]:
        """The closing target events; then ``on_lossy`` is applied to :attr:`warnings`."""
        out: list[WireEvent] = []
        for name, data in self._reader.close():
            out += self.feed(data, name)
        for ev in self.decoder.end():
            out += self.encoder.feed(ev)
        out += self.encoder.finish()
        report_lossy(self.warnings, self.on_lossy)
        return out

    def finish_bytes(self) -> bytes:
        """:meth:`finish` as the target's SSE bytes (with ``data: [DONE]`` where it ends so)."""
        return self._sse(self.finish(), done=self.target.STREAM_DONE)

    def _sse(self, events: list[WireEvent], *, done: bool = False) -> bytes:
        if not self.target.STREAM_SSE:
            raise IRCodecError(f"{self.target.NAME} streams are not SSE; use feed() and finish()")
        return sse_bytes(events, done=done)


def _events(events: Any, codec: Codec) -> Iterator[tuple[str | None, Any]]:
    if isinstance(events, bytes | bytearray | memoryview | str):
        if not codec.STREAM_SSE:
            raise IRCodecError(f"{codec.NAME} streams are not SSE text; pass the event objects")
        # lines end only at CR / LF (bytes.splitlines): a U+2028 or U+0085 inside a JSON string
        # is no line break (str.splitlines would cut the event there)
        data = events.encode("utf-8", "surrogatepass") if isinstance(events, str) else bytes(events)
        yield from parse_sse(data.splitlines())
        return
    if isinstance(events, Mapping) or not isinstance(events, Iterable):
        one = isinstance(events, Mapping)
        found = "one object (a single event: pass a list of events)" if one else type(events).__name__
        raise DecodeError("$", "a stream: SSE bytes or text, or an iterable of events", found)
    items = iter(events)
    first = next(items, None)
    if first is None:
        return
    if isinstance(first, bytes | str):  # lines of SSE text
        yield from parse_sse(itertools.chain([first], items))
        return
    for item in itertools.chain([first], items):
        if isinstance(item, tuple) and len(item) == 2:
            yield item[0], item[1]
        else:
            yield None, item


def transpile(
    payload: Payload,
    read: str | Codec,
    write: str | Codec,
    *,
    on_lossy: OnLossy = "warn",
    read_options: dict[str, Any] | None = None,
    write_options: dict[str, Any] | None = None,
) -> Encoded:
    """Translate a request body from one provider's wire format to another's.

    >>> from ir_codec import transpile
    >>> body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    >>> transpile(body, "anthropic", "anthropic").body["messages"][0]["content"]
    [{'type': 'text', 'text': 'hi'}]
    """
    _check_on_lossy(on_lossy)
    reader = _codec(read, read_options or {})
    request = reader.decode(payload)
    e = _codec(write, write_options or {})._encode_request(request, types=not reader.DECODES_NORMAL_FORM)
    report_lossy(e.warnings, on_lossy)
    return e


def validate(payload: Payload, codec: str | Codec, *, allow_unknown: bool = False, **options: Any) -> Request:
    """Check a wire request body against the provider's rules and decode it.

    The rules are :func:`ir_codec.rules.check_payload`'s error rules (unknown fields and block
    types, wrong types, missing fields, values out of range, cache and tool rules, another
    provider's format), each with a stable code documented in ``spec/rules.md``; a codec
    without built-in rules is checked against its strict wire types. ``allow_unknown`` accepts
    fields the provider's published types do not list. ``options`` configure the codec
    (``api_version`` also chooses the version the rules assume).

    Raises :class:`~ir_codec.rules.RuleError` (a :class:`DecodeError` whose ``path`` is the JSON
    path) for the first error finding.

    >>> try:
    ...     validate({"model": "m", "max_tokens": 5, "temprature": 1,
    ...               "messages": [{"role": "user", "content": "hi"}]}, "anthropic")
    ... except DecodeError as exc:
    ...     print(exc)
    $.temprature: IRC101 unknown field 'temprature' in the Messages body (did you mean 'temperature'?)
    """
    from .rules import RuleError, check_payload, has_rules

    c = _codec(codec, options)
    obj = load_json(payload)
    if not isinstance(obj, dict):
        raise DecodeError("$", "an object", type(obj).__name__)
    if has_rules(c.NAME):
        api_version = options.get("api_version", getattr(c, "api_version", None))
        version = api_version if isinstance(api_version, str) else None
        findings = check_payload(obj, c.NAME, allow_unknown=allow_unknown, api_version=version)
        if findings:
            raise RuleError(findings[0])
    else:
        c.validate_wire(obj)
    return c.decode(obj)


def ir_to_json(value: Request | Response) -> bytes:
    """The JSON form of an IR value."""
    return msgspec.json.encode(value)


def ir_from_json(data: bytes | str, kind: type[Request] | type[Response] = Request) -> Any:
    """Parse the JSON form of an IR value; errors are :class:`DecodeError` with a JSON path."""
    from ._json import decode_error as _decode_error

    try:
        return msgspec.json.decode(data, type=kind)
    except msgspec.ValidationError as exc:
        raise _decode_error(exc) from None
    except msgspec.DecodeError as exc:
        raise DecodeError("$", "valid JSON", str(exc)) from None
