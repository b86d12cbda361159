"""Cost examples worked by hand from published prices, and exactness properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ir_codec import Usage
from ir_codec import strategies as irs
from ir_codec.pricing import ANTHROPIC, GEMINI, OPENAI, PricingError, TokenPrice, cost

D = Decimal


def test_anthropic_mixed_ttl_example() -> None:
    # PROVIDERS.md 2c usage: 2048 uncached, 1800 read, 148 written 5m, 100 written 1h, 503 out.
    # At $3 / $15 per MTok: 2048*3 = 6144; 1800*0.30 = 540; 148*3.75 = 555; 100*6 = 600;
    # 503*15 = 7545 (all micro-dollars) -> 15384 micro-dollars.
    u = Usage(
        uncached_input_tokens=2048,
        cache_read_tokens=1800,
        cache_write_tokens=248,
        cache_write_5m_tokens=148,
        cache_write_1h_tokens=100,
        output_tokens=503,
    )
    c = cost(u, TokenPrice(input=D(3), output=D(15), multipliers=ANTHROPIC))
    assert (c.uncached_input, c.cache_read, c.cache_write_5m, c.cache_write_1h, c.output) == (
        D("0.006144"),
        D("0.00054"),
        D("0.000555"),
        D("0.0006"),
        D("0.007545"),
    )
    assert c.total == D("0.015384")


def test_anthropic_unsplit_writes_bill_at_5m() -> None:
    u = Usage(uncached_input_tokens=0, cache_write_tokens=1_000_000, output_tokens=0)
    assert cost(u, TokenPrice(input=D(3), output=D(15))).total == D("3.75")


def test_openai_responses_example() -> None:
    # PROVIDERS.md 6: 2600 input = 2000 read + 400 written (30m) + 200 uncached; 50 output.
    # At $1.25 / $10: 200*1.25 = 250; 2000*0.125 = 250; 400*1.5625 = 625; 50*10 = 500 -> 1625 micro.
    u = Usage(
        uncached_input_tokens=200,
        cache_read_tokens=2000,
        cache_write_tokens=400,
        cache_write_30m_tokens=400,
        output_tokens=50,
        reasoning_tokens=0,
    )
    c = cost(u, TokenPrice(input=D("1.25"), output=D(10), multipliers=OPENAI))
    assert c.cache_write_30m == D("0.000625") and c.total == D("0.001625")


def test_openai_12h_needs_an_explicit_rate() -> None:
    u = Usage(uncached_input_tokens=0, cache_write_tokens=10, cache_write_12h_tokens=10, output_tokens=0)
    with pytest.raises(PricingError, match="cache_write_12h"):
        cost(u, TokenPrice(input=D(1), output=D(1), multipliers=OPENAI))
    assert cost(u, TokenPrice(input=D(1), output=D(1), cache_write_12h=D(2), multipliers=OPENAI)).total == D("0.00002")


def test_gemini_reads_at_a_tenth_and_no_write_premium() -> None:
    # promptTokenCount 10000 with 8000 cached -> 2000 uncached; $1.25 / $10; 500 output.
    u = Usage(uncached_input_tokens=2000, cache_read_tokens=8000, output_tokens=500)
    c = cost(u, TokenPrice(input=D("1.25"), output=D(10), multipliers=GEMINI))
    assert (c.uncached_input, c.cache_read, c.output, c.total) == (D("0.0025"), D("0.001"), D("0.005"), D("0.0085"))


def test_explicit_rates_win_over_multipliers() -> None:
    u = Usage(uncached_input_tokens=0, cache_read_tokens=1_000_000, output_tokens=0)
    assert cost(u, TokenPrice(input=D(3), output=D(15), cache_read=D("0.25"))).total == D("0.25")


def test_unreported_usage_is_never_billed_as_zero() -> None:
    # spec/ir.md "Usage": a reply without usage, or without its uncached input or its output,
    # has an unknown cost; unreported cache buckets bill nothing (the uncached bucket holds the
    # input not reported as read or written).
    price = TokenPrice(input=D(3), output=D(15))
    with pytest.raises(PricingError, match="reports no usage"):
        cost(None, price)
    with pytest.raises(PricingError, match="does not report uncached_input_tokens"):
        cost(Usage(cache_read_tokens=10, output_tokens=1), price)
    with pytest.raises(PricingError, match="does not report output_tokens"):
        cost(Usage(uncached_input_tokens=10), price)
    c = cost(Usage(uncached_input_tokens=1_000_000, output_tokens=0), price)
    assert (c.cache_read, c.cache_write, c.total) == (D(0), D(0), D(3))


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="float"):
        TokenPrice(input=3.0, output=D(15))  # type: ignore[arg-type]


def test_split_larger_than_total_is_an_error() -> None:
    with pytest.raises(PricingError):
        cost(
            Usage(uncached_input_tokens=0, cache_write_tokens=1, cache_write_5m_tokens=5, output_tokens=0),
            TokenPrice(input=D(1), output=D(1)),
        )


@given(
    irs.usages(), st.decimals(min_value=0, max_value=100, places=4), st.decimals(min_value=0, max_value=100, places=4)
)
def test_cost_is_exact_and_additive(u: Usage, inp: Decimal, out: Decimal) -> None:
    if u.uncached_input_tokens is None or u.output_tokens is None:
        with pytest.raises(PricingError, match="does not report"):
            cost(u, TokenPrice(input=inp, output=out))
        return
    c = cost(u, TokenPrice(input=inp, output=out))
    expected = (
        u.uncached_input_tokens * inp
        + (u.cache_read_tokens or 0) * inp * D("0.1")
        + ((u.cache_write_tokens or 0) - (u.cache_write_1h_tokens or 0)) * inp * D("1.25")  # unsplit: 5m
        + (u.cache_write_1h_tokens or 0) * inp * 2
        + u.output_tokens * out
    ) / 1_000_000
    assert c.total == expected
