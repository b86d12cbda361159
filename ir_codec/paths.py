"""IR paths as data.

An IR path is a tuple of field names and list indices, ``("messages", 3, "content", 0, "cache")``,
with one string form, ``messages[3].content[0].cache`` (:func:`render`), which is what
:class:`~ir_codec.errors.LossyEncode` carries. Code builds paths as tuples and renders them once;
nothing parses a path back out of a string.

A leaf module: it imports nothing of ir_codec.
"""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["IRPath", "beneath", "render", "within"]

IRPath: TypeAlias = tuple[str | int, ...]
"""Field names and list indices from the request root, e.g. ``("system", 0, "cache")``."""


def render(path: IRPath | str) -> str:
    """The string form: ``("messages", 3, "content", 0)`` -> ``messages[3].content[0]``.

    >>> render(("messages", 3, "content", 0, "cache"))
    'messages[3].content[0].cache'
    >>> render(())
    ''
    """
    if isinstance(path, str):
        return path
    out = sep = ""  # a few short pieces: concatenation beats collecting them for a join
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += sep + key
        sep = "."
    return out


def within(path: IRPath, outer: IRPath) -> bool:
    """True when ``path`` is ``outer`` or lies beneath it."""
    return path[: len(outer)] == outer


def beneath(path: str, outer: str) -> bool:
    """:func:`within` for string forms: True when ``path`` is ``outer`` or lies beneath it.

    >>> beneath("messages[3].content", "messages[3]"), beneath("messages[30]", "messages[3]")
    (True, False)
    """
    return path == outer or path.startswith((outer + ".", outer + "["))
