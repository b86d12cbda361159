"""Golden vectors: spec/vectors/<codec>/*.json pin the exact wire bytes of an encode.

A vector file is ``{"name", "doc", "options"?, "ir", "wire", "warnings": [[path, kind, reason], ...],
"endpoint"?: {"method", "path"}}``: the IR (its JSON form) encodes to exactly ``wire`` with exactly
those warnings (``kind`` is the :class:`~ir_codec.errors.LossKind` value), in order, sent to that
endpoint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ir_codec import get_codec, ir_from_json
from ir_codec.invariant import same_json
from ir_codec.pytest_plugin import assert_roundtrip, assert_valid_wire

ROOT = Path(__file__).resolve().parent.parent / "spec" / "vectors"
VECTORS = sorted(ROOT.glob("*/*.json"))


def _codec_name(path: Path) -> str:
    return path.parent.name


@pytest.mark.parametrize("path", VECTORS, ids=[f"{p.parent.name}/{p.stem}" for p in VECTORS])
def test_vector(path: Path) -> None:
    vec = json.loads(path.read_text())
    codec = get_codec(vec.get("codec", _codec_name(path)), **vec.get("options", {}))
    request = ir_from_json(json.dumps(vec["ir"]))
    e = codec.encode(request)
    assert same_json(e.body, vec["wire"])
    assert same_json(json.loads(e.to_json()), vec["wire"])
    assert [[w.path, w.kind.value, w.reason] for w in e.warnings] == vec["warnings"]
    if "endpoint" in vec:
        assert [e.endpoint.method, e.endpoint.path] == [vec["endpoint"]["method"], vec["endpoint"]["path"]]
    # the pinned wire is itself valid (the wire types and the gate's rules) and a fixpoint
    codec.validate_wire(vec["wire"])
    assert_valid_wire(codec.NAME, vec["wire"], api_version=vec.get("options", {}).get("api_version"))
    assert_roundtrip(codec, vec["wire"])
    assert same_json(codec.encode(codec.decode(vec["wire"])).body, vec["wire"])


def test_vectors_exist() -> None:
    assert VECTORS, "no golden vectors found"
