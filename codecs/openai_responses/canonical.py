"""The canonical form of a Responses request body: the wire forms that decode to the same IR,
rewritten into the one form the encoder writes (``spec/canonicalizations/openai-responses.md``).

``encode(decode(p)).body == canonicalize(p)`` for every valid payload ``p``. Opaque items and
parts (those decode keeps as ``ProviderPart``) are never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from msgspec import UNSET

from ir_codec.ir import ProviderPart

from .lift import breakpoint_ttl, lift_content, lift_item
from .wire import DEFAULT_DETAIL, INPUT_PARTS

__all__ = ["CANONICALIZATIONS", "canonicalize"]

CANONICALIZATIONS: tuple[str, ...] = (
    "`input` as a string == one user message item with one `input_text` part",
    "an empty `input` list == no `input`",
    'a message item without `type` == the same item with `type: "message"`',
    "message `content` as a string == one `input_text` part (`output_text` with `annotations: []` "
    "for the assistant role)",
    "`output_text` without `annotations` == `annotations: []`",
    '`input_image` without `detail` == `detail: "auto"`',
    "a `prompt_cache_breakpoint` without `ttl` == the request's `prompt_cache_options.ttl` (default 30m)",
    '`prompt_cache_options` without `mode` == `mode: "implicit"`; with mode implicit and no `ttl` == `ttl: "30m"`',
    "`function_call_output.output` as a list of one plain `input_text` part == that text as a string",
)
"""Wire forms that decode to the same IR (see :func:`canonicalize`)."""


def canonicalize(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Rewrite ``payload`` into the form the encoder produces (see :data:`CANONICALIZATIONS`)."""
    out = msgspec.json.decode(msgspec.json.encode(payload))
    pco = out.get("prompt_cache_options")
    default_ttl = pco.get("ttl", "30m") if isinstance(pco, dict) else "30m"
    inp = out.get("input", UNSET)
    if isinstance(inp, str):
        inp = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": inp}]}]
    if isinstance(inp, list):
        inp = [_canon_item(it, default_ttl) for it in inp]
        if inp:
            out["input"] = inp
        else:
            out.pop("input", None)
    if isinstance(pco, dict) and pco.get("mode", "implicit") == "implicit":
        pco.setdefault("mode", "implicit")
        pco.setdefault("ttl", "30m")
    return dict(out)


def _canon_item(it: Any, ttl: str) -> Any:
    if not isinstance(it, dict):
        return it
    rec = lift_item(it, "$", ttl)
    if rec.parts and isinstance(rec.parts[0], ProviderPart) and not rec.is_message:
        return it  # an opaque item travels as given
    t = it.get("type", "message" if "role" in it else None)
    if t == "message":
        it = {"type": "message", **it}
        content = it["content"]
        if isinstance(content, str):
            kind = "output_text" if it["role"] == "assistant" else "input_text"
            content = [{"type": kind, "text": content}]
        it["content"] = [_canon_part(c, ttl, it["role"]) for c in content]
    elif t == "function_call_output":
        out = it["output"]
        if isinstance(out, list):
            out = [_canon_part(c, ttl, "user") for c in out]
            if (
                len(out) == 1
                and out[0] == {"type": "input_text", "text": out[0].get("text")}
                and isinstance(out[0]["text"], str)
            ):
                out = out[0]["text"]
        it["output"] = out
    return it


def _canon_part(c: dict[str, Any], ttl: str, role: str) -> dict[str, Any]:
    if isinstance(lift_content(c, role, "$", ttl), ProviderPart):
        return c  # an opaque part travels as given
    c = dict(c)
    t = c.get("type")
    if t == "output_text":
        c.setdefault("annotations", [])
    if t == "input_image" and (isinstance(c.get("image_url"), str) or isinstance(c.get("file_id"), str)):
        c.setdefault("detail", DEFAULT_DETAIL)
    bp = c.get("prompt_cache_breakpoint")
    if t in INPUT_PARTS and isinstance(bp, dict) and breakpoint_ttl(bp, ttl) is not None:
        c["prompt_cache_breakpoint"] = {"mode": "explicit", "ttl": bp.get("ttl", ttl)}
    return c
