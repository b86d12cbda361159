"""Decode builds IR in validate_ir's normal form (``Codec.DECODES_NORMAL_FORM``).

``transpile`` skips the type check's copy of the whole request when the reading codec says its
decode builds every node of its declared type (``check.validate_ir(..., types=False)``). These
tests hold the built-in codecs to that: what decode returns is exactly what ``validate_ir``
would return for it, type by type (a ``"1h"`` string where the IR says ``CacheTtl`` would be
equal under ``==`` and is still caught here), and ``transpile`` writes the same bytes and the
same warnings as ``encode(decode(...))``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ir_codec import Message, Request, Text, available_codecs, get_codec, transpile
from ir_codec.check import validate_ir
from ir_codec.strategies import requests

ROOT = Path(__file__).resolve().parent / "payloads"
FILES = sorted(ROOT.glob("*/*.json"))
CODECS = [c for c in available_codecs() if get_codec(c).DECODES_NORMAL_FORM]


def same_types(a: Any, b: Any, path: str = "$") -> None:
    """``a`` and ``b`` are equal and of the same type at every node."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} where the normal form has {type(b).__name__}"
    if isinstance(a, msgspec.Struct):
        for f in a.__struct_fields__:
            same_types(getattr(a, f), getattr(b, f), f"{path}.{f}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same_types(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            same_types(a[k], b[k], f"{path}.{k}")
    else:
        assert a == b, path


def normal(request: Request) -> Request:
    return validate_ir(request, tool_ids="free")


def test_the_built_in_codecs_say_so() -> None:
    assert {"anthropic", "anthropic-bedrock", "anthropic-vertex", "bedrock-converse", "gemini"} <= set(CODECS)
    assert {"openai-chat", "openai-responses", "openrouter", "mistral", "deepseek"} <= set(CODECS)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_documented_payloads_decode_in_normal_form(path: Path) -> None:
    spec = json.loads(path.read_text())
    codec = get_codec(path.parent.name, **spec.get("options", {}))
    request = codec.decode(spec["payload"])
    same_types(request, normal(request))


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_transpile_writes_what_encode_of_decode_writes(path: Path) -> None:
    spec = json.loads(path.read_text())
    source = get_codec(path.parent.name, **spec.get("options", {}))
    request = source.decode(spec["payload"])
    for name in CODECS:
        target = get_codec(name, default_max_tokens=1024) if name.startswith("anthropic") else get_codec(name)
        try:
            expected = target.encode(request)
        except Exception as exc:  # the target's rules refuse it: transpile refuses it the same way
            with pytest.raises(type(exc), match=None) as info:
                transpile(spec["payload"], source, target, on_lossy="ignore")
            assert str(info.value) == str(exc)
            continue
        got = transpile(spec["payload"], source, target, on_lossy="ignore")
        assert got.to_json() == expected.to_json(), name
        assert got.warnings == expected.warnings, name


def integral_floats_as_ints(value: Any) -> Any:
    """The body as a writer that prints ``1.0`` as ``1`` sends it (JSON has one number type)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [integral_floats_as_ints(v) for v in value]
    if isinstance(value, dict):
        return {k: integral_floats_as_ints(v) for k, v in value.items()}
    return value


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(CODECS), st.data())
def test_decode_of_any_encoded_request_is_in_normal_form(name: str, data: st.DataObject) -> None:
    codec = get_codec(name)
    x = data.draw(requests(codecs=[name]))
    body = codec.encode(x).body
    for wire in (body, integral_floats_as_ints(body)):
        decoded = codec.decode(wire)
        same_types(decoded, normal(decoded))


@pytest.mark.parametrize("name", CODECS)
def test_integer_sampling_values_decode_as_floats(name: str) -> None:
    codec = get_codec(name)
    x = Request(
        model="m", max_tokens=64, temperature=1.0, top_p=1.0, messages=[Message(role="user", content=[Text(text="hi")])]
    )
    body = integral_floats_as_ints(codec.encode(x).body)
    decoded = codec.decode(body)
    same_types(decoded, normal(decoded))
