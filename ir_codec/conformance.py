"""The shared conformance suite: what every codec is tested against, declared once per codec.

Every codec answers to the same checks: the invariant (:mod:`ir_codec.invariant`) on generated
IR requests and on generated and documented wire payloads, its reply fixtures, its usage
mapping, streamed replies that must equal the whole reply, and its official SDK where there is
one. What differs between codecs is only *what to draw and where to look*, and that is data: a
:class:`ConformanceCase`. The checks are the ``check_*`` functions below; this project's suite
(``tests/test_conformance.py``) runs them for every registered codec, and the author of a
third-party codec runs them from their own tests::

    from hypothesis import given, strategies as st
    from ir_codec.conformance import ConformanceCase, check_invariant

    CASE = ConformanceCase(name="my-codec", variants=my_equivalent_forms)

    @given(CASE.request_strategy(), st.data())
    def test_invariant(request, data):
        check_invariant(CASE, request, data.draw)

Every check raises :class:`~ir_codec.invariant.InvariantViolation` (an ``AssertionError``) with
the details. Like :mod:`ir_codec.invariant`, this is test support: no codec imports it, and it
imports hypothesis only inside :meth:`ConformanceCase.request_strategy`.

Fixture files are JSON objects naming the document they follow in ``doc``:

- a documented payload: ``{"doc", "options"?, "payload"}`` (``options`` configure the codec);
- a whole reply: ``{"doc", "response", "usage"}`` with the usage the reply must decode to,
  computed by hand (``null`` for a reply without usage; a counter left out is one the provider
  did not report, ``None``); a streamed reply (``*.stream.json``) adds ``"events"``, a list of
  ``[event name or null, data]`` in the order the provider sends them (``usage`` is optional).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from .codec import Codec, Encoded, get_codec
from .invariant import InvariantViolation, check_request, check_wire, same_json
from .ir import Request, Response, Usage
from .stream import StreamDecoder, parse_sse

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "ConformanceCase",
    "Draw",
    "Events",
    "ReportedUsage",
    "SdkCheck",
    "StreamedReply",
    "check_documented_payload",
    "check_invariant",
    "check_payload",
    "check_reply_fixture",
    "check_reply_fixtures_cover",
    "check_reported_usage",
    "check_sdk",
    "check_stream_fixture",
    "check_streamed_reply",
    "check_usage_buckets",
    "feed",
    "fixture_files",
    "load_fixture",
    "sse_lines",
]

Draw = Callable[[Any], Any]
"""``draw(strategy) -> value``: hypothesis's ``data.draw`` or a composite strategy's ``draw``."""

Events = list[tuple[str | None, Any]]
"""A stream as the provider sends it: ``(event name or None, data)`` pairs, ``data`` parsed JSON
or JSON text."""


@dataclass(frozen=True, kw_only=True)
class StreamedReply:
    """A whole reply and the events that stream it, drawn by :attr:`ConformanceCase.streams`."""

    whole: dict[str, Any]
    events: Events
    expected: Response | None = None
    """What ``whole`` decodes to, where the generator knows it from the parts it drew."""


@dataclass(frozen=True, kw_only=True)
class ReportedUsage:
    """Token counts and a reply reporting them in the provider's raw shape, drawn by
    :attr:`ConformanceCase.usages`."""

    usage: Usage | None
    """``None``: the reply reports no usage at all."""
    reply: dict[str, Any]
    events: Events | None = None
    """Stream events reporting the same counts, where the provider streams them its own way."""


def _body(codec: Codec, encoded: Encoded) -> Any:
    return encoded.body


@dataclass(frozen=True, kw_only=True)
class SdkCheck:
    """The provider's official SDK as an independent checker of the wire.

    For each drawn request, ``sent(codec, encoded)`` hands ``encoded`` to the SDK (offline, over
    a mock transport or the SDK's own serializer) and returns what the SDK put on the wire,
    parsed; it must equal ``expected(codec, encoded)`` (type-strict, :func:`same_json`), by
    default the body itself. ``sent`` asserts what else the SDK decides (URL, headers, its own
    validation) and may ``hypothesis.assume`` away a request the SDK refuses by design.
    """

    requires: tuple[str, ...]
    """Modules the check imports (development dependencies); the check is skipped without them."""
    sent: Callable[[Codec, Encoded], Any]
    expected: Callable[[Codec, Encoded], Any] = _body
    requests: SearchStrategy[Request] | None = None
    """IR requests the SDK can take (default: the case's own)."""
    max_examples: int = 150


@dataclass(frozen=True, kw_only=True)
class ConformanceCase:
    """What one codec is tested with. The suite requires documented payloads and reply fixtures
    of every codec; a generator or SDK check that a case does not declare is reported as skipped
    with the reason, never silently passed.
    """

    name: str
    """The registered codec name."""
    options: Sequence[Mapping[str, Any]] = ({},)
    """Codec configurations (``get_codec(name, **options)``); every generated request and
    payload is checked under each."""
    requests: SearchStrategy[Request] | None = None
    """IR requests for the invariant (default ``strategies.requests(codecs=[name])``)."""
    variants: Callable[[Codec, dict[str, Any], Draw], dict[str, Any]] | None = None
    """``variants(codec, body, draw)``: the encoded ``body`` rewritten into an equivalent wire form
    (the canonicalizations undone at random), for property 4 on more than the encoder's output."""
    variants_canonicalize_to_body: bool = True
    """The variants are equivalent to the body: ``canonicalize(variant) == body``. ``False`` where
    they also add fields the codec keeps raw (and re-encodes), so only property 4 holds."""
    variants_decode_to_body_ir: bool = False
    """The codec canonicalizes while decoding: a variant decodes to the very IR of the body."""
    payloads: Mapping[str, SearchStrategy[dict[str, Any]]] = field(default_factory=dict)
    """Generated wire payloads not derived from an encode, by kind (``{"camel-case": ...}``)."""
    documented: Path | None = None
    """Folder of documented payloads (``*.json``)."""
    replies: Path | None = None
    """Folder of reply fixtures (``*.json`` whole, ``*.stream.json`` streamed)."""
    reply_facts: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    """What a raw reply itself says about the :class:`Response` it decodes to, as dotted
    attribute paths: ``{"id": ..., "usage.input_tokens": <the provider's own total>}``."""
    fixture_coverage: Mapping[str, int] = field(default_factory=dict)
    """Usage buckets the whole-reply fixtures must exercise: bucket -> how many fixtures report
    it non-zero at least."""
    usages: SearchStrategy[ReportedUsage] | None = None
    """Random token counts in the provider's raw usage shape."""
    streams: SearchStrategy[StreamedReply] | None = None
    """Random replies and the events that stream them."""
    sse: bool = True
    """The stream arrives as Server-Sent Events (not, as on Bedrock, AWS event-stream frames)."""
    sdk: SdkCheck | None = None
    max_examples: Mapping[str, int] = field(default_factory=dict)
    """Per-check example counts where a check runs fewer (or more) than the profile's:
    keys ``invariant``, ``payloads``, ``usages``, ``streams``."""

    def codecs(self) -> list[Codec]:
        """The codec under each of :attr:`options`."""
        return [get_codec(self.name, **opts) for opts in self.options]

    def request_strategy(self) -> SearchStrategy[Request]:
        """:attr:`requests`, or the default IR requests with this codec's provider options."""
        if self.requests is not None:
            return self.requests
        from .strategies import requests

        return requests(codecs=[self.name])


# ---------------------------------------------------------------------------------------------
# The invariant


def check_invariant(case: ConformanceCase, request: Request, draw: Draw | None = None) -> list[Encoded]:
    """Properties 1-4 for one IR request under every configuration of ``case``.

    1-3 as :func:`~ir_codec.invariant.check_request`; the body is its own JSON (``to_json``) and
    canonical; 4 as :func:`~ir_codec.invariant.check_wire` on the body and, given ``draw`` and
    :attr:`ConformanceCase.variants`, on an equivalent form of it, which canonicalizes to the body
    (and decodes to the same IR) where the case says so.
    Returns the encodes, one per configuration.
    """
    out = []
    for codec in case.codecs():
        e = check_request(codec, request)
        if not same_json(msgspec.json.decode(e.to_json()), e.body):
            raise _violation(codec, "to_json() is not the body", e.body, msgspec.json.decode(e.to_json()))
        canonical = codec.canonicalize(e.body)
        if not same_json(canonical, e.body):
            raise _violation(codec, "the encoder's output is not canonical", e.body, canonical)
        check_wire(codec, e.body)
        if case.variants is not None and draw is not None:
            variant = case.variants(codec, e.body, draw)
            check_wire(codec, variant)
            canonical = codec.canonicalize(variant)
            if case.variants_canonicalize_to_body and not same_json(canonical, e.body):
                raise _violation(
                    codec, f"canonicalize(variant) is not the body\nvariant: {_j(variant)}", e.body, canonical
                )
            if case.variants_decode_to_body_ir and codec.decode(variant) != codec.decode(e.body):
                raise _violation(codec, "a variant decodes to another IR than the body", e.body, variant)
        out.append(e)
    return out


def check_payload(codec: Codec, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Property 4 for one wire payload, and its canonical form is a fixed point: canonicalizing
    it again changes nothing, it decodes to the same IR as the payload and it is valid wire.
    Returns the canonical form."""
    check_wire(codec, payload)
    canonical = codec.canonicalize(payload)
    again = codec.canonicalize(canonical)
    if not same_json(again, canonical):
        raise _violation(codec, "canonicalize is not idempotent", canonical, again)
    if codec.decode(canonical) != codec.decode(payload):
        raise _violation(codec, "the canonical form decodes to another IR", payload, canonical)
    try:
        codec.validate_wire(canonical)
    except Exception as exc:
        raise InvariantViolation(
            f"{codec.NAME}: the canonical form is not valid wire: {exc}\n{_j(canonical)}"
        ) from None
    return canonical


def check_documented_payload(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`check_payload` for a documented payload file's ``payload`` under its ``options``."""
    return check_payload(get_codec(name, **spec.get("options", {})), spec["payload"])


# ---------------------------------------------------------------------------------------------
# Replies, usage and streams


def load_fixture(path: Path) -> dict[str, Any]:
    """A fixture file's JSON; each one names the document it follows (``doc``)."""
    spec: dict[str, Any] = json.loads(path.read_text())
    if not spec.get("doc"):
        raise InvariantViolation(f"{path}: each fixture names the document it follows (doc)")
    return spec


def fixture_files(folder: Path | None) -> tuple[list[Path], list[Path]]:
    """(whole-reply fixtures, stream fixtures) in ``folder``, sorted."""
    if folder is None:
        return [], []
    files = sorted(folder.glob("*.json"))
    return [p for p in files if not p.name.endswith(".stream.json")], [
        p for p in files if p.name.endswith(".stream.json")
    ]


def _fixture_usage(value: Any) -> Usage | None:
    """A fixture's hand-written usage: an object, or ``null`` for a reply that reports none."""
    return None if value is None else msgspec.convert(value, Usage)


def check_usage_buckets(usage: Usage | None) -> None:
    """Usage is self-consistent: no bucket is negative, a TTL split of the cache writes adds up
    to them, and reasoning is part of the output. A counter not reported is ``None``, and a
    reply without usage has none to check."""
    if usage is None:
        return
    for name in usage.__struct_fields__:
        value = getattr(usage, name)
        if value is not None and value < 0:
            raise InvariantViolation(f"{name} is negative: {usage}")
    split = [
        usage.cache_write_5m_tokens,
        usage.cache_write_1h_tokens,
        usage.cache_write_30m_tokens,
        usage.cache_write_12h_tokens,
    ]
    if any(n is not None for n in split) and sum(n or 0 for n in split) != (usage.cache_write_tokens or 0):
        raise InvariantViolation(f"the cache-write split does not add up to cache_write_tokens: {usage}")
    if usage.reasoning_tokens is not None and usage.reasoning_tokens > (usage.output_tokens or 0):
        raise InvariantViolation(f"reasoning_tokens exceed output_tokens: {usage}")


def _attribute(obj: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        obj = getattr(obj, name)
    return obj


def _check_facts(case: ConformanceCase, response: Response, reply: Mapping[str, Any]) -> None:
    if case.reply_facts is None:
        return
    for key, want in case.reply_facts(reply).items():
        got = _attribute(response, key)
        if got != want:
            raise InvariantViolation(
                f"{case.name}: {key} is {got!r}; the reply itself says {want!r}\nreply: {_j(reply)}"
            )


def check_reply_fixture(case: ConformanceCase, codec: Codec, spec: Mapping[str, Any]) -> Response:
    """A whole reply decodes to the fixture's hand-written usage, which is self-consistent and
    agrees with what the reply itself says (:attr:`ConformanceCase.reply_facts`)."""
    response = codec.decode_response(spec["response"])
    want = _fixture_usage(spec["usage"])
    if response.usage != want:
        raise InvariantViolation(f"{codec.NAME}: usage {response.usage}; the fixture says {want}")
    check_usage_buckets(response.usage)
    _check_facts(case, response, spec["response"])
    return response


def check_reply_fixtures_cover(case: ConformanceCase, specs: Sequence[Mapping[str, Any]]) -> None:
    """The whole-reply fixtures exercise the usage buckets the case names
    (:attr:`ConformanceCase.fixture_coverage`)."""
    for bucket, least in case.fixture_coverage.items():
        seen = sum(1 for spec in specs if getattr(_fixture_usage(spec["usage"]), bucket, None))
        if seen < least:
            raise InvariantViolation(f"{case.name}: {seen} fixture(s) report {bucket}; at least {least} should")


def feed(codec: Codec, events: Events) -> StreamDecoder:
    """A fresh stream decoder of ``codec`` fed every event."""
    decoder = codec.stream_decoder()
    for name, data in events:
        decoder.feed(data, name)
    return decoder


def sse_lines(events: Events) -> list[str]:
    """``events`` written as Server-Sent Events lines (``event:`` where the event has a name)."""
    lines: list[str] = []
    for name, data in events:
        if name is not None:
            lines.append(f"event: {name}")
        lines += [f"data: {data if isinstance(data, str) else json.dumps(data)}", ""]
    return lines


def _without_options(response: Response) -> list[Any]:
    return [
        msgspec.structs.replace(p, provider_options={}) if hasattr(p, "provider_options") else p
        for p in response.content
    ]


def _check_stream(case: ConformanceCase, codec: Codec, events: Events, whole: Response) -> Response:
    decoder = feed(codec, events)
    streamed = decoder.finish()
    if streamed != whole:
        raise InvariantViolation(
            f"{codec.NAME}: the stream assembles to\n{streamed}\nthe whole reply decodes to\n{whole}"
        )
    # The IR events alone (what a gateway re-encodes) carry the parts, less wire-only options.
    alone = decoder.assembler.response()
    if _without_options(alone) != _without_options(whole):
        raise InvariantViolation(f"{codec.NAME}: the IR events give the parts\n{alone.content}\nnot\n{whole.content}")
    if (alone.usage, alone.stop_reason) != (whole.usage, whole.stop_reason):
        raise InvariantViolation(f"{codec.NAME}: the IR events give {alone.usage}, {alone.stop_reason!r}")
    if case.sse:
        decoder = codec.stream_decoder()
        for name, data in parse_sse(sse_lines(events)):
            decoder.feed(data, name)
        if decoder.finish() != whole:
            raise InvariantViolation(f"{codec.NAME}: the stream as SSE text assembles to another reply")
    return streamed


def check_stream_fixture(case: ConformanceCase, codec: Codec, spec: Mapping[str, Any]) -> Response:
    """A streamed reply's events assemble to the same :class:`Response` as the whole reply (also
    through the IR events alone, and from SSE text), with the fixture's usage where it has one."""
    streamed = _check_stream(case, codec, spec["events"], codec.decode_response(spec["response"]))
    if "usage" in spec and streamed.usage != _fixture_usage(spec["usage"]):
        raise InvariantViolation(f"{codec.NAME}: streamed usage {streamed.usage}; the fixture says {spec['usage']}")
    return streamed


def check_streamed_reply(case: ConformanceCase, codec: Codec, drawn: StreamedReply) -> Response:
    """A generated reply streamed in random pieces assembles to what the whole reply decodes to
    (and that is the drawn :attr:`StreamedReply.expected`, where given)."""
    whole = codec.decode_response(drawn.whole)
    if drawn.expected is not None and whole != drawn.expected:
        raise InvariantViolation(f"{codec.NAME}: the reply decodes to\n{whole}\nnot\n{drawn.expected}")
    return _check_stream(case, codec, drawn.events, whole)


def check_reported_usage(case: ConformanceCase, codec: Codec, drawn: ReportedUsage) -> None:
    """Token counts written in the provider's raw shape decode to the same buckets, which agree
    with what the reply itself says; so does the stream where the drawn case has events."""
    response = codec.decode_response(drawn.reply)
    if response.usage != drawn.usage:
        raise InvariantViolation(f"{codec.NAME}: {_j(drawn.reply)}\ndecodes to {response.usage}, not {drawn.usage}")
    _check_facts(case, response, drawn.reply)
    if drawn.events is not None:
        streamed = feed(codec, drawn.events).finish().usage
        if streamed != drawn.usage:
            raise InvariantViolation(f"{codec.NAME}: the stream reports {streamed}, not {drawn.usage}")


# ---------------------------------------------------------------------------------------------
# The official SDK


def check_sdk(check: SdkCheck, codec: Codec, request: Request) -> Encoded:
    """Properties 1-3 for ``request``, then: what the SDK sends for the encode is the body
    (:attr:`SdkCheck.expected`)."""
    e = check_request(codec, request)
    sent = check.sent(codec, e)
    want = check.expected(codec, e)
    if not same_json(sent, want):
        raise InvariantViolation(f"{codec.NAME}: the SDK sent\n{_j(sent)}\nour body is\n{_j(want)}")
    return e


def _j(value: Any) -> str:
    try:
        return msgspec.json.encode(value).decode()[:4000]
    except (TypeError, msgspec.EncodeError):
        return repr(value)[:4000]


def _violation(codec: Codec, msg: str, want: Any, got: Any) -> InvariantViolation:
    return InvariantViolation(f"{codec.NAME}: {msg}\nwant: {_j(want)}\ngot:  {_j(got)}")
