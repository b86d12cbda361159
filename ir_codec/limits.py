"""Limits on JSON that comes from outside (``spec/limits.md``).

Every decoder reads wire JSON through :func:`ir_codec._json.load_json`, which refuses input
beyond these limits with a :class:`~ir_codec.errors.DecodeError` naming the JSON path, what was
allowed and what was found. A leaf module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "MIB", "Limits", "current_limits", "use_limits"]

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """What :func:`~ir_codec._json.load_json` accepts (see ``spec/limits.md`` for the reasons).

    ``max_bytes``           the whole JSON text, in bytes (characters for a ``str``).
    ``max_depth``           nesting of arrays and objects; ``[]`` and ``{}`` are depth 1.
    ``max_string_length``   characters of one string (a key or a value).
    ``max_items``           elements of one array, members of one object.
    ``max_int_bits``        integers must fit a signed (or, when positive, unsigned) integer of
                            this many bits; larger ones are refused (64: what every provider's
                            own parser and msgspec's typed fields accept).
    ``allow_duplicate_keys`` ``False``: an object that names a key twice is refused (RFC 8259
                            leaves its meaning open; parsers disagree on which value wins).
    """

    max_bytes: int = 256 * MIB
    max_depth: int = 256
    max_string_length: int = 128 * MIB
    max_items: int = 100_000
    max_int_bits: int = 64
    allow_duplicate_keys: bool = False

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_depth", "max_string_length", "max_items", "max_int_bits"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise ValueError(f"Limits.{name} must be a positive int, not {value!r}")


DEFAULT_LIMITS = Limits()

_CURRENT: ContextVar[Limits] = ContextVar("ir_codec_limits", default=DEFAULT_LIMITS)


def current_limits() -> Limits:
    """The limits every decoder applies here (:func:`use_limits` sets them; else the defaults)."""
    return _CURRENT.get()


@contextmanager
def use_limits(value: Limits) -> Iterator[Limits]:
    """Apply ``value`` to every decode (``decode``, ``decode_response``, streams, ``transpile``,
    ``validate``) inside the ``with`` block, in this thread or task only::

        with ir_codec.use_limits(Limits(max_bytes=1 << 20)):
            ir_codec.transpile(body, "openai-chat", "anthropic")
    """
    token = _CURRENT.set(value)
    try:
        yield value
    finally:
        _CURRENT.reset(token)
