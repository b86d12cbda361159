"""One profile per codec: its capabilities, declared once, as data.

A :class:`CodecProfile` is read by everything that needs to know what a codec can carry: the
core's encode (the IR fields it drops before lowering, the passes it runs), the cache planner
(:class:`CacheRules`), ``validate`` and ``lint``, and the README's codec table
(:func:`codec_table`, kept current by a test). A leaf module: it imports only the IR.

    PROFILE = CodecProfile(
        cache=CacheRules(max_breakpoints=4, ttls=(CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR)),
        passes=("plan_cache_breakpoints",),
        unsupported={"seed": "the Messages API has no seed"},
        carries="text, images, ...",
        loses="seed, ...",
    )
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .ir import CacheTtl

__all__ = ["EVERY_FAMILY", "CacheRules", "CodecProfile", "codec_table", "part_tag", "readme_with_table"]

EVERY_FAMILY = "*"
"""``CodecProfile.signatures`` of a wire that names each reasoning part's signature family
itself (OpenRouter's reasoning ``format``): every family's signatures travel, with their origin."""


def part_tag(node: Any) -> str:
    """The IR type tag of a part or tool (``"text"``, ``"tool_result"``, ``"function"``, ...)."""
    tag = type(node).__struct_config__.tag
    return str(tag) if tag is not None else type(node).__name__


@dataclass(frozen=True)
class CacheRules:
    """Where and how a provider takes cache marks; read by ``plan_cache_breakpoints``.

    Markability is data: a message part can carry a mark when its tag is in ``parts`` (``None``:
    every part) and its message's role is in ``roles`` (``None``: every role); a tool when its
    tag is in ``tool_kinds``. The planner runs after the codec has dropped what its wire cannot
    hold, so these rules need not describe values.
    """

    max_breakpoints: int | None
    """Cap on marks per request (``None``: no cap; 0: no inline marks at all)."""
    ttls: tuple[CacheTtl, ...]
    """Tiers the wire can express."""
    native_automatic: bool = False
    """The provider has request-level automatic caching (it takes a slot of the cap)."""
    separate_automatic: bool = False
    """The request-level mark is a knob of its own, not a breakpoint (OpenAI Chat's implicit
    ``prompt_cache_options``): the planner leaves ``request.cache`` as it is (it takes no slot and
    follows no breakpoint rule) and the codec lowers it."""
    tools_markable: bool = True
    system_markable: bool = True
    nested_markable: bool = False
    """Parts inside a tool result can carry their own mark."""
    parts: frozenset[str] | None = None
    """Tags of the message parts that can carry a mark (``None``: all)."""
    roles: frozenset[str] | None = None
    """Roles of the messages whose parts can carry a mark (``None``: all)."""
    tool_kinds: frozenset[str] | None = None
    """Tags of the tools that can carry a mark (``None``: all, when ``tools_markable``)."""
    ttl_order: bool = True
    """Enforce longer-before-shorter TTL order."""
    markable: Callable[[Any], bool] | None = field(default=None, compare=False)
    """Deprecated escape hatch: a predicate on the part; prefer ``parts`` / ``roles``."""

    def part_markable(self, part: Any, role: str) -> bool:
        if self.parts is not None and part_tag(part) not in self.parts:
            return False
        if self.roles is not None and role not in self.roles:
            return False
        return self.markable is None or self.markable(part)

    def tool_markable(self, tool: Any) -> bool:
        return self.tools_markable and (self.tool_kinds is None or part_tag(tool) in self.tool_kinds)


NO_CACHE = CacheRules(max_breakpoints=0, ttls=())
"""A provider with no inline cache marks: the planner reports every mark lost."""


@dataclass(frozen=True)
class CodecProfile:
    """The capabilities of one codec (one instance per codec configuration)."""

    cache: CacheRules = NO_CACHE
    passes: tuple[str, ...] = ()
    """IR passes the codec runs on the request it lowers, in order (names in
    ``ir_codec.passes.PASSES``)."""
    unsupported: Mapping[str, str] = field(default_factory=dict)
    """IR request fields the wire has no place for, each with the reason; the core reports them
    (kind ``dropped``) and clears them before the codec lowers the request."""
    required: frozenset[str] = frozenset()
    """IR request fields the provider refuses a body without."""
    signatures: str | None = None
    """The signature family whose reasoning signatures and encrypted reasoning verify here
    (``"anthropic"``, ``"gemini"``, ``"openai"``; ``None``: the wire carries none). Decode sets
    ``Thinking.origin`` / ``RedactedThinking.origin`` to it; encode sends no other family's.
    :data:`EVERY_FAMILY`: the wire names each part's family (OpenRouter)."""
    redacted_thinking: bool = False
    """The wire carries :class:`~ir_codec.ir.RedactedThinking` as such (Anthropic, Bedrock,
    OpenRouter's ``reasoning.encrypted``)."""
    carries: str = ""
    """What the codec carries, for the README's codec table."""
    loses: str = ""
    """What the codec reports as lost, for the README's codec table."""


def codec_table(rows: Iterable[tuple[str, CodecProfile]]) -> str:
    """The README's markdown table of what each codec carries and reports lost."""
    lines = ["| codec | carries | reports as lost |", "|---|---|---|"]
    for name, profile in rows:
        lines.append(f"| `{name}` | {profile.carries} | {profile.loses} |")
    return "\n".join(lines) + "\n"


TABLE_START = "<!-- codec-table -->"
TABLE_END = "<!-- /codec-table -->"


def readme_with_table(readme: str, table: str) -> str:
    """``readme`` with the text between the codec-table markers replaced by ``table``."""
    head, sep, rest = readme.partition(TABLE_START)
    _, sep2, tail = rest.partition(TABLE_END)
    if not sep or not sep2:
        raise ValueError(f"the README has no {TABLE_START} ... {TABLE_END} block")
    return f"{head}{TABLE_START}\n{table}{TABLE_END}{tail}"


if __name__ == "__main__":  # python -m ir_codec.profile README.md: regenerate the codec table
    import sys
    from pathlib import Path

    from .codec import available_codecs, get_codec

    path = Path(sys.argv[1])
    rows = [(name, get_codec(name).profile()) for name in available_codecs()]
    path.write_text(readme_with_table(path.read_text(), codec_table(rows)))
