"""IR-to-IR passes that codecs share, named as verbs."""

from .cache import CacheRules, plan_cache_breakpoints
from .turns import merge_consecutive_turns

__all__ = ["CacheRules", "merge_consecutive_turns", "plan_cache_breakpoints"]
