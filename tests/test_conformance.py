"""The shared conformance suite: every registered codec against the same checks.

Each test is parametrized over ``available_codecs()`` (the test-only ``toy`` codec aside): a codec
that is registered but has no :class:`~ir_codec.conformance.ConformanceCase` in
``tests/conformance/`` fails here, it is not skipped. Nothing in this file is specific to a codec;
what is special to a provider is in its own test files (tables of its rules).

- ``test_invariant``: properties 1-4 on generated IR requests, under every declared configuration
  (and property 4 on an equivalent non-canonical form of each body);
- ``test_generated_payloads``: property 4 on generated wire payloads, canonical forms are fixed points;
- ``test_documented_payload``: the same for each payload in ``tests/payloads/<codec>/``;
- ``test_reply_fixture`` / ``test_stream_fixture``: ``tests/responses/...`` decode to the
  hand-written usage; a streamed reply assembles to the same Response as the whole reply;
- ``test_usage_round_trip``: random counts in the provider's raw shape decode to the same buckets;
- ``test_stream_equals_whole``: random replies streamed in random pieces;
- ``test_sdk``: the official SDK sends exactly our body (and properties 1-3 hold for the requests
  drawn for it, which the SDK's restrictions make a distribution of their own).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir_codec import DecodeError, Message, Request, Response, Text, Usage, available_codecs, get_codec
from ir_codec.conformance import (
    ConformanceCase,
    ReportedUsage,
    SdkCheck,
    StreamedReply,
    check_documented_payload,
    check_invariant,
    check_payload,
    check_reply_fixture,
    check_reply_fixtures_cover,
    check_reported_usage,
    check_sdk,
    check_stream_fixture,
    check_streamed_reply,
    check_usage_buckets,
    fixture_files,
    load_fixture,
)
from ir_codec.invariant import InvariantViolation

from .conformance import CASES
from .toy_codec import ToyCodec

NAMES = [name for name in available_codecs() if name != "toy"]


def case_for(name: str) -> ConformanceCase:
    if name not in CASES:
        pytest.fail(f"codec {name!r} has no conformance case: declare one in tests/conformance/", pytrace=False)
    return CASES[name]


def _run(check: Callable[..., None], *strategies: st.SearchStrategy[Any], max_examples: int | None = None) -> None:
    """Run ``check`` on values drawn from ``strategies``, under the active hypothesis profile (or
    ``max_examples`` where a case sets its own count)."""
    chosen = settings() if max_examples is None else settings(max_examples=max_examples)
    chosen(given(*strategies)(check))()


def _per_file(folder: Callable[[ConformanceCase], list[Path]]) -> list[Any]:
    return [
        pytest.param(name, path, id=f"{name}/{path.stem}")
        for name in NAMES
        if name in CASES
        for path in folder(CASES[name])
    ]


def _documented(case: ConformanceCase) -> list[Path]:
    return sorted(case.documented.glob("*.json")) if case.documented is not None else []


# ---------------------------------------------------------------------------------------------
# The invariant


@pytest.mark.parametrize("name", NAMES)
def test_invariant(name: str) -> None:
    case = case_for(name)

    def check(request: Request, data: st.DataObject) -> None:
        check_invariant(case, request, data.draw)

    _run(check, case.request_strategy(), st.data(), max_examples=case.max_examples.get("invariant"))


PAYLOAD_KINDS = [
    pytest.param(name, kind, id=f"{name}-{kind}") for name in NAMES if name in CASES for kind in CASES[name].payloads
]


@pytest.mark.parametrize(("name", "kind"), PAYLOAD_KINDS)
def test_generated_payloads(name: str, kind: str) -> None:
    case = case_for(name)

    def check(payload: dict[str, Any]) -> None:
        for codec in case.codecs():
            check_payload(codec, payload)

    _run(check, case.payloads[kind], max_examples=case.max_examples.get("payloads"))


@pytest.mark.parametrize("name", NAMES)
def test_documented_payloads_exist(name: str) -> None:
    assert _documented(case_for(name)), f"{name}: no documented payloads (tests/payloads/{name}/*.json)"


@pytest.mark.parametrize(("name", "path"), _per_file(_documented))
def test_documented_payload(name: str, path: Path) -> None:
    check_documented_payload(name, load_fixture(path))


# ---------------------------------------------------------------------------------------------
# Replies, usage and streams


@pytest.mark.parametrize("name", NAMES)
def test_reply_fixtures_exist(name: str) -> None:
    case = case_for(name)
    whole, streams = fixture_files(case.replies)
    assert len(whole) >= 3 and streams, f"{name}: at least three whole replies and one stream in {case.replies}"
    check_reply_fixtures_cover(case, [load_fixture(p) for p in whole])


@pytest.mark.parametrize(("name", "path"), _per_file(lambda case: fixture_files(case.replies)[0]))
def test_reply_fixture(name: str, path: Path) -> None:
    check_reply_fixture(case_for(name), get_codec(name), load_fixture(path))


@pytest.mark.parametrize(("name", "path"), _per_file(lambda case: fixture_files(case.replies)[1]))
def test_stream_fixture(name: str, path: Path) -> None:
    check_stream_fixture(case_for(name), get_codec(name), load_fixture(path))


@pytest.mark.parametrize("name", NAMES)
def test_usage_round_trip(name: str) -> None:
    case = case_for(name)
    if case.usages is None:
        pytest.skip(f"{name} declares no usage generator")
    codec = get_codec(name)

    def check(drawn: ReportedUsage) -> None:
        check_reported_usage(case, codec, drawn)

    _run(check, case.usages, max_examples=case.max_examples.get("usages"))


@pytest.mark.parametrize("name", NAMES)
def test_stream_equals_whole(name: str) -> None:
    case = case_for(name)
    if case.streams is None:
        pytest.skip(f"{name} declares no stream generator")
    codec = get_codec(name)

    def check(drawn: StreamedReply) -> None:
        check_streamed_reply(case, codec, drawn)

    _run(check, case.streams, max_examples=case.max_examples.get("streams"))


# ---------------------------------------------------------------------------------------------
# The official SDK


@pytest.mark.parametrize("name", NAMES)
def test_sdk(name: str) -> None:
    case = case_for(name)
    if case.sdk is None:
        pytest.skip(f"{name} declares no official SDK check")
    sdk = case.sdk
    for module in sdk.requires:
        pytest.importorskip(module)
    codec = get_codec(name)

    def check(request: Request) -> None:
        check_sdk(sdk, codec, request)

    requests = sdk.requests if sdk.requests is not None else case.request_strategy()
    _run(check, requests, max_examples=sdk.max_examples)


# ---------------------------------------------------------------------------------------------
# The suite itself: every codec is covered, and each check fails on what it must catch.


def test_every_case_names_a_registered_codec() -> None:
    assert sorted(set(CASES) - set(NAMES)) == []


def test_a_codec_without_a_case_fails_loudly() -> None:
    with pytest.raises(pytest.fail.Exception, match="codec 'no-such-codec' has no conformance case"):
        case_for("no-such-codec")


HI = Request(messages=[Message(role="user", content=[Text(text="hi")])])
TOY_BODY = {"messages": [{"role": "user", "text": "hi"}]}
ANTHROPIC_REPLIES = Path(__file__).resolve().parent / "responses" / "anthropic"


def _no_draw(strategy: Any) -> Any:
    raise AssertionError("the variants under test draw nothing")


def test_check_invariant_passes_an_equivalent_variant_and_catches_others() -> None:
    same = ConformanceCase(name="toy", variants=lambda codec, body, draw: copy.deepcopy(body))
    assert [e.body for e in check_invariant(same, HI, _no_draw)] == [TOY_BODY]
    dropped = ConformanceCase(name="toy", variants=lambda codec, body, draw: {"messages": []})
    with pytest.raises(InvariantViolation, match="canonicalize\\(variant\\) is not the body"):
        check_invariant(dropped, HI, _no_draw)
    # a variant that only has to survive property 4 passes as long as it does
    raw = dataclasses.replace(dropped, variants_canonicalize_to_body=False)
    assert len(check_invariant(raw, HI, _no_draw)) == 1


def test_check_invariant_catches_a_non_canonical_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ToyCodec, "canonicalize", lambda self, payload: {**payload, "extra": 1})
    with pytest.raises(InvariantViolation, match="the encoder's output is not canonical"):
        check_invariant(ConformanceCase(name="toy"), HI)


def test_check_payload_catches_a_canonical_form_that_is_not_valid_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_payload(get_codec("toy"), TOY_BODY) == TOY_BODY

    def refuse(self: Any, body: Any) -> None:
        raise DecodeError("$.messages", "something else", "a list")

    monkeypatch.setattr(ToyCodec, "validate_wire", refuse)
    with pytest.raises(InvariantViolation, match="not valid wire"):
        check_payload(get_codec("toy"), TOY_BODY)


def test_check_reply_fixture_catches_wrong_usage_and_facts() -> None:
    case, codec = CASES["anthropic"], get_codec("anthropic")
    spec = load_fixture(ANTHROPIC_REPLIES / "cache_read.json")
    usage = check_reply_fixture(case, codec, spec).usage
    assert usage is not None and (usage.cache_read_tokens or 0) > 0
    wrong = copy.deepcopy(spec)
    wrong["usage"]["cache_read_tokens"] += 1
    with pytest.raises(InvariantViolation, match="the fixture says"):
        check_reply_fixture(case, codec, wrong)
    lying = dataclasses.replace(case, reply_facts=lambda reply: {"usage.output_tokens": -1})
    with pytest.raises(InvariantViolation, match="the reply itself says"):
        check_reply_fixture(lying, codec, spec)
    with pytest.raises(InvariantViolation, match="at least 99"):
        check_reply_fixtures_cover(dataclasses.replace(case, fixture_coverage={"cache_read_tokens": 99}), [spec])


@pytest.mark.parametrize(
    "usage",
    [
        Usage(cache_write_tokens=5, cache_write_5m_tokens=2, cache_write_1h_tokens=2),
        Usage(cache_write_tokens=5, cache_write_30m_tokens=4),
        Usage(output_tokens=3, reasoning_tokens=4),
    ],
)
def test_check_usage_buckets_catches_inconsistent_usage(usage: Usage) -> None:
    with pytest.raises(InvariantViolation):
        check_usage_buckets(usage)


def test_check_usage_buckets_passes_consistent_usage() -> None:
    check_usage_buckets(Usage(cache_write_tokens=5, cache_write_5m_tokens=2, cache_write_1h_tokens=3))
    check_usage_buckets(Usage(cache_write_tokens=5, output_tokens=4, reasoning_tokens=4))


def test_check_stream_fixture_catches_a_lost_event() -> None:
    case, codec = CASES["anthropic"], get_codec("anthropic")
    spec = load_fixture(ANTHROPIC_REPLIES / "text_cached.stream.json")
    assert check_stream_fixture(case, codec, spec) == codec.decode_response(spec["response"])
    deltas = [i for i, (name, _) in enumerate(spec["events"]) if name == "content_block_delta"]
    assert deltas
    lost = {**spec, "events": [ev for i, ev in enumerate(spec["events"]) if i != deltas[0]]}
    with pytest.raises(InvariantViolation, match="the stream assembles to"):
        check_stream_fixture(case, codec, lost)


def test_check_streamed_reply_and_reported_usage_catch_a_wrong_expectation() -> None:
    case, codec = CASES["anthropic"], get_codec("anthropic")
    reply = {"content": [], "usage": {"input_tokens": 3, "output_tokens": 1}}
    check_reported_usage(case, codec, ReportedUsage(usage=Usage(uncached_input_tokens=3, output_tokens=1), reply=reply))
    with pytest.raises(InvariantViolation, match="decodes to"):
        check_reported_usage(case, codec, ReportedUsage(usage=Usage(output_tokens=1), reply=reply))
    whole = {**reply, "id": "m", "stop_reason": "end_turn"}
    with pytest.raises(InvariantViolation, match="decodes to"):
        check_streamed_reply(case, codec, StreamedReply(whole=whole, events=[], expected=Response(id="other")))


def test_check_sdk_catches_an_sdk_that_sends_something_else() -> None:
    toy = get_codec("toy")
    assert check_sdk(SdkCheck(requires=(), sent=lambda codec, e: e.body), toy, HI).body == TOY_BODY
    altered = SdkCheck(requires=(), sent=lambda codec, e: {**e.body, "stream": False})
    with pytest.raises(InvariantViolation, match="the SDK sent"):
        check_sdk(altered, toy, HI)
