"""Coverage-guided fuzzing of every codec's request decoder (atheris).

    pip install atheris
    python fuzz/fuzz_decode.py fuzz/corpus -max_total_time=300

The property is the one tests/test_robustness.py checks with hypothesis: bytes either decode
(and then encode again) or raise DecodeError; nothing else escapes.
"""

from __future__ import annotations

import sys

import atheris  # type: ignore[import-not-found]

with atheris.instrument_imports():
    from ir_codec import DecodeError, available_codecs, get_codec
    from ir_codec.errors import IRCodecError

CODECS = [get_codec(n) for n in available_codecs()]


def test_one_input(data: bytes) -> None:
    if not data:
        return
    codec = CODECS[data[0] % len(CODECS)]
    try:
        request = codec.decode(data[1:])
    except (DecodeError, IRCodecError):
        return
    codec.encode(request)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
