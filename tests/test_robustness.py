"""Bad input never escapes as a bare KeyError/TypeError/...: every codec's decoders raise
DecodeError (with a JSON path starting at ``$``) or succeed, and what they accept encodes again
or is refused by the IR check (InvalidRequestError with an IR path: a body the provider refuses,
such as one without a required field)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir_codec import DecodeError, available_codecs, get_codec
from ir_codec import strategies as irs
from ir_codec.errors import InvalidRequestError, IRCodecError

CODECS = [n for n in available_codecs() if n != "toy"]


def _paths(v: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(v, dict):
        for k, x in v.items():
            out += _paths(x, (*path, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _paths(x, (*path, i))
    return out


def _replace(v: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(v, dict):
        return {k: (_replace(x, rest, new) if k == head else x) for k, x in v.items()}
    return [(_replace(x, rest, new) if i == head else x) for i, x in enumerate(v)]


def _decodes_cleanly(codec_name: str, payload: Any) -> None:
    codec = get_codec(codec_name)
    try:
        request = codec.decode(payload)
    except DecodeError as exc:
        assert exc.path.startswith("$"), exc.path
        return
    except IRCodecError:
        return
    try:
        codec.encode(request)  # whatever decodes must encode, or be refused cleanly
    except InvalidRequestError as exc:
        assert not exc.path.startswith("$"), exc.path


@pytest.mark.parametrize("name", CODECS)
@settings(max_examples=150)
@given(payload=irs.json_values(max_leaves=12))
def test_arbitrary_json(name: str, payload: Any) -> None:
    _decodes_cleanly(name, payload)


@pytest.mark.parametrize("name", CODECS)
@settings(max_examples=150)
@given(x=irs.requests(max_turns=3, codecs=CODECS), data=st.data())
def test_mutated_valid_payloads(name: str, x: Any, data: st.DataObject) -> None:
    body = get_codec(name).encode(x).body
    where = data.draw(st.sampled_from(_paths(body)))
    new: Any = data.draw(st.one_of(irs.json_values(4), st.just(None), st.just({}), st.just([]), st.just("x")))
    _decodes_cleanly(name, _replace(body, where, new))


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize("data", [b"", b"{", b"[]", b"null", b"\xff", b'"text"', b"1e999"])
def test_junk_bytes(name: str, data: bytes) -> None:
    with pytest.raises(DecodeError):
        get_codec(name).decode(data)
