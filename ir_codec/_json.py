"""JSON helpers every codec uses: parsing with errors that carry a JSON path, and strict
conversion into wire Structs. A leaf module (it imports only :mod:`ir_codec.errors`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import chain, compress, repeat
from typing import Any, Literal, TypeVar, overload

import msgspec

from .errors import DecodeError
from .limits import Limits, current_limits

__all__ = ["decode_error", "expect_object", "expect_str", "load_json", "wire_convert"]

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


def load_json(
    payload: Mapping[str, Any] | bytes | bytearray | memoryview | str, *, limits: Limits | None = None
) -> Any:
    """Parse JSON from outside within ``limits`` (default: :func:`~ir_codec.limits.current_limits`).

    Bytes and text are refused with a :class:`DecodeError` (JSON path, what the limit allows,
    what was found) when they are not valid JSON or break a limit: size, nesting depth, string
    length, items in one array or object, integers beyond ``max_int_bits``, duplicate keys
    (``spec/limits.md``). A mapping passed in is returned as it is after the same checks of its
    shape (depth, items, integers, strings), so that nothing downstream meets a value nested
    deeper than ``max_depth``.
    """
    lim = current_limits() if limits is None else limits
    if isinstance(payload, bytes | bytearray | memoryview | str):
        size = payload.nbytes if isinstance(payload, memoryview) else len(payload)
        if size > lim.max_bytes:
            raise DecodeError("$", f"at most {lim.max_bytes} bytes of JSON", f"{size} bytes")
        long_strings = size > lim.max_string_length
        if long_strings and _long_gap(_as_bytes(payload), lim.max_string_length):
            # A string may be longer than allowed: find it before msgspec copies it.
            found = _scan(_as_bytes(payload), lim)
            if found is not None:
                raise found
        try:
            obj = msgspec.json.decode(payload)
        except RecursionError:
            raise _located(payload, lim, "JSON nested too deep") from None
        except (msgspec.DecodeError, UnicodeError) as exc:
            raise _located(payload, lim, str(exc)) from None
        if not _surely_within(obj, lim, long_strings, payload) and _breaks_limits(
            obj, lim, strings=long_strings, raw=payload
        ):
            raise _located(payload, lim, "a value beyond the limits") from None
        return obj
    if isinstance(payload, Mapping) and _breaks_limits(payload, lim, strings=True, raw=None):
        raise _tree_error(payload, lim)
    return payload


# --------------------------------------------------------------------------------------------
# The fast check: one pass over the decoded value, level by level, with the per-value work done
# by C iterators (map, compress, chain) rather than a Python loop per value.

_IS_CONTAINER = frozenset({dict, list}).__contains__
_IS_DICT = frozenset({dict}).__contains__
_IS_LIST = frozenset({list}).__contains__
_IS_INT = frozenset({int}).__contains__
_IS_STR = frozenset({str}).__contains__


def _int_range(lim: Limits) -> tuple[int, int]:
    return -(1 << (lim.max_int_bits - 1)), (1 << lim.max_int_bits) - 1


def _surely_within(obj: Any, lim: Limits, strings: bool, raw: bytes | bytearray | memoryview | str) -> bool:
    """The common path: True when the JSON text ``raw`` (decoded as ``obj``) certainly keeps the
    limits; False means "may break one", and :func:`_breaks_limits` decides.

    One walk over the decoded value, level by level (a plain loop: for the many small objects of
    a request it is faster than chains of C iterators), checks depth, items and integers, and
    counts the keys of ``obj`` and the colons inside its string values. The text holds a colon
    per key, those of the strings (keys too), each written as ``:`` or escaped as
    ``\\u003a``, and those of any member that lost to a later one of the same key (its own at
    least). So when the text holds exactly as many plain colons as ``obj`` has keys and value
    colons, and no escaped colon, no key holds a colon and none is named twice. Anything else
    (a colon in a key, an escaped colon, long strings) is left to :func:`_breaks_limits`.
    """
    if strings or type(obj) not in (dict, list):
        return False
    lo, hi = _int_range(lim)
    max_items = lim.max_items
    colons = 0  # one per key, then those of the string values
    level: list[Any] = [obj]
    for _ in range(lim.max_depth):
        deeper: list[Any] = []
        for container in level:
            n = len(container)
            if n > max_items:
                return False
            if type(container) is dict:
                colons += n
                container = container.values()
            for v in container:
                t = type(v)
                if t is str:
                    if ":" in v:
                        colons += _colons(v)
                elif t is dict or t is list:
                    deeper.append(v)
                elif t is int and not lo <= v <= hi:
                    return False
        if not deeper:
            break
        level = deeper
    else:
        return False
    if lim.allow_duplicate_keys:
        return True
    data = _as_bytes(raw)
    # equal counts: no colon in a key and no lost member, unless escaped colons make up for them
    return _count_colons(data, colons) == colons and not _may_escape_colon(data)


def _count_colons(data: bytes, expected: int) -> int:
    """The colons of the JSON text ``data``, where about ``expected`` are likely.

    ``bytes.count`` of one byte reads every byte at about one cycle each (CPython 3.11's
    counting loop); deleting the byte (``bytes.replace``) finds each one by ``memchr`` and
    copies the runs between them, four to five times faster while colons are sparse (one in
    tens of bytes: the keys of a request and its long texts), but slower where they are dense
    (then a few instructions per colon). The expected count picks the one that is faster."""
    if expected * 32 <= len(data):
        return len(data) - len(data.replace(b":", b""))
    return data.count(b":")


def _colons(s: str) -> int:
    """The colons of ``s``: found one by one (memchr) while they are few, as in a ``data:`` URL,
    where ``str.count`` would read every character at several instructions each; past a few,
    the rest counted at once."""
    n = 0
    i = s.find(":")
    while i >= 0:
        n += 1
        if n == 8:
            return n + s.count(":", i + 1)
        i = s.find(":", i + 1)
    return n


def _may_escape_colon(data: bytes) -> bool:
    """Whether the JSON text ``data`` may hold an escaped colon (``\\u003a``): False is sure.

    Escape to escape by ``bytes.find`` (memchr), as long as there are few of them (a text
    without escapes costs one memchr); past a budget that keeps the loop cheaper than a scan,
    the rest of the text is scanned for ``u003``."""
    i = data.find(b"\\")
    budget = len(data) >> 10
    while i >= 0:
        if data[i + 1 : i + 5] == b"u003":
            return True
        budget -= 1
        if budget < 0:
            return data.find(b"u003", i) >= 0
        i = data.find(b"\\", i + 2)  # past the escaped character: ``\\\\`` is one escape
    return False


def _breaks_limits(obj: Any, lim: Limits, *, strings: bool, raw: bytes | bytearray | memoryview | str | None) -> bool:
    """Whether ``obj`` may break a limit (exact for depth, items, integers and strings; for
    duplicate keys a sound trigger: a colon count that cannot come out this way without one)."""
    lo, hi = _int_range(lim)
    if isinstance(obj, Mapping) and type(obj) is not dict:
        obj = dict(obj)
    if not _IS_CONTAINER(type(obj)):
        if type(obj) is int:
            return not lo <= obj <= hi
        return strings and type(obj) is str and len(obj) > lim.max_string_length
    dups = raw is not None and not lim.allow_duplicate_keys
    json_keys = raw is not None
    keys_n = colons = 0
    level: list[Any] = [obj]
    depth = 0
    while level:
        depth += 1
        if depth > lim.max_depth or max(map(len, level)) > lim.max_items:
            return True
        kinds = list(map(type, level))
        dicts = list(compress(level, map(_IS_DICT, kinds)))
        values = list(
            chain(
                chain.from_iterable(map(dict.values, dicts)),
                chain.from_iterable(compress(level, map(_IS_LIST, kinds))),
            )
        )
        vkinds = list(map(type, values))
        ints = list(compress(values, map(_IS_INT, vkinds)))
        if ints and (max(ints) > hi or min(ints) < lo):
            return True
        if strings or dups:
            strs = list(compress(values, map(_IS_STR, vkinds)))
            if strings and max(map(len, strs), default=0) > lim.max_string_length:
                return True
            if json_keys:
                keys = list(chain.from_iterable(dicts))
                if strings and max(map(len, keys), default=0) > lim.max_string_length:
                    return True
                if dups:
                    keys_n += sum(map(len, dicts))
                    colons += sum(map(str.count, strs, repeat(":"))) + sum(map(str.count, keys, repeat(":")))
        level = list(compress(values, map(_IS_CONTAINER, vkinds)))
    if dups and raw is not None:
        # Every ':' of the text is a key separator or a character of a string; the decoded value
        # holds the same ones plus the escaped colons (\u003a), minus those of duplicates.
        data = _as_bytes(raw)
        escaped = data.count(b"\\u003a") + data.count(b"\\u003A") if b"\\" in data else 0
        return data.count(b":") + escaped > keys_n + colons
    return False


def _tree_error(obj: Any, lim: Limits) -> DecodeError:
    """The first place where a mapping passed in breaks a limit (depth first, in order)."""
    lo, hi = _int_range(lim)
    todo: list[tuple[Any, str, int]] = [(obj, "$", 1)]
    while todo:
        value, path, depth = todo.pop()
        if isinstance(value, Mapping | list | tuple):
            if depth > lim.max_depth:
                return DecodeError(path, f"nesting at most {lim.max_depth} deep", f"{_kind(value)} at depth {depth}")
            if len(value) > lim.max_items:
                return DecodeError(path, f"at most {lim.max_items} items", f"{len(value)} items")
            pairs = (
                [(_key_path(k) if isinstance(k, str) else f"[{k!r}]", v) for k, v in value.items()]
                if isinstance(value, Mapping)
                else [(f"[{i}]", v) for i, v in enumerate(value)]
            )
            todo.extend((v, path + p, depth + 1) for p, v in reversed(pairs))
        elif type(value) is int and not lo <= value <= hi:
            return DecodeError(path, f"an integer of at most {lim.max_int_bits} bits", _short(str(value)))
        elif type(value) is str and len(value) > lim.max_string_length:
            return DecodeError(
                path, f"a string of at most {lim.max_string_length} characters", f"{len(value)} characters"
            )
    return DecodeError("$", "a value within the limits", "a value beyond them")


def _kind(value: Any) -> str:
    return "an object" if isinstance(value, Mapping) else "an array"


# --------------------------------------------------------------------------------------------
# The exact scanner: walks the JSON text token by token and names the path of the first
# problem. It runs only when something is wrong (or may be), never on the common path.

_WS = re.compile(rb"[ \t\n\r]*")
_SCALAR = re.compile(rb'[^ \t\n\r\[\]{},:"]+')
_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_RUNS: dict[int, re.Pattern[bytes]] = {}


def _long_run(n: int) -> re.Pattern[bytes]:
    """A quote followed by more than ``n`` bytes without a quote: where a too long string may be."""
    pattern = _RUNS.get(n)
    if pattern is None:
        pattern = _RUNS[n] = re.compile(b'"[^"]{%d}' % min(n + 1, 4_000_000_000))
    return pattern


def _long_gap(data: bytes, n: int) -> bool:
    """Whether a quote is followed by more than ``n`` bytes without a quote: where a string
    longer than ``n`` may be. Quote to quote by ``bytes.find`` (memchr), then by one regex
    search when there are many quotes."""
    j = data.find(b'"')
    for _ in range(50_000):
        if j < 0:
            return False
        k = data.find(b'"', j + 1)
        if (len(data) if k < 0 else k) - j - 1 > n:
            return True
        j = k
    return j >= 0 and _long_run(n).search(data, j) is not None


def _skip(data: bytes, i: int) -> int:
    """The index of the first byte at or after ``i`` that is not JSON whitespace."""
    m = _WS.match(data, i)
    return m.end() if m is not None else i


def _as_bytes(payload: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogatepass")
    return bytes(payload)


def _located(payload: bytes | bytearray | memoryview | str, lim: Limits, message: str) -> DecodeError:
    found = _scan(_as_bytes(payload), lim)
    return found if found is not None else DecodeError("$", "valid JSON", message)


def _key_path(key: str) -> str:
    return f".{key}" if _IDENT.fullmatch(key) else f"[{msgspec.json.encode(key).decode()}]"


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else f"{text[:n]}... ({len(text)} characters)"


def _show(data: bytes, i: int) -> str:
    return repr(data[i : i + 20])[1:] if i < len(data) else "the end of the input"


def _path(stack: list[list[Any]], *, child: bool = True) -> str:
    parts = ["$"]
    for n, frame in enumerate(stack):
        if not child and n == len(stack) - 1:
            break
        if frame[0]:
            if frame[2] is not None:
                parts.append(_key_path(frame[2]))
        else:
            parts.append(f"[{frame[1]}]")
    return "".join(parts)


def _string_end(data: bytes, i: int) -> int:
    """The index of the quote that closes the string opened at ``i`` (-1 if none)."""
    j = i + 1
    while True:
        j = data.find(b'"', j)
        if j < 0:
            return -1
        k = j
        while data[k - 1] == 0x5C:
            k -= 1
        if (j - k) % 2 == 0:
            return j
        j += 1


def _string_problem(data: bytes, i: int, j: int, lim: Limits) -> tuple[str, str] | str:
    """The string token ``data[i:j+1]``: its text, or (expected, found) when it is refused."""
    raw = j - i - 1
    cap = lim.max_string_length
    if raw > cap:
        plain = data.find(b"\\", i + 1, j) < 0 and data.isascii()
        if plain or raw > 12 * cap:  # 12 bytes of JSON text make at least one character
            return f"a string of at most {cap} characters", f"{raw if plain else f'more than {cap}'} characters"
    try:
        text: str = msgspec.json.decode(data[i : j + 1])
    except msgspec.DecodeError as exc:
        try:
            data[i + 1 : j].decode("utf-8")
        except UnicodeDecodeError as u:
            return "a string of UTF-8 text", f"invalid UTF-8 (byte {data[i + 1 + u.start]:#04x})"
        lone = _SURROGATE.search(data, i, j)
        if lone is not None:
            return "a string without lone UTF-16 surrogates", f"{lone.group().decode()} without its pair"
        return "a valid JSON string", str(exc)
    if not isinstance(text, str):
        return "a valid JSON string", _show(data, i)
    if len(text) > cap:
        return f"a string of at most {cap} characters", f"{len(text)} characters"
    return text


def _scalar_problem(token: bytes, lim: Limits) -> tuple[str, str] | None:
    if token in (b"true", b"false", b"null"):
        return None
    m = _NUMBER.fullmatch(token)
    if m is None:
        return "a JSON value", _short(token.decode("utf-8", "backslashreplace"))
    if m.group(1) is None and m.group(2) is None:
        lo, hi = _int_range(lim)
        digits = len(token) - (token[0] == 0x2D)
        if digits > lim.max_int_bits // 3 + 2 or not lo <= int(token) <= hi:
            return f"an integer of at most {lim.max_int_bits} bits", _short(token.decode())
        return None
    if float(token) in (float("inf"), float("-inf")):
        return "a finite number", f"{_short(token.decode())} (out of range)"
    return None


def _scan(data: bytes, lim: Limits) -> DecodeError | None:
    """The first problem of the JSON text ``data`` with its path, or None if there is none."""
    n = len(data)
    stack: list[list[Any]] = []  # per open container: [is_object, index, key, keys seen]
    dups = not lim.allow_duplicate_keys
    i = _skip(data, 0)
    value = True  # a value is expected (else: a separator, a closing bracket or the end)
    while True:
        if i >= n:
            if not value and not stack:
                return None
            return DecodeError(_path(stack), "more JSON", "the end of the input")
        c = data[i]
        if value:
            if c == 0x5B or c == 0x7B:  # [ {
                if len(stack) >= lim.max_depth:
                    kind = "an object" if c == 0x7B else "an array"
                    return DecodeError(
                        _path(stack), f"nesting at most {lim.max_depth} deep", f"{kind} at depth {len(stack) + 1}"
                    )
                is_obj = c == 0x7B
                stack.append([is_obj, 0, None, set() if dups and is_obj else None])
                i = _skip(data, i + 1)
                if i < n and data[i] == (0x7D if is_obj else 0x5D):
                    stack.pop()
                    i = _skip(data, i + 1)
                    value = False
                    continue
                if is_obj:
                    problem = _key(data, i, stack, lim)
                    if isinstance(problem, DecodeError):
                        return problem
                    i = problem
                continue
            if c == 0x22:  # "
                j = _string_end(data, i)
                if j < 0:
                    return DecodeError(_path(stack), "a closed string", "the end of the input")
                text = _string_problem(data, i, j, lim)
                if isinstance(text, tuple):
                    return DecodeError(_path(stack), *text)
                i = _skip(data, j + 1)
                value = False
                continue
            m = _SCALAR.match(data, i)
            if m is None:
                return DecodeError(_path(stack), "a JSON value", _show(data, i))
            bad = _scalar_problem(m.group(), lim)
            if bad is not None:
                return DecodeError(_path(stack), *bad)
            i = _skip(data, m.end())
            value = False
            continue
        if not stack:
            return DecodeError("$", "the end of the input", _show(data, i))
        top = stack[-1]
        if c == 0x2C:  # ,
            top[1] += 1
            if top[1] >= lim.max_items:
                return DecodeError(
                    _path(stack, child=False), f"at most {lim.max_items} items", f"more than {lim.max_items}"
                )
            i = _skip(data, i + 1)
            value = True
            if top[0]:
                problem = _key(data, i, stack, lim)
                if isinstance(problem, DecodeError):
                    return problem
                i = problem
            continue
        if c == (0x7D if top[0] else 0x5D):
            stack.pop()
            i = _skip(data, i + 1)
            continue
        return DecodeError(_path(stack), "',' or '" + ("}" if top[0] else "]") + "'", _show(data, i))


def _key(data: bytes, i: int, stack: list[list[Any]], lim: Limits) -> int | DecodeError:
    """Read an object key and its colon at ``i``; the index of the value that follows."""
    top = stack[-1]
    if i >= len(data) or data[i] != 0x22:
        return DecodeError(_path(stack, child=False), "a string key", _show(data, i))
    j = _string_end(data, i)
    if j < 0:
        return DecodeError(_path(stack, child=False), "a closed string", "the end of the input")
    key = _string_problem(data, i, j, lim)
    if isinstance(key, tuple):
        return DecodeError(_path(stack, child=False), key[0].replace("a string", "a key", 1), key[1])
    if top[3] is not None:
        if key in top[3]:
            return DecodeError(
                _path(stack, child=False) + _key_path(key), "each key once in an object", f"{key!r} again"
            )
        top[3].add(key)
    top[2] = key
    i = _skip(data, j + 1)
    if i >= len(data) or data[i] != 0x3A:
        return DecodeError(_path(stack), "':'", _show(data, i))
    return _skip(data, i + 1)


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


@overload
def expect_str(value: Any, path: str) -> str: ...
@overload
def expect_str(value: Any, path: str, *, nullable: Literal[True]) -> str | None: ...
def expect_str(value: Any, path: str, *, nullable: bool = False) -> str | None:
    """``value`` if it is a string (or, with ``nullable``, ``None``: a field absent or null),
    else a :class:`DecodeError` at ``path``."""
    if isinstance(value, str) or (nullable and value is None):
        return value
    raise DecodeError(path, "a string or null" if nullable else "a string", type(value).__name__)
