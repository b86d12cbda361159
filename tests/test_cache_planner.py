"""The cache planner: each documented rule by example, and a property over random requests."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from ir_codec import (
    CacheControl,
    CacheTtl,
    Message,
    Request,
    SystemBlock,
    Text,
    Thinking,
    Tool,
    ToolResult,
    ToolUse,
)
from ir_codec import strategies as irs
from ir_codec.codec import EncodeContext
from ir_codec.invariant import covers, diff_paths
from ir_codec.ir import Part
from ir_codec.passes import CacheRules, cache, plan_cache_breakpoints
from ir_codec.passes.cache import _Plan

M5 = CacheControl()
H1 = CacheControl(ttl=CacheTtl.ONE_HOUR)
M30 = CacheControl(ttl=CacheTtl.THIRTY_MINUTES)
H12 = CacheControl(ttl=CacheTtl.TWELVE_HOURS)


def _no_thinking(p: object) -> bool:
    return not isinstance(p, Thinking) and not (isinstance(p, Text) and p.text == "")


ANTHROPIC_LIKE = CacheRules(
    max_breakpoints=4, ttls=(CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR), native_automatic=True, markable=_no_thinking
)
BEDROCK_LIKE = CacheRules(max_breakpoints=4, ttls=(CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR), markable=_no_thinking)


def plan(request: Request, rules: CacheRules = ANTHROPIC_LIKE) -> tuple[Request, list[tuple[str, str]]]:
    ctx = EncodeContext("test")
    out = plan_cache_breakpoints(request, rules, ctx)
    return out, [(w.path, w.reason) for w in ctx.warnings]


def user(*parts: object) -> Message:
    return Message(role="user", content=list(parts))  # type: ignore[arg-type]


def marks(r: Request) -> dict[str, str]:
    p = _Plan(r, CacheRules(max_breakpoints=None, ttls=tuple(CacheTtl)))
    from ir_codec.passes.cache import _at

    return {_at(loc): m.ttl.value for loc, m in p.marks.items()}


def test_untouched_request_is_returned_as_is() -> None:
    r = Request(system=[SystemBlock(text="s", cache=H1)], messages=[user(Text(text="a", cache=M5))])
    out, warnings = plan(r)
    assert out is r and warnings == []


def test_six_marks_over_the_cap_keep_first_and_last_three() -> None:
    r = Request(messages=[user(*[Text(text=str(i), cache=M5) for i in range(6)])])
    out, warnings = plan(r)
    assert marks(out) == {f"messages[0].content[{i}].cache": "5m" for i in (0, 3, 4, 5)}
    assert [p for p, _ in warnings] == ["messages[0].content[1].cache", "messages[0].content[2].cache"]
    assert "kept the first and the last ones" in warnings[0][1]


def test_automatic_caching_takes_a_slot() -> None:
    r = Request(messages=[user(*[Text(text=str(i), cache=M5) for i in range(4)], Text(text="tail"))], cache=M5)
    out, warnings = plan(r)
    assert marks(out) == {f"messages[0].content[{i}].cache": "5m" for i in (0, 2, 3)}
    assert out.cache == M5
    assert [p for p, _ in warnings] == ["messages[0].content[1].cache"]
    assert "automatic caching takes one" in warnings[0][1]


def test_automatic_on_an_already_marked_last_block_takes_no_slot() -> None:
    r = Request(messages=[user(*[Text(text=str(i), cache=M5) for i in range(4)])], cache=M5)
    out, warnings = plan(r)
    assert out is r and warnings == []


def test_automatic_conflicting_with_last_mark_is_dropped() -> None:
    r = Request(messages=[user(Text(text="a", cache=H1))], cache=M5)
    out, warnings = plan(r)
    assert out.cache is None
    assert warnings == [("cache", warnings[0][1])] and "already has a 1h mark" in warnings[0][1]


def test_five_minutes_before_one_hour_is_shortened() -> None:
    r = Request(tools=[Tool(name="t", cache=M5)], system=[SystemBlock(text="s", cache=H1)])
    out, warnings = plan(r)
    assert marks(out) == {"tools[0].cache": "5m", "system[0].cache": "5m"}
    assert warnings == [("system[0].cache", "a 1h mark may not follow a 5m mark; shortened to 5m")]


def test_automatic_mark_comes_last_in_ttl_order() -> None:
    r = Request(system=[SystemBlock(text="s", cache=M5)], messages=[user(Text(text="a"))], cache=H1)
    out, warnings = plan(r)
    assert out.cache == M5
    assert [p for p, _ in warnings] == ["cache"]


def test_thinking_mark_moves_to_preceding_block_with_two_warnings() -> None:
    r = Request(messages=[Message(role="assistant", content=[Text(text="a"), Thinking(text="t", cache=H1)])])
    out, warnings = plan(r)
    assert marks(out) == {"messages[0].content[0].cache": "1h"}
    assert warnings == [
        ("messages[0].content[0].cache", "mark moved here from messages[0].content[1].cache"),
        ("messages[0].content[1].cache", "test cannot mark this item; mark moved to messages[0].content[0].cache"),
    ]


def test_nested_tool_result_mark_moves_to_the_tool_result() -> None:
    r = Request(messages=[user(ToolResult(tool_use_id="x", content=[Text(text="r", cache=M5)]))])
    out, warnings = plan(r)
    assert marks(out) == {"messages[0].content[0].cache": "5m"}
    assert [p for p, _ in warnings] == ["messages[0].content[0].cache", "messages[0].content[0].content[0].cache"]


def test_moved_then_capped_mark_is_reported_only_where_it_was() -> None:
    content: list[Part] = [Text(text="a", cache=M5), Text(text="b"), Thinking(text="t", cache=M5)]
    content += [Text(text=str(i), cache=M5) for i in range(4)]
    r = Request(messages=[Message(role="assistant", content=content)])
    out, warnings = plan(r)
    paths = [p for p, _ in warnings]
    assert "messages[0].content[1].cache" not in paths  # moved there, then dropped by the cap
    assert paths == ["messages[0].content[2].cache", "messages[0].content[3].cache"]
    assert "then at messages[0].content[1].cache: more than 4" in warnings[0][1]


def test_unmarkable_with_nothing_before_is_dropped() -> None:
    r = Request(messages=[Message(role="assistant", content=[Thinking(text="t", cache=M5)])])
    out, warnings = plan(r)
    assert marks(out) == {}
    assert "no markable item before it" in warnings[0][1]


def test_unoffered_tiers_map_up_then_to_the_longest() -> None:
    r = Request(system=[SystemBlock(text="a", cache=M30), SystemBlock(text="b", cache=H12)])
    out, warnings = plan(r)
    assert marks(out) == {"system[0].cache": "1h", "system[1].cache": "1h"}
    assert warnings == [
        ("system[0].cache", "TTL 30m is not offered by test; sent as 1h"),
        ("system[1].cache", "TTL 12h is not offered by test; sent as 1h"),
    ]


def test_no_inline_marks_drops_everything() -> None:
    rules = CacheRules(max_breakpoints=0, ttls=())
    r = Request(system=[SystemBlock(text="a", cache=M5)], messages=[user(Text(text="b"))], cache=H1)
    out, warnings = plan(r, rules)
    assert marks(out) == {} and out.cache is None
    assert [p for p, _ in warnings] == ["system[0].cache", "cache"]


def test_automatic_without_native_mode_becomes_an_explicit_last_mark() -> None:
    r = Request(
        messages=[user(Text(text="a")), Message(role="assistant", content=[ToolUse(id="1", name="f", input={})])],
        cache=H1,
    )
    out, warnings = plan(r, BEDROCK_LIKE)
    assert out.cache is None
    assert marks(out) == {"messages[1].content[0].cache": "1h"}
    assert [p for p, _ in warnings] == ["messages[1].content[0].cache", "cache"]


RULES = st.builds(
    CacheRules,
    max_breakpoints=st.none() | st.integers(0, 5),
    ttls=st.lists(st.sampled_from(list(CacheTtl)), min_size=1, max_size=4, unique=True).map(tuple),
    native_automatic=st.booleans(),
    tools_markable=st.booleans(),
    system_markable=st.booleans(),
    nested_markable=st.booleans(),
    markable=st.just(_no_thinking),
    ttl_order=st.booleans(),
)


@given(irs.requests(), RULES)
def test_planner_output_obeys_its_rules_and_reports_exactly_what_changed(r: Request, rules: CacheRules) -> None:
    ctx = EncodeContext("test")
    out = plan_cache_breakpoints(r, rules, ctx)
    p = _Plan(out, rules)
    marked = p.marked_in_order()
    # only markable items carry marks, in offered tiers
    assert all(p.markable(loc) for loc in marked)
    if rules.max_breakpoints == 0:
        assert marked == [] and out.cache is None
    assert all(p.marks[loc].ttl in rules.ttls for loc in marked)
    if out.cache is not None:
        assert rules.native_automatic and out.cache.ttl in rules.ttls
    if rules.max_breakpoints is not None:
        auto_slot = out.cache is not None and p.last_markable() not in p.marks
        assert len(marked) + (1 if auto_slot else 0) <= rules.max_breakpoints
    if rules.ttl_order:
        ttls = [p.marks[loc].ttl.seconds for loc in marked] + ([out.cache.ttl.seconds] if out.cache else [])
        assert ttls == sorted(ttls, reverse=True)
    # exactly the changed places are reported, once each
    diffs = diff_paths(r, out)
    paths = [w.path for w in ctx.warnings]
    assert len(paths) == len(set(paths))
    assert all(any(covers(w, d) for w in paths) for d in diffs)
    assert all(any(covers(w, d) for d in diffs) for w in paths)


def _prefix_order(r: Request) -> list[tuple[object, ...]]:
    """Every item of ``r`` in prefix order, built the plain way (the reference for _Plan)."""
    out: list[tuple[object, ...]] = [("tools", i) for i in range(len(r.tools))]
    out += [("system", i) for i in range(len(r.system))]
    for i, m in enumerate(r.messages):
        for j, p in enumerate(m.content):
            out.append(("messages", i, j))
            if isinstance(p, ToolResult):
                out += [("messages", i, j, k) for k in range(len(p.content))]
    return out


@given(irs.requests())
def test_plan_walks_the_prefix_order_backwards(r: Request) -> None:
    p = _Plan(r, CacheRules(max_breakpoints=None, ttls=tuple(CacheTtl)))
    order = _prefix_order(r)
    top = [loc for loc in order if len(loc) < 4]
    assert list(p._before(None)) == top[::-1]
    for loc in top:
        assert list(p._before(loc)) == top[: top.index(loc)][::-1]
    assert p.marked_in_order() == [loc for loc in order if loc in p.marks]


@given(irs.requests(), RULES)
def test_marks_that_stay_in_place_are_planned_as_the_general_path_plans_them(r: Request, rules: CacheRules) -> None:
    """The in-place path (``_in_place`` / ``_retier``) gives the request and the warnings the
    five steps give."""
    fast_ctx, general_ctx = EncodeContext("test"), EncodeContext("test")
    fast = plan_cache_breakpoints(r, rules, fast_ctx)
    with patch.object(cache, "_in_place", lambda plan, rules: False):
        general = plan_cache_breakpoints(r, rules, general_ctx)
    assert fast == general
    assert fast_ctx.warnings == general_ctx.warnings


def test_in_place_marks_take_the_in_place_path() -> None:
    """Two 30m marks on a provider of 5m and 1h (an OpenAI Chat request sent to Anthropic)."""
    r = Request(
        system=[SystemBlock(text="s", cache=M30)],
        messages=[user(Text(text="a")), user(Text(text="b", cache=M30))],
    )
    assert cache._in_place(_Plan(r, ANTHROPIC_LIKE), ANTHROPIC_LIKE)
    out, warnings = plan(r)
    assert marks(out) == {"system[0].cache": "1h", "messages[1].content[0].cache": "1h"}
    assert warnings == [
        ("system[0].cache", "TTL 30m is not offered by test; sent as 1h"),
        ("messages[1].content[0].cache", "TTL 30m is not offered by test; sent as 1h"),
    ]
    shortened = Request(messages=[user(Text(text="a", cache=M5)), user(Text(text="b", cache=H12))])
    out, warnings = plan(shortened)
    assert marks(out) == {"messages[0].content[0].cache": "5m", "messages[1].content[0].cache": "5m"}
    assert warnings == [
        (
            "messages[1].content[0].cache",
            "TTL 12h is not offered by test; sent as 1h; then a 1h mark may not follow a 5m mark; shortened to 5m",
        )
    ]
    thinking = Request(messages=[Message(role="assistant", content=[Thinking(text="t", signature="s", cache=M5)])])
    assert not cache._in_place(_Plan(thinking, ANTHROPIC_LIKE), ANTHROPIC_LIKE)
    capped = Request(messages=[user(*[Text(text=str(i), cache=M5) for i in range(5)])])
    assert not cache._in_place(_Plan(capped, ANTHROPIC_LIKE), ANTHROPIC_LIKE)
