"""Decode export bytes to text, and say which encoding it was (the ledger records it).

Order: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise strict UTF-8; otherwise GB18030 (a
superset of GBK, what zh-CN Excel writes for "CSV (逗号分隔)") when the bytes look like Chinese
double-byte text; otherwise Windows-1252 (legacy Facebook Insights), whose undefined bytes fall
back to Latin-1 so nothing is refused at this stage.

BOMs that appear in the middle of a file (crawlers that append with ``utf-8-sig``) are removed
from the decoded text: U+FEFF is never content in these exports.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DOUBLE_BYTE = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")


def _looks_like_gb(data: bytes) -> bool:
    # GBK Chinese is double-byte with (mostly) high trail bytes; Windows-1252 accents are single
    # high bytes followed by ASCII letters ("ña"), which GBK would also accept as pairs.
    pairs = _DOUBLE_BYTE.findall(data)
    if not pairs:
        return False
    return sum(pair[1] >= 0x80 for pair in pairs) >= 0.5 * len(pairs)


def _gbk_disguised_as_utf8(text: str, data: bytes) -> bool:
    # Short GBK runs can be valid UTF-8 (一 = D2 BB = Cyrillic һ). Real UTF-8 Chinese has code
    # points ≥ U+0800; if there are none but the bytes read as GBK Chinese, believe GBK.
    if any(ord(ch) >= 0x800 for ch in text) or not any(0x80 <= ord(ch) < 0x800 for ch in text):
        return False
    if not _looks_like_gb(data):
        return False
    try:
        candidate = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [ch for ch in candidate if ord(ch) >= 0x80]
    return sum(0x4E00 <= ord(ch) <= 0x9FFF for ch in wide) >= 0.8 * len(wide)


def _utf16_without_bom(data: bytes) -> str | None:
    # UTF-16 without a BOM shows as NUL bytes in every other position of ASCII text
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    return "utf-16-be" if even_nuls > odd_nuls else "utf-16-le"


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a file's bytes; mid-file BOMs are stripped from ``text``."""
    encoding: str | None = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            text = data[len(bom) :].decode(name.replace("-sig", ""), errors="strict")
            break
    else:
        encoding = _utf16_without_bom(data)
        if encoding is not None:
            text = data.decode(encoding)
        else:
            try:
                text, encoding = data.decode("utf-8"), "utf-8"
                if _gbk_disguised_as_utf8(text, data):
                    text, encoding = data.decode("gb18030"), "gb18030"
            except UnicodeDecodeError:
                if _looks_like_gb(data):
                    try:
                        text, encoding = data.decode("gb18030"), "gb18030"
                    except UnicodeDecodeError:
                        encoding = None
                if encoding is None:
                    try:
                        text, encoding = data.decode("cp1252"), "windows-1252"
                    except UnicodeDecodeError:
                        text, encoding = data.decode("latin-1"), "latin-1"
    return text.replace("\ufeff", ""), encoding
