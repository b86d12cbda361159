"""atheris harness: stream (see fuzz/harnesses.py). Run from the repository root:

python fuzz/fuzz_stream.py -runs=200000 fuzz/corpus_stream    (make fuzz)
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["ir_codec", "fuzz"]):
    from fuzz.harnesses import HARNESSES, seeds

if __name__ == "__main__":
    corpus = Path(__file__).resolve().parent / "corpus_stream"
    if not corpus.is_dir() or not any(corpus.iterdir()):
        corpus.mkdir(exist_ok=True)
        for i, data in enumerate(seeds("stream")):
            (corpus / f"seed_{i:04d}").write_bytes(data)
    atheris.Setup(sys.argv, HARNESSES["stream"])
    atheris.Fuzz()
