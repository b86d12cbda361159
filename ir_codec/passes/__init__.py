"""IR-to-IR passes that codecs share, named as verbs.

A codec's profile names the passes it needs (``CodecProfile.passes``); the core runs them, in
that order, on the request the codec lowers (:meth:`ir_codec.codec.Codec.run_passes`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..ir import Request
from .cache import CacheRules, plan_cache_breakpoints
from .turns import merge_consecutive_turns

if TYPE_CHECKING:
    from ..codec import EncodeContext
    from ..profile import CodecProfile

__all__ = ["PASSES", "CacheRules", "merge_consecutive_turns", "plan_cache_breakpoints"]

PASSES: dict[str, Callable[[Request, CodecProfile, EncodeContext], Request]] = {
    "plan_cache_breakpoints": lambda r, profile, ctx: plan_cache_breakpoints(r, profile.cache, ctx),
    "merge_consecutive_turns": lambda r, profile, ctx: merge_consecutive_turns(r, ctx),
}
"""Every pass a profile can name, by name."""
