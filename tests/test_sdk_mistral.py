"""The mistral codec against the ``mistralai`` SDK (3.7.0) types: every body we write is a valid
``ChatCompletionRequest`` whose every field the SDK knows (its dump gives the body back), and the
replies the SDK types describe decode. The SDK send check over a mock transport (``chat.complete``)
runs in the shared suite (tests/conformance/mistral.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from ir_codec import get_codec
from ir_codec import strategies as irs
from ir_codec.conformance import load_fixture
from ir_codec.invariant import same_json
from ir_codec.ir import Request

models = pytest.importorskip("mistralai.client.models")

NAME = "mistral"
CODEC = get_codec(NAME)
ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = sorted((ROOT / "tests" / "payloads" / NAME).glob("*.json"))
VECTORS = sorted((ROOT / "spec" / "vectors" / NAME).glob("*.json"))
REPLIES = sorted((ROOT / "tests" / "responses" / NAME).glob("*.json"))


def sdk_round_trip(body: dict[str, Any]) -> Any:
    """The body validated by the SDK's request model and dumped as it would send it (unset fields
    left out; fields the SDK does not know are dropped by the dump)."""
    model = models.ChatCompletionRequest.model_validate(body)
    return json.loads(model.model_dump_json(by_alias=True, exclude_unset=True))


def _known(body: dict[str, Any]) -> dict[str, Any]:
    # the model's own alias table: a key outside it is not a field of the SDK
    fields = {f.alias or n for n, f in models.ChatCompletionRequest.model_fields.items()}
    return {k: v for k, v in body.items() if k in fields}


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector_wire_is_an_sdk_request(path: Path) -> None:
    wire = json.loads(path.read_text())["wire"]
    assert same_json(sdk_round_trip(wire), wire)


@pytest.mark.parametrize("path", PAYLOADS, ids=[p.stem for p in PAYLOADS])
def test_documented_payload_is_an_sdk_request(path: Path) -> None:
    payload = load_fixture(path)["payload"]
    assert same_json(sdk_round_trip(payload), _known(payload))
    assert _known(payload) == payload, "documented payloads use only fields the SDK knows"
    assert same_json(sdk_round_trip(CODEC.encode(CODEC.decode(payload)).body), payload)


@settings(max_examples=100)
@given(irs.requests(codecs=[], required=("model",)))
def test_generated_bodies_are_sdk_requests(request: Request) -> None:
    body = CODEC.encode(request).body
    assert same_json(sdk_round_trip(body), body)


@pytest.mark.parametrize("path", REPLIES, ids=[p.stem for p in REPLIES])
def test_reply_fixtures_are_sdk_replies(path: Path) -> None:
    spec = load_fixture(path)
    models.ChatCompletionResponse.model_validate(spec["response"])
    for _, data in spec.get("events", []):
        models.CompletionChunk.model_validate(data if isinstance(data, dict) else json.loads(data))


def test_sdk_enums_and_shapes_we_rely_on() -> None:
    """Points where the SDK and PROVIDERS.md §13 are compared (see the codec docstring)."""
    from typing import get_args

    choices = set(get_args(get_args(models.ToolChoiceEnum)[0]))
    assert choices == {"auto", "none", "any", "required"}  # the SDK takes "required" too
    assert "random_seed" in models.ChatCompletionRequest.model_fields
    assert "seed" not in models.ChatCompletionRequest.model_fields
    assert "user" not in models.ChatCompletionRequest.model_fields
    assert "top_k" in models.ChatCompletionRequest.model_fields
    assert "max_completion_tokens" not in models.ChatCompletionRequest.model_fields
    assert models.ToolCall.model_fields["id"].default == "null"  # no 9-character rule in the types
    assert "cache_control" not in models.TextChunk.model_fields
    assert "prompt_cache_breakpoint" not in models.TextChunk.model_fields
    usage = set(models.UsageInfo.model_fields)
    assert usage == {"prompt_tokens", "completion_tokens", "total_tokens", "prompt_audio_seconds", "service_tier"}
