#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""perftest/report.py: results.md, the PNG plots and the targets from a results.json.

`perftest/run` calls it at the end of a run; run it by hand to re-render a run
directory:   perftest/report.py perftest/results/<date>-<label>
"""
import json
import os
import sys

# The issue-3 targets for the RC verbs stage.
TARGETS = [
    {"id": "send_lat_100x", "test": "ib_send_lat", "size": 2, "metric": "t_typical_us",
     "factor": 100, "name": "ib_send_lat (polling) 2 B: pciev0 >= 100x lower than rxe"},
    {"id": "write_bw_20x", "test": "ib_write_bw", "size": 65536, "metric": "bw_avg_MiBps",
     "factor": 20, "name": "ib_write_bw 64 KiB: pciev0 >= 20x rxe"},
]
OURS, BASE = "pciev0", "rxe0"
LAT = ["ib_send_lat", "ib_write_lat", "ib_read_lat", "ib_atomic_lat"]
BW = ["ib_send_bw", "ib_write_bw", "ib_read_bw", "ib_atomic_bw"]


def hsize(n):
    for unit, div in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n} B"


def g3(x):
    """Three significant digits, no exponent for the usual ranges."""
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def find(res, test, dev, size):
    for e in res.get("perftest", []):
        if e["test"] == test and e["device"] == dev and e["size"] == size:
            return e
    return None


def metric(e, name):
    if e and e.get("status") == "ok":
        return e["metrics"].get(name)
    return None


def ratio(test, ours, base):
    """pciev0's advantage over rxe0: > 1 means pciev0 is better."""
    if ours is None or base is None or ours <= 0 or base <= 0:
        return None
    return base / ours if test.endswith("_lat") else ours / base


def evaluate_targets(res):
    out = []
    for t in TARGETS:
        o, b = find(res, t["test"], OURS, t["size"]), find(res, t["test"], BASE, t["size"])
        r = {"id": t["id"], "name": t["name"], "factor": t["factor"], "status": "n/a"}
        missing = [(d, e) for d, e in ((OURS, o), (BASE, b)) if not e or e["status"] != "ok"]
        if missing:
            r["reason"] = "; ".join(f"{d}: " + (e.get("reason") or "n/a") if e else
                                    f"{d}: not measured" for d, e in missing)
        else:
            vo, vb = metric(o, t["metric"]), metric(b, t["metric"])
            x = ratio(t["test"], vo, vb)
            r.update(pciev0=vo, rxe0=vb, ratio=x, metric=t["metric"])
            r["status"] = "n/a" if x is None else ("PASS" if x >= t["factor"] else "FAIL")
        out.append(r)
    return out


def target_line(t):
    unit = "us" if t.get("metric", "").endswith("_us") else "MiB/s"
    if t["status"] == "n/a":
        return f"TARGET {t['name']}: n/a ({t.get('reason', '')})"
    return (f"TARGET {t['name']}: {t['status']} (pciev0 {g3(t['pciev0'])} {unit}, "
            f"rxe0 {g3(t['rxe0'])} {unit}: {t['ratio']:.1f}x, needs {t['factor']}x)")


# ---- markdown -------------------------------------------------------------------------
def write_markdown(res, path, plots):
    devs = res["config"]["devices"]
    two = OURS in devs and BASE in devs
    L = []
    L.append(f"# pcieverbs benchmark: {res['label']} ({res['started'][:16].replace('T', ' ')})")
    L.append("")
    g = res.get("git", {})
    h = res.get("host", {})
    ch = res.get("chassis", {})
    L.append(f"* code: `{g.get('describe', '?')}`{' (+ uncommitted changes)' if g.get('dirty') else ''}"
             f", checkout `{g.get('checkout', '?')}`")
    L.append(f"* chassis: {'booted by the harness' if ch.get('booted_by_harness') else 'already running'}"
             f" in `{ch.get('dir')}`" + (f" ({ch['boot_s']} s)" if ch.get("boot_s") else "")
             + f"; client blade {ch.get('client_blade')}, server blade {ch.get('server_blade')}"
             f" ({ch.get('server_ip')}); management link MTU "
             f"{ch.get('blade%s' % ch.get('client_blade'), {}).get('eth0_mtu', '?')}")
    L.append(f"* host: {h.get('cpus')} CPUs ({h.get('cpu', '?')}), QEMU TCG blades; load average "
             f"{', '.join('%.2f' % x for x in h.get('loadavg_start', []))} at start, "
             f"{', '.join('%.2f' % x for x in h.get('loadavg_end', []))} at end; "
             f"{h.get('qemu_processes_start', '?')} QEMU processes on the host before the run")
    wq = h.get("wait_quiet")
    if wq:
        L.append(f"* waited {wq['waited_s']} s for a load average <= {wq['limit']:g} before "
                 f"booting ({'reached' if wq['reached'] else 'not reached, measured anyway'})")
    L.append(f"* perftest {h.get('perftest_version')}, qperf {h.get('qperf_version')}, "
             f"iperf3 {h.get('iperf3_version')}; run took {res.get('duration_s', 0) / 60:.1f} min")
    cf = res["config"]
    L.append("* perftest flags: " + "; ".join(
        f"{d}: `{' '.join(cf['device_flags'][d] + cf['common_flags'])}`" for d in devs)
        + " (plus `-n ITERS -p PORT [-s SIZE]`; client adds the server address)")
    for d, per in res.get("devices", {}).items():
        i = per.get(f"blade{ch.get('client_blade')}") or {}
        if i.get("present"):
            L.append(f"* {d}: link layer {i.get('link_layer')}, active MTU "
                     f"{(i.get('active_mtu') or '?').split()[0]}, max_qp {i.get('max_qp')}, "
                     f"atomic_cap {(i.get('atomic_cap') or '?').split()[0]}, fw {i.get('fw_ver')}")
        elif d in devs:
            L.append(f"* {d}: **not present** in blade {ch.get('client_blade')}")
    if res.get("harness_error"):
        L.append(f"* **harness stopped early: {res['harness_error']}**")
    L.append("")
    L.append("Orders of magnitude only: every blade is an emulated CPU (TCG) and both blades "
             "share the same 2 host cores with anything else running. See perftest/README.md.")
    L.append("")

    L.append("## Targets (issue 3)")
    L.append("")
    L.append("```")
    for t in res.get("targets", []):
        L.append(target_line(t))
    L.append("```")
    L.append("")

    def dcol(d):
        return "rxe" if d == BASE else d

    L.append("## Latency")
    L.append("")
    L.append("Median (perftest `t_typical`) in µs, polling. `send`/`write`: one way (half the "
             "ping-pong round trip); `read`/`atomic`: the full operation round trip. "
             "ratio = rxe / pciev0 (how many times lower pciev0 is).")
    L.append("")
    hdr = "| test | size | iters | " + " | ".join(dcol(d) for d in devs) + (" | ratio |" if two else " |")
    L.append(hdr)
    L.append("|" + "---|" * (hdr.count("|") - 1))
    for test in LAT:
        if test not in cf["tests"]:
            continue
        for size in sorted({e["size"] for e in res["perftest"] if e["test"] == test}):
            es = {d: find(res, test, d, size) for d in devs}
            it = next((e["iters"] for e in es.values() if e), "")
            cells = [g3(metric(es[d], "t_typical_us")) for d in devs]
            row = f"| {test} | {hsize(size)} | {it} | " + " | ".join(cells)
            if two:
                x = ratio(test, metric(es[OURS], "t_typical_us"), metric(es[BASE], "t_typical_us"))
                row += f" | {'n/a' if x is None else '%.3gx' % x}"
            L.append(row + " |")
    L.append("")

    L.append("## Bandwidth and message rate")
    L.append("")
    L.append("Average bandwidth in MiB/s (2^20 B/s, as perftest prints it) and message rate in "
             "thousands of messages per second, requester = client blade. "
             "ratio = pciev0 / rxe bandwidth.")
    L.append("")
    hdr = ("| test | size | iters | " + " | ".join(f"{dcol(d)} MiB/s | {dcol(d)} kmsg/s" for d in devs)
           + (" | ratio |" if two else " |"))
    L.append(hdr)
    L.append("|" + "---|" * (hdr.count("|") - 1))
    for test in BW:
        if test not in cf["tests"]:
            continue
        for size in sorted({e["size"] for e in res["perftest"] if e["test"] == test}):
            es = {d: find(res, test, d, size) for d in devs}
            it = next((e["iters"] for e in es.values() if e), "")
            cells = []
            for d in devs:
                bw, mr = metric(es[d], "bw_avg_MiBps"), metric(es[d], "msg_rate_Mpps")
                cells += [g3(bw), g3(mr * 1e3) if mr is not None else "n/a"]
            row = f"| {test} | {hsize(size)} | {it} | " + " | ".join(cells)
            if two:
                x = ratio(test, metric(es[OURS], "bw_avg_MiBps"), metric(es[BASE], "bw_avg_MiBps"))
                row += f" | {'n/a' if x is None else '%.3gx' % x}"
            L.append(row + " |")
    L.append("")

    L.append("## Baselines")
    L.append("")
    L.append("### TCP over the management link (virtio-net through the chassis switch)")
    L.append("")
    tcp = res.get("tcp", {})
    L.append("| measure | size | value |")
    L.append("|---|---|---|")
    ip = tcp.get("iperf3")
    if ip:
        L.append(f"| iperf3 throughput ({ip.get('seconds')} s, one stream) | stream | " + (
            f"{ip['Mbitps']:.0f} Mbit/s = {ip['MiBps']:.1f} MiB/s" if ip["status"] == "ok"
            else f"n/a: {ip.get('reason')}") + " |")
    tl = tcp.get("tcp_lat")
    if tl:
        for p in tl["points"]:
            L.append(f"| qperf tcp_lat, one way (half the round trip) | {hsize(p['size'])} | " + (
                f"{g3(p['one_way_us'])} µs" if p["status"] == "ok" else f"n/a: {p.get('reason')}")
                + " |")
    if not tcp:
        L.append("| (not run) | | |")
    L.append("")
    w = res.get("window", {})
    L.append(f"### Raw window (pcieverbs debugfs, blade {ch.get('client_blade')} → blade "
             f"{w.get('peer', '?')})")
    L.append("")
    L.append("Streaming `bw pio` (CPU stores through the window) and `bw dma` (agent DMA engine) "
             "from the kernel, no verbs; `ping`: memory + doorbell round trip kernel to kernel.")
    L.append("")
    L.append("| measure | size | count | MiB/s |")
    L.append("|---|---|---|---|")
    for mode in ("pio", "dma"):
        for e in w.get(mode, []):
            L.append(f"| window {mode.upper()} | {hsize(e['size'])} | {e['count']} | " + (
                g3(e["MiBps"]) if e["status"] == "ok" else f"n/a: {e.get('reason')}") + " |")
    p = w.get("ping")
    if p:
        L.append("| doorbell ping round trip | | " + (
            f"{p['count']} | median {p['median_us']:g} µs, min {p['min_us']:g}, "
            f"max {p['max_us']:g} |" if p["status"] == "ok" else f" | n/a: {p.get('reason')} |"))
    if not w:
        L.append("| (not run) | | | |")
    L.append("")

    na = {}
    for e in res.get("perftest", []):
        if e["status"] != "ok":
            why = e.get("reason") or "?"
            if e.get("skipped") and "first size" in why:
                why = "not run (the first size failed)"
            groups = na.setdefault((e["device"], e["test"]), [])
            if groups and groups[-1][1] == why:
                groups[-1][0].append(e["size"])
            else:
                groups.append(([e["size"]], why))
    if na:
        L.append("## Why n/a")
        L.append("")
        for (d, test), groups in na.items():
            parts = []
            for sizes, why in groups:
                span = hsize(sizes[0]) if len(sizes) == 1 else \
                    f"{hsize(sizes[0])} … {hsize(sizes[-1])}"
                parts.append(f"{span}: {why}")
            L.append(f"* **{d} {test}** — " + "; ".join(parts))
        L.append("")
    retried = [e for e in res.get("perftest", []) if e.get("first_attempt")]
    if retried:
        L.append("Retried once after a mid-run failure: " + ", ".join(
            f"{e['device']} {e['test']} {hsize(e['size'])} ({'ok' if e['status'] == 'ok' else 'failed again'}; "
            f"first: {e['first_attempt'].get('reason')})" for e in retried) + ".")
        L.append("")
    if res.get("events"):
        L.append("## Events")
        L.append("")
        for ev in res["events"]:
            L.append(f"* at {ev['t_s']} s: {ev['what']}")
        L.append("")
    L.append("## Plots")
    L.append("")
    if plots:
        L.append("![latency](latency.png)")
        L.append("")
        L.append("![bandwidth](bandwidth.png)")
    else:
        L.append("(no plots: python3-matplotlib is not installed)")
    L.append("")
    L.append("Raw logs of every measurement are in `logs/`; everything above is in `results.json`.")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


# ---- plots ----------------------------------------------------------------------------
STYLE = {OURS: dict(color="tab:blue", marker="o"), BASE: dict(color="tab:orange", marker="s")}


def series(res, test, dev, name):
    pts = [(e["size"], e["metrics"][name]) for e in res.get("perftest", [])
           if e["test"] == test and e["device"] == dev and e["status"] == "ok"
           and e["metrics"].get(name)]
    return sorted(pts)


def _device_lines(ax, res, test, name, scale=1.0):
    for d in res["config"]["devices"]:
        pts = series(res, test, d, name)
        st = STYLE.get(d, dict(marker="^"))
        lbl = "rxe (Soft-RoCE)" if d == BASE else d
        if pts:
            ax.plot([p[0] for p in pts], [p[1] * scale for p in pts], label=lbl, lw=1.8, **st)
        else:
            ax.plot([], [], label=f"{lbl}: n/a", ls="none", **st)


def _has_points(ax):
    """Lines with data in data coordinates (not the axhline references)."""
    return any(len(ln.get_xdata()) and ln.get_gid() != "ref" for ln in ax.get_lines())


def _finish(ax, title, ylabel):
    ax.set_title(title, fontsize=10)
    if not _has_points(ax):
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="upper right")
        return False
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("message size (bytes)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.12)
    ax.legend(fontsize=7, loc="best")
    return True


def _size_ticks(ax, sizes):
    if sizes and _has_points(ax):
        ax.set_xticks(sizes)
        ax.set_xticklabels([hsize(s).replace(" ", "") for s in sizes], fontsize=7, rotation=30)
        ax.minorticks_off() if len(sizes) < 3 else None


def write_plots(res, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = res["config"]["sizes"]
    devs = res["config"]["devices"]
    w = res.get("window", {})
    ping = w.get("ping") or {}
    tl = (res.get("tcp", {}).get("tcp_lat") or {}).get("points", [])
    ip = res.get("tcp", {}).get("iperf3") or {}
    sub = (f"{res['label']}, {res['started'][:10]}, TCG chassis "
           f"(orders of magnitude; lower is better)")

    # latency
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    for ax, test in zip(axes.flat[:3], LAT[:3]):
        _device_lines(ax, res, test, "t_typical_us")
        if test == "ib_send_lat":
            pts = [(p["size"], p["one_way_us"]) for p in tl if p["status"] == "ok"]
            if pts:
                ax.plot(*zip(*pts), color="gray", ls="--", marker=".", label="TCP (qperf tcp_lat)")
        if ping.get("status") == "ok":
            half = ping["median_us"] / 2 if test != "ib_read_lat" else ping["median_us"]
            ax.axhline(half, color="green", ls=":", lw=1.2, gid="ref",
                       label=f"raw doorbell ping {'RTT' if test == 'ib_read_lat' else 'RTT/2'}")
        one_way = test in ("ib_send_lat", "ib_write_lat")
        _finish(ax, f"{test} ({'one way' if one_way else 'round trip'}, median)", "latency (µs)")
        _size_ticks(ax, sizes)
    ax = axes.flat[3]
    vals = []
    for i, d in enumerate(devs):
        e = find(res, "ib_atomic_lat", d, 8)
        v = metric(e, "t_typical_us")
        st = STYLE.get(d, {})
        lbl = "rxe (Soft-RoCE)" if d == BASE else d
        if v:
            ax.bar(i, v, color=st.get("color"), label=lbl, width=0.6)
            ax.text(i, v, f"{g3(v)} µs", ha="center", va="bottom", fontsize=8)
            vals.append(v)
        else:
            ax.text(i, 0.1, f"n/a\n{(e or {}).get('reason') or 'not measured'}"[:60],
                    ha="center", va="bottom", fontsize=7, wrap=True,
                    transform=ax.get_xaxis_transform())
    ax.set_xticks(range(len(devs)))
    ax.set_xticklabels(["rxe (Soft-RoCE)" if d == BASE else d for d in devs])
    ax.set_xlim(-0.7, len(devs) - 0.3)
    if vals:
        ax.set_yscale("log")
        ax.set_ylim(min(vals) / 5, max(vals) * 5)
    else:
        ax.set_yticks([])
    ax.set_ylabel("latency (µs)")
    ax.set_title("ib_atomic_lat 8 B (fetch&add round trip, median)", fontsize=10)
    ax.grid(True, axis="y", alpha=0.4)
    fig.suptitle("pcieverbs vs Soft-RoCE: latency vs message size\n" + sub, fontsize=11)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "latency.png"), dpi=90)
    plt.close(fig)

    # bandwidth
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    for ax, test in zip(axes.flat[:3], BW[:3]):
        _device_lines(ax, res, test, "bw_avg_MiBps")
        for mode, ls in (("pio", "-."), ("dma", ":")):
            pts = [(e["size"], e["MiBps"]) for e in w.get(mode, []) if e["status"] == "ok"]
            if pts:
                ax.plot(*zip(*pts), color="green" if mode == "dma" else "olive", ls=ls, lw=1.2,
                        label=f"raw window {mode.upper()} (kernel)")
        if ip.get("status") == "ok":
            ax.axhline(ip["MiBps"], color="gray", ls="--", lw=1.2, gid="ref", label="TCP (iperf3)")
        _finish(ax, f"{test} (average)", "bandwidth (MiB/s)")
        _size_ticks(ax, sizes)
    ax = axes.flat[3]
    markers = {"ib_send_bw": "o", "ib_write_bw": "s", "ib_read_bw": "^", "ib_atomic_bw": "*"}
    any_pts = False
    for test in BW:
        for d in devs:
            pts = series(res, test, d, "msg_rate_Mpps")
            if pts:
                any_pts = True
                ax.plot([p[0] for p in pts], [p[1] * 1e3 for p in pts],
                        color=STYLE.get(d, {}).get("color"), marker=markers[test], lw=1,
                        ls="-" if d == OURS else "--",
                        label=f"{'rxe' if d == BASE else d} {test.replace('ib_', '')}")
    _finish(ax, "message rate (all bw tests; atomics at 8 B)", "thousand messages / s")
    if any_pts:
        _size_ticks(ax, sorted(set(sizes) | {8}) if "ib_atomic_bw" in res["config"]["tests"]
                    else sizes)
    fig.suptitle("pcieverbs vs Soft-RoCE: bandwidth vs message size\n"
                 + sub.replace("lower", "higher"), fontsize=11)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "bandwidth.png"), dpi=90)
    plt.close(fig)


def write_all(res, outdir, plots=True):
    res.setdefault("targets", evaluate_targets(res))
    made = False
    if plots:
        write_plots(res, outdir)
        made = True
    write_markdown(res, os.path.join(outdir, "results.md"), made)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: perftest/report.py RESULTS_DIR")
    d = sys.argv[1]
    with open(os.path.join(d, "results.json")) as f:
        res = json.load(f)
    res["targets"] = evaluate_targets(res)
    import importlib.util
    plots = importlib.util.find_spec("matplotlib") is not None
    write_all(res, d, plots)
    for t in res["targets"]:
        print(target_line(t))
    print(f"wrote {os.path.join(d, 'results.md')}" + (" and the plots" if plots else ""))


if __name__ == "__main__":
    main()
