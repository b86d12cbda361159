"""Documented payloads: tests/payloads/<codec>/*.json, each written for this project in the
shape a provider document or official SDK shows (``doc`` names it). Every one round-trips
through ``ir-codec transpile --read C --write C`` unchanged up to C's canonicalizations (the
round trip through the codec itself is ``test_documented_payload`` of the shared suite,
tests/test_conformance.py).

A payload file is ``{"doc": "...", "options"?: {...}, "payload": {...}}``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ir_codec import get_codec
from ir_codec.invariant import same_json

ROOT = Path(__file__).resolve().parent / "payloads"
FILES = sorted(ROOT.glob("*/*.json"))


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_payload_through_cli(path: Path) -> None:
    spec = json.loads(path.read_text())
    if spec.get("options"):
        pytest.skip("the CLI runs codecs with default options")
    name = path.parent.name
    proc = subprocess.run(
        [sys.executable, "-m", "ir_codec", "transpile", "--read", name, "--write", name],
        input=json.dumps(spec["payload"]).encode(),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert same_json(json.loads(proc.stdout), get_codec(name).canonicalize(spec["payload"]))
    assert proc.stderr == b""
