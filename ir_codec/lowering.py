"""Small helpers every codec uses while lowering and lifting (for codec authors)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from .codec import EncodeContext
from .errors import DecodeError
from .ir import ProviderOptions

__all__ = ["at", "own_options", "split_unknown", "struct_fields"]


def at(path: str, key: str | int) -> str:
    """Extend an IR path: ``at("messages[2]", "content")`` -> ``messages[2].content``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def own_options(options: ProviderOptions, path: str, ctx: EncodeContext) -> dict[str, Any]:
    """This codec's ``provider_options`` at ``path``; every other codec's entry is reported lost."""
    own: dict[str, Any] = {}
    for name, fields in options.items():
        if name == ctx.codec:
            own = fields
        else:
            ctx.lossy(
                at(at(path, "provider_options"), name), f"options for codec {name!r} are not carried by {ctx.codec}"
            )
    return own


def struct_fields(struct_type: type[msgspec.Struct]) -> frozenset[str]:
    """The wire (encoded) names of a Struct's fields."""
    return frozenset(struct_type.__struct_encode_fields__)


def split_unknown(obj: Mapping[str, Any], known: Iterable[str], path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a wire object into (known fields, unknown fields); the unknown ones go to
    ``provider_options`` on decode so that real payloads round-trip."""
    if not isinstance(obj, Mapping):
        raise DecodeError(path, "an object", type(obj).__name__)
    known = known if isinstance(known, frozenset | set) else frozenset(known)
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    for k, v in obj.items():
        (a if k in known else b)[k] = v
    return a, b
