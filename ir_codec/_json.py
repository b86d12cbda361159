"""JSON helpers every codec uses: parsing with errors that carry a JSON path, and strict
conversion into wire Structs. A leaf module (it imports only :mod:`ir_codec.errors`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from .errors import DecodeError

__all__ = ["decode_error", "expect_object", "load_json", "wire_convert"]

T = TypeVar("T")


_ERR = re.compile(r"^(?P<msg>.*?)(?: - at `(?P<path>[^`]*)`)?$", re.S)
_EXPECTED = re.compile(r"^Expected `(?P<exp>[^`]*)`, got `(?P<got>[^`]*)`$")


def decode_error(exc: msgspec.MsgspecError, prefix: str = "$") -> DecodeError:
    """A msgspec validation error as a :class:`DecodeError` whose path starts at ``prefix``."""
    m = _ERR.match(str(exc))
    msg = m.group("msg") if m else str(exc)
    path = (m.group("path") if m else None) or "$"
    path = prefix + path[1:]
    e = _EXPECTED.match(msg)
    if e:
        return DecodeError(path, e.group("exp"), e.group("got"))
    if msg.startswith("Object missing required field"):
        field = msg.split("`")[1] if "`" in msg else "?"
        return DecodeError(path, f"required field {field!r}", "nothing")
    if msg.startswith("Object contains unknown field"):
        field = msg.split("`")[1] if "`" in msg else "?"
        return DecodeError(f"{path}.{field}", "no such field", "an unknown field")
    if msg.startswith(("Invalid value", "Invalid enum value")):
        return DecodeError(path, "one of the allowed values", msg.split("value ", 1)[1])
    return DecodeError(path, "valid input", msg)


def load_json(payload: Mapping[str, Any] | bytes | str) -> Any:
    """Parse bytes/str JSON (or pass a mapping through); invalid JSON is a :class:`DecodeError`."""
    if isinstance(payload, bytes | bytearray | memoryview | str):
        try:
            return msgspec.json.decode(payload)
        except msgspec.DecodeError as exc:
            raise DecodeError("$", "valid JSON", str(exc)) from None
    return payload


def wire_convert(obj: Any, type_: type[T], prefix: str = "$") -> T:
    """``msgspec.convert`` with errors turned into :class:`DecodeError` with a JSON path."""
    try:
        return msgspec.convert(obj, type_)
    except msgspec.ValidationError as exc:
        raise decode_error(exc, prefix) from None


def expect_object(obj: Any, path: str) -> dict[str, Any]:
    """``obj`` if it is a JSON object, else a :class:`DecodeError` at ``path``."""
    if not isinstance(obj, dict):
        raise DecodeError(path, "an object", type(obj).__name__)
    return obj
