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
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from .codec import Codec, Encoded, get_codec
from .errors import LossKind, LossyEncode
from .ir import Request, Response
from .paths import beneath

if TYPE_CHECKING:
    from .replies import EncodedStream
    from .stream import StreamEvent

__all__ = [
    "InvariantViolation",
    "check_reply_wire",
    "check_request",
    "check_response",
    "check_wire",
    "covers",
    "diff_paths",
    "json_diff",
    "same_json",
]


class InvariantViolation(AssertionError):
    """A broken invariant property; the message shows a unified diff of what differs."""


def _pretty(v: Any) -> list[str]:
    return msgspec.json.format(msgspec.json.encode(v, order="sorted"), indent=2).decode().splitlines()


def json_diff(want: Any, got: Any, want_name: str = "want", got_name: str = "got", limit: int = 200) -> str:
    """A unified diff of two JSON values, pretty-printed with sorted keys (at most ``limit``
    lines)."""
    lines = list(difflib.unified_diff(_pretty(want), _pretty(got), want_name, got_name, lineterm="", n=3))
    if len(lines) > limit:
        lines = [*lines[:limit], f"... ({len(lines) - limit} more diff lines)"]
    return "\n".join(lines)


def _as_codec(codec: str | Codec) -> Codec:
    return get_codec(codec) if isinstance(codec, str) else codec


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


def _shape(v: Any) -> tuple[Any, ...]:
    """What must agree for two list elements to be the same item changed: the type (a part's
    tag) and, for messages, the role."""
    return (type(v), getattr(v, "role", None)) if isinstance(v, msgspec.Struct) else (type(v),)


def _overlap(a: Any, b: Any) -> float:
    """How alike two field values are (0..1): equal 1; lists by the share of equal elements
    (a changed element of a short list earns part of its own similarity); structures of one
    shape by their own similarity."""
    if _same(a, b):
        return 1.0
    if isinstance(a, list) and isinstance(b, list):
        if not a or not b:
            return 0.0
        kb = [_key(v) for v in b]
        small = len(a) * len(b) <= _MAX_PARTIAL
        total = 0.0
        for v in a:
            if _key(v) in kb:
                total += 1.0
            elif small:  # a changed element still counts for part of itself
                total += 0.5 * max(0.0, *(_similarity(v, w) for w in b))
        return total / max(len(a), len(b))
    if isinstance(a, msgspec.Struct | dict) and _shape(a) == _shape(b):
        return 0.5 * _similarity(a, b)
    return 0.0


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, list | dict | str) and not v)


def _similarity(a: Any, b: Any, worn: bool = False) -> float:
    """How much of ``a`` survives in ``b`` (0..1), or -1 when they cannot be the same item.
    Fields empty on both sides (absent options, no cache mark) say nothing and are skipped.
    ``worn`` (list elements being paired): ``b`` that is ``a`` with every field emptied scores
    :data:`_WORN` rather than 0."""
    if _shape(a) != _shape(b):
        return -1.0
    if _same(a, b):
        return 1.0
    if isinstance(a, msgspec.Struct):
        pairs = [(getattr(a, f), getattr(b, f)) for f in a.__struct_fields__]
    elif isinstance(a, dict):
        pairs = [(a.get(k), b.get(k)) for k in set(a) | set(b)]
    else:
        return 0.0
    pairs = [(u, v) for u, v in pairs if not (_empty(u) and _empty(v))]
    s = sum(_overlap(u, v) for u, v in pairs) / max(len(pairs), 1)
    if worn and s == 0 and all(_empty(v) for _, v in pairs):
        # ``b`` is ``a`` with every field it had emptied (an empty thought whose origin was not
        # sent): the same item worn down, not an unrelated one; it pairs below any that shares
        return _WORN
    return s


_WORN = 1e-3
"""The similarity of an element to one of its shape that kept none of its (non-empty) fields."""


_MAX_ALIGN = 4096  # element pairs compared in one block; beyond it, blocks are reported whole
_MAX_PARTIAL = 64  # element pairs compared for partial credit inside a field's list


def _pair(xs: list[Any], ys: list[Any]) -> list[tuple[int, int]] | None:
    """The order-keeping pairing of ``xs`` with ``ys`` that keeps the most of them, or None when
    too big. Pairings are ranked by the number of equal pairs first, then by the summed
    similarity of the others; a pair with nothing in common (similarity 0) is no pair; among
    pairings of equal rank the one that pairs earliest wins (dynamic programming over
    similarities)."""
    n, m = len(xs), len(ys)
    if n * m > _MAX_ALIGN:
        return None
    sim = [[_similarity(a, b, worn=True) for b in ys] for a in xs]
    zero = (0, 0.0)
    best = [[zero] * (m + 1) for _ in range(n + 1)]

    def take(i: int, j: int) -> tuple[int, float] | None:
        s = sim[i][j]
        if s <= 0:
            return None
        e, t = best[i + 1][j + 1]
        return (e + 1, t) if s == 1.0 else (e, t + s)

    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            t = take(i, j)
            if t is not None:
                options.append(t)
            best[i][j] = max(options)
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:  # on a tie the earliest pair is taken (a merge keeps the first turn)
        if take(i, j) == best[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _stands_at(b: int, pairs: list[tuple[int, int]], n: int) -> int:
    """The index in ``x`` (of ``n`` elements) at which the unpaired ``y`` element ``b`` stands.
    Between two pairs, the k-th unpaired element of ``y`` takes the place of the k-th unpaired
    element of ``x`` (an item sent in another shape, a refusal sent as text); one beyond them
    is an insertion, at the index of the next paired element."""
    lo_x = lo_y = -1
    hi_x = n
    for a, bb in pairs:
        if bb > b:
            hi_x = a
            break
        lo_x, lo_y = a, bb
    at = lo_x + 1 + (b - lo_y - 1)
    return at if at < hi_x else hi_x


def diff_paths(x: Any, y: Any, path: str = "", dropped: frozenset[str] = frozenset()) -> list[str]:
    """The IR paths at which ``x`` and ``y`` differ, as fine as the difference is.

    Lists of unequal length are aligned in two steps (the realignment rule of
    ``spec/losses.md``): for long lists, difflib finds the runs of equal elements (a short list
    is one run); inside each run of unequal ones, elements of the same shape (type, tag and
    role) are paired so as to keep the most of them, and paired elements are compared field by
    field. An element of ``x`` left unpaired is
    reported at its own index (dropped); one of ``y`` left unpaired at the index it would take
    in ``x``: that of an unpaired ``x`` element it stands in for, else that of the next paired
    element (inserted). A mapping present on one side only is reported by its members.

    ``dropped`` holds the paths of list elements the encoder reported ``dropped`` (kind
    :attr:`LossKind.DROPPED <ir_codec.errors.LossKind.DROPPED>`): they are set aside before the
    alignment, so that a dropped element never takes the place of a kept twin beside it.
    """
    if _same(x, y):
        return []
    if isinstance(x, msgspec.Struct) and type(x) is type(y):
        out: list[str] = []
        for f in x.__struct_fields__:
            out += diff_paths(getattr(x, f), getattr(y, f), _join(path, f), dropped)
        return out
    if isinstance(x, dict) and isinstance(y, dict):
        out = []
        for k in sorted(set(x) | set(y), key=str):
            sub = _join(path, str(k))
            if k in x and k in y:
                out += diff_paths(x[k], y[k], sub, dropped)
            elif isinstance(x.get(k, y.get(k)), dict) and x.get(k, y.get(k)):
                # a mapping that is gone (or new) as a whole is reported by its members
                out += diff_paths(x.get(k, {}), y.get(k, {}), sub, dropped)
            else:
                out.append(sub)
        return out
    if isinstance(x, list) and isinstance(y, list):
        out = []
        n = len(x)
        at = list(range(n))  # original index of each element still in play
        if dropped:  # whatever the lengths: an element may be dropped and another moved in
            gone = [i for i in at if _join(path, i) in dropped]
            out += [_join(path, i) for i in gone]
            at = [i for i in at if _join(path, i) not in dropped]
            x = [x[i] for i in at]

        def _at(k: int) -> str:  # the path of the k-th element in play (k == len: one past the end)
            return _join(path, at[k] if k < len(at) else n)

        if len(x) == len(y):  # same length: element by element (alignment would invent moves)
            for i, (a, b) in enumerate(zip(x, y, strict=True)):
                out += diff_paths(a, b, _at(i), dropped)
            return sorted(set(out), key=out.index)
        if len(x) * len(y) <= _MAX_ALIGN:
            # small enough to pair as one block: the best pairing keeps equal elements paired
            # (they score highest) without difflib's greedy runs, which can pair a duplicate with
            # the wrong twin (a tool sent twice, one copy losing its cache mark)
            opcodes: list[tuple[str, int, int, int, int]] = [("replace", 0, len(x), 0, len(y))]
        else:
            kx = [_key(v) for v in x]
            ky = [_key(v) for v in y]
            opcodes = list(difflib.SequenceMatcher(a=kx, b=ky, autojunk=False).get_opcodes())
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for d in range(i2 - i1):
                    out += diff_paths(x[i1 + d], y[j1 + d], _at(i1 + d), dropped)
                continue
            pairs = _pair(x[i1:i2], y[j1:j2]) if i1 < i2 and j1 < j2 else []
            if pairs is None:  # too large to pair: the block is reported element by element
                out += [_at(i) for i in range(i1, i2)] if i1 < i2 else [_at(i1)]
                continue
            paired_x = {a for a, _ in pairs}
            paired_y = {b for _, b in pairs}
            for a, b in pairs:
                out += diff_paths(x[i1 + a], y[j1 + b], _at(i1 + a), dropped)
            out += [_at(i1 + a) for a in range(i2 - i1) if a not in paired_x]
            for b in range(j2 - j1):
                if b not in paired_y:
                    out.append(_at(i1 + _stands_at(b, pairs, i2 - i1)))
        return sorted(set(out), key=out.index)
    return [path]


def covers(warning_path: str, path: str) -> bool:
    """True when ``path`` is ``warning_path`` or lies beneath it."""
    return bool(warning_path) and beneath(path, warning_path)


def _explain(msg: str, x: Any, e: Encoded | None, extra: str = "") -> InvariantViolation:
    parts = [msg]
    if extra:
        parts.append(extra)
    if e is not None:
        parts.append("warnings: " + "; ".join(str(w) for w in e.warnings))
        parts.append("wire: " + msgspec.json.encode(e.body).decode()[:4000])
    parts.append("ir: " + msgspec.json.encode(x).decode()[:4000])
    return InvariantViolation("\n".join(parts))


def loss_report(
    x: Request | Response, y: Request | Response, warnings: list[LossyEncode]
) -> tuple[list[str], list[LossyEncode]]:
    """(differences no warning covers, warnings that name no difference)."""
    # items the encoder took out of their list (dropped, or moved elsewhere) are set aside
    gone = frozenset(w.path for w in warnings if w.kind in (LossKind.DROPPED, LossKind.MOVED) and w.path.endswith("]"))
    diffs = diff_paths(x, y, dropped=gone)
    uncovered = [d for d in diffs if not any(covers(w.path, d) for w in warnings)]
    unjustified = [w for w in warnings if not any(covers(w.path, d) or covers(d, w.path) for d in diffs)]
    if uncovered or unjustified:  # equal items are interchangeable (spec/losses.md, "twins")
        uncovered = [d for d in uncovered if not any(covers(w.path, t) for t in _twins(x, d) for w in warnings)]
        unjustified = [
            w for w in unjustified if not any(covers(t, d) or covers(d, t) for t in _twins(x, w.path) for d in diffs)
        ]
    return uncovered, unjustified


_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def _twins(x: Any, path: str) -> list[str]:
    """``path`` with one list index ``i`` replaced by ``j``, for every ``j`` whose element of
    ``x`` equals element ``i``: the judge cannot tell which of two equal items a difference
    belongs to, so a loss reported at one of them stands for the other too."""
    steps: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None or m.end() == pos:
            return []
        steps.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    out: list[str] = []
    node: Any = x
    for n, step in enumerate(steps):
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            for j, other in enumerate(node):
                if j != step and other == node[step]:
                    out.append(_render_steps([*steps[:n], j, *steps[n + 1 :]]))
        node = _child(node, step)
        if node is _MISSING:
            break
    return out


_MISSING = object()


def _child(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if isinstance(node, list) and 0 <= step < len(node) else _MISSING
    if isinstance(node, msgspec.Struct):
        return getattr(node, step, _MISSING)
    if isinstance(node, dict):
        return node.get(step, _MISSING)
    return _MISSING


def _render_steps(steps: list[str | int]) -> str:
    """The string form of a path given as its steps (``["messages", 2, "content"]``)."""
    out = ""
    for step in steps:
        out = _join(out, step)
    return out


def check_request(codec: str | Codec, x: Request) -> Encoded:
    """Properties 1-3 of the invariant for one IR request; returns the encode. ``codec`` is a
    registered name or a :class:`Codec`."""
    codec = _as_codec(codec)
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
            "diff of the IR and its decode:\n" + json_diff(x, y, "x", "decode(encode(x))"),
        )
    e2 = codec.encode(y)
    if not same_json(e2.body, e.body) or e2.endpoint != e.endpoint:
        raise _explain(
            "property 3: encode(decode(encode(x))) != encode(x)",
            x,
            e,
            "diff of the two wires:\n" + json_diff(e.body, e2.body, "encode(x)", "encode(decode(encode(x)))"),
        )
    return e


def check_wire(codec: str | Codec, payload: Mapping[str, Any]) -> None:
    """Property 4: a wire payload survives decode + encode up to the canonicalizations.
    ``codec`` is a registered name or a :class:`Codec`; a failure shows a unified diff of
    ``canonicalize(p)`` and ``encode(decode(p))``.

    >>> check_wire("anthropic", {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]})
    """
    codec = _as_codec(codec)
    got = codec.encode(codec.decode(payload)).body
    want = codec.canonicalize(payload)
    if not same_json(got, want):
        raise InvariantViolation(
            f"property 4 ({codec.NAME}): encode(decode(p)) != canonicalize(p)\n"
            + json_diff(want, got, "canonicalize(p)", "encode(decode(p))")
        )


# --------------------------------------------------------------------------------------------
# Replies and streams (spec/replies.md): the invariant adapted


def _comparable(x: Response, y: Response) -> Response:
    """``y`` as the judge compares it with ``x``: ``raw_stop_reason`` is each wire's own spelling
    of the stop reason (a target writes its own; what must survive is ``stop_reason``), so it
    is not compared."""
    return msgspec.structs.replace(y, raw_stop_reason=x.raw_stop_reason)


def check_response(codec: Codec, x: Response, *, stream: bool = True) -> Encoded:
    """The reply invariant for one IR Response ``x``:

    1. ``e = codec.encode_response(x)`` decodes (``codec.decode_response``) to ``y``, and every
       path where ``x`` and ``y`` differ is covered by a warning, every warning names a real
       difference (as for requests);
    2. ``encode_response(y)`` writes the same body (stable on the second round);
    3. with ``stream``: the events of ``codec.encode_stream(x)`` fed to
       ``codec.stream_decoder()`` assemble to a Response that differs from ``x`` exactly where
       the stream's warnings say (whole replies and streams lose the same, except parts a
       stream cannot carry).
    """
    e = codec.encode_response(x)
    y = codec.decode_response(e.body)
    uncovered, unjustified = loss_report(x, _comparable(x, y), e.warnings)
    if uncovered or unjustified:
        raise _explain(
            "reply property 1: loss and warnings disagree",
            x,
            e,
            f"differences without a warning: {uncovered}\n"
            f"warnings without a difference: {[str(w) for w in unjustified]}\n"
            f"decoded: {msgspec.json.encode(y).decode()[:4000]}",
        )
    e2 = codec.encode_response(y)
    if not same_json(e2.body, e.body):
        raise _explain(
            "reply property 2: encode_response(decode_response(encode_response(x))) != encode_response(x)",
            x,
            e,
            f"second body: {msgspec.json.encode(e2.body).decode()[:4000]}",
        )
    if stream:
        check_stream(codec, x)
    return e


def check_stream(codec: Codec, x: Response, events: Sequence[StreamEvent] | None = None) -> EncodedStream:
    """The stream property: IR stream ``events`` that assemble to ``x`` (default: one piece per
    part, :func:`~ir_codec.stream.events_of`) fed event by event to ``codec.stream_encoder()``
    write events that ``codec.stream_decoder()`` assembles to a Response differing from ``x``
    exactly where the encoder's warnings say (whole replies and streams lose the same, except
    what only a stream loses). With the one-piece events the result is
    ``codec.encode_stream(x)``."""
    s = codec.encode_stream(x) if events is None else codec.stream_encoder().stream(events)
    dec = codec.stream_decoder()
    for name, data in s.events:
        dec.feed(data, name)
    got = dec.finish()
    uncovered, unjustified = loss_report(x, _comparable(x, got), s.warnings)
    if uncovered or unjustified:
        raise InvariantViolation(
            "stream property: the re-encoded stream's loss and warnings disagree\n"
            f"x:        {msgspec.json.encode(x).decode()[:4000]}\n"
            f"events:   {msgspec.json.encode(s.events).decode()[:4000]}\n"
            f"warnings: {[str(w) for w in s.warnings]}\n"
            f"differences without a warning: {uncovered}\n"
            f"warnings without a difference: {[str(w) for w in unjustified]}\n"
            f"streamed: {msgspec.json.encode(got).decode()[:4000]}"
        )
    return s


def check_reply_wire(codec: Codec, payload: Mapping[str, Any]) -> dict[str, Any]:
    """A real reply survives decode + encode and is stable on the second round:
    ``encode_response(decode_response(b)) == b`` for ``b = encode_response(decode_response(p))``.
    Returns ``b``."""
    body = codec.encode_response(codec.decode_response(payload)).body
    again = codec.encode_response(codec.decode_response(body)).body
    if not same_json(body, again):
        raise InvariantViolation(
            "reply property 4: encode_response(decode_response(p)) is not stable\n"
            f"p:      {msgspec.json.encode(payload).decode()[:4000]}\n"
            f"first:  {msgspec.json.encode(body).decode()[:4000]}\n"
            f"second: {msgspec.json.encode(again).decode()[:4000]}"
        )
    return body
