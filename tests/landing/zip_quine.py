"""A zip archive whose one member is the archive itself, byte for byte (a zip quine).

Russ Cox's construction ("Zip Files All The Way Down"): DEFLATE can emit stored blocks (``L n``:
copy the next n bytes of the stream to the output) and copies of earlier output (``R n``: repeat
the last n bytes). Each operation below is encoded in exactly five bytes, so a short program of them
prints itself, wrapped in the zip header P before it and the central directory S after it:

    L(p+1) P L(p+1) · R(p+1) · L1 R(p+1) · L1 L1 · L4 R(p+1) L1 L1 L4 · R4 · L4 R4 L4 R4 L4 · R4 ·
    L4 R4 L0 L0 L(s+1) · R4 · L0 · L0 · L(s+1) R(s+1) S · R(s+1)

(lengths in operations; P and S count as their bytes). The member's CRC-32 sits inside P and S,
which are part of the member's own bytes; CRC-32 is affine over GF(2), so the value that equals
the CRC of the bytes holding it is solved for, never searched (32 CRCs and a 32×32 elimination).
"""

from __future__ import annotations

import struct
import zlib
from functools import cache

_OP = 5  # bytes of one encoded operation
_EOB = 256

# DEFLATE length and distance codes: (first symbol value, extra bits) per code
_LENGTHS = [
    (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 1), (13, 1), (15, 1), (17, 1),
    (19, 2), (23, 2), (27, 2), (31, 2), (35, 3), (43, 3), (51, 3), (59, 3), (67, 4), (83, 4), (99, 4),
    (115, 4), (131, 5), (163, 5), (195, 5), (227, 5), (258, 0),
]  # fmt: skip
_DISTANCES = [
    (1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (7, 1), (9, 2), (13, 2), (17, 3), (25, 3), (33, 4), (49, 4),
    (65, 5), (97, 5), (129, 6), (193, 6), (257, 7), (385, 7), (513, 8), (769, 8), (1025, 9), (1537, 9),
    (2049, 10), (3073, 10), (4097, 11), (6145, 11), (8193, 12), (12289, 12), (16385, 13), (24577, 13),
]  # fmt: skip


def _code(table: list[tuple[int, int]], value: int) -> tuple[int, int, int]:
    """(code index, extra bits, extra value) of a length or distance."""
    for index in range(len(table) - 1, -1, -1):
        base, extra = table[index]
        if value >= base and (extra or value == base):
            return index, extra, value - base
    raise ValueError(value)


def _literal_code(symbol: int) -> tuple[int, int]:
    """The fixed Huffman code of a literal/length symbol: (code, bit length)."""
    if symbol < 144:
        return 0x30 + symbol, 8
    if symbol < 256:
        return 0x190 + symbol - 144, 9
    if symbol < 280:
        return symbol - 256, 7
    return 0xC0 + symbol - 280, 8


class _Bits:
    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def put(self, value: int, width: int) -> None:
        """``width`` bits of ``value``, least significant first (DEFLATE's header and extra bits)."""
        self.value |= value << self.count
        self.count += width

    def huffman(self, code: int, width: int) -> None:
        """A Huffman code, most significant bit first."""
        self.put(int(f"{code:0{width}b}"[::-1], 2), width)


def _match_bits(length: int, distance: int) -> int:
    """Bits of one match in fixed codes: length code and extra bits, distance code and extra bits."""
    index, extra, _ = _code(_LENGTHS, length)
    return _literal_code(257 + index)[1] + extra + 5 + _code(_DISTANCES, distance)[1]


def _split(total: int, bits_left: int, parts: int, distance: int) -> list[int] | None:
    """``parts`` match lengths (each 3..258) summing to ``total`` whose codes at ``distance``
    take exactly ``bits_left`` bits."""
    if parts == 1:
        ok = 3 <= total <= 258 and _match_bits(total, distance) == bits_left
        return [total] if ok else None
    for first in range(3, min(258, total - 3) + 1):
        rest = _split(total - first, bits_left - _match_bits(first, distance), parts - 1, distance)
        if rest is not None:
            return [first, *rest]
    return None


@cache
def _repeat_plan(size: int) -> tuple[int, list[int]] | None:
    """How to copy ``size`` bytes in exactly five bytes: (fixed-Huffman blocks, match lengths).
    A block costs 10 bits (header and end code); the matches go in the first, the others are empty."""
    for blocks in (1, 2, 3):
        for parts in (1, 2):  # three matches cost at least 36 bits
            matches = _split(size, _OP * 8 - 10 * blocks, parts, size)
            if matches is not None:
                return blocks, matches
    return None


def literal(size: int, final: bool = False) -> bytes:
    """A stored block header: the next ``size`` bytes of the stream are output as they are."""
    return bytes([int(final)]) + struct.pack("<HH", size, size ^ 0xFFFF)


def repeat(size: int, final: bool = False) -> bytes:
    """A fixed-Huffman block copying the last ``size`` bytes of output, in exactly five bytes."""
    plan = _repeat_plan(size)
    if plan is None:
        raise ValueError(f"no five-byte encoding of a {size}-byte repeat")
    blocks, matches = plan
    bits = _Bits()
    for block in range(blocks):
        bits.put(int(final and block == blocks - 1), 1)
        bits.put(1, 2)  # fixed Huffman codes
        for length in matches if block == 0 else []:
            index, extra, value = _code(_LENGTHS, length)
            bits.huffman(*_literal_code(257 + index))
            bits.put(value, extra)
            index, extra, value = _code(_DISTANCES, size)
            bits.huffman(index, 5)
            bits.put(value, extra)
        bits.huffman(*_literal_code(_EOB))
    assert bits.count == _OP * 8
    return bits.value.to_bytes(_OP, "little")


def _program(prefix: bytes, suffix: bytes) -> bytes:
    """The DEFLATE stream that outputs ``prefix`` + itself + ``suffix``."""
    p, s = len(prefix) + _OP, len(suffix) + _OP
    lp, rp, ls, rs = literal(p), repeat(p), literal(s), repeat(s, final=True)
    l0, l1, l4, r4 = literal(0), literal(_OP), literal(4 * _OP), repeat(4 * _OP)
    return b"".join(
        [
            lp + prefix + lp,
            rp,
            l1 + rp,
            l1 + l1,
            l4 + rp + l1 + l1 + l4,
            r4,
            l4 + r4 + l4 + r4 + l4,
            r4,
            l4 + r4 + l0 + l0 + ls,
            r4,
            l0,
            l0,
            ls + rs + suffix,
            rs,
        ]
    )


def _headers(name: bytes, comment: bytes, crc: int, stream_size: int, stamp: int) -> tuple[bytes, bytes]:
    """The local file header (before the data) and central directory + end record (after it)."""
    local_size = 30 + len(name)
    central_size = 46 + len(name)
    total = local_size + stream_size + central_size + 22 + len(comment)
    time_, date = stamp & 0xFFFF, stamp >> 16
    fields = (20, 0, 8, time_, date, crc, stream_size, total, len(name), 0)  # needs 2.0, no flags, deflate
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields)
    central = struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
    central += struct.pack("<HHHII", 0, 0, 0, 0, 0)  # comment, disk, attributes, local header at 0
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, central_size, local_size + stream_size, len(comment)
    )
    return local + name, central + name + end + comment


def _archive(name: bytes, comment: bytes, crc: int, stamp: int) -> bytes:
    prefix, suffix = _headers(name, comment, crc, 0, stamp)
    size = len(_program(prefix, suffix))
    prefix, suffix = _headers(name, comment, crc, size, stamp)
    return prefix + _program(prefix, suffix) + suffix


def _fixed_point(name: bytes, comment: bytes, stamp: int) -> int | None:
    """The CRC value x with crc32(archive(x)) == x, when one exists (x enters the bytes linearly)."""
    zero = zlib.crc32(_archive(name, comment, 0, stamp))
    # column i: how bit i of x changes the archive's CRC
    columns = [zlib.crc32(_archive(name, comment, 1 << i, stamp)) ^ zero for i in range(32)]
    # solve (C + I) x = zero over GF(2), Gauss-Jordan on rows [coefficient mask, right-hand bit]
    rows = [
        [sum((((columns[i] >> bit) & 1) ^ (i == bit)) << i for i in range(32)), (zero >> bit) & 1]
        for bit in range(32)
    ]
    pivots: list[tuple[int, list[int]]] = []
    for column in range(32):
        pivot = next((row for row in rows if row[0] >> column & 1), None)
        if pivot is None:
            continue  # a free bit: left 0
        rows.remove(pivot)
        for other in rows + [row for _, row in pivots]:
            if other[0] >> column & 1:
                other[0] ^= pivot[0]
                other[1] ^= pivot[1]
        pivots.append((column, pivot))
    if any(right for _mask, right in rows):  # 0 = 1: no solution
        return None
    return sum(right << column for column, (_mask, right) in pivots)


def zip_quine(name: str = "zip-quine-all-the-way-down.zip") -> bytes:
    """A zip archive whose only member, ``name``, is the archive's own bytes (with a valid CRC-32).

    Only some repeat lengths fit in five bytes (17-20, 65, 66, 258), so the name sets the header's
    length (30 or 31 characters) and the archive comment pads the central directory to fit.
    """
    encoded = name.encode()
    if _repeat_plan(30 + len(encoded) + _OP) is None:
        raise ValueError(f"{name!r}: the local header cannot be repeated in five bytes (use 30 or 31 bytes)")
    suffix = 46 + len(encoded) + 22
    pad = next(n for n in range(1 << 16) if _repeat_plan(suffix + n + _OP) is not None)
    comment = (b"CityPulse test archive: it contains itself. " * 8)[:pad]
    for stamp in range(0x5A210000, 0x5A210000 + 64):  # a DOS date in 2025; the next if no CRC fits
        crc = _fixed_point(encoded, comment, stamp)
        if crc is not None:
            data = _archive(encoded, comment, crc, stamp)
            assert zlib.crc32(data) == crc
            return data
    raise ValueError("no self-consistent CRC-32 found")
