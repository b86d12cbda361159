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
        (req("a", provider_options={"p": {"k": 1}}), req("a"), ["provider_options.p"]),
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
