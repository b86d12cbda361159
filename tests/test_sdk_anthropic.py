"""The official ``anthropic`` SDK (2.x) as an independent checker of our wire bodies.

The property (for generated IR, the JSON that ``Anthropic``, ``AnthropicBedrock`` and
``AnthropicVertex`` send through an offline ``httpx2.MockTransport`` equals our body, to the URL
the SDK builds from the model) is ``test_sdk`` of the shared suite (tests/test_conformance.py;
the sender is in tests/conformance/anthropic.py). Here: what only this SDK decides.
"""

from __future__ import annotations

import json

import pytest

from ir_codec import get_codec

from .conformance.anthropic import sdk_send

pytest.importorskip("anthropic")
pytest.importorskip("httpx2")


def test_sdk_default_body_version_matches_ours() -> None:
    """The SDK fills in anthropic_version itself (setdefault); ours must be what it would send."""
    for name in ("anthropic-bedrock", "anthropic-vertex"):
        body = get_codec(name).decode({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5})
        ours = get_codec(name).encode(body).body
        without = {k: v for k, v in ours.items() if k != "anthropic_version"}
        sent = sdk_send(name, without)
        assert json.loads(sent.content)["anthropic_version"] == ours["anthropic_version"]
