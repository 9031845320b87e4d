"""Decode export bytes to text, and say which encoding it was (the ledger records it).

Order: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise strict UTF-8; otherwise GB18030 (a
superset of GBK, what zh-CN Excel writes for "CSV (逗号分隔)") when the bytes look like Chinese
double-byte text; otherwise Windows-1251 when the high bytes form Cyrillic words (a Bulgarian or
Russian Excel's "CSV"); otherwise Windows-1252 (legacy Facebook Insights), whose undefined bytes
fall back to Latin-1 so nothing is refused at this stage.

BOMs that appear in the middle of a file (crawlers that append with ``utf-8-sig``) are removed
from the decoded text: U+FEFF is never content in these exports.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DOUBLE_BYTE = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")
# lead bytes of valid UTF-8: E0–EF start BMP characters ≥ U+0800 (CJK among them); C2–DF start
# U+0080–U+07FF; F0 A0–BF and F1–F4 start characters ≥ U+20000 (rare Ext-B hanzi, unassigned)
_UTF8_BMP_WIDE = re.compile(rb"[\xe0-\xef]")
_UTF8_SUSPICIOUS = re.compile(rb"[\xc2-\xdf]|\xf0[\xa0-\xbf]|[\xf1-\xf4]")
# searched with ``re``: ``bytes.__contains__`` is twice as slow on Chinese text, where the BOM's
# first byte leads every full-width punctuation mark
_BOM_UTF8 = re.compile(re.escape(codecs.BOM_UTF8))
# Windows-1251 puts Cyrillic letters at C0–FF: its words are runs of such bytes, where
# Windows-1252's accented letters stand mostly alone between ASCII letters (é, ñ, ü)
_HIGH = re.compile(rb"[\x80-\xff]")
_CYRILLIC_WORD = re.compile(rb"[\xc0-\xff]{3,}")
_HANZI_RUN = re.compile(r"[\u4e00-\u9fff]+")
_CHUNK = 16 << 20  # big files are checked and transcoded in pieces, never as one Python str


def _chunks(data: bytes | memoryview) -> Iterator[memoryview]:
    view = memoryview(data)
    for start in range(0, len(data), _CHUNK):
        yield view[start : start + _CHUNK]


def _looks_like_gb(data: bytes) -> bool:
    return _looks_like_gb_pieces(_chunks(data))


def _looks_like_gb_pieces(chunks: Iterable[bytes | memoryview]) -> bool:
    # GBK Chinese is double-byte with (mostly) high trail bytes; Windows-1252 accents are single
    # high bytes followed by ASCII letters ("ña"), which GBK would also accept as pairs.
    pairs = high = 0
    for chunk in chunks:
        found = _DOUBLE_BYTE.findall(chunk)
        pairs += len(found)
        high += sum(pair[1] >= 0x80 for pair in found)
    return pairs > 0 and high >= 0.5 * pairs


def _looks_like_cp1251(chunks: Iterable[bytes | memoryview]) -> bool:
    high = in_words = 0
    for chunk in chunks:
        high += len(_HIGH.findall(chunk))
        in_words += sum(len(word) for word in _CYRILLIC_WORD.findall(chunk))
    return high > 0 and in_words >= 0.8 * high


def _ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _gbk_disguised_as_utf8(data: bytes) -> bool:
    # Short GBK runs can be valid UTF-8 (一 = D2 BB = Cyrillic һ; 稹啊 = F0 A1 B0 A1 = the rare
    # Ext-B hanzi 𡰡, or unassigned planes). Real UTF-8 Chinese has BMP code points ≥ U+0800; if
    # there are none but the bytes read as GBK Chinese, believe GBK. Plane 1 (emoji) is common
    # text and proves nothing either way. ``data`` is valid UTF-8, so lead bytes tell code points.
    if _UTF8_BMP_WIDE.search(data) or not _UTF8_SUSPICIOUS.search(data):
        return False
    if not _looks_like_gb(data):
        return False
    try:
        candidate = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = len(re.findall(r"[^\x00-\x7f]", candidate))
    runs = [(m.start(), m.end()) for m in _HANZI_RUN.finditer(candidate)]
    hanzi = sum(end - start for start, end in runs)
    if hanzi < 0.8 * wide:
        return False
    # UTF-8 accented Latin letters ("Zürich", "São Paulo") also read as GBK, but each as a lone
    # hanzi beside an ASCII letter; Chinese comes mostly in words, runs of two hanzi or more
    latin_like = sum(
        1
        for start, end in runs
        if end - start == 1
        and (_ascii_letter(candidate[start - 1 : start]) or _ascii_letter(candidate[end : end + 1]))
    )
    return latin_like <= 0.5 * hanzi


def _utf16_without_bom(data: bytes) -> str | None:
    # UTF-16 without a BOM shows as NUL bytes in every other position of ASCII text
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    return "utf-16-be" if even_nuls > odd_nuls else "utf-16-le"


def _complete_prefix(buf: bytes) -> int:
    """Length of ``buf`` without the bytes (at most 3) of a last character it cuts short."""
    for back in range(1, min(4, len(buf)) + 1):
        byte = buf[-back]
        if byte < 0x80:
            return len(buf)
        if byte >= 0xC0:  # the lead byte of the last character: complete when its bytes are all here
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(buf) if back >= need else len(buf) - back
    return len(buf)  # continuation bytes only: invalid, and the check says so


def _valid_utf8(chunks: Iterable[bytes | memoryview]) -> bool:
    """Strict UTF-8 check of consecutive pieces of one text. polars validates at memory speed; the
    Python codec decodes into strings, several times slower on Chinese text."""
    carry = b""
    for chunk in chunks:
        buf = carry + bytes(chunk)
        cut = _complete_prefix(buf)
        carry = buf[cut:]
        try:
            pl.Series([buf[:cut]], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.PolarsError:
            return False
    return not carry


def _is_utf8(data: bytes | memoryview) -> bool:
    return _valid_utf8(_chunks(data))


def _transcode(data: bytes | memoryview, encoding: str) -> bytes:
    """``data`` in ``encoding`` → UTF-8 bytes, piece by piece (strict: undecodable bytes raise)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    parts = [decoder.decode(chunk).encode("utf-8") for chunk in _chunks(data)]
    parts.append(decoder.decode(b"", final=True).encode("utf-8"))
    return b"".join(parts)


def _without_boms(utf8: bytes) -> bytes:
    # U+FEFF is never content in these exports; in UTF-8 its bytes cannot be part of another
    # character. A leading BOM alone stays (no copy of a big file): every reader skips it.
    if utf8.find(codecs.BOM_UTF8, len(codecs.BOM_UTF8) if utf8.startswith(codecs.BOM_UTF8) else 0) < 0:
        return utf8
    return utf8.replace(codecs.BOM_UTF8, b"")


def to_utf8(data: bytes) -> tuple[bytes, str]:
    """Return ``(utf8, encoding)``: the file's bytes as UTF-8 without BOMs (mid-file ones too; a
    leading one may stay, polars and ``utf-8-sig`` skip it), and the encoding it was in. UTF-8
    input is checked, not decoded, so no Python string of the file is built."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            if name == "utf-8-sig":
                if not _is_utf8(memoryview(data)[len(bom) :]):
                    data[len(bom) :].decode("utf-8")  # raises the UnicodeDecodeError that says where
                return _without_boms(data), name
            return _without_boms(_transcode(memoryview(data)[len(bom) :], name)), name
    encoding = _utf16_without_bom(data)
    if encoding is not None:
        return _without_boms(_transcode(data, encoding)), encoding
    if _is_utf8(data):
        if _gbk_disguised_as_utf8(data):
            return _without_boms(_transcode(data, "gb18030")), "gb18030"
        return _without_boms(data), "utf-8"
    if _looks_like_gb(data):
        try:
            return _without_boms(_transcode(data, "gb18030")), "gb18030"
        except UnicodeDecodeError:
            pass
    if _looks_like_cp1251(_chunks(data)):
        try:
            return _without_boms(_transcode(data, "cp1251")), "windows-1251"
        except UnicodeDecodeError:
            pass
    try:
        return _without_boms(_transcode(data, "cp1252")), "windows-1252"
    except UnicodeDecodeError:
        return _without_boms(_transcode(data, "latin-1")), "latin-1"


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a file's bytes; mid-file BOMs are stripped from ``text``."""
    utf8, encoding = to_utf8(data)
    return utf8.decode("utf-8-sig"), encoding


def _file_chunks(path: Path, start: int = 0) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        fh.seek(start)
        while chunk := fh.read(_CHUNK):
            yield chunk


@dataclass(frozen=True)
class _Utf8Scan:
    valid: bool  # strict UTF-8 from ``start``
    inner_bom: bool  # a BOM after ``start``
    wide: bool  # a BMP character ≥ U+0800 (CJK among them)


def _scan_utf8(path: Path, start: int) -> _Utf8Scan:
    """One pass over the file from ``start``: is it UTF-8, does a BOM hide inside, any CJK?"""
    inner_bom = wide = False
    carry = b""

    def watched() -> Iterator[bytes]:
        nonlocal inner_bom, wide, carry
        for chunk in _file_chunks(path, start):
            inner_bom = inner_bom or codecs.BOM_UTF8 in carry + chunk[: len(codecs.BOM_UTF8)]
            inner_bom = inner_bom or _BOM_UTF8.search(chunk) is not None
            wide = wide or _UTF8_BMP_WIDE.search(chunk) is not None
            carry = chunk[-(len(codecs.BOM_UTF8) - 1) :]
            yield chunk

    valid = _valid_utf8(watched())
    return _Utf8Scan(valid, inner_bom, wide)


def _transcode_file(path: Path, start: int, encoding: str, target: Path) -> None:
    """``path`` from byte ``start`` in ``encoding`` → UTF-8 without BOMs at ``target`` (strict)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    with open(target, "wb") as out:
        for chunk in _file_chunks(path, start):
            out.write(decoder.decode(chunk).replace("\ufeff", "").encode("utf-8"))
        out.write(decoder.decode(b"", final=True).replace("\ufeff", "").encode("utf-8"))


def utf8_file(path: Path, scratch: Path) -> tuple[Path, str]:
    """:func:`to_utf8` for a file too big to hold: ``(utf8_path, encoding)``, where ``utf8_path``
    is ``path`` itself when it is UTF-8 with no BOM inside it (a leading one is skipped by every
    reader), else a UTF-8 copy written to ``scratch``. The file is read in pieces, twice at most."""
    with open(path, "rb") as fh:
        head = fh.read(4000)
    encoding, start = None, 0
    for bom, name in _BOMS:
        if head.startswith(bom):
            encoding, start = name, len(bom)
            break
    else:
        encoding = _utf16_without_bom(head)
    if encoding is None or encoding == "utf-8-sig":
        scan = _scan_utf8(path, start)
        if scan.valid:
            if encoding is None and not scan.wide:
                # no CJK at all in a big file: the rare case where GBK can pass for UTF-8; the
                # whole-file check decides (this holds the file in memory once)
                utf8, encoding = to_utf8(path.read_bytes())
                scratch.write_bytes(utf8)
                return scratch, encoding
            if not scan.inner_bom:
                return path, encoding or "utf-8"
            _transcode_file(path, start, "utf-8", scratch)
            return scratch, encoding or "utf-8"
        if encoding == "utf-8-sig":  # a UTF-8 BOM on bytes that are not UTF-8: say where
            _transcode_file(path, start, "utf-8", scratch)
        encoding = "gb18030" if _looks_like_gb_pieces(_file_chunks(path)) else "windows-1252"
    # as in to_utf8: Windows-1251 before Windows-1252 when the bytes are not GB18030 after all
    single_byte = not encoding.startswith("utf-16")
    cyrillic = ["windows-1251"] if single_byte and _looks_like_cp1251(_file_chunks(path)) else []
    for candidate in dict.fromkeys([encoding, *cyrillic, "windows-1252", "latin-1"]):
        try:
            _transcode_file(path, start, candidate.replace("windows-1252", "cp1252"), scratch)
            return scratch, candidate
        except UnicodeDecodeError:
            if candidate.startswith("utf-16"):
                raise
    raise AssertionError("latin-1 decodes every byte")
