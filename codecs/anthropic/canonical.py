"""The documented canonicalizations of a Messages body (``spec/canonicalizations/anthropic.md``):
the wire forms that decode to the same IR, rewritten into the one form ``encode`` writes."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .wire import BodyForm

__all__ = ["CANONICALIZATIONS", "canonicalize"]

CANONICALIZATIONS: tuple[str, ...] = (
    'a string `system` is one text block; an empty `system` ("" or []) is absent',
    'a string message `content` is one text block ("" is no block)',
    'a string tool_result `content` is one text block; `content` "" or [] is absent',
    "`is_error: false` on a tool_result is absent",
    "text blocks with empty text are removed (the API rejects them), in system, messages and tool results",
    "a message left without blocks is removed (an empty final assistant message prefills nothing)",
    '`cache_control: null` is absent; `"ttl": "5m"` is absent (5m is the default)',
    "a document's `title: null` / `context: null` is absent (document_block_param.py: Optional)",
    "`tools: []` is absent",
    "an integer `temperature` / `top_p` is the same float",
    "bedrock/vertex: a missing `anthropic_version` is the configured one",
)
"""Human-readable list, in the order of ``spec/canonicalizations/anthropic.md``."""


def _cache_control(obj: dict[str, Any]) -> None:
    if "cache_control" in obj and obj["cache_control"] is None:
        del obj["cache_control"]
    c = obj.get("cache_control")
    if isinstance(c, dict) and c.get("ttl") == "5m":
        del c["ttl"]


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    out = []
    for b in content:
        if b.get("type") == "text" and b.get("text") == "":
            continue
        _cache_control(b)
        if b.get("type") == "document":
            for field in ("title", "context"):
                if field in b and b[field] is None:
                    del b[field]
        if b.get("type") == "tool_result":
            if "content" in b:
                inner = _blocks(b["content"])
                if inner:
                    b["content"] = inner
                else:
                    del b["content"]
            if b.get("is_error") is False:
                del b["is_error"]
        out.append(b)
    return out


def canonicalize(form: BodyForm, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The form ``encode`` writes for ``payload`` on the platform ``form`` (CANONICALIZATIONS)."""
    p = copy.deepcopy(dict(payload))
    _cache_control(p)
    if "system" in p:
        sys_blocks = _blocks(p["system"])
        if sys_blocks:
            p["system"] = sys_blocks
        else:
            del p["system"]
    if p.get("tools") == []:
        del p["tools"]
    for t in p.get("tools") or []:
        _cache_control(t)
    msgs = p.get("messages", [])
    for m in msgs:
        m["content"] = _blocks(m["content"])
    p["messages"] = [m for m in msgs if m["content"]]
    for k in ("temperature", "top_p"):
        if type(p.get(k)) is int:
            p[k] = float(p[k])
    if form.body_version and "anthropic_version" not in p:
        p["anthropic_version"] = form.api_version
    return p
