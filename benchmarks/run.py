"""`python -m benchmarks [--quick | --long] [--json PATH] [--only FIGURES]`: measure, print, save.

Every figure is taken in the same run on the same machine as its baseline, and reported as a
ratio, because absolute times on a shared 2-core box are noise. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import economy, flip, history, latency, launch, scale, watch
from .simproc import SimProcess

FIGURES = ("launch", "flip", "watch", "scaling", "economy", "memory", "latency", "scale",
           "history")
SIZES = (10, 25, 50, 100)
#: Simulated seconds per real second while watching: the simulator's own default pace (what
#: `tasktop sim` and `tasktop --demo` run at): a new red-team and Nimble task every ~4 s and a
#: new dataset every ~12 s, plus status changes and "3m ago" times moving on.
LIVE_RATE = 5.0
#: A stress pace: a new red-team task every second, so every 1 s tick shifts all 100 rows.
STRESS_RATE = 20.0
#: Practically frozen, for launch and page flips: pages must not shift between two samples.
FROZEN_RATE = 0.001


@dataclass(frozen=True)
class Plan:
    launch_runs: int
    flips: int
    watch_seconds: float
    scaling_seconds: float
    memory_seconds: float
    memory_refresh: float
    #: Figure 7: launches per latency, and rounds of three `n` and three `b`.
    latency_runs: int = 3
    latency_rounds: int = 2


PLANS = {
    "quick": Plan(launch_runs=3, flips=15, watch_seconds=8, scaling_seconds=6,
                  memory_seconds=0, memory_refresh=0.5),
    "default": Plan(launch_runs=9, flips=30, watch_seconds=20, scaling_seconds=12,
                    memory_seconds=0, memory_refresh=0.5),
    "long": Plan(launch_runs=11, flips=40, watch_seconds=60, scaling_seconds=30,
                 memory_seconds=600, memory_refresh=0.5),
}


# ------------------------------------------------------------------------------------ table

Row = dict[str, Any]


def row(figure: str, tasktop: float | None, baseline: float | None, unit: str,
        target: str, met: bool | None, ratio: float | None = None) -> Row:
    if ratio is None and tasktop is not None and baseline:
        ratio = tasktop / baseline
    return {"figure": figure, "tasktop": tasktop, "baseline": baseline, "unit": unit,
            "ratio": None if ratio is None else round(ratio, 2), "target": target, "met": met}


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("ms", "%", "MiB", "s"):
        return f"{value:.3f} s" if unit == "s" else f"{value:.1f} {unit}"
    return f"{value:g} {unit}".strip()


def render(rows: list[Row]) -> str:
    head = ("figure", "tasktop", "baseline", "ratio", "target", "met")
    body = [
        (r["figure"], _fmt(r["tasktop"], r["unit"]), _fmt(r["baseline"], r["unit"]),
         "-" if r["ratio"] is None else f"{r['ratio']:.2f}x", r["target"],
         {True: "yes", False: "NO", None: "-"}[r["met"]])
        for r in rows
    ]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(head), line("-" * w for w in widths), *map(line, body)])


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------- figures


def fig_launch(plan: Plan, rows: list[Row], raw: dict) -> None:
    log(f"launch → first rows: {plan.launch_runs} runs of each app (+1 warm-up)")
    with SimProcess(rate=FROZEN_RATE) as sim:
        result = launch.measure(sim, plan.launch_runs)
    raw["launch"] = result
    t, b = result["tasktop"]["median_s"], result["baseline"]["median_s"]
    rows.append(row("1 launch → first rows, 100 rows (median)", t, b, "s", "≤ 1.1x",
                    t <= 1.1 * b))
    c = result["tasktop_complete"]["median_s"]
    rows.append(row("1 launch → datasets rows complete (every task fetched)", c, b, "s", "≤ 1.4x",
                    c <= 1.4 * b))


def fig_flip(plan: Plan, rows: list[Row], raw: dict, sizes: tuple[int, ...]) -> None:
    raw["flip"] = {}
    with SimProcess(rate=FROZEN_RATE) as sim:
        for tab, per_page in [("redteam", n) for n in sizes] + [("nimble", 100)]:
            log(f"page flips: {tab}, {per_page} rows, {plan.flips} flips")
            result = flip.flips(sim, per_page=per_page, count=plan.flips, tab=tab)
            raw["flip"][f"{tab}-{per_page}"] = result
            label = f"4 page flip, {tab}, {per_page} rows: median / p95"
            rows.append(row(label.replace(": median / p95", " (median)"), result["median_ms"],
                            None, "ms", "≤ 50 ms", result["median_ms"] <= 50))
            rows.append(row(label.replace(": median / p95", " (p95)"), result["p95_ms"],
                            None, "ms", "-", None))
            rows.append(row(label.replace(": median / p95", " (CPU per flip)"),
                            result["cpu_ms_per_flip"], None, "ms", "-", None))


def fig_watch(plan: Plan, rows: list[Row], raw: dict, sizes: tuple[int, ...]) -> None:
    runs: dict[str, dict] = {}
    with SimProcess(rate=STRESS_RATE) as sim:
        log(f"CPU while watching, stress (sim rate {STRESS_RATE:g}): baseline and redteam, "
            f"{plan.scaling_seconds:g} s each")
        runs["stress-baseline"] = watch.watch(sim, "baseline", seconds=plan.scaling_seconds,
                                              rate=STRESS_RATE)
        runs["stress-redteam"] = watch.watch(sim, "tasktop", tab="redteam",
                                             seconds=plan.scaling_seconds, rate=STRESS_RATE)
    with SimProcess(rate=LIVE_RATE) as sim:
        log(f"CPU while watching: baseline, 100 rows, {plan.watch_seconds:g} s")
        runs["baseline-100"] = watch.watch(sim, "baseline", seconds=plan.watch_seconds,
                                           rate=LIVE_RATE)
        for tab in ("redteam", "datasets", "nimble"):
            log(f"CPU while watching: tasktop {tab}, 100 rows, {plan.watch_seconds:g} s")
            runs[f"{tab}-100"] = watch.watch(sim, "tasktop", tab=tab, seconds=plan.watch_seconds,
                                             rate=LIVE_RATE)
        for per_page in sizes:
            if per_page == 100:
                continue
            log(f"CPU while watching: tasktop redteam, {per_page} rows, {plan.scaling_seconds:g} s")
            runs[f"redteam-{per_page}"] = watch.watch(
                sim, "tasktop", tab="redteam", per_page=per_page, seconds=plan.scaling_seconds,
                rate=LIVE_RATE,
            )
    raw["watch"] = runs
    base = runs["baseline-100"]
    for tab in ("redteam", "datasets", "nimble"):
        r = runs[f"{tab}-100"]
        rows.append(row(f"2 CPU watching {tab}, 100 rows, 1 s refresh (% of a core)",
                        r["cpu_pct"], base["cpu_pct"], "%", "≤ 1.5x (stretch 1.0x)",
                        r["cpu_pct"] <= 1.5 * base["cpu_pct"]))
    r, b = runs["stress-redteam"], runs["stress-baseline"]
    rows.append(row(f"2 CPU watching redteam under stress (sim rate {STRESS_RATE:g}: rows shift "
                    "every tick)", r["cpu_pct"], b["cpu_pct"], "%", "≤ 1.5x",
                    r["cpu_pct"] <= 1.5 * b["cpu_pct"]))
    r = runs["redteam-100"]
    rows.append(row("2 terminal output while watching redteam (bytes/s)",
                    r["tty_bytes_per_s"], base["tty_bytes_per_s"], "B/s", "-", None))
    for tab in ("redteam", "datasets", "nimble"):
        r = runs[f"{tab}-100"]
        peak, base_peak = r["memory_end_mib"]["peak"], base["memory_end_mib"]["peak"]
        rows.append(row(f"3 peak RSS after watching {tab} ({plan.watch_seconds:g} s)", peak,
                        base_peak, "MiB", "≤ 1.5x", peak <= 1.5 * base_peak))
    r = runs["redteam-100"]
    growth = r["memory_end_mib"]["peak"] - r["memory_window_mib"]["peak"]
    base_growth = base["memory_end_mib"]["peak"] - base["memory_window_mib"]["peak"]
    rows.append(row(f"3 peak RSS growth while watching redteam ({plan.watch_seconds:g} s)",
                    round(growth, 2), round(base_growth, 2), "MiB", "≤ 2 MiB", growth <= 2,
                    ratio=None))
    for per_page in sizes:
        r = runs[f"redteam-{per_page}"]
        rows.append(row(f"6 CPU watching redteam, {per_page} rows", r["cpu_pct"],
                        base["cpu_pct"], "%", "≤ 1.5x", r["cpu_pct"] <= 1.5 * base["cpu_pct"]))


def fig_memory(plan: Plan, rows: list[Row], raw: dict) -> None:
    seconds = plan.memory_seconds
    log(f"memory: tasktop redteam and baseline, 100 rows, {plan.memory_refresh:g} s refresh, "
        f"{seconds:g} s each")
    # Both apps at once (memory is not disturbed by sharing the CPUs; CPU is not reported here).
    with SimProcess(rate=LIVE_RATE) as sim, ThreadPoolExecutor(2) as pool:
        tasktop = pool.submit(watch.watch, sim, "tasktop", tab="redteam", seconds=seconds,
                              refresh=plan.memory_refresh, settle=30, rate=LIVE_RATE)
        baseline = pool.submit(watch.watch, sim, "baseline", seconds=seconds,
                               refresh=plan.memory_refresh, settle=30, rate=LIVE_RATE)
        t, b = tasktop.result(), baseline.result()
    raw["memory"] = {"tasktop": t, "baseline": b}
    peak, base_peak = t["memory_end_mib"]["peak"], b["memory_end_mib"]["peak"]
    rows.append(row(f"3 peak RSS after {seconds / 60:g} min at {plan.memory_refresh:g} s refresh",
                    peak, base_peak, "MiB", "≤ 1.5x", peak <= 1.5 * base_peak))
    growth = t["memory_end_mib"]["peak"] - t["memory_window_mib"]["peak"]
    base_growth = b["memory_end_mib"]["peak"] - b["memory_window_mib"]["peak"]
    rows.append(row(f"3 peak RSS growth over those {seconds / 60:g} min", round(growth, 2),
                    round(base_growth, 2), "MiB", "≤ 2 MiB", growth <= 2, ratio=None))


def fig_latency(plan: Plan, rows: list[Row], raw: dict) -> None:
    log(f"latency: {', '.join(map(str, latency.LATENCIES_MS))} ms per request, "
        f"{plan.latency_runs} launches and {plan.latency_rounds} rounds of flips each")
    result = latency.measure(plan.latency_runs, plan.latency_rounds)
    raw["latency"] = result
    zero = result["0"]
    for ms in latency.LATENCIES_MS:
        r, f, rtt = result[str(ms)], result[str(ms)]["flip"], ms / 1000
        trips = (lambda key, z=zero, r=r, rtt=rtt:
                 round((r[key] - z[key]) / rtt, 2) if rtt else None)
        fz = zero["flip"]
        label = f"7 at {ms} ms:"
        rows.append(row(f"{label} launch → first rows (ratio vs bare Textual)", r["first_rows_s"],
                        r["baseline_s"], "s", "-", None))
        over = trips("first_rows_s")
        rows.append(row(f"{label} launch → first rows, round trips over 0 ms", over, None, "",
                        "≤ 1" if ms else "-", None if over is None else over <= 1))
        rows.append(row(f"{label} launch → first task id", r["first_task_s"], r["baseline_s"],
                        "s", "-", None))
        rows.append(row(f"{label} launch → datasets page of 25 complete", r["page_complete_s"],
                        zero["page_complete_s"], "s", "-", None))
        over = trips("page_complete_s")
        rows.append(row(f"{label} datasets page complete, round trips over 0 ms", over, None, "",
                        "≤ 3" if ms else "-", None if over is None else over <= 3))
        rows.append(row(f"{label} n to a page fetched ahead (median)", f["next_ms"], fz["next_ms"],
                        "ms", "≤ 50 ms", f["next_ms"] <= 50))
        rows.append(row(f"{label} b back to a kept page (median)", f["back_ms"], fz["back_ms"],
                        "ms", "≤ 50 ms", f["back_ms"] <= 50))
        filter_trips = round((f["filter_ms"] - fz["filter_ms"]) / ms, 2) if ms else None
        rows.append(row(f"{label} flip after a filter change", f["filter_ms"], fz["filter_ms"],
                        "ms", "-", None))
        rows.append(row(f"{label} filter flip, round trips over 0 ms", filter_trips, None, "",
                        "-", None))
        for kind, what, most in (("next", "n", 1), ("back", "b", 0), ("filter", "filter", 2)):
            calls = f[f"{kind}_calls"]
            rows.append(row(f"{label} list calls per {what} flip, most (neighbour fetch included)",
                            calls, None, "", f"≤ {most}", calls <= most))
        rows.append(row(f"{label} list calls per refresh tick", f["tick_calls"], None, "", "1",
                        f["tick_calls"] == 1))


def fig_economy(rows: list[Row], raw: dict) -> None:
    log("request and repaint economy (in-process, frozen simulator clock)")
    result = economy.measure()
    raw["economy"] = result
    for tab in ("datasets", "redteam", "nimble"):
        idle = result[tab]["idle"]
        rows.append(row(f"5 {tab}: list calls / tick on the visible tab", idle["list_calls"],
                        None, "", "1", idle["list_calls"] == 1))
        rows.append(row(f"5 {tab}: calls / tick for the hidden tabs", idle["hidden_tab_calls"],
                        None, "", "0", idle["hidden_tab_calls"] == 0))
    d = result["datasets"]["idle"]
    rows.append(row("5 datasets: get-task calls / tick (target = live tasks on page)",
                    d["get_task_calls"], None, "", f"{d['live_tasks_before_tick']}",
                    d["get_task_calls"] == d["live_tasks_before_tick"]))
    ten = result["ten_of_hundred"]
    rows.append(row("5 cells updated when 10 of 100 rows change 1 column", ten["cells_updated"],
                    None, "", "10", ten["cells_updated"] == 10))
    idle_cells = sum(result[t]["idle"]["cells_updated"] for t in ("datasets", "redteam", "nimble"))
    rows.append(row("5 cells updated by a tick when nothing changed", idle_cells, None, "", "0",
                    idle_cells == 0))
    idle_layouts = sum(
        sum(w["layouts"] for w in result[t]["idle"]["repaints"].values())
        for t in ("datasets", "redteam", "nimble")
    )
    idle_table_layouts = sum(
        result[t]["idle"]["repaints"].get("table", {}).get("layouts", 0)
        for t in ("datasets", "redteam", "nimble")
    )
    rows.append(row("5 re-layouts by an idle tick (3 tabs; badge text changes)", idle_layouts,
                    None, "", "-", None))
    rows.append(row("5 table re-layouts by an idle tick (3 tabs)", idle_table_layouts, None, "",
                    "0", idle_table_layouts == 0))


def fig_scale(rows: list[Row], raw: dict) -> None:
    result = scale.measure(log)
    raw["scale"] = result
    small, large = (str(n) for n in scale.SIZES)
    for name, walk in result.items():
        big, base = walk[large], walk[small]
        label = f"8 {name}, {int(large):,} vs {int(small):,} tasks"
        rows.append(row(f"{label}: time", big["seconds"], base["seconds"], "s", "-", None))
        rows.append(row(f"{label}: list requests", big["requests"], base["requests"], "", "-",
                        None))
        rows.append(row(f"{label}: peak RSS", big["peak_rss_mib"], base["peak_rss_mib"], "MiB",
                        "-", None))


def fig_history(plan: Plan, rows: list[Row], raw: dict) -> None:
    result = history.queries(log)
    with SimProcess(rate=LIVE_RATE) as sim:
        result["cpu"] = history.cpu(sim, plan.watch_seconds, log=log)
    raw["history"] = result
    million = f"{result['transitions']:,} transitions"
    rows.append(row(f"9 history, {million}: one task's timeline (median)", result["timeline_ms"],
                    None, "ms", "≤ 100 ms", result["timeline_ms"] <= 100))
    for span in ("hour", "day"):
        ms = result[f"trends_{span}_ms"]
        rows.append(row(f"9 history, {million}: trends of the last {span} (median)", ms, None,
                        "ms", "≤ 100 ms", ms <= 100))
    rows.append(row("9 history file size per million transitions", result["mib_per_million"],
                    None, "MiB", "-", None))
    cpu = result["cpu"]
    rows.append(row("9 CPU watching redteam, history on vs --no-history", cpu["on_cpu_pct"],
                    cpu["off_cpu_pct"], "%", "≤ 1.1x", cpu["on_cpu_pct"] <= 1.1 * cpu["off_cpu_pct"]))


# -------------------------------------------------------------------------------------- main


def compile_bytecode() -> None:
    """Write the project's .pyc files first, as installing a package does.

    Textual and httpx come with theirs; without ours (a fresh clone, or PYTHONDONTWRITEBYTECODE
    set in the shell, which the apps inherit) every launch would compile tasktop's ~50 modules from
    source, ~3 ms each, and charge that to tasktop.
    """
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("tui", "widgets", "benchmarks"):
        compileall.compile_dir(root / package, quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer, shorter samples (~1.5 min)")
    mode.add_argument("--long", action="store_true",
                      help="60 s CPU runs and the 10-minute memory run (~20 min)")
    parser.add_argument("--only", metavar="FIGURES",
                        help=f"comma-separated subset of: {', '.join(FIGURES)}")
    parser.add_argument(
        "--json", metavar="PATH", default=str(Path(__file__).parent / "results.json")
    )
    args = parser.parse_args(argv)
    name = "quick" if args.quick else "long" if args.long else "default"
    plan = PLANS[name]
    only = set(args.only.split(",")) if args.only else set(FIGURES)
    if unknown := only - set(FIGURES):
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")
    if not plan.memory_seconds:
        only.discard("memory")
    sizes = SIZES if "scaling" in only else (100,)

    compile_bytecode()
    started = time.perf_counter()
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    if "launch" in only:
        fig_launch(plan, rows, raw)
    if "flip" in only or "scaling" in only:
        fig_flip(plan, rows, raw, sizes)
    if "watch" in only or "scaling" in only:
        fig_watch(plan, rows, raw, sizes)
    if "memory" in only:
        fig_memory(plan, rows, raw)
    if "economy" in only:
        fig_economy(rows, raw)
    if "scale" in only:
        fig_scale(rows, raw)
    if "latency" in only:
        fig_latency(plan, rows, raw)
    if "history" in only:
        fig_history(plan, rows, raw)
    elapsed = time.perf_counter() - started

    rows.sort(key=lambda r: r["figure"][:1])
    table = render(rows)
    print(table)
    print(f"\n{name} run, {elapsed:.0f} s, {platform.python_version()}, {os.cpu_count()} CPUs")
    document = {
        "mode": name,
        "seconds": round(elapsed, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "plan": plan.__dict__,
        "table": rows,
        "raw": raw,
    }
    Path(args.json).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"written to {args.json}")
    missed = [r["figure"] for r in rows if r["met"] is False]
    return 1 if missed else 0
