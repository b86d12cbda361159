"""Errors and loss warnings.

Exception tree::

    IRCodecError
    ├── DecodeError            bad wire or IR JSON: JSON path, what was expected, what was found
    ├── UnknownCodecError      no codec registered under that name
    ├── LossyEncodeError       on_lossy="raise" and the encode lost something
    └── HTTPError              (ir_codec.http) a provider call failed

Warning categories::

    LossyEncodeWarning(IRCodecWarning, UserWarning)   emitted for on_lossy="warn"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import msgspec

__all__ = [
    "DecodeError",
    "IRCodecError",
    "IRCodecWarning",
    "LossyEncode",
    "LossyEncodeError",
    "LossyEncodeWarning",
    "OnLossy",
    "UnknownCodecError",
]

OnLossy: TypeAlias = Literal["warn", "ignore", "raise"]


class LossyEncode(msgspec.Struct, frozen=True, kw_only=True):
    """The IR held something the target codec cannot express exactly.

    ``path`` is an IR path such as ``messages[3].content[0].cache``; ``reason`` says what was
    lost or changed and how.
    """

    codec: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.codec}: {self.path}: {self.reason}"


class IRCodecError(Exception):
    """Root of every error ir_codec raises."""


class DecodeError(IRCodecError, ValueError):
    """Input JSON did not have the expected shape.

    ``path`` is a JSON path into the input (``$.messages[2].content``), ``expected`` what was
    expected there and ``found`` what was found (``None`` when there was nothing).
    """

    def __init__(self, path: str, expected: str, found: str | None = None) -> None:
        self.path = path
        self.expected = expected
        self.found = found
        msg = f"{path}: expected {expected}"
        if found is not None:
            msg += f", found {found}"
        super().__init__(msg)


class UnknownCodecError(IRCodecError, KeyError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown codec {self.name!r}; known codecs: {', '.join(self.known)}"


class LossyEncodeError(IRCodecError):
    """Raised by ``on_lossy="raise"``; ``warnings`` holds every loss of the encode."""

    def __init__(self, warnings: Sequence[LossyEncode]) -> None:
        self.warnings = tuple(warnings)
        lines = "; ".join(str(w) for w in self.warnings)
        super().__init__(f"{len(self.warnings)} lossy encode warning(s): {lines}")


class IRCodecWarning(Warning):
    """Root of ir_codec's Python warning categories."""


class LossyEncodeWarning(IRCodecWarning, UserWarning):
    """Category of the Python warnings emitted for ``on_lossy="warn"``."""
