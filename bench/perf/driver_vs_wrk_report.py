#!/usr/bin/env python3
"""Turns driver_vs_wrk.sh's measured runs into results/driver-vs-wrk.{json,md}.

   driver_vs_wrk_report.py <runs.jsonl> <output path without extension> [<earlier .json>]
       < conditions.json
   driver_vs_wrk_report.py --rebuild <results .json>

With an earlier results file (e.g. one measured before a change to the engine), the Markdown
also sets its headline figures beside this run's. --rebuild recomputes the summary and the
Markdown from the runs a results file holds (same date, same runs), e.g. after this script
learnt to show more.

Every figure comes from the runs as measured; the criteria of issue 5 are computed here and
reported as they came out, pass or fail.
"""
import datetime
import json
import os
import statistics
import sys

MIN_RATE_RATIO = 0.90   # the driver's max rate over wrk's
MAX_P50_GAP_US = 50.0   # |driver p50 - wrk p50| at low rate


def figures(runs, kind, client, key):
    return [r[key] for r in runs if r["kind"] == kind and r["client"] == client]


def main():
    if sys.argv[1] == "--rebuild":
        path = sys.argv[2]
        previous = json.load(open(path))
        earlier_file = previous.get("earlier", {}).get("file", "")
        write(summarise(previous["runs"], previous["conditions"], previous["date"],
                        earlier_file, os.path.dirname(path)), path[: -len(".json")])
        return
    runs_path, out = sys.argv[1], sys.argv[2]
    earlier_file = sys.argv[3] if len(sys.argv) > 3 else ""
    runs = [json.loads(line) for line in open(runs_path) if line.strip()]
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    write(summarise(runs, json.load(sys.stdin), date, earlier_file, os.path.dirname(out)), out)


def cpu_us_per_request(run):
    cpu = run["client_cpu_s"]
    return (cpu["user"] + cpu["system"]) / run["requests"] * 1e6 if run["requests"] else None


def summarise(runs, conditions, date, earlier_file, results_dir):
    for r in runs:  # derived from the run's own figures, kept beside them
        r["client_cpu_us_per_request"] = cpu_us_per_request(r)

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
    for client in ("wrk", "driver"):
        rate[f"{client}_cpu_us_per_request_median"] = statistics.median(
            figures(runs, "max_rate", client, "client_cpu_us_per_request"))

    wrk_p50 = figures(runs, "low_rate", "wrk", "p50_us")
    low = {
        "criterion": (f"|driver p50 - wrk p50| <= {MAX_P50_GAP_US:g} us, medians of the runs. wrk "
                      "measures from the actual send; the driver's corrected p50 runs from the "
                      "scheduled time, its uncorrected p50 from the actual send: both judged"),
        "wrk_p50_us_runs": wrk_p50,
        "wrk_p50_us_median": statistics.median(wrk_p50),
        "wrk_rates": figures(runs, "low_rate", "wrk", "requests_per_second"),
        "driver": {},
    }
    # "driver": sleeping until each due time; "driver-wake-ahead": waking early to poll.
    for client in ("driver", "driver-wake-ahead"):
        corrected = figures(runs, "low_rate", client, "p50_us")
        if not corrected:
            continue
        uncorrected = figures(runs, "low_rate", client, "p50_uncorrected_us")
        v = {"p50_us_runs": corrected, "p50_uncorrected_us_runs": uncorrected,
             "p50_us_median": statistics.median(corrected),
             "p50_uncorrected_us_median": statistics.median(uncorrected),
             "rates": figures(runs, "low_rate", client, "requests_per_second"),
             "dropped": figures(runs, "low_rate", client, "dropped")}
        v["gap_us"] = v["p50_us_median"] - low["wrk_p50_us_median"]
        v["gap_uncorrected_us"] = v["p50_uncorrected_us_median"] - low["wrk_p50_us_median"]
        v["pass"] = abs(v["gap_us"]) <= MAX_P50_GAP_US
        v["pass_uncorrected"] = abs(v["gap_uncorrected_us"]) <= MAX_P50_GAP_US
        low["driver"][client] = v

    document = {
        "benchmark": "driver vs wrk on a trivial endpoint (bench/perf/driver_vs_wrk.sh)",
        "date": date, "conditions": conditions, "max_rate": rate, "low_rate": low, "runs": runs,
    }
    if earlier_file:
        # Found as given, or next to this results file (they usually share results/).
        path = earlier_file if os.path.exists(earlier_file) else os.path.join(
            results_dir, os.path.basename(earlier_file))
        earlier = json.load(open(path))
        document["earlier"] = {"file": os.path.basename(earlier_file), "date": earlier["date"],
                               "commit": earlier["conditions"]["commit"],
                               "note": earlier["conditions"].get("note", ""),
                               "max_rate": earlier["max_rate"], "low_rate": earlier["low_rate"]}
    return document


def write(document, out):
    document["json_name"] = os.path.basename(out) + ".json"
    with open(out + ".json", "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    with open(out + ".md", "w") as f:
        f.write(markdown(document))


def compared_with_earlier(d):
    e, rate, low = d["earlier"], d["max_rate"], d["low_rate"]
    er, el = e["max_rate"], e["low_rate"]
    rows = [
        ("wrk max rate, median req/s", f"{er['wrk_median']:.1f}", f"{rate['wrk_median']:.1f}"),
        ("driver max rate, median req/s", f"{er['driver_median']:.1f}", f"{rate['driver_median']:.1f}"),
        ("driver / wrk (medians)", f"{er['ratio_of_medians']:.4f}", f"{rate['ratio_of_medians']:.4f}"),
        ("wrk client CPU per request at max rate, median µs",
         f"{er['wrk_cpu_us_per_request_median']:.3f}", f"{rate['wrk_cpu_us_per_request_median']:.3f}"),
        ("driver client CPU per request at max rate, median µs",
         f"{er['driver_cpu_us_per_request_median']:.3f}",
         f"{rate['driver_cpu_us_per_request_median']:.3f}"),
        ("wrk p50 at low rate, median µs", f"{el['wrk_p50_us_median']:g}", f"{low['wrk_p50_us_median']:g}"),
    ]
    for client in ("driver", "driver-wake-ahead"):
        before, after = el.get("driver", {}).get(client), low["driver"].get(client)
        if not after:
            continue
        for key, what in (("p50_us_median", "corrected"), ("p50_uncorrected_us_median", "uncorrected")):
            rows.append((f"{client} p50 at low rate, {what}, median µs",
                         f"{before[key]:.3f}" if before else "not measured", f"{after[key]:.3f}"))
    lines = [
        "## Before and after",
        "",
        f"Earlier run: `{e['file']}`, {e['date']}, commit {e['commit'][:12]}"
        + (f" ({e['note']})" if e["note"] else "") + ". Each column is one whole run of this "
        "script, wrk included, so the machine's state at the time shows in wrk's figures too.",
        "",
        "| figure | earlier | this run |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {before} | {after} |" for name, before, after in rows]
    return lines + [""]


def verdict(ok):
    return "**pass**" if ok else "**fail**"


def markdown(d):
    c, rate, low = d["conditions"], d["max_rate"], d["low_rate"]
    server_share = statistics.median(
        r["server_cpu_share"] for r in d["runs"] if r["kind"] == "max_rate")
    lines = [
        "# Load driver vs wrk, trivial endpoint",
        "",
        f"Produced by `bench/perf/driver_vs_wrk.sh` (raw figures: `{d['json_name']}`). The driver",
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
    ]
    variants = {"driver": "driver sleeping until each due time (`flowbench run --wake-ahead-us 0`)",
                "driver-wake-ahead": f"driver waking {c.get('wake_ahead_us')} µs ahead to poll "
                                     "(`flowbench run`'s default: 200 µs)"}
    for client, v in low["driver"].items():
        lines += [
            f"| p50 at ~{c['low_rate']} req/s, 1 connection, within {MAX_P50_GAP_US:g} µs of wrk: "
            f"{variants[client]}, corrected (from the scheduled time) | {low['wrk_p50_us_median']:g} µs "
            f"| {v['p50_us_median']:.3f} µs | {v['gap_us']:+.3f} µs: {verdict(v['pass'])} |",
            f"| same, uncorrected (from the actual send, as wrk measures) "
            f"| {low['wrk_p50_us_median']:g} µs | {v['p50_uncorrected_us_median']:.3f} µs "
            f"| {v['gap_uncorrected_us']:+.3f} µs: {verdict(v['pass_uncorrected'])} |",
        ]
    lines += [
        "",
        f"Best runs: wrk {rate['wrk_best']:.1f} req/s, driver {rate['driver_best']:.1f} req/s "
        f"(ratio {rate['ratio_of_bests']:.4f}). Client CPU per request at max rate (medians): wrk "
        f"{rate['wrk_cpu_us_per_request_median']:.3f} µs, driver "
        f"{rate['driver_cpu_us_per_request_median']:.3f} µs. The one-thread server used "
        f"{server_share:.2f} of its core (median of the max-rate runs): near 1.0 the server, not "
        "the client, sets the rate, and the ratio says how well each client keeps it busy. "
        "wrk has no fixed-rate mode: at low rate it waits "
        f"{c['wrk_low_rate_delay_ms']} ms (Lua `delay()`) after each answer; the driver runs a "
        f"constant arrival rate of {c['low_rate']}/s. wrk records latency in whole microseconds; the "
        "driver's histogram has a relative error of at most 0.4 %.",
        "",
    ]
    if "earlier" in d:
        lines += compared_with_earlier(d)
    lines += [
        "## Every run, in the order they ran",
        "",
        "| run | req/s | p50 µs | p90 µs | p99 µs | uncorrected p50 / p99 µs | errors | dropped "
        "| client CPU | client CPU µs/request | server CPU | other processes' CPU | steal "
        "| load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in d["runs"]:
        unc = (f"{r['p50_uncorrected_us']:.3f} / {r['p99_uncorrected_us']:.3f}"
               if "p50_uncorrected_us" in r else "")
        # At ~100 req/s the process's start-up outweighs its requests: shown at max rate only.
        per_request = f"{r['client_cpu_us_per_request']:.3f}" if r["kind"] == "max_rate" else ""
        lines.append(
            f"| {r['label']} | {r['requests_per_second']:.1f} | {r['p50_us']:g} | {r['p90_us']:g} "
            f"| {r['p99_us']:g} | {unc} | {r['errors']} | {r.get('dropped', '')} "
            f"| {r['client_cpu_share']:.2f} core | {per_request} "
            f"| {r['server_cpu_share']:.2f} core | {r['others_cpu_share']:.2f} core "
            f"| {r['steal_share']:.2f} core "
            f"| {r['loadavg_before'].split()[0]} → "
            f"{r['loadavg_after'].split()[0]} |")
    lines += [
        "",
        "Client and server CPU: (user + system) CPU seconds over the run's wall time, from "
        "`/usr/bin/time` and `/proc/<pid>/stat`; other processes: the machine's user + system "
        "time (`/proc/stat`) less those two, i.e. what disturbed the run from inside; steal: "
        "time the hypervisor gave to other guests, the disturbance from outside. Errors: wrk's socket errors and non-2xx/3xx "
        "answers; the driver's typed errors. Dropped: iterations of the driver's fixed rate that "
        "found the one connection still busy when due (k6's rule: dropped and counted, not sent "
        "late); wrk cannot drop, it only waits.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
