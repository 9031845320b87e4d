"""Independent, reproducible random streams.

Each part of the sample draws from its own stream keyed by (seed, name), so adding a format or
changing one writer never shifts the numbers another writer produces.
"""

from __future__ import annotations

import zlib
from functools import reduce

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def scramble(index: np.ndarray, bits: int) -> np.ndarray:
    """A bijective-looking spread of 0..n-1 over ``bits`` bits (Knuth's multiplicative hash)."""
    return (index.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(1 << bits)


_B62 = np.array(list("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
_B64URL = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))


def base62(values: np.ndarray, width: int) -> np.ndarray:
    """Fixed-width base-62 strings of non-negative integers (Weibo's bid alphabet)."""
    v = values.astype(np.uint64).copy()
    digits = []
    for _ in range(width):
        digits.append(_B62[(v % np.uint64(62)).astype(np.int64)])
        v //= np.uint64(62)
    return _join(list(reversed(digits)), len(values))


def token(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """Random url-safe tokens (YouTube video ids, Instagram shortcodes)."""
    idx = rng.integers(0, 64, size=(width, n))
    return _join([_B64URL[row] for row in idx], n)


def _join(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Concatenate character columns element-wise (vectorised per column, not per row)."""
    if n == 0:
        return np.array([], dtype=str)
    return reduce(np.char.add, columns)
