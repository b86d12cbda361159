"""atheris driver for one harness of fuzz/harnesses.py. Run from the repository root:

python fuzz/run.py request -runs=200000 fuzz/corpus_request    (make fuzz: every harness)

The first argument names the harness (request, response, stream, cli); the rest are libFuzzer's.
An empty corpus directory is first filled with the harness's seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["ir_codec", "fuzz"]):
    from fuzz.harnesses import HARNESSES, seeds

if __name__ == "__main__":
    name = sys.argv.pop(1)
    if name not in HARNESSES:
        raise SystemExit(f"usage: python fuzz/run.py {{{','.join(HARNESSES)}}} [libFuzzer options] [corpus]")
    corpus = Path(__file__).resolve().parent / f"corpus_{name}"
    if not corpus.is_dir() or not any(corpus.iterdir()):
        corpus.mkdir(exist_ok=True)
        for i, data in enumerate(seeds(name)):
            (corpus / f"seed_{i:04d}").write_bytes(data)
    atheris.Setup(sys.argv, HARNESSES[name])
    atheris.Fuzz()
