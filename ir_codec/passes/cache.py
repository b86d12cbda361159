"""The cache planner: make an IR request's cache marks fit what one provider accepts.

``plan_cache_breakpoints(request, rules, ctx)`` returns a request whose marks the codec can lower
one to one, and reports every mark it changed through ``ctx.lossy``. It runs these steps, in this
order, each by a fixed rule (documented in ``spec/caching.md``):

1. **Tiers.** A TTL the provider does not offer becomes the shortest offered tier at least as
   long, else the longest offered tier. With no tiers (or a cap of 0) every mark is dropped.
2. **Placement.** A mark on a part the provider cannot mark (a thinking block, a block nested in
   a tool result, ...) moves to the nearest markable item: a nested part's mark to its enclosing
   tool result, any other to the nearest preceding markable item in prefix order (tools, then
   system, then messages). Where that item is already marked, or there is none, the mark is
   dropped. A move reports two warnings: one where the mark was and one where it went.
3. **Automatic caching.** A request-level ``cache`` is kept where the provider has a native
   automatic mode. Where the last markable item already carries a mark with another TTL, the
   automatic mark is dropped (the provider rejects that pair). Where the provider has no
   automatic mode, the automatic mark becomes an explicit mark on the last markable item.
4. **Cap.** When there are more marks than ``max_breakpoints`` (the automatic mark takes one
   slot), the first mark (the most stable prefix) and the last ``slots - 1`` marks (the longest
   prefixes) stay; the ones between are dropped.
5. **TTL order.** In prefix order a longer TTL never follows a shorter one: each mark (and the
   automatic mark, last) is shortened to the shortest TTL before it.

Where every mark may stay where it is (no automatic mark, no more marks than the cap, each on
an item the provider can mark: the common request), steps 2 to 4 change nothing, and steps 1
and 5 run mark by mark in one pass (``_retier``; ``tests/test_cache_planner.py`` checks it
against the five steps on random requests).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeAlias

import msgspec

from ..errors import LossKind
from ..ir import CacheControl, CacheTtl, Request, ToolResult
from ..paths import IRPath, render
from ..profile import CacheRules

if TYPE_CHECKING:
    from ..codec import EncodeContext

__all__ = ["CacheRules", "plan_cache_breakpoints"]

# A location of a markable item: ("tools", i), ("system", i), ("messages", i, j) or
# ("messages", i, j, k) for part k inside the tool result at messages[i].content[j].
Loc: TypeAlias = tuple[Any, ...]


def _path(loc: Loc) -> IRPath:
    if loc[0] in ("tools", "system"):
        return (loc[0], loc[1], "cache")
    if len(loc) == 3:
        return ("messages", loc[1], "content", loc[2], "cache")
    return ("messages", loc[1], "content", loc[2], "content", loc[3], "cache")


def _at(loc: Loc) -> str:
    return render(_path(loc))


@functools.cache
def _map_tier(ttl: CacheTtl, tiers: tuple[CacheTtl, ...]) -> CacheTtl:
    longer = [t for t in tiers if t.seconds >= ttl.seconds]
    if longer:
        return min(longer, key=lambda t: t.seconds)
    return max(tiers, key=lambda t: t.seconds)


class _Plan:
    """The marks of a request and where they may go. Only the marked items are collected up
    front (one pass over the parts); markability and the prefix order are looked up lazily, for
    the few items a step asks about."""

    def __init__(self, request: Request, rules: CacheRules) -> None:
        self.request = request
        self.rules = rules
        self.marks: dict[Loc, CacheControl] = {}
        self.ordered = True
        """The marks dict is in prefix order (it is collected so; :meth:`add` may change that)."""
        self.added = False
        """A mark was put where there was none (else the marks' places are a subset of the first)."""
        marks = self.marks
        for i, t in enumerate(request.tools):
            if t.cache is not None:
                marks[("tools", i)] = t.cache
        for i, s in enumerate(request.system):
            if s.cache is not None:
                marks[("system", i)] = s.cache
        for i, m in enumerate(request.messages):
            for p in m.content:  # most messages hold no mark and no tool result: passed over at once
                if p.cache is not None or type(p) is ToolResult:
                    break
            else:
                continue
            for j, p in enumerate(m.content):
                if p.cache is not None:
                    marks[("messages", i, j)] = p.cache
                if type(p) is ToolResult:
                    for k, q in enumerate(p.content):
                        if q.cache is not None:
                            marks[("messages", i, j, k)] = q.cache

    def markable(self, loc: Loc) -> bool:
        r, rules = self.request, self.rules
        if loc[0] == "tools":
            return rules.tool_markable(r.tools[loc[1]])
        if loc[0] == "system":
            return rules.system_markable
        m = r.messages[loc[1]]
        p = m.content[loc[2]]
        if len(loc) == 3:
            return rules.part_markable(p, m.role)
        assert isinstance(p, ToolResult)
        return rules.nested_markable and rules.part_markable(p.content[loc[3]], m.role)

    def marked_in_order(self) -> list[Loc]:
        if self.ordered:
            return list(self.marks)
        self.marks = {loc: self.marks[loc] for loc in sorted(self.marks, key=_rank)}
        self.ordered = True
        return list(self.marks)

    def add(self, loc: Loc, mark: CacheControl) -> None:
        """Put ``mark`` at ``loc`` (a location without a mark so far)."""
        self.marks[loc] = mark
        self.ordered = False
        self.added = True

    def _before(self, loc: Loc | None) -> Iterator[Loc]:
        """The items of the request that can hold a mark of their own (no nested part), in
        reverse prefix order, from the one before ``loc`` (``None``: from the last)."""
        r = self.request
        kind = "end" if loc is None else loc[0]
        if kind in ("end", "messages"):
            mi = len(r.messages) - 1 if loc is None else loc[1]
            for i in range(mi, -1, -1):
                start = loc[2] if loc is not None and i == mi else len(r.messages[i].content)
                for j in range(start - 1, -1, -1):
                    yield ("messages", i, j)
        if kind != "tools":
            for i in range((loc[1] if kind == "system" and loc is not None else len(r.system)) - 1, -1, -1):
                yield ("system", i)
        for i in range((loc[1] if kind == "tools" and loc is not None else len(r.tools)) - 1, -1, -1):
            yield ("tools", i)

    def last_markable(self) -> Loc | None:
        return next((c for c in self._before(None) if self.markable(c)), None)

    def target_for(self, loc: Loc) -> Loc | None:
        if len(loc) == 4:
            parent = loc[:3]
            return parent if self.markable(parent) else self.target_for(parent)
        return next((c for c in self._before(loc) if self.markable(c)), None)


_RANK = {"tools": 0, "system": 1, "messages": 2}


def _rank(loc: Loc) -> tuple[int, ...]:
    """The prefix-order key of a location: tools, then system, then messages, a tool result
    before the parts inside it."""
    return (_RANK[loc[0]], *loc[1:])


def plan_cache_breakpoints(request: Request, rules: CacheRules, ctx: EncodeContext) -> Request:
    """Return ``request`` with its cache marks made valid under ``rules`` (see module doc)."""
    plan = _Plan(request, rules)
    requested = None if rules.separate_automatic else request.cache  # separate: the codec's own knob
    auto = requested
    if not plan.marks and auto is None:
        return request
    if auto is None and _in_place(plan, rules):
        return _retier(request, plan, rules, ctx)
    name = ctx.codec
    original = dict(plan.marks)
    notes: dict[Loc | str, list[str]] = {}  # by location, and "cache" for the automatic mark
    moved_from: dict[Loc, Loc] = {}  # location a mark sits at now -> location it came from
    moved: set[Loc] = set()  # locations whose mark went elsewhere

    def _at(loc: Loc) -> str:  # a place named in a reason, as the caller knows it (ctx.through)
        return ctx.where(_path(loc))

    def lossy(where: Loc | str, reason: str) -> None:
        notes.setdefault(where, []).append(reason)
        if isinstance(where, tuple) and where in moved_from:  # news where the mark came from too
            notes.setdefault(moved_from[where], []).append(f"at {_at(where)}: {reason}")

    # 1. tiers
    if not rules.ttls or rules.max_breakpoints == 0:
        for loc in plan.marked_in_order():
            lossy(loc, f"{name} cannot express inline cache marks; mark dropped")
            del plan.marks[loc]
        if auto is not None:
            lossy("cache", f"{name} has no automatic prompt caching knob; dropped")
            auto = None
    else:
        for loc in plan.marked_in_order():
            ttl = plan.marks[loc].ttl
            if ttl not in rules.ttls:
                new = _map_tier(ttl, rules.ttls)
                lossy(loc, f"TTL {ttl} is not offered by {name}; sent as {new}")
                plan.marks[loc] = CacheControl(ttl=new)
        if auto is not None and auto.ttl not in rules.ttls:
            new = _map_tier(auto.ttl, rules.ttls)
            lossy("cache", f"TTL {auto.ttl} is not offered by {name}; sent as {new}")
            auto = CacheControl(ttl=new)

    # 2. placement
    for loc in plan.marked_in_order():
        if plan.markable(loc):
            continue
        mark = plan.marks.pop(loc)
        target = plan.target_for(loc)
        if target is None or target in plan.marks:
            why = "no markable item before it" if target is None else f"{_at(target)} is already marked"
            lossy(loc, f"{name} cannot mark this item and {why}; mark dropped")
            continue
        plan.add(target, mark)
        lossy(loc, f"{name} cannot mark this item; mark moved to {_at(target)}")
        lossy(target, f"mark moved here from {_at(loc)}")
        moved_from[target] = loc
        moved.add(loc)

    # 3. automatic caching
    auto_slot = False
    auto_moved = False
    if auto is not None:
        last = plan.last_markable()
        if last is None:
            lossy("cache", "the request has no block that can be cached; automatic mark dropped")
            auto = None
        elif rules.native_automatic:
            if last in plan.marks and plan.marks[last].ttl != auto.ttl:
                lossy(
                    "cache",
                    f"the last block {_at(last)} already has a {plan.marks[last].ttl} mark; "
                    f"{name} rejects an automatic {auto.ttl} mark beside it: dropped",
                )
                auto = None
            else:
                auto_slot = last not in plan.marks
        else:
            if last in plan.marks:
                lossy("cache", f"{name} has no automatic caching; {_at(last)} is already marked: dropped")
            else:
                plan.add(last, auto)
                lossy("cache", f"{name} has no automatic caching; sent as an explicit mark at {_at(last)}")
                auto_moved = True
                lossy(last, "mark added here from the request-level automatic cache")
            auto = None

    # 4. cap
    if rules.max_breakpoints is not None:
        slots = rules.max_breakpoints - (1 if auto_slot else 0)
        marked = plan.marked_in_order()
        if len(marked) > slots:
            keep = set(marked[:1] + marked[len(marked) - (slots - 1) :]) if slots > 0 else set()
            for loc in marked:
                if loc not in keep:
                    del plan.marks[loc]
                    lossy(
                        loc,
                        f"more than {rules.max_breakpoints} cache marks"
                        + (" (automatic caching takes one)" if auto_slot else "")
                        + "; kept the first and the last ones, dropped this one",
                    )

        # the cap may have dropped the last block's mark: then the automatic mark needs a slot too
        if auto is not None and rules.native_automatic and not auto_slot:
            last = plan.last_markable()
            if last not in plan.marks and len(plan.marks) + 1 > rules.max_breakpoints:
                cap = rules.max_breakpoints
                lossy("cache", f"more than {cap} cache marks; no slot left for the automatic mark: dropped")
                auto = None

    # 5. TTL order
    if rules.ttl_order:
        shortest: CacheTtl | None = None
        for loc in plan.marked_in_order():
            ttl = plan.marks[loc].ttl
            if shortest is not None and ttl.seconds > shortest.seconds:
                lossy(
                    loc,
                    f"a {ttl} mark may not follow a {shortest} mark; shortened to {shortest}",
                )
                plan.marks[loc] = CacheControl(ttl=shortest)
            elif shortest is None or ttl.seconds < shortest.seconds:
                shortest = ttl
        if auto is not None and shortest is not None and auto.ttl.seconds > shortest.seconds:
            lossy(
                "cache",
                f"the automatic {auto.ttl} mark comes last and may not follow a "
                f"{shortest} mark; shortened to {shortest}",
            )
            auto = CacheControl(ttl=shortest)
            last = plan.last_markable()
            if last is not None and last in plan.marks and plan.marks[last].ttl != auto.ttl:
                lossy(
                    "cache",
                    f"the automatic mark became {auto.ttl} beside a {plan.marks[last].ttl} mark on "
                    f"the last block {_at(last)}, which {name} rejects: dropped",
                )
                auto = None

    # Report exactly the places whose mark ended up different, with every step that touched it;
    # the kind says what became of the mark that was there.
    final = plan.marks
    places = original.keys() | final.keys() if plan.added else original.keys()
    changed = [loc for loc in places if original.get(loc) != final.get(loc)]
    if plan.added:  # else in prefix order already, as the marks were collected
        changed.sort(key=_rank)
    for loc in changed:
        kind = _kind(original.get(loc), final.get(loc), loc in moved)
        ctx.lossy(_path(loc), kind, "; then ".join(notes.get(loc, ["changed by the cache planner"])))
    if auto != requested:
        kind = _kind(requested, auto, auto_moved)
        ctx.lossy(("cache",), kind, "; then ".join(notes.get("cache", ["changed by the cache planner"])))
    if not changed and auto == requested:
        return request
    return _rebuild(request, plan.marks, request.cache if rules.separate_automatic else auto, changed)


def _in_place(plan: _Plan, rules: CacheRules) -> bool:
    """Whether every mark may stay where it is: a provider with inline marks, no more marks than
    it takes, each on an item it can mark (and no automatic mark). Then steps 2 to 4 change
    nothing, and :func:`_retier` does the rest."""
    if not rules.ttls or rules.max_breakpoints == 0:
        return False
    if rules.max_breakpoints is not None and len(plan.marks) > rules.max_breakpoints:
        return False
    return all(map(plan.markable, plan.marks))


def _retier(request: Request, plan: _Plan, rules: CacheRules, ctx: EncodeContext) -> Request:
    """Steps 1 (tiers) and 5 (TTL order) for marks that stay where they are (:func:`_in_place`):
    mark by mark in prefix order, each change reported where it is, as the general path does."""
    marks = plan.marks
    ttls = rules.ttls
    changed: list[Loc] = []
    shortest: CacheTtl | None = None
    for loc, mark in marks.items():  # collected in prefix order; only values are replaced
        ttl = mark.ttl
        notes: list[str] = []
        if ttl not in ttls:
            new = _map_tier(ttl, ttls)
            notes.append(f"TTL {ttl} is not offered by {ctx.codec}; sent as {new}")
            ttl = new
        if rules.ttl_order:
            if shortest is not None and ttl.seconds > shortest.seconds:
                notes.append(f"a {ttl} mark may not follow a {shortest} mark; shortened to {shortest}")
                ttl = shortest
            elif shortest is None or ttl.seconds < shortest.seconds:
                shortest = ttl
        if notes:
            marks[loc] = CacheControl(ttl=ttl)
            changed.append(loc)
            ctx.lossy(_path(loc), LossKind.APPROXIMATED, "; then ".join(notes))
    if not changed:
        return request
    return _rebuild(request, marks, request.cache if rules.separate_automatic else None, changed)


def _kind(before: CacheControl | None, after: CacheControl | None, moved: bool) -> LossKind:
    if before is not None and after is None:
        return LossKind.MOVED if moved else LossKind.DROPPED
    if before is not None and after is not None:
        return LossKind.APPROXIMATED  # the same mark with another TTL
    return LossKind.CHANGED  # a mark that was not there (moved or made explicit here)


def _with_cache(node: Any, cache: CacheControl | None) -> Any:
    return node if node.cache == cache else msgspec.structs.replace(node, cache=cache)


def _rebuild(
    request: Request, marks: dict[Loc, CacheControl], auto: CacheControl | None, changed: list[Loc]
) -> Request:
    """``request`` with the marks at the ``changed`` locations replaced by ``marks``; only the
    lists on the way to a changed item are copied."""
    tools, system, messages = request.tools, request.system, request.messages
    by_message: dict[int, list[Loc]] = {}
    for loc in changed:
        if loc[0] == "tools":
            if tools is request.tools:
                tools = list(tools)
            tools[loc[1]] = _with_cache(tools[loc[1]], marks.get(loc))
        elif loc[0] == "system":
            if system is request.system:
                system = list(system)
            system[loc[1]] = _with_cache(system[loc[1]], marks.get(loc))
        else:
            by_message.setdefault(loc[1], []).append(loc)
    if by_message:
        messages = list(messages)
        for i, locs in by_message.items():
            content = list(messages[i].content)
            for loc in locs if len(locs) == 1 else sorted(locs, key=len, reverse=True):  # nested parts first
                j = loc[2]
                if len(loc) == 4:
                    p = content[j]
                    assert isinstance(p, ToolResult)
                    inner = list(p.content)
                    inner[loc[3]] = _with_cache(inner[loc[3]], marks.get(loc))
                    content[j] = msgspec.structs.replace(p, content=inner)
                else:
                    content[j] = _with_cache(content[j], marks.get(loc))
            messages[i] = msgspec.structs.replace(messages[i], content=content)
    return msgspec.structs.replace(request, tools=tools, system=system, messages=messages, cache=auto)
