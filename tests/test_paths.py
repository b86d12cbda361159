"""IR paths: the one string form of :func:`ir_codec.paths.render` and :func:`within`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec.paths import render, within


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("cache",), "cache"),
        (("messages", 3, "content", 0, "cache"), "messages[3].content[0].cache"),
        (("system", 0), "system[0]"),
        ((0,), "[0]"),
        ((0, 1, "a"), "[0][1].a"),
        (("provider_options", "openai-chat", "role"), "provider_options.openai-chat.role"),
        ("messages[1].content", "messages[1].content"),  # already a string: as it is
    ],
)
def test_render_table(path: tuple[str | int, ...] | str, text: str) -> None:
    assert render(path) == text


_KEYS = st.one_of(st.integers(min_value=0, max_value=10_000), st.text(max_size=12))


@given(st.lists(_KEYS, max_size=8))
def test_render_writes_each_key_in_turn(keys: list[str | int]) -> None:
    """An index is bracketed, a field name after the first key is preceded by a dot (an empty
    name too): the string is the keys of the path, each written by that rule, in order."""
    expected = ""
    for n, key in enumerate(keys):
        expected += f"[{key}]" if isinstance(key, int) else f".{key}" if n else key
    assert render(tuple(keys)) == expected
    assert within(tuple(keys), tuple(keys[: len(keys) // 2]))
