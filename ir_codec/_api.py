"""The public functions: encode, decode, decode_response, transpile, validate."""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Mapping
from typing import Any

import msgspec

from ._log import get_logger
from .codec import Codec, Encoded, Endpoint, get_codec, load_json
from .errors import DecodeError, LossyEncode, LossyEncodeError, LossyEncodeWarning, OnLossy
from .ir import Request, Response

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


def decode_response(payload: Payload, codec: str | Codec, *, on_lossy: OnLossy = "warn", **options: Any) -> Response:
    """Lift a provider's response body to an IR :class:`Response` with normalized usage."""
    _check_on_lossy(on_lossy)
    return _codec(codec, options).decode_response(payload)


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
    request = _codec(read, read_options or {}).decode(payload)
    e = _codec(write, write_options or {}).encode(request)
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
