"""A small schema language for provider request bodies, checked in one walk.

A node checks one JSON value at a path and reports through :class:`~._core.Ctx`: a wrong type
is ``IRC103``, a missing required field ``IRC104``, a value out of range ``IRC105`` (or the
node's own code), an unknown field ``IRC101``, an unknown tag ``IRC102``. The walk never
raises: every access is behind a type check. Written for speed (a typical small body takes
tens of microseconds): nodes are plain objects with precomputed lookups.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._core import Ctx

__all__ = ["ANY", "BOOL", "STR", "Alt", "Bool", "Int", "Lst", "Node", "Num", "Obj", "Str", "Tagged", "check", "jtype"]


def jtype(v: Any) -> str:
    """The JSON type name of a value (``string``, ``integer``, ``number``, ``object``, ...)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


class Node:
    """Base: ``accepts`` is the JSON type test, ``what`` names it in messages."""

    what = "any value"
    trivial = False
    """``walk`` does nothing: the type test is the whole check (no path is built)."""

    def accepts(self, v: Any) -> bool:
        return True

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        pass


def check(node: Node, v: Any, path: str, ctx: Ctx) -> None:
    """Check ``v`` against ``node``: its type, then the node's own rules."""
    if not node.accepts(v):
        ctx.add("IRC103", path, f"expected {node.what}, found {jtype(v)}")
        return
    node.walk(v, path, ctx)


def _child(node: Node, v: Any, path: str, key: str | int, ctx: Ctx) -> None:
    """:func:`check` of a member, building its path only where there is something to say."""
    if not node.accepts(v):
        ctx.add(
            "IRC103",
            f"{path}[{key}]" if type(key) is int else f"{path}.{key}",
            f"expected {node.what}, found {jtype(v)}",
        )
    elif not node.trivial:
        node.walk(v, f"{path}[{key}]" if type(key) is int else f"{path}.{key}", ctx)


class _Any(Node):
    trivial = True


ANY = _Any()


class Bool(Node):
    what = "a boolean"
    trivial = True

    def accepts(self, v: Any) -> bool:
        return isinstance(v, bool)


BOOL = Bool()


class Str(Node):
    """A string; ``enum`` (a set of values, compared case-insensitively with ``nocase``),
    ``nonempty``, ``pattern``; a value outside is reported with ``code``."""

    what = "a string"

    def __init__(
        self,
        enum: Iterable[str] | None = None,
        *,
        nonempty: bool = False,
        nocase: bool = False,
        pattern: str | None = None,
        code: str = "IRC105",
        max_len: int | None = None,
    ) -> None:
        self.nocase = nocase
        self.enum = None if enum is None else frozenset(e.lower() if nocase else e for e in enum)
        self.shown = None if enum is None else ", ".join(sorted(repr(e) for e in enum))
        self.nonempty = nonempty
        self.pattern = re.compile(pattern) if pattern else None
        self.code = code
        self.max_len = max_len
        self.trivial = enum is None and not nonempty and pattern is None and max_len is None

    def accepts(self, v: Any) -> bool:
        return isinstance(v, str)

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        if self.enum is not None and (v.lower() if self.nocase else v) not in self.enum:
            ctx.add(self.code, path, f"{v!r} is not one of {self.shown}")
        elif self.nonempty and not v:
            ctx.add("IRC106", path, "an empty string; the provider needs text here")
        elif self.pattern is not None and not self.pattern.fullmatch(v):
            ctx.add(self.code, path, f"{v[:40]!r} does not match {self.pattern.pattern}")
        elif self.max_len is not None and len(v) > self.max_len:
            ctx.add(self.code, path, f"longer than {self.max_len} characters ({len(v)})")


STR = Str()


class Num(Node):
    """A number (int or float, not a boolean) in ``[ge, le]``."""

    what = "a number"

    def __init__(self, ge: float | None = None, le: float | None = None, *, gt: float | None = None) -> None:
        self.ge, self.le, self.gt = ge, le, gt
        self.trivial = ge is None and le is None and gt is None

    def accepts(self, v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        if self.ge is not None and v < self.ge:
            ctx.add("IRC105", path, f"{v} is below the minimum {self.ge}{self._range()}")
        elif self.gt is not None and v <= self.gt:
            ctx.add("IRC105", path, f"{v} must be greater than {self.gt}")
        elif self.le is not None and v > self.le:
            ctx.add("IRC105", path, f"{v} is above the maximum {self.le}{self._range()}")

    def _range(self) -> str:
        if self.ge is not None and self.le is not None:
            return f" (range {self.ge}–{self.le})"
        return ""


class Int(Num):
    """An integer in ``[ge, le]``."""

    what = "an integer"

    def accepts(self, v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)


class Lst(Node):
    """An array of ``item``; fewer than ``min_items`` is ``IRC106`` (empty) / ``IRC105``."""

    what = "an array"

    def __init__(self, item: Node = ANY, *, min_items: int = 0, max_items: int | None = None) -> None:
        self.item, self.min_items, self.max_items = item, min_items, max_items

    def accepts(self, v: Any) -> bool:
        return isinstance(v, list)

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        if len(v) < self.min_items:
            if not v:
                ctx.add("IRC106", path, "an empty array; the provider needs at least one item")
            else:
                ctx.add("IRC105", path, f"at least {self.min_items} items needed, found {len(v)}")
        elif self.max_items is not None and len(v) > self.max_items:
            ctx.add("IRC105", path, f"at most {self.max_items} items allowed, found {len(v)}")
        item = self.item
        if item is ANY:
            return
        accepts, trivial = item.accepts, item.trivial
        for i, x in enumerate(v):
            if not accepts(x) or not trivial:
                _child(item, x, path, i, ctx)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


class Obj(Node):
    """An object with ``fields`` (name -> node), ``required`` names, and either a closed key set
    (an unknown key is ``IRC101``), ``open`` (any other key passes) or ``values`` (a map whose
    every value is checked by that node). ``snake``: each camelCase field is accepted in
    snake_case too, and a null field counts as absent (proto3 JSON). ``one_of``: exactly one
    of these keys must be present (a union object: Bedrock's content blocks, Gemini's parts)."""

    what = "an object"

    def __init__(
        self,
        fields: Mapping[str, Node] | None = None,
        *,
        required: Iterable[str] = (),
        open: bool = False,
        values: Node | None = None,
        snake: bool = False,
        one_of: Iterable[str] = (),
        name: str = "",
    ) -> None:
        self.fields: dict[str, Node] = dict(fields or {})
        self.required = tuple(required)
        self.open = open
        self.values = values
        self.one_of = frozenset(one_of)
        self.name = name
        self.proto3 = snake  # proto3 JSON: a null field is an absent one
        self.aliases: dict[str, str] = {}
        if snake:
            for f in list(self.fields):
                s = _snake(f)
                if s != f:
                    self.aliases[s] = f
        self.known = frozenset(self.fields) | frozenset(self.aliases)

    def accepts(self, v: Any) -> bool:
        return isinstance(v, dict)

    def extend(self, fields: Mapping[str, Node], **kw: Any) -> Obj:
        """A copy with more (or replaced) fields."""
        args: dict[str, Any] = {
            "required": self.required,
            "open": self.open,
            "values": self.values,
            "snake": bool(self.aliases),
            "one_of": self.one_of,
            "name": self.name,
        }
        args.update(kw)
        return Obj({**self.fields, **fields}, **args)

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        fields, aliases = self.fields, self.aliases
        for r in self.required:
            if r not in v and not (aliases and _snake(r) in v):
                what = f" of {self.name}" if self.name else ""
                ctx.add("IRC104", f"{path}.{r}", f"required field {r!r}{what} is missing")
        if self.one_of:
            present = [k for k in v if (aliases.get(k, k) if aliases else k) in self.one_of]
            if not present:
                shown = ", ".join(sorted(self.one_of))
                if not any(k not in self.known for k in v):  # an unknown key says more
                    ctx.add("IRC110", path, f"needs exactly one of {shown}; found none")
            elif len(present) > 1:
                ctx.add("IRC105", path, f"has {', '.join(present)}; exactly one is allowed")
        for k, x in v.items():
            node = fields.get(k)
            if node is None and aliases:
                real = aliases.get(k)
                node = fields.get(real) if real is not None else None
            if x is None and self.proto3:
                continue
            if node is not None:
                if not node.trivial or not node.accepts(x):
                    _child(node, x, path, k, ctx)
                continue
            p = f"{path}.{k}"
            if self.values is not None:
                check(self.values, x, p, ctx)
            elif not self.open and not ctx.allow_unknown:
                close = difflib.get_close_matches(str(k), list(fields), n=1, cutoff=0.75)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                what = f" in {self.name}" if self.name else ""
                ctx.add("IRC101", p, f"unknown field {k!r}{what}{hint}")


class Tagged(Node):
    """An object chosen by its tag field (``type``): an unknown tag is ``IRC102`` (passed with
    ``allow_unknown``, checked then by ``fallback``); a missing tag is ``IRC104`` unless
    ``default`` names the variant it means."""

    what = "an object"

    def __init__(
        self,
        variants: Mapping[str, Obj],
        *,
        tag: str = "type",
        default: str | None = None,
        kind: str = "block",
        fallback: Node | None = None,
    ) -> None:
        self.variants = {t: o if tag in o.fields else o.extend({tag: STR}) for t, o in variants.items()}
        self.tag = tag
        self.default = default
        self.kind = kind
        self.fallback = fallback
        names = sorted(repr(t) for t in self.variants)
        self.shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")

    def accepts(self, v: Any) -> bool:
        return isinstance(v, dict)

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        t = v.get(self.tag, self.default)
        if t is None:
            ctx.add("IRC104", f"{path}.{self.tag}", f"a {self.kind} needs a {self.tag!r} ({self.shown})")
            return
        if not isinstance(t, str):
            ctx.add("IRC103", f"{path}.{self.tag}", f"expected a string, found {jtype(t)}")
            return
        node = self.variants.get(t)
        if node is None:
            if ctx.allow_unknown:
                if self.fallback is not None:
                    check(self.fallback, v, path, ctx)
                return
            close = difflib.get_close_matches(t, list(self.variants), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            ctx.add("IRC102", f"{path}.{self.tag}", f"unknown {self.kind} type {t!r}{hint}; known: {self.shown}")
            return
        node.walk(v, path, ctx)


class Alt(Node):
    """One of several nodes, chosen by the JSON type of the value (``str | [blocks]``)."""

    def __init__(self, *nodes: Node) -> None:
        self.nodes = nodes
        self.what = " or ".join(n.what for n in nodes)

    def accepts(self, v: Any) -> bool:
        return any(n.accepts(v) for n in self.nodes)

    def walk(self, v: Any, path: str, ctx: Ctx) -> None:
        for n in self.nodes:
            if n.accepts(v):
                n.walk(v, path, ctx)
                return
