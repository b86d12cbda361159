"""The diff and coverage rules behind the invariant."""

from __future__ import annotations

from typing import Any

import pytest

from ir_codec import CacheControl, CacheTtl, Message, ProviderPart, Request, Text, get_codec
from ir_codec.invariant import _twins, check_request, covers, diff_paths, loss_report


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


# Twins: equal items the judge cannot tell apart (spec/losses.md). Both requests were found by
# the conformance properties: the encoder reports the loss at one twin, the alignment at the other.
_VIDEO = {"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://bucket-a/a.mp4"}}}}
TWINS: list[tuple[str, Request]] = [
    (
        # two empty user turns dropped; of two equal system turns the first is read back as the
        # top-level system blocks (reported at messages[2]), the pairing keeps messages[2]
        "deepseek",
        Request(
            model="0",
            messages=[
                Message(role="user", content=[]),
                Message(role="user", content=[]),
                Message(role="system", content=[Text(text="")]),
                Message(role="system", content=[Text(text="")]),
            ],
        ),
    ),
    (
        # two equal assistant turns merged; the automatic mark goes to the second one's part
        # (reported at messages[1].content[0].cache), the pairing finds it beside the first
        "bedrock-converse",
        Request(
            messages=[
                Message(role="assistant", content=[ProviderPart(codec="bedrock-converse", data=_VIDEO)]),
                Message(role="assistant", content=[ProviderPart(codec="bedrock-converse", data=_VIDEO)]),
            ],
            cache=CacheControl(ttl=CacheTtl.FIVE_MINUTES),
        ),
    ),
]


TWINS.append(
    (
        # as the first, the second system turn carrying another codec's options (not equal any
        # more): the moved turn is set aside (reported `moved` at messages[2]), so the kept one pairs
        "mistral",
        Request(
            model="0",
            messages=[
                Message(role="user", content=[]),
                Message(role="user", content=[]),
                Message(role="system", content=[Text(text="")]),
                Message(role="system", content=[Text(text="")], provider_options={"x-foreign": {"x__": None}}),
            ],
        ),
    )
)


@pytest.mark.parametrize(("codec", "x"), TWINS)
def test_a_loss_at_one_twin_stands_for_the_other(codec: str, x: Request) -> None:
    c = get_codec(codec)
    e = c.encode(x)
    y = c.with_endpoint(c.decode(e.body), e.endpoint)
    assert loss_report(x, y, e.warnings) == ([], [])
    check_request(c, x)


def test_twins_are_equal_items_only() -> None:
    x = Request(messages=[Message(role="user", content=[Text(text="a"), Text(text="a"), Text(text="b")])])
    assert _twins(x, "messages[0].content[0].cache") == ["messages[0].content[1].cache"]
    assert _twins(x, "messages[0].content[2]") == []
    assert _twins(x, "messages[0]") == []
    assert _twins(x, "no.such[3].path") == []


# -- fit_signatures: a wire that names each part's family (CodecProfile.signatures "*") ------


def _fitted(part: Any, family: str | None) -> tuple[Any, list[tuple[str, str]]]:
    from ir_codec.codec import EncodeContext, fit_signatures
    from ir_codec.ir import Message, Request

    ctx = EncodeContext("c")
    req = Request(messages=[Message(role="assistant", content=[part])])
    out = fit_signatures(req, family, ctx, redacted=True)
    return out.messages[0].content[0], [(w.path, w.kind.value) for w in ctx.warnings]


def test_fit_signatures_on_a_wire_that_names_every_family() -> None:
    from ir_codec.ir import RedactedThinking, Thinking
    from ir_codec.profile import EVERY_FAMILY

    for part in (
        Thinking(text="t", signature="s", origin="gemini"),  # another family's: sent, with its origin
        Thinking(text="t", signature="s"),  # unknown origin: stays unknown (not made this wire's)
        RedactedThinking(data="d", origin="openai"),
    ):
        assert _fitted(part, EVERY_FAMILY) == (part, [])
    # nothing signed: the origin is not sent, as on every wire
    unsigned = Thinking(text="t", origin="anthropic")
    assert _fitted(unsigned, EVERY_FAMILY) == (
        Thinking(text="t"),
        [("messages[0].content[0].origin", "dropped")],
    )
    # a wire of one family drops the other's signature and gives an unknown one its own
    assert _fitted(Thinking(text="t", signature="s", origin="gemini"), "anthropic")[0] == Thinking(text="t")
    assert _fitted(Thinking(text="t", signature="s"), "anthropic")[0].origin == "anthropic"


def test_an_element_worn_down_to_nothing_pairs_with_itself_not_with_a_gap() -> None:
    """An empty thought whose origin was not sent (reported at ``.origin``) beside texts that were
    joined: the thought is the same item with its one field emptied, so the difference is at its
    ``origin``, which the warning covers; an unrelated element of the same shape does not pair."""
    from ir_codec.ir import RedactedThinking, Thinking

    x = [RedactedThinking(data="AA=="), Thinking(text="", origin="openai"), Text(text="0"), Text(text="0")]
    y = [RedactedThinking(data="AA=="), Thinking(text=""), Text(text="00")]
    assert diff_paths(x, y, "content") == ["content[1].origin", "content[2]", "content[3]"]
    # nothing emptied, nothing shared: no pair (a dropped text and an inserted one)
    assert diff_paths([Text(text="a"), Text(text="b")], [Text(text="c")], "content") == ["content[0]", "content[1]"]
    # only the element is worn down as a whole: a nested option gone does not make another text its pair
    gone = Text(text="0", provider_options={"x-foreign": {"x__": None}})
    assert diff_paths([gone, Thinking(text="")], [Text(text=".")], "content") == ["content[0]", "content[1]"]
