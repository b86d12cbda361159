"""The diff and coverage rules behind the invariant."""

from __future__ import annotations

import pytest

from ir_codec import CacheControl, CacheTtl, Message, Request, Text
from ir_codec.invariant import covers, diff_paths


def req(*texts: str, **kw) -> Request:
    return Request(messages=[Message(role="user", content=[Text(text=t) for t in texts])], **kw)


@pytest.mark.parametrize(
    ("x", "y", "paths"),
    [
        (req("a"), req("a"), []),
        (req("a"), req("b"), ["messages[0].content[0].text"]),
        (req("a", temperature=0.5), req("a"), ["temperature"]),
        (req("a", "b", "c"), req("a", "c"), ["messages[0].content[1]"]),
        (req("a", "c"), req("a", "b", "c"), ["messages[0].content[1]"]),
        (req("a", "b"), req("a", "b", "z"), ["messages[0].content[2]"]),
        # a mapping gone as a whole is reported by its members (spec/losses.md)
        (req("a", provider_options={"p": {"k": 1}}), req("a"), ["provider_options.p.k"]),
        (
            req("a", provider_options={"p": {"k": 1}}),
            req("a", provider_options={"p": {"k": True}}),
            ["provider_options.p.k"],
        ),
        (req("a", max_tokens=1), req("a", max_tokens=2), ["max_tokens"]),
    ],
)
def test_diff_paths(x: Request, y: Request, paths: list[str]) -> None:
    assert diff_paths(x, y) == paths


def test_realignment_pairs_shifted_items_by_shape() -> None:
    # spec/losses.md: a dropped message and a changed neighbour are each reported precisely,
    # not as a coarse run of the list.
    from ir_codec import RedactedThinking

    x = Request(
        messages=[
            Message(role="user", content=[Text(text="a")]),
            Message(role="user", content=[Text(text="b"), Text(text="c")]),
            Message(role="assistant", content=[Text(text="d")]),
        ]
    )
    y = Request(
        messages=[Message(role="user", content=[Text(text="b")]), Message(role="assistant", content=[Text(text="d")])]
    )
    assert sorted(diff_paths(x, y)) == ["messages[0]", "messages[1].content[1]"]
    x2 = Request(
        messages=[
            Message(role="user", content=[RedactedThinking(data="z")]),
            Message(role="user", content=[Text(text="b", cache=CacheControl())]),
        ]
    )
    y2 = Request(messages=[Message(role="user", content=[Text(text="b")])])
    assert sorted(diff_paths(x2, y2)) == ["messages[0]", "messages[1].content[0].cache"]


def test_reported_drops_are_set_aside_before_alignment() -> None:
    # spec/losses.md: an element the encoder reported dropped never takes the place of its
    # kept twin. Without the report the empty turn and the changed turn tie.
    x = Request(
        messages=[
            Message(role="user", content=[]),
            Message(role="user", content=[Text(text="b")], provider_options={"x": {"k": 1}}),
        ]
    )
    y = Request(messages=[Message(role="user", content=[Text(text="b")])])
    assert diff_paths(x, y, dropped=frozenset({"messages[0]"})) == ["messages[0]", "messages[1].provider_options.x.k"]
    # a dropped last element: the rest is compared element by element
    x2 = Request(messages=[Message(role="user", content=[Text(text="a"), Text(text="b"), Text(text="")])])
    y2 = Request(messages=[Message(role="user", content=[Text(text="a"), Text(text="c")])])
    assert diff_paths(x2, y2, dropped=frozenset({"messages[0].content[2]"})) == [
        "messages[0].content[2]",
        "messages[0].content[1].text",
    ]


def test_diff_tells_bool_from_int_and_int_from_float() -> None:
    assert diff_paths({"a": 1}, {"a": True}) == ["a"]
    assert diff_paths({"a": 1}, {"a": 1.0}) == ["a"]


def test_diff_cache_ttl() -> None:
    x = Request(messages=[Message(role="user", content=[Text(text="a", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))])])
    y = Request(messages=[Message(role="user", content=[Text(text="a", cache=CacheControl())])])
    assert diff_paths(x, y) == ["messages[0].content[0].cache.ttl"]


@pytest.mark.parametrize(
    ("warning", "path", "expected"),
    [
        ("messages[0]", "messages[0].content[1]", True),
        ("messages[0]", "messages[0]", True),
        ("messages[0]", "messages[01]", False),
        ("messages[1]", "messages[10]", False),
        ("tools", "tools[0].cache", True),
        ("tool", "tools[0]", False),
        ("", "anything", False),
    ],
)
def test_covers(warning: str, path: str, expected: bool) -> None:
    assert covers(warning, path) is expected
