"""Checks of IR built in code: :func:`validate_ir`, run by every :meth:`Codec.encode`.

msgspec checks types on decode and ``convert``, not in ``__init__``, so ``Text(text=5)`` or
``Message(role="robot", ...)`` construct without complaint. :func:`validate_ir` checks a request
the way :func:`ir_codec.ir_from_json` checks its JSON form, and returns it normalized: a value is
accepted exactly where its JSON form is valid IR, so ``CacheControl(ttl="1h")`` comes back as
``CacheTtl.ONE_HOUR`` and ``temperature=1`` as ``1.0``; a valid request comes back equal (``==``)
to the input. It then checks what the target provider enforces across fields:

* ``required``: request fields the target cannot do without (Anthropic's ``max_tokens``);
* ``reasoning.budget_tokens`` below ``max_tokens`` when both are set (the budget is part of the
  output that ``max_tokens`` caps);
* tool-call ids, by the rule ``tool_ids`` names (:data:`ToolIdRule`): ``"paired"``: every
  ``ToolUse`` id is unique and every ``ToolResult`` answers a ``ToolUse`` of an earlier assistant
  message (Anthropic, Bedrock Converse and OpenAI Chat refuse anything else); ``"unique"``: ids
  unique, but a result may answer a call the provider holds (OpenAI Responses with
  ``previous_response_id``); ``"free"``: no id rule (Gemini pairs calls and responses by name).

The first problem found raises :class:`~ir_codec.errors.InvalidRequestError` with the IR path
(``messages[2].content[0].text``, the form of ``LossyEncode`` paths), what was expected there
and what was found.

A leaf module: it imports only :mod:`ir_codec.ir`, :mod:`ir_codec.errors` and msgspec.
"""

from __future__ import annotations

import enum
import functools
import re
import types
import typing
from collections.abc import Iterable
from typing import Any, Literal, TypeAlias

import msgspec

from .errors import InvalidRequestError
from .ir import Request, ToolResult, ToolUse

__all__ = ["ToolIdRule", "validate_ir"]

ToolIdRule: TypeAlias = Literal["paired", "unique", "free"]
"""How tool-call ids must relate in a request (module doc)."""

_Step: TypeAlias = tuple[str, Any]  # ("field", name) | ("index", i) | ("key", key or None)

_HINTS = {
    "max_tokens": "set it in the request, or give the codec the option default_max_tokens",
    "model": "set it in the request (decode a body whose provider carries the model in the URL with endpoint=)",
}
"""How to supply a required field."""


def validate_ir(
    request: Request,
    *,
    required: Iterable[str] = frozenset(),
    tool_ids: ToolIdRule = "paired",
    codec: str | None = None,
    types: bool = True,
) -> Request:
    """Check an IR request built in code and return it normalized (module doc).

    ``required`` names the :class:`Request` fields the target needs (absent means ``None``);
    ``tool_ids`` is the target's :data:`ToolIdRule`; ``codec`` names the target in messages.
    Raises :class:`~ir_codec.errors.InvalidRequestError` for the first problem.

    ``types=False`` skips the check of the node types (a copy of the whole request), for a
    request a codec's decode has just built (``transpile``): decode builds nodes of the right
    types, in the normal form (``tests/test_decode_normal_form.py``).

    >>> from ir_codec.ir import CacheControl, Request, SystemBlock
    >>> validate_ir(Request(system=[SystemBlock(text="x", cache=CacheControl(ttl="1h"))])).system[0].cache
    CacheControl(ttl=<CacheTtl.ONE_HOUR: '1h'>)
    >>> validate_ir(Request(max_tokens=True))
    Traceback (most recent call last):
    ...
    ir_codec.errors.InvalidRequestError: max_tokens: expected int | None, found bool
    """
    if tool_ids not in ("paired", "unique", "free"):
        raise ValueError(f"tool_ids must be 'paired', 'unique' or 'free', not {tool_ids!r}")
    checked = _check_types(request) if types or not isinstance(request, Request) else request
    if required:
        for name in _in_field_order(frozenset(required)):
            value = getattr(checked, name)
            if value is None or value == []:
                hint = _HINTS.get(name, "set it in the request")
                kind = _describe(_strip_none(_hints(Request)[name]))
                target = codec or "the target codec"
                raise InvalidRequestError(name, f"{kind}: {target} requires {name}; {hint}", repr(value))
    r = checked.reasoning
    if r is not None and r.budget_tokens is not None and checked.max_tokens is not None:
        if r.budget_tokens >= checked.max_tokens:
            raise InvalidRequestError(
                "reasoning.budget_tokens", f"an int below max_tokens ({checked.max_tokens})", str(r.budget_tokens)
            )
    if tool_ids != "free":
        _check_tool_ids(checked, paired=tool_ids == "paired")
    return checked


@functools.cache
def _in_field_order(required: frozenset[str]) -> tuple[str, ...]:
    """The required fields in Request field order, so that the first problem is always the same."""
    unknown = required - set(Request.__struct_fields__)
    if unknown:
        raise ValueError(f"required: {sorted(unknown)} are not Request fields")
    return tuple(name for name in Request.__struct_fields__ if name in required)


# --------------------------------------------------------------------------------------------
# Types and enum values


def _check_types(request: Request) -> Request:
    if not isinstance(request, Request):
        raise InvalidRequestError("", "an ir_codec Request", type(request).__name__)
    try:
        builtins = msgspec.to_builtins(request)
    except TypeError:
        raise _unencodable(request) from None
    try:
        return msgspec.convert(builtins, Request)
    except msgspec.ValidationError as exc:
        raise _invalid(request, str(exc)) from None


_MSG = re.compile(r"^(?P<msg>.*?)(?: - at (?P<key>`key` in )?`\$(?P<path>[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]|\[\.\.\.\]")
_WRONG_TYPE = re.compile(r"^Expected `[^`]*`, got `[^`]*`$")


def _invalid(request: Request, message: str) -> InvalidRequestError:
    """The error for a msgspec ``ValidationError`` on the builtins form of ``request``: its JSON
    path followed through the request itself, so that path, expected and found are in IR terms
    (``messages[0].role``, ``one of 'user', 'assistant', 'system'``, ``'robot'``)."""
    m = _MSG.match(message)
    msg = m.group("msg") if m else message
    steps: list[_Step] = []
    for s in _STEP.finditer((m.group("path") if m else None) or ""):
        if s.group(1) is not None:
            steps.append(("field", s.group(1)))
        elif s.group(2) is not None:
            steps.append(("index", int(s.group(2))))
        else:
            steps.append(("key", None))
    if m and m.group("key"):  # a mapping key of the wrong type
        steps.append(("key", None))
    if msg.startswith("Object missing required field"):
        steps.append(("field", msg.split("`")[1] if "`" in msg else "?"))
    path, obj, tp = _follow(request, steps)
    if _WRONG_TYPE.match(msg) or msg.startswith(("Invalid enum value", "Invalid value", "Object missing")):
        return InvalidRequestError(path, _describe(tp), _found(obj, tp))
    # A constraint (``Expected `int` >= 0``) or anything else: in msgspec's words.
    return InvalidRequestError(path, msg.removeprefix("Expected ").replace("`", ""), _found(obj, tp))


def _unencodable(request: Request) -> InvalidRequestError:
    """The error for a value msgspec cannot turn into builtins at all (an arbitrary object)."""
    found = _find_unencodable(request, [])
    steps = found if found is not None else []
    path, obj, tp = _follow(request, steps)
    expected = "a JSON value" if tp is Any else _describe(tp)
    return InvalidRequestError(path, expected, type(obj).__name__)


def _find_unencodable(obj: Any, steps: list[_Step]) -> list[_Step] | None:
    if isinstance(obj, msgspec.Struct):
        for name in obj.__struct_fields__:
            out = _find_unencodable(getattr(obj, name), [*steps, ("field", name)])
            if out is not None:
                return out
        return None
    if isinstance(obj, dict):
        for k, v in obj.items():
            out = _find_unencodable(v, [*steps, ("key", k)])
            if out is not None:
                return out
        return None
    if isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            out = _find_unencodable(v, [*steps, ("index", i)])
            if out is not None:
                return out
        return None
    try:
        msgspec.to_builtins(obj)
    except TypeError:
        return steps
    return None


def _follow(request: Request, steps: list[_Step]) -> tuple[str, Any, Any]:
    """Walk ``steps`` from the request: (IR path, the value there, the type expected there).

    Stops early where a step does not apply: at a tag field (``.type`` of a part of the wrong
    kind: the part itself is the problem) or at a value of the wrong shape."""
    obj: Any = request
    tp: Any = Request
    path = ""
    for kind, key in steps:
        if kind == "field":
            if not (isinstance(obj, msgspec.Struct) and key in obj.__struct_fields__):
                break
            tp = _hints(type(obj))[key]
            obj = getattr(obj, key, msgspec.UNSET)
            path = f"{path}.{key}" if path else key
        elif kind == "index":
            if not (isinstance(obj, list | tuple) and 0 <= key < len(obj)):
                break
            tp = _item_type(tp)
            obj = obj[key]
            path = f"{path}[{key}]"
        else:
            if not isinstance(obj, dict):
                break
            key_tp, value_tp = _dict_types(tp)
            if key is None:  # msgspec does not say which key: the first that does not fit
                key = next((k for k, v in obj.items() if not (_fits(k, key_tp) and _fits(v, value_tp))), None)
                if key is None:
                    break
                if not _fits(key, key_tp):
                    return f"{path}.{key}" if path else str(key), key, key_tp
            obj = obj[key]
            tp = value_tp
            path = f"{path}.{key}" if path else str(key)
    return path, obj, tp


def _fits(value: Any, tp: Any) -> bool:
    try:
        msgspec.convert(msgspec.to_builtins(value), tp)
    except (msgspec.ValidationError, TypeError):
        return False
    return True


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _args(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp) if _is_union(tp) else (tp,)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _strip_none(tp: Any) -> Any:
    rest = [a for a in _args(tp) if a is not type(None)]
    return rest[0] if len(rest) == 1 else tp


def _item_type(tp: Any) -> Any:
    args = typing.get_args(_strip_none(tp))
    return args[0] if args else Any


def _dict_types(tp: Any) -> tuple[Any, Any]:
    args = typing.get_args(_strip_none(tp))
    return (args[0], args[1]) if len(args) == 2 else (Any, Any)


def _is_choice(tp: Any) -> bool:
    return any(typing.get_origin(a) is Literal or (isinstance(a, type) and issubclass(a, enum.Enum)) for a in _args(tp))


def _describe(tp: Any) -> str:
    """A type in the words of an IR user: ``str``, ``int | None``, ``list``, ``one of '5m', ...``,
    ``Text | Image | ...``."""
    if _is_union(tp):
        return " | ".join(_describe(a) for a in typing.get_args(tp))
    if tp is type(None):
        return "None"
    if tp is Any:
        return "any value"
    if typing.get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(repr(e.value) for e in tp)
    origin = typing.get_origin(tp)
    if origin is not None:
        return str(getattr(origin, "__name__", origin))
    return str(getattr(tp, "__name__", tp))


def _found(obj: Any, tp: Any) -> str:
    if obj is msgspec.UNSET:
        return "nothing"
    if _is_choice(tp) and isinstance(obj, str | int) and not isinstance(obj, bool | enum.Enum):
        return repr(obj)
    return "None" if obj is None else type(obj).__name__


# --------------------------------------------------------------------------------------------
# Tool-call ids


def _check_tool_ids(request: Request, *, paired: bool) -> None:
    seen: dict[str, tuple[int, int]] = {}  # ToolUse id -> where it is
    answerable: set[str] = set()  # ids of the ToolUses of assistant messages before this one
    for i, m in enumerate(request.messages):
        for p in m.content:  # most messages hold no tool part: passed over without a list
            if type(p) is ToolUse or type(p) is ToolResult:
                break
        else:
            continue
        uses: list[str] = []
        for j, p in enumerate(m.content):
            t = type(p)
            if t is ToolUse:
                use: ToolUse = p  # type: ignore[assignment]
                if use.id in seen:
                    a, b = seen[use.id]
                    raise InvalidRequestError(
                        f"messages[{i}].content[{j}].id",
                        f"a tool-call id no other ToolUse has (messages[{a}].content[{b}].id is also {use.id!r})",
                        repr(use.id),
                    )
                seen[use.id] = (i, j)
                uses.append(use.id)
            elif paired and t is ToolResult:
                result: ToolResult = p  # type: ignore[assignment]
                if result.tool_use_id not in answerable:
                    raise InvalidRequestError(
                        f"messages[{i}].content[{j}].tool_use_id",
                        "the id of a ToolUse in an earlier assistant message",
                        repr(result.tool_use_id),
                    )
        if uses and m.role == "assistant":
            answerable.update(uses)
