"""Hostile and broken inbox files, each beside four good files in a data home of its own.

Every case must end the same way: the bad file (or archive member) is refused with a reason that
names it, the ledger records it, the good files land, the run's exit code is 2 (never a crash),
and landing again does not fail on the same file. Archives are built here byte by byte (an
encrypted flag, a broken CRC, corrupt deflate data, an unknown compression method).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import stat
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from citypulse.doctor import _ledger_checks
from citypulse.lake import ledger
from citypulse.landing import safe_archive
from citypulse.landing.runner import LandResult, land_inbox
from citypulse.limits import Limits
from citypulse.settings import Settings
from tests.landing.conftest import read_lake, read_zone
from tests.landing.zip_quine import zip_quine

MANIFEST = "observed_at: 2025-03-01T12:00:00+08:00\n"
HEADER = "话题,阅读量,讨论量,互动量,原创量\n"
GOOD = 4


def _topics(tag: str, reads: str = "8000") -> bytes:
    return (HEADER + f"#{tag}#,{reads},10,20,1\n").encode()


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _patch_headers(data: bytes, offset: int, value: bytes) -> bytes:
    """Overwrite a field at ``offset`` of every local and central header (same layout from the
    signature for flags and method: local +6/+8, central +8/+10)."""
    out = bytearray(data)
    for sig, base in ((b"PK\x03\x04", 0), (b"PK\x01\x02", 2)):
        start = 0
        while (at := out.find(sig, start)) >= 0:
            out[at + base + offset : at + base + offset + len(value)] = value
            start = at + 4
    return bytes(out)


def _encrypted() -> bytes:
    return _patch_headers(_zip({"secret.csv": _topics("secret")}), 6, struct.pack("<H", 0x1))


def _unsupported_method() -> bytes:
    return _patch_headers(_zip({"ppmd.csv": _topics("ppmd")}), 8, struct.pack("<H", 98))


def _bad_crc() -> bytes:
    data = bytearray(_zip({"crc.csv": _topics("crc-payload")}))
    at = data.find(b"crc-payload")
    data[at] ^= 0x20
    return bytes(data)


def _corrupt_deflate() -> bytes:
    data = bytearray(_zip({"deflate.csv": _topics("deflate") * 50}, zipfile.ZIP_DEFLATED))
    start = 30 + len("deflate.csv")
    data[start : start + 16] = b"\xff" * 16
    return bytes(data)


def _nested(depth: int) -> bytes:
    data = _topics("deep inside")
    for level in range(depth):
        data = _zip({f"level{level}.zip" if level else "deep.csv": data}, zipfile.ZIP_DEFLATED)
    return data


def _xlsx_far_cell() -> bytes:
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
        '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    )
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"/>',
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": sheet.encode(),
        }
    )


ANCHOR_BOMB = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


@dataclass(frozen=True)
class Case:
    """One row of the table: files to drop (relative name → bytes), an optional manifest for the
    bad folder, and text the refusal must contain."""

    files: Callable[[], dict[str, bytes]]
    expect: str
    manifest: str | None = MANIFEST
    lands_rows: int = 0  # rows of the bad file itself that still land (a good member, a good row)
    exit_code: int = 2


CASES: dict[str, Case] = {
    "encrypted zip": Case(
        lambda: {"weibo/bad/enc.zip": _encrypted()}, "weibo/bad/enc.zip!secret.csv: encrypted"
    ),
    "bad CRC": Case(lambda: {"weibo/bad/crc.zip": _bad_crc()}, "weibo/bad/crc.zip!crc.csv: cannot be read"),
    "corrupt deflate": Case(
        lambda: {"weibo/bad/deflate.zip": _corrupt_deflate()},
        "weibo/bad/deflate.zip!deflate.csv: cannot be read",
    ),
    "unsupported compression": Case(
        lambda: {"weibo/bad/ppmd.zip": _unsupported_method()}, "ppmd.csv: cannot be read: NotImplementedError"
    ),
    "good and bad members": Case(
        lambda: {
            "weibo/bad/mixed.zip": _zip(
                {"a.csv": _topics("member ok"), "..\\..\\x.csv": _topics("traversal"), "dir/.env": b"S=1"}
            )
        },
        "dir/.env: a hidden name",
        lands_rows=2,
        exit_code=0,
    ),
    "zip bomb (ratio)": Case(
        lambda: {"weibo/bad/bomb.zip": _zip({"bomb.csv": b"0" * (24 << 20)}, zipfile.ZIP_DEFLATED)},
        "limit archive_ratio = 100",
    ),
    "zip nested four deep": Case(lambda: {"weibo/bad/deep.zip": _nested(4)}, "limit archive_depth = 2"),
    "non-UTF-8 file name": Case(lambda: {}, "", lands_rows=1),  # the file is made in the test
    "observed_at in year 9999": Case(
        lambda: {"weibo/bad/late.csv": _topics("late")},
        "out of range",
        manifest="observed_at: 9999-12-31T23:59:59-12:00\n",
    ),
    "observed_at in 1900": Case(
        lambda: {"weibo/bad/old.csv": _topics("old")},
        "outside the plausible window 2000-01-01",
        manifest="observed_at: 1900-01-01T00:00:00+00:00\n",
    ),
    "200 KB of nested JSON arrays": Case(
        lambda: {"weibo/bad/deep.json": b"[" * 100_000 + b"]" * 100_000}, "limit json_depth = 64"
    ),
    "a record with 5000 separators": Case(
        lambda: {"weibo/bad/wide.csv": HEADER.encode() + b"," * 5000 + b"\n"}, "limit columns = 2000"
    ),
    "YAML anchor bomb manifest": Case(
        lambda: {"weibo/bad/topics.csv": _topics("under a bomb")},
        "limit yaml_aliases = 50",
        manifest=ANCHOR_BOMB,
    ),
    "xlsx with a cell at XFD1048576": Case(
        lambda: {"weibo/bad/far.xlsx": _xlsx_far_cell()}, "limit sheet_cells = 50000000"
    ),
    "symbolic links": Case(lambda: {}, "links are not followed"),  # made in the test
    "a count of 2^63-1 likes": Case(
        lambda: {"weibo/bad/huge.csv": _topics("huge", "9223372036854775807") + b"#fine#,5,1,1,1\n"},
        "",
        lands_rows=1,
    ),
    "NUL bytes": Case(lambda: {"weibo/bad/nul.csv": _topics("nul\x00\x00byte")}, "", lands_rows=1),
}


def _drop(inbox: Path, relative: str, data: bytes, manifest: str | None) -> None:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if manifest is not None:
        (path.parent / "_manifest.yaml").write_text(manifest, encoding="utf-8")


def _good_files(inbox: Path) -> None:
    for i in range(GOOD):
        _drop(inbox, f"weibo/good/topics_{i}.csv", _topics(f"good {i}"), MANIFEST)


def _statuses(result: LandResult) -> dict[str, tuple[str, str | None]]:
    return {f["name"]: (f["status"], f["error"]) for f in result.to_json()["files"]}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_file_beside_good_files(case: str, home: Settings, inbox: Path) -> None:
    spec = CASES[case]
    _good_files(inbox)
    for relative, data in spec.files().items():
        _drop(inbox, relative, data, spec.manifest)
    if case == "non-UTF-8 file name":
        folder = inbox / "weibo" / "bad"
        folder.mkdir(parents=True)
        (folder / "_manifest.yaml").write_text(MANIFEST, encoding="utf-8")
        with open(os.path.join(os.fsencode(folder), b"topics_\xff\xfe.csv"), "wb") as fh:
            fh.write(_topics("latin-1 name"))
    if case == "symbolic links":
        folder = inbox / "weibo" / "bad"
        folder.mkdir(parents=True)
        secret = home.home / "outside" / "secret.txt"
        secret.parent.mkdir(parents=True)
        secret.write_text("SECRET_TOKEN=hunter2\n")
        (folder / "shadow.csv").symlink_to("/etc/shadow")
        (folder / "environ.csv").symlink_to("/proc/self/environ")
        (folder / "secret.csv").symlink_to(secret)
        (inbox / "weibo" / "etc").symlink_to(secret.parent, target_is_directory=True)

    result = land_inbox(home, inbox)
    files = _statuses(result)
    good = {n: s for n, s in files.items() if n.startswith("weibo/good/")}
    assert good == {f"weibo/good/topics_{i}.csv": ("landed", None) for i in range(GOOD)}
    topics = read_lake(home, "topic_observations")
    assert topics.height == GOOD + spec.lands_rows
    bad = {n: s for n, s in files.items() if not n.startswith("weibo/good/")}
    assert bad

    entries = ledger.read_ledger(home)
    recorded = set(entries["original_name"].to_list())
    assert result.exit_code == (spec.exit_code if spec.expect else 0)
    if spec.expect:
        refusals = [error for status, error in bad.values() if error]
        assert any(spec.expect in e for e in refusals), refusals
        # every refusal names the inbox file it came from
        assert all(e.startswith("weibo/") for e in refusals), refusals
        # and the ledger says so too: the file itself, or its archive's entry listing the member
        errors = " ".join(entries["error"].drop_nulls().to_list())
        assert spec.expect in errors
    # every top-level bad file has a ledger entry
    assert {n for n in bad if "!" not in n} <= recorded

    if case == "symbolic links":
        raw_bytes = b"".join(p.read_bytes() for p in home.raw.rglob("*") if p.is_file())
        assert b"SECRET_TOKEN" not in raw_bytes and b"root:" not in raw_bytes
        assert {
            "weibo/bad/shadow.csv",
            "weibo/bad/environ.csv",
            "weibo/bad/secret.csv",
            "weibo/etc",
        } <= recorded
    if case == "non-UTF-8 file name":
        assert "weibo/bad/topics_\\xff\\xfe.csv" in recorded
    if case == "a count of 2^63-1 likes":
        rejects = read_zone(home.rejects)
        assert rejects.filter(pl.col("reason").str.contains("beyond the plausible count ceiling")).height == 1
        assert topics["reads"].max() <= 10**15
    if case == "NUL bytes":
        assert not topics.filter(pl.col("topic_raw").str.contains("\x00", literal=True)).height
        assert "#nulbyte#" in topics["topic_raw"].to_list()
        assert "2 NUL characters removed" in " ".join(entries["error"].drop_nulls().to_list())

    # raw copies are the owner's alone
    for path in home.raw.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o400), (path, oct(mode))

    again = land_inbox(home, inbox)
    assert again.exit_code == 0 and again.to_json() == {"files": []}


def test_a_member_with_its_archives_bytes_is_refused_not_awaited(home: Settings) -> None:
    """A zip that contains itself: the member's digest is its archive's, whose lock this process
    holds. Landing those bytes inside the archive's scope must refuse at once, not wait."""
    from citypulse.landing.runner import Manifest, _land_bytes, _Source

    archive = _zip({"a.csv": _topics("quine")})
    digest = __import__("hashlib").sha256(archive).hexdigest()
    source = _Source(home.inbox / "q.zip", "q.zip", Manifest(), None, None, None)
    home.ensure()
    with safe_archive.opened(digest, Limits()):
        result = _land_bytes(home, archive, "q.zip!q.zip", source, [], digest)
    assert result.status == "quarantined"
    assert "same bytes as an archive that contains it" in (result.error or "")


def _bomb(target: Path, size: int) -> None:
    """A zip holding ``size`` bytes of CSV rows, written in pieces (never whole in memory)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = (HEADER + "#bomb#,1,1,1,1\n" * 4096).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("rows.csv", "w", force_zip64=True) as fh:
            for _ in range(size // len(rows)):
                fh.write(rows)


def test_cli_exits_2_for_bad_input(home: Settings, inbox: Path) -> None:
    _good_files(inbox)
    _drop(inbox, "weibo/bad/enc.zip", _encrypted(), MANIFEST)
    _drop(inbox, "weibo/bad/deep.json", b"[" * 100_000 + b"]" * 100_000, MANIFEST)
    _bomb(inbox / "weibo" / "bad" / "bomb.zip", 1 << 30)
    cli = Path(sys.executable).with_name("citypulse")
    env = {**os.environ, "CITYPULSE_HOME": str(home.home)}
    done = subprocess.run([str(cli), "land"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    # the 1 GB of rows were never held: peak memory of the landing process (KiB on Linux)
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 1_500_000
    assert "limit archive_ratio = 100" in done.stdout
    assert sum(p.stat().st_size for p in home.raw.rglob("*") if p.is_file()) < 200 << 20
    again = subprocess.run([str(cli), "land"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]


def test_doctor_reports_orphans_and_changed_raw_files(home: Settings, inbox: Path) -> None:
    _good_files(inbox)
    land_inbox(home, inbox)
    assert all(c.ok for c in _ledger_checks(home, deep=True))
    lake_files = sorted((home.lake / "topic_observations").glob("platform=*/*.parquet"))
    orphan = lake_files[0].with_name("f" * 64 + ".parquet")
    orphan.write_bytes(lake_files[0].read_bytes())
    raws = sorted(p for p in home.raw.rglob("*") if p.is_file() and p.suffix == ".csv")
    raws[0].unlink()
    raws[1].chmod(0o600)
    raws[1].write_bytes(b"changed")
    shallow = {c.name: c for c in _ledger_checks(home, deep=False)}
    assert (
        not shallow["ledger:orphan lake files"].ok and "f" * 64 in shallow["ledger:orphan lake files"].detail
    )
    assert "missing" in shallow["ledger:raw copies"].detail
    assert "no longer hash" not in shallow["ledger:raw copies"].detail
    deep = {c.name: c for c in _ledger_checks(home, deep=True)}
    assert "no longer hash" in deep["ledger:raw copies"].detail


def test_staging_reads_only_ingests_the_ledger_records_as_landed(home: Settings, inbox: Path) -> None:
    """A lake file whose ingest has no landed ledger entry (the ledger could not be written) is
    an orphan: doctor names it, and the warehouse never reads its rows."""
    import json

    from citypulse.warehouse.dbt_runner import run_dbt

    _good_files(inbox)
    land_inbox(home, inbox)
    landed = sorted((home.lake / "topic_observations").glob("platform=*/*.parquet"))[0]
    orphan_id = "e" * 64
    rows = pl.read_parquet(landed).with_columns(
        ingest_id=pl.lit(orphan_id), topic=pl.lit("孤儿"), topic_raw=pl.lit("#孤儿#")
    )
    rows.write_parquet(landed.with_name(f"{orphan_id}.parquet"))
    assert orphan_id in " ".join(c.detail for c in _ledger_checks(home, deep=False))

    built = run_dbt(home, ["run", "--select", "+stg_topic_observations"])
    assert built.ok, built.output_tail
    shown = run_dbt(
        home,
        ["show", "--select", "stg_topic_observations", "--output", "json", "--log-format", "json"],
    )
    assert shown.ok, shown.output_tail
    preview = next(
        json.loads(line)["data"]["preview"]
        for line in shown.output_tail.splitlines()
        if line.startswith("{") and "preview" in json.loads(line).get("data", {})
    )
    topics = sorted(r["topic"] for r in json.loads(preview))
    assert topics == sorted(f"good {i}" for i in range(GOOD))


def test_a_true_zip_quine_is_refused_at_once_beside_good_files(home: Settings, inbox: Path) -> None:
    """Russ Cox's zip quine (tests/landing/zip_quine.py): its one member, CRC-32 valid, is the
    archive byte for byte, so every level of unpacking finds the same archive again. A real
    `citypulse land` refuses it at the first level, naming the file and the nesting limit."""
    quine = zip_quine()
    with zipfile.ZipFile(io.BytesIO(quine)) as archive:
        (info,) = archive.infolist()
        assert archive.testzip() is None  # the member's stored CRC-32 is its bytes' CRC-32
        assert archive.read(info) == quine  # it IS a quine
    _good_files(inbox)
    _drop(inbox, "weibo/bad/quine.zip", quine, MANIFEST)
    cli = Path(sys.executable).with_name("citypulse")
    env = {**os.environ, "CITYPULSE_HOME": str(home.home)}
    # a hang (unpacking without end, or waiting on its own lock) fails here, at the timeout
    done = subprocess.run([str(cli), "land"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    files = {f["name"]: f for f in json.loads(done.stdout.strip().splitlines()[-1])["files"]}
    assert {n: f["status"] for n, f in files.items() if n.startswith("weibo/good/")} == {
        f"weibo/good/topics_{i}.csv": "landed" for i in range(GOOD)
    }
    refusal = files["weibo/bad/quine.zip"]
    assert refusal["status"] == "quarantined"
    assert refusal["error"].startswith("weibo/bad/quine.zip: ")
    assert "limit archive_depth = 2" in refusal["error"]
    ingest_id = hashlib.sha256(quine).hexdigest()
    entry = ledger.read_entry(ledger.entry_path(home, ingest_id))
    assert entry is not None and entry["status"] == "quarantined"
    assert "limit archive_depth = 2" in entry["error"]
    assert read_lake(home, "topic_observations").height == GOOD
    again = subprocess.run([str(cli), "land"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and json.loads(again.stdout.strip().splitlines()[-1]) == {"files": []}


class _Killed(BaseException):
    """The landing process dying at that instant: nothing in landing may catch it."""


def _fail_ledger_write(
    monkeypatch: pytest.MonkeyPatch, home: Settings, ingest_id: str, error: BaseException
) -> list[bool]:
    """Make every ledger write of ``ingest_id`` raise ``error``; returns, per failed write,
    whether the ingest's lake file existed at that moment."""
    real = ledger.write_entry
    lake_file_present: list[bool] = []

    def write_entry(path: Path, **values: object) -> None:
        if path.name.startswith(ingest_id):
            lake_file_present.append(any(home.lake.glob(f"*/platform=*/{ingest_id}.parquet")))
            raise error
        real(path, **values)

    monkeypatch.setattr(ledger, "write_entry", write_entry)
    return lake_file_present


def test_a_ledger_write_that_fails_mid_run_never_publishes_the_files_rows(
    home: Settings, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ways the ledger entry of a file whose lake rows are written cannot follow them:
    the write is refused (PermissionError: landing removes the rows it wrote and reports the
    file), or the process dies at it (the rows stay: an orphan). Either way `citypulse build`
    publishes none of the file's rows, doctor and the dashboard name the orphan, and landing
    again with a writable ledger lands both files."""
    from citypulse.warehouse.build import build

    _good_files(inbox)
    denied = _topics("ledger denied")
    _drop(inbox, "weibo/bad/denied.csv", denied, MANIFEST)
    denied_id = hashlib.sha256(denied).hexdigest()
    refused = _fail_ledger_write(monkeypatch, home, denied_id, PermissionError(13, "Permission denied"))
    result = land_inbox(home, inbox)
    assert refused and refused[0], "the lake file was written before the ledger write failed"
    files = _statuses(result)
    assert result.exit_code == 2
    assert {n: s for n, s in files.items() if n.startswith("weibo/good/")} == {
        f"weibo/good/topics_{i}.csv": ("landed", None) for i in range(GOOD)
    }
    status, error = files["weibo/bad/denied.csv"]
    assert status == "quarantined" and error is not None
    assert error.startswith("weibo/bad/denied.csv: ") and "PermissionError" in error
    assert not list(home.lake.glob(f"*/platform=*/{denied_id}.parquet"))  # removed, not orphaned
    assert ledger.read_entry(ledger.entry_path(home, denied_id)) is None
    assert all(c.ok for c in _ledger_checks(home, deep=True))

    killed = _topics("killed at the ledger")
    _drop(inbox, "weibo/bad/killed.csv", killed, MANIFEST)
    killed_id = hashlib.sha256(killed).hexdigest()
    _fail_ledger_write(monkeypatch, home, killed_id, _Killed())
    with pytest.raises(_Killed):
        land_inbox(home, inbox)
    (orphan,) = home.lake.glob(f"*/platform=*/{killed_id}.parquet")
    assert "killed at the ledger" in pl.read_parquet(orphan)["topic"].to_list()
    checks = {c.name: c for c in _ledger_checks(home, deep=False)}
    assert not checks["ledger:orphan lake files"].ok
    assert killed_id in checks["ledger:orphan lake files"].detail
    monkeypatch.undo()

    outcome = build(home)
    assert outcome.status == "published", outcome.to_json()
    with duckdb.connect(str(home.serving_db), read_only=True) as conn:
        topics = {row[0] for row in conn.execute("select topic from fct_topic_daily").fetchall()}
        integrity = conn.execute(
            "select check_name, ok, findings, detail from ops_integrity_checks order by check_name"
        ).fetchall()
    assert topics == {f"good {i}" for i in range(GOOD)}
    (orphans,) = [row for row in integrity if row[0] == "ledger:orphan lake files"]
    assert orphans[1:3] == (False, 1) and killed_id in orphans[3]

    again = land_inbox(home, inbox)
    assert {f["name"]: f["status"] for f in again.to_json()["files"]} == {
        "weibo/bad/denied.csv": "landed",
        "weibo/bad/killed.csv": "landed",
    }
    assert all(c.ok for c in _ledger_checks(home, deep=True))
