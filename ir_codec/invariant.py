"""The invariant every codec is tested against, as reusable checks.

For a codec ``C`` and an IR request ``x``:

1. ``e = C.encode(x)`` is valid for the provider (:meth:`Codec.validate_wire`);
2. with ``y = C.decode(e.body)``, every IR path where ``x`` and ``y`` differ is covered by a
   warning in ``e.warnings``, and every warning names a path that really differs;
3. ``C.encode(y).body == e.body``;
4. for wire payloads ``p``: ``C.encode(C.decode(p)).body == C.canonicalize(p)``.

Codec authors (and users with their own codecs) call :func:`check_request` and
:func:`check_wire` from their tests; both raise :class:`InvariantViolation` with the details.

Paths look like ``messages[3].content[0].cache.ttl``; mapping keys are written ``.key``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import msgspec

from .codec import Codec, Encoded
from .errors import LossyEncode
from .ir import Request

__all__ = [
    "InvariantViolation",
    "check_request",
    "check_wire",
    "covers",
    "diff_paths",
    "same_json",
]


class InvariantViolation(AssertionError):
    pass


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _key(v: Any) -> bytes:
    return msgspec.json.encode(v, order="sorted")


def _same(x: Any, y: Any) -> bool:
    # bool is an int and 1 == 1.0 in Python (also deep inside lists, dicts and Structs); the
    # wire tells them apart, so must we: compare canonical JSON, which is type-strict.
    if type(x) is not type(y):
        return False
    if isinstance(x, str | int | float | bool | type(None)):
        return bool(x == y)
    return _key(x) == _key(y)


def same_json(x: Any, y: Any) -> bool:
    """Type-strict equality of JSON values (``1``, ``1.0`` and ``true`` all differ); key order
    is ignored."""
    return _key(x) == _key(y)


def diff_paths(x: Any, y: Any, path: str = "") -> list[str]:
    """The IR paths at which ``x`` and ``y`` differ, as coarse as the difference is.

    Lists are aligned (difflib) so that one inserted or removed element is reported once, at
    its index in ``x`` (an insertion at the index it would take in ``x``).
    """
    if _same(x, y):
        return []
    if isinstance(x, msgspec.Struct) and type(x) is type(y):
        out: list[str] = []
        for f in x.__struct_fields__:
            out += diff_paths(getattr(x, f), getattr(y, f), _join(path, f))
        return out
    if isinstance(x, dict) and isinstance(y, dict):
        out = []
        for k in sorted(set(x) | set(y), key=str):
            sub = _join(path, str(k))
            if k not in x or k not in y:
                out.append(sub)
            else:
                out += diff_paths(x[k], y[k], sub)
        return out
    if isinstance(x, list) and isinstance(y, list):
        if len(x) == len(y):  # same length: element by element (alignment would invent moves)
            out = []
            for i, (a, b) in enumerate(zip(x, y, strict=True)):
                out += diff_paths(a, b, _join(path, i))
            return out
        kx = [_key(v) for v in x]
        ky = [_key(v) for v in y]
        out = []
        sm = difflib.SequenceMatcher(a=kx, b=ky, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for d in range(i2 - i1):
                    out += diff_paths(x[i1 + d], y[j1 + d], _join(path, i1 + d))
            elif i1 == i2:
                out.append(_join(path, i1))
            else:
                out += [_join(path, i) for i in range(i1, i2)]
        return out
    return [path]


def covers(warning_path: str, path: str) -> bool:
    """True when ``path`` is ``warning_path`` or lies beneath it."""
    if not warning_path:
        return False
    return path == warning_path or path.startswith((warning_path + ".", warning_path + "["))


def _explain(msg: str, x: Any, e: Encoded | None, extra: str = "") -> InvariantViolation:
    parts = [msg]
    if extra:
        parts.append(extra)
    if e is not None:
        parts.append("warnings: " + "; ".join(str(w) for w in e.warnings))
        parts.append("wire: " + msgspec.json.encode(e.body).decode()[:4000])
    parts.append("ir: " + msgspec.json.encode(x).decode()[:4000])
    return InvariantViolation("\n".join(parts))


def loss_report(x: Request, y: Request, warnings: list[LossyEncode]) -> tuple[list[str], list[LossyEncode]]:
    """(differences no warning covers, warnings that name no difference)."""
    diffs = diff_paths(x, y)
    uncovered = [d for d in diffs if not any(covers(w.path, d) for w in warnings)]
    unjustified = [w for w in warnings if not any(covers(w.path, d) or covers(d, w.path) for d in diffs)]
    return uncovered, unjustified


def check_request(codec: Codec, x: Request) -> Encoded:
    """Properties 1-3 of the invariant for one IR request; returns the encode."""
    e = codec.encode(x)
    try:
        codec.validate_wire(e.body)
    except Exception as exc:
        raise _explain(f"property 1: wire does not validate: {exc}", x, e) from None
    y = codec.with_endpoint(codec.decode(e.body), e.endpoint)
    uncovered, unjustified = loss_report(x, y, e.warnings)
    if uncovered or unjustified:
        raise _explain(
            "property 2: loss and warnings disagree",
            x,
            e,
            f"differences without a warning: {uncovered}\n"
            f"warnings without a difference: {[str(w) for w in unjustified]}\n"
            f"decoded: {msgspec.json.encode(y).decode()[:4000]}",
        )
    e2 = codec.encode(y)
    if not same_json(e2.body, e.body) or e2.endpoint != e.endpoint:
        raise _explain(
            "property 3: encode(decode(encode(x))) != encode(x)",
            x,
            e,
            f"second wire: {msgspec.json.encode(e2.body).decode()[:4000]}",
        )
    return e


def check_wire(codec: Codec, payload: Mapping[str, Any]) -> None:
    """Property 4: a wire payload survives decode + encode up to the canonicalizations."""
    got = codec.encode(codec.decode(payload)).body
    want = codec.canonicalize(payload)
    if not same_json(got, want):
        raise InvariantViolation(
            "property 4: encode(decode(p)) != canonicalize(p)\n"
            f"p:    {msgspec.json.encode(payload).decode()[:4000]}\n"
            f"want: {msgspec.json.encode(want).decode()[:4000]}\n"
            f"got:  {msgspec.json.encode(got).decode()[:4000]}"
        )
