"""Encoding detection: BOMs, UTF-16 with and without BOM, GBK/GB18030, Windows-1252; mid-file BOMs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citypulse.parsing.decoding import _valid_utf8, decode
from citypulse.parsing.text import normalise_header

TEXT = "话题,阅读量,讨论量\n#城市名片#,12.3亿,4567万\n"


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("utf-16-le", "utf-16-le"),
    ],
)
def test_round_trip(codec: str, expected: str) -> None:
    assert decode(TEXT.encode(codec)) == (TEXT, expected)


def test_windows_1252_is_not_mistaken_for_gbk() -> None:
    text = "City,Lifetime Likes by City - Barcelona, Cataluña, Spain\nMálaga,3\n"
    assert decode(text.encode("cp1252")) == (text, "windows-1252")


def test_boms_in_the_middle_are_removed() -> None:
    data = "\ufeffid,正文\n1,a\n".encode() + "\ufeffid,正文\n\ufeff2,b\n".encode()
    assert decode(data) == ("id,正文\n1,a\nid,正文\n2,b\n", "utf-8-sig")


# Everyday Chinese is GB2312 (lead bytes B0–F7, trail A1–FE); rare GBK-extension characters with
# ASCII trail bytes are indistinguishable from Windows-1252 accents in short texts.
_HANZI = (
    st.tuples(st.integers(0xB0, 0xF7), st.integers(0xA1, 0xFE))
    .map(lambda p: bytes(p).decode("gb2312", errors="ignore"))
    .filter(bool)
)
_CELL = st.lists(st.one_of(_HANZI, st.sampled_from(list("0123456789#,. "))), min_size=2, max_size=60).map(
    "".join
)


@settings(max_examples=50, deadline=None)
@given(_CELL.filter(lambda t: any(ord(c) > 0x7F for c in t)))
def test_chinese_text_survives_a_gbk_resave(text: str) -> None:
    assert decode(text.encode("gbk")) == (text, "gb18030")


def test_header_normalisation() -> None:
    assert normalise_header('\ufeff "Video Views" ') == "video views"
    assert normalise_header("Reactions, Comments and Shares") == "reactions, comments and shares"


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40), st.integers(min_value=1, max_value=7))
def test_utf8_is_checked_piece_by_piece_whatever_the_cuts(text: str, size: int) -> None:
    # big files are checked in pieces: a character cut between two pieces is still one character
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    assert _valid_utf8(pieces) is expected
    # a last character cut short, and a byte that starts no character, are not UTF-8
    assert _valid_utf8([*pieces, "汉".encode()[:2]]) is False
    assert _valid_utf8([*pieces, b"\xff"]) is False
