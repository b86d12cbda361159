"""Prices and cost: bill each usage bucket at its own rate, exactly (``Decimal``, no float drift).

Rates are per million tokens, in whatever currency the caller uses. Cache rates that are not
given are derived from the provider's published multipliers of the base input rate
(``shared/PROVIDERS.md`` section 9):

================  ==========  ===============  ================  ==================
multipliers       cache read  write 5m / 30m   write 1h          write 12h
================  ==========  ===============  ================  ==================
``ANTHROPIC``     0.1x        1.25x (5m)       2x (1h)           -
``OPENAI``        0.1x        1.25x (30m)      -                 not published
``GEMINI``        0.1x        1x (implicit)    -                 -
================  ==========  ===============  ================  ==================

A bucket with tokens whose rate is neither given nor derivable raises :class:`PricingError`
rather than guessing (OpenAI's 12h write multiplier is not published).

Unreported usage (``None``, spec/ir.md "Usage") is never billed as if it were 0 tokens: a
reply without usage, or one that does not report its uncached input or its output, raises
:class:`PricingError` (the cost is unknown). A cache bucket that is not reported bills
nothing: the uncached bucket already holds the input not reported as read or written.

>>> from decimal import Decimal
>>> from ir_codec import Usage
>>> price = TokenPrice(input=Decimal("3"), output=Decimal("15"))
>>> cost(Usage(uncached_input_tokens=1_000_000, output_tokens=100_000), price).total
Decimal('4.5')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import IRCodecError
from .ir import Usage

__all__ = ["ANTHROPIC", "GEMINI", "OPENAI", "CacheMultipliers", "Cost", "PricingError", "TokenPrice", "cost"]

_MILLION = Decimal(1_000_000)


class PricingError(IRCodecError):
    pass


@dataclass(frozen=True)
class CacheMultipliers:
    """Cache rates as multiples of the base input rate; ``None`` where none is published."""

    read: Decimal | None
    write_5m: Decimal | None = None
    write_30m: Decimal | None = None
    write_1h: Decimal | None = None
    write_12h: Decimal | None = None
    unsplit_write: str = "5m"
    """The tier that cache writes reported without a TTL split are billed at."""


ANTHROPIC = CacheMultipliers(read=Decimal("0.1"), write_5m=Decimal("1.25"), write_1h=Decimal("2"))
"""Claude API: reads 0.1x, 5-minute writes 1.25x, 1-hour writes 2x (A-PC "Pricing")."""
OPENAI = CacheMultipliers(read=Decimal("0.1"), write_30m=Decimal("1.25"), unsplit_write="30m")
"""GPT-5.6 and later: reads 0.1x, 30-minute writes 1.25x; the 12h write rate is not published."""
GEMINI = CacheMultipliers(read=Decimal("0.1"), write_5m=Decimal("1"), unsplit_write="5m")
"""Gemini 2.5+ implicit caching: reads 0.1x, no write premium (storage of explicit caches is
billed per hour, outside a request's usage)."""


@dataclass(frozen=True)
class TokenPrice:
    """Rates per million tokens. Cache rates left ``None`` come from ``multipliers``."""

    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    cache_write_5m: Decimal | None = None
    cache_write_30m: Decimal | None = None
    cache_write_1h: Decimal | None = None
    cache_write_12h: Decimal | None = None
    multipliers: CacheMultipliers = ANTHROPIC

    def __post_init__(self) -> None:
        for name in (
            "input",
            "output",
            "cache_read",
            "cache_write_5m",
            "cache_write_30m",
            "cache_write_1h",
            "cache_write_12h",
        ):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, float):
                raise TypeError(f"TokenPrice.{name}: give a Decimal, int or str, not a float (float drift)")
            if not isinstance(value, Decimal):
                object.__setattr__(self, name, Decimal(value))
            if getattr(self, name) < 0:
                raise ValueError(f"TokenPrice.{name} must not be negative")

    def rate(self, bucket: str) -> Decimal:
        """The rate for ``read`` or ``write_5m`` / ``write_30m`` / ``write_1h`` / ``write_12h``."""
        given: Decimal | None = getattr(self, "cache_" + bucket)
        if given is not None:
            return given
        mult: Decimal | None = getattr(self.multipliers, bucket)
        if mult is None:
            raise PricingError(f"no rate for cache {bucket.replace('_', ' ')} tokens: pass cache_{bucket}=...")
        return self.input * mult


@dataclass(frozen=True)
class Cost:
    """What each bucket costs; ``total`` is their sum."""

    uncached_input: Decimal
    cache_read: Decimal
    cache_write_5m: Decimal
    cache_write_30m: Decimal
    cache_write_1h: Decimal
    cache_write_12h: Decimal
    output: Decimal

    @property
    def cache_write(self) -> Decimal:
        return self.cache_write_5m + self.cache_write_30m + self.cache_write_1h + self.cache_write_12h

    @property
    def total(self) -> Decimal:
        return self.uncached_input + self.cache_read + self.cache_write + self.output


def _write_split(usage: Usage, unsplit_tier: str) -> dict[str, int]:
    """Cache writes by TTL tier; writes reported without a split go to ``unsplit_tier``."""
    split = {
        "5m": usage.cache_write_5m_tokens or 0,
        "30m": usage.cache_write_30m_tokens or 0,
        "1h": usage.cache_write_1h_tokens or 0,
        "12h": usage.cache_write_12h_tokens or 0,
    }
    reported = usage.cache_write_tokens if usage.cache_write_tokens is not None else sum(split.values())
    rest = reported - sum(split.values())
    if rest < 0:
        raise PricingError(f"usage splits {sum(split.values())} cache-write tokens by TTL but reports only {reported}")
    split[unsplit_tier] += rest
    return split


def cost(usage: Usage | None, price: TokenPrice) -> Cost:
    """Bill each bucket of ``usage`` at its own rate. Reasoning tokens are part of output.

    Raises :class:`PricingError` when ``usage`` is ``None`` (the reply reported none) or does
    not report ``uncached_input_tokens`` or ``output_tokens``: an unknown count is never billed
    as 0. Unreported cache buckets bill nothing (module docstring).

    >>> from decimal import Decimal
    >>> from ir_codec import Usage
    >>> u = Usage(uncached_input_tokens=2048, cache_read_tokens=1800, cache_write_tokens=248,
    ...           cache_write_5m_tokens=148, cache_write_1h_tokens=100, output_tokens=503)
    >>> cost(u, TokenPrice(input=Decimal("3"), output=Decimal("15"))).total
    Decimal('0.015384')
    """
    if usage is None:
        raise PricingError("the reply reports no usage: its cost is unknown")
    uncached, output = usage.uncached_input_tokens, usage.output_tokens
    if uncached is None or output is None:
        missing = "uncached_input_tokens" if uncached is None else "output_tokens"
        raise PricingError(f"the usage does not report {missing}: its cost is unknown")
    read = usage.cache_read_tokens or 0
    split = _write_split(usage, price.multipliers.unsplit_write)

    def bill(tokens: int, rate: Decimal) -> Decimal:
        return tokens * rate / _MILLION

    def write(tier: str) -> Decimal:
        tokens = split[tier]
        return bill(tokens, price.rate(f"write_{tier}")) if tokens else Decimal(0)

    return Cost(
        uncached_input=bill(uncached, price.input),
        cache_read=bill(read, price.rate("read")) if read else Decimal(0),
        cache_write_5m=write("5m"),
        cache_write_30m=write("30m"),
        cache_write_1h=write("1h"),
        cache_write_12h=write("12h"),
        output=bill(output, price.output),
    )
