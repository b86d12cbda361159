"""A small deterministic mutation driver, for runs without atheris (``tests/test_fuzz_smoke.py``).

    python -m fuzz.driver HARNESS [RUNS]

Mutations: byte flips, truncations, insertions of JSON-significant bytes, deletions,
duplications of a slice, and splices of two seeds. Any exception other than an IRCodecError
escapes from the harness; the driver re-raises it with the input that caused it.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator

from fuzz.harnesses import HARNESSES, seeds, signature

_TOKENS = [
    b"[",
    b"]",
    b"{",
    b"}",
    b'"',
    b":",
    b",",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"\xff",
    b"\xc0\xaf",
    b"null",
    b"NaN",
    b"1e999",
    b"-",
    b"0",
    b"99999999999999999999",
    b"[" * 300,
    b'{"a":' * 50,
    b" ",
]


def mutations(corpus: list[bytes], n: int, seed: int = 0) -> Iterator[bytes]:
    """``n`` deterministic mutants of ``corpus``."""
    rng = random.Random(seed)
    for _ in range(n):
        data = bytearray(rng.choice(corpus))
        for _ in range(rng.randint(1, 4)):
            op = rng.randrange(6)
            at = rng.randint(0, len(data))
            if op == 0 and data:
                at = min(at, len(data) - 1)
                data[at] ^= 1 << rng.randrange(8)
            elif op == 1:
                del data[at:]
            elif op == 2:
                data[at:at] = rng.choice(_TOKENS)
            elif op == 3:
                del data[at : at + rng.randint(1, 16)]
            elif op == 4 and data:
                end = min(len(data), at + rng.randint(1, 64))
                data[at:at] = data[at:end]
            else:
                other = rng.choice(corpus)
                data[at:] = other[rng.randint(0, len(other)) :]
        yield bytes(data[:1]) + bytes(data[1:])


def run(
    harness: Callable[[bytes], None], inputs: Iterator[bytes] | list[bytes], crashes: dict[str, bytes] | None = None
) -> int:
    """Run ``harness`` over ``inputs``; a crash raises, or (given ``crashes``) is recorded there
    under its :func:`signature` with the first input that caused it."""
    count = 0
    for data in inputs:
        try:
            harness(data)
        except Exception as exc:
            if crashes is None:
                raise AssertionError(f"crash on input {data[:300]!r} ({len(data)} bytes): {exc!r}") from exc
            crashes.setdefault(signature(exc), data)
        count += 1
    return count


def main(argv: list[str]) -> None:
    name = argv[0]
    runs = int(argv[1]) if len(argv) > 1 else 10_000
    corpus = seeds(name)
    crashes: dict[str, bytes] = {}
    start = time.perf_counter()
    n = run(HARNESSES[name], corpus, crashes) + run(HARNESSES[name], mutations(corpus, runs, seed=runs), crashes)
    print(f"{name}: {n} inputs ({len(corpus)} seeds) in {time.perf_counter() - start:.1f} s, {len(crashes)} crash(es)")
    for sig, data in crashes.items():
        print(f"  {sig}: {data[:200]!r}")
    if crashes:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
