#!/usr/bin/env python3
"""Turns driver_vs_wrk.sh's measured runs into results/driver-vs-wrk.{json,md}.

   driver_vs_wrk_report.py <runs.jsonl> <output path without extension>  < conditions.json

Every figure comes from the runs as measured; the criteria of issue 5 are computed here and
reported as they came out, pass or fail.
"""
import datetime
import json
import statistics
import sys

MIN_RATE_RATIO = 0.90   # the driver's max rate over wrk's
MAX_P50_GAP_US = 50.0   # |driver p50 - wrk p50| at low rate


def figures(runs, kind, client, key):
    return [r[key] for r in runs if r["kind"] == kind and r["client"] == client]


def main():
    runs_path, out = sys.argv[1], sys.argv[2]
    conditions = json.load(sys.stdin)
    runs = [json.loads(line) for line in open(runs_path) if line.strip()]

    wrk_rates = figures(runs, "max_rate", "wrk", "requests_per_second")
    driver_rates = figures(runs, "max_rate", "driver", "requests_per_second")
    rate = {
        "wrk_runs": wrk_rates, "driver_runs": driver_rates,
        "wrk_median": statistics.median(wrk_rates), "driver_median": statistics.median(driver_rates),
        "wrk_best": max(wrk_rates), "driver_best": max(driver_rates),
    }
    rate["ratio_of_medians"] = rate["driver_median"] / rate["wrk_median"]
    rate["ratio_of_bests"] = rate["driver_best"] / rate["wrk_best"]
    rate["criterion"] = f"driver >= {MIN_RATE_RATIO:.0%} of wrk (ratio of the medians of the runs)"
    rate["pass"] = rate["ratio_of_medians"] >= MIN_RATE_RATIO

    wrk_p50 = figures(runs, "low_rate", "wrk", "p50_us")
    driver_p50 = figures(runs, "low_rate", "driver", "p50_us")
    driver_p50_unc = figures(runs, "low_rate", "driver", "p50_uncorrected_us")
    low = {
        "wrk_p50_us_runs": wrk_p50, "driver_p50_us_runs": driver_p50,
        "driver_p50_uncorrected_us_runs": driver_p50_unc,
        "wrk_p50_us_median": statistics.median(wrk_p50),
        "driver_p50_us_median": statistics.median(driver_p50),
        "driver_p50_uncorrected_us_median": statistics.median(driver_p50_unc),
        "wrk_rates": figures(runs, "low_rate", "wrk", "requests_per_second"),
        "driver_rates": figures(runs, "low_rate", "driver", "requests_per_second"),
    }
    low["gap_us"] = low["driver_p50_us_median"] - low["wrk_p50_us_median"]
    low["gap_uncorrected_us"] = low["driver_p50_uncorrected_us_median"] - low["wrk_p50_us_median"]
    low["criterion"] = (f"|driver p50 - wrk p50| <= {MAX_P50_GAP_US:g} us (medians of the runs; "
                        "the driver's corrected p50, from the scheduled time, and its uncorrected "
                        "p50, from the actual send as wrk measures, both judged)")
    low["pass"] = abs(low["gap_us"]) <= MAX_P50_GAP_US
    low["pass_uncorrected"] = abs(low["gap_uncorrected_us"]) <= MAX_P50_GAP_US

    document = {
        "benchmark": "driver vs wrk on a trivial endpoint (bench/perf/driver_vs_wrk.sh)",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "conditions": conditions, "max_rate": rate, "low_rate": low, "runs": runs,
    }
    with open(out + ".json", "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    with open(out + ".md", "w") as f:
        f.write(markdown(document))


def verdict(ok):
    return "**pass**" if ok else "**fail**"


def markdown(d):
    c, rate, low = d["conditions"], d["max_rate"], d["low_rate"]
    lines = [
        "# Load driver vs wrk, trivial endpoint",
        "",
        "Produced by `bench/perf/driver_vs_wrk.sh` (raw figures: `driver-vs-wrk.json`). The driver",
        "is `driver_load`: the load engine's `load::LoadRun`, as `flowbench run` uses it, with",
        "corrected and uncorrected histograms on. The server is `trivial_server` (Beast, one thread,",
        "`GET /` answered with a 15-byte body).",
        "",
        f"- date: {d['date']}; commit {c['commit'][:12]}"
        + (" (bench/ had uncommitted changes)" if c["worktree_dirty"] else ""),
        f"- machine: {c['cores']} cores, {c['cpu']}, Linux {c['kernel']}; {c['compiler']}, "
        f"{c['build_type']}, Boost {c['boost']}; {c['wrk_version']}",
        f"- server pinned to core {c['server_core']}, the client (wrk or the driver) to core "
        f"{c['client_core']}, one at a time",
        f"- load average (1, 5, 15 min) at the start: {c['load_average_start'].rsplit(' ', 2)[0]}; "
        f"at the end: {c['load_average_end'].rsplit(' ', 2)[0]}",
    ]
    if c.get("note"):
        lines.append(f"- note: {c['note']}")
    lines += [
        "",
        "## Criteria (issue 5), as measured",
        "",
        "| criterion | wrk | driver | result |",
        "|---|---|---|---|",
        f"| max rate, {c['connections']} connections, 1 thread, {c['duration_s']} s runs: driver "
        f"≥ {MIN_RATE_RATIO:.0%} of wrk (medians of {c['repeats']} runs) | {rate['wrk_median']:.1f} req/s "
        f"| {rate['driver_median']:.1f} req/s | ratio {rate['ratio_of_medians']:.4f}: "
        f"{verdict(rate['pass'])} |",
        f"| p50 at ~{c['low_rate']} req/s, 1 connection: within {MAX_P50_GAP_US:g} µs of wrk "
        f"(corrected, from the scheduled time) | {low['wrk_p50_us_median']:g} µs "
        f"| {low['driver_p50_us_median']:.3f} µs | {low['gap_us']:+.3f} µs: {verdict(low['pass'])} |",
        f"| same, uncorrected p50 (from the actual send, as wrk measures) "
        f"| {low['wrk_p50_us_median']:g} µs | {low['driver_p50_uncorrected_us_median']:.3f} µs "
        f"| {low['gap_uncorrected_us']:+.3f} µs: {verdict(low['pass_uncorrected'])} |",
        "",
        f"Best runs: wrk {rate['wrk_best']:.1f} req/s, driver {rate['driver_best']:.1f} req/s "
        f"(ratio {rate['ratio_of_bests']:.4f}). wrk has no fixed-rate mode: at low rate it waits "
        f"{c['wrk_low_rate_delay_ms']} ms (Lua `delay()`) after each answer; the driver runs a "
        f"constant arrival rate of {c['low_rate']}/s. wrk records latency in whole microseconds; the "
        "driver's histogram has a relative error of at most 0.4 %.",
        "",
        "## Every run, in the order they ran",
        "",
        "| run | req/s | p50 µs | p90 µs | p99 µs | uncorrected p50 / p99 µs | errors | client CPU | server CPU | load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in d["runs"]:
        unc = (f"{r['p50_uncorrected_us']:.3f} / {r['p99_uncorrected_us']:.3f}"
               if "p50_uncorrected_us" in r else "")
        lines.append(
            f"| {r['label']} | {r['requests_per_second']:.1f} | {r['p50_us']:g} | {r['p90_us']:g} "
            f"| {r['p99_us']:g} | {unc} | {r['errors']} | {r['client_cpu_share']:.2f} core "
            f"| {r['server_cpu_share']:.2f} core | {r['loadavg_before'].split()[0]} → "
            f"{r['loadavg_after'].split()[0]} |")
    lines += [
        "",
        "Client and server CPU: (user + system) CPU seconds over the run's wall time, from "
        "`/usr/bin/time` and `/proc/<pid>/stat`.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
