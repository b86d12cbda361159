"""atheris harness: cli (see fuzz/harnesses.py). Run from the repository root:

python fuzz/fuzz_cli.py -runs=200000 fuzz/corpus_cli    (make fuzz)
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["ir_codec", "fuzz"]):
    from fuzz.harnesses import HARNESSES, seeds

if __name__ == "__main__":
    corpus = Path(__file__).resolve().parent / "corpus_cli"
    if not corpus.is_dir() or not any(corpus.iterdir()):
        corpus.mkdir(exist_ok=True)
        for i, data in enumerate(seeds("cli")):
            (corpus / f"seed_{i:04d}").write_bytes(data)
    atheris.Setup(sys.argv, HARNESSES["cli"])
    atheris.Fuzz()
