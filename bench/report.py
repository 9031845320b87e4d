"""The results table of bench/README.md, rewritten from a result JSON between two markers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

START = "<!-- results:start -->"
END = "<!-- results:end -->"


def _gib(n: float) -> str:
    return f"{n / 1024**3:.2f} GiB"


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    m = result["measurements"]
    out: list[tuple[str, str, str, str]] = []

    def failed(name: str) -> bool:
        if name in m and not m[name].get("ok"):
            out.append(
                (name, "", "failed: " + " ".join(str(m[name].get("error", "")).split())[:160], "**no**")
            )
            return True
        return name not in m

    for key, label in (
        ("landing_csv", "1. land CSV vs DuckDB bare scan"),
        ("landing_xlsx", "1. land xlsx vs calamine bare read"),
    ):
        if not failed(key):
            r = m[key]
            land = r["contenders"]["citypulse_land"]["median_s"]
            base = r["contenders"][r["baseline"]]["median_s"]
            out.append(
                (
                    f"{label} ({r['rows_in']:,} rows, {r['size_bytes'] / 1e6:.1f} MB)",
                    "≤ 3×",
                    f"{r['ratio_land_vs_baseline']}× ({land:.2f} s vs {base:.2f} s)",
                    _met(r["ratio_land_vs_baseline"] <= 3),
                )
            )
            if "speedup_vs_pandas" in r:
                pandas = r["contenders"]["pandas_usual"]["median_s"]
                out.append(
                    (
                        f"2. land CSV vs pandas usual ({r['rows_in']:,} rows)",
                        "≥ 4× faster",
                        f"{r['speedup_vs_pandas']}× ({land:.2f} s vs {pandas:.2f} s)",
                        _met(r["speedup_vs_pandas"] >= 4),
                    )
                )
    if not failed("memory"):
        for p in m["memory"]["points"]:
            out.append(
                (
                    f"3. peak RSS landing {p['size_bytes'] / 1e6:.0f} MB CSV",
                    "< 1.5 GiB (1 GB CSV)",
                    f"{_gib(p['peak_rss_bytes'])} ({p['peak_rss_per_file_byte']}× file; {p['seconds']} s)",
                    _met(p["meets_target"]),
                )
            )
    if not failed("warehouse"):
        w = m["warehouse"]
        for f in w["full"]:
            out.append(
                (
                    f"4. full build, {f['post_observations']:,} post obs, {f['cities']} cities",
                    "linear",
                    f"{f['median_s']} s (median of {f['runs']}; dbt {f['median_dbt_build_s']} s)",
                    "—",
                )
            )
        inc = w["incremental"]
        out.append(
            (
                f"4. incremental build, +{inc['post_observations_added']:,} obs (new month)",
                "≤ 25% of full",
                f"{inc['median_s']} s (median of {inc['runs']}) = {w['ratio_incremental_vs_full'] * 100:.0f}% of full",
                _met(w["ratio_incremental_vs_full"] <= 0.25),
            )
        )
        if "growth" in w:
            g = w["growth"]
            out.append(
                (
                    "4. growth between the two sizes",
                    "linear",
                    f"{g['size_ratio']}× rows → {g['time_ratio']}× time; "
                    f"{g['seconds_per_million_rows']} s/M rows + {g['fixed_overhead_s_estimate']} s fixed"
                    + (
                        f"; 10M extrapolated {w['extrapolated_full_build_s_at_10M']} s"
                        if w["full"][-1]["post_observations"] < 10_000_000
                        else ""
                    ),
                    "—",
                )
            )
    if not failed("serving"):
        s = m["serving"]
        out.append(
            (
                f"5. dashboard chart SQL ({s['charts_measured']}/{s['charts_total']} charts)",
                "p95 < 300 ms",
                f"worst p95 {s['worst_p95_s'] * 1000:.0f} ms ({s['worst_chart']}); "
                f"{len(s['charts_over_target'])} over",
                _met(not s["charts_over_target"] and not s["errors"]),
            )
        )
    if not failed("publish"):
        p = m["publish"]
        chosen, whole = p["contenders"]["marts_selected"], p["contenders"]["whole_file_copy"]
        dropped = p["contenders"]["copy_database_then_drop"]
        out.append(
            (
                f"publish time ({p['published_tables']} marts of a {p['build_bytes'] / 1e6:.0f} MB build)",
                "—",
                f"{chosen['median_s']:.2f} s, {chosen['file_bytes'] / 1e6:.0f} MB; whole-file copy "
                f"{whole['median_s']:.2f} s; COPY FROM DATABASE + drops {dropped['median_s']:.2f} s",
                "—",
            )
        )
    if not failed("evaluation"):
        e = m["evaluation"]
        total = e.get("evaluate", {}).get("median_s")
        out.append(
            (
                f"6. evaluation {e['period']}, {e['cities']} cities × 7 platforms, "
                f"{e['post_observations']:,} post obs",
                "< 10 s",
                (
                    f"{total:.2f} s (median of {e['evaluate']['runs']}); freeze inputs "
                    f"{e['freeze_inputs']['median_s']:.2f} s, dbt scoring + rest "
                    f"{e.get('scoring_and_overhead_median_s')} s"
                )
                if total
                else e.get("error", "")[:150],
                _met(total is not None and total < 10),
            )
        )
        intervals = e.get("robustness", {}).get("median_s")
        if intervals is not None:
            out.append(
                (
                    f"6b. rank intervals alone ({e['cities']} cities × 1000 draws, numpy)",
                    "< 3 s",
                    f"{intervals:.2f} s (median of {e['robustness']['runs']})",
                    _met(intervals < 3),
                )
            )
    if not failed("dag_parse"):
        d = m["dag_parse"]
        for name, f in d["files"].items():
            out.append(
                (
                    f"7. parse {name}",
                    "< 2 s",
                    f"{f['median_s']:.2f} s (p95 {f['p95_s']:.2f} s)",
                    _met(f["median_s"] < 2),
                )
            )
    if not failed("diagnostics"):
        h = m["diagnostics"]
        summary = h["homogeneity"]
        out.append(
            (
                f"8. homogeneity (MinHash similarity + near-duplicate clusters) of {h['posts']:,} posts",
                f"< {h['target_s']:.0f} s",
                f"{summary['median_s']:.2f} s median of {summary['runs']} (p95 {summary['p95_s']:.2f} s)",
                _met(h["target_met"]),
            )
        )
    return out


def table(result: dict[str, Any], json_path: str) -> str:
    machine = result["machine"]
    lines = [
        f"Run {result['started_at']} ({result['mode']}), {machine['cores']} cores, "
        f"{(machine['memory_bytes'] or 0) / 1024**3:.0f} GiB, {machine['cpu_model']}, Python {machine['python']}; "
        f"load average at start {machine['load_average_at_start']} (shared machine: noisy). "
        f"Total {result['total_s']} s. Raw numbers: `{json_path}`.",
        "",
        "| measurement | target | result | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(result)]
    return "\n".join(lines)


def update_readme(readme: Path, result: dict[str, Any], json_path: str) -> None:
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{readme} lacks the {START} … {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{table(result, json_path)}\n{END}{tail}", encoding="utf-8")
