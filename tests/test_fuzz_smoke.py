"""A short run of every fuzz harness (fuzz/harnesses.py) without atheris: the seed corpus and a
few thousand deterministic mutations (byte flips, truncations, insertions, splices). Any
exception that is not an IRCodecError is a crash."""

from __future__ import annotations

import pytest

from fuzz.driver import mutations, run
from fuzz.harnesses import HARNESSES, KNOWN_CRASHES, seeds

RUNS = {"request": 1500, "response": 1500, "stream": 1500, "cli": 100}


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_harness_smoke(name: str) -> None:
    corpus = seeds(name)
    assert len(corpus) >= 10
    crashes: dict[str, bytes] = {}
    count = run(HARNESSES[name], corpus, crashes) + run(HARNESSES[name], mutations(corpus, RUNS[name]), crashes)
    assert count == len(corpus) + RUNS[name]
    unknown = {sig: data[:300] for sig, data in crashes.items() if sig not in KNOWN_CRASHES}
    assert not unknown, unknown
