"""Benchmark: a synthetic county-scale study, built and fitted locally, and how cost grows with N.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_county.py [--units 250,500,1000,2000] [--full-max 500]
        [--engine dask] [--sampled 0.01,0.1] [--sample-method bernoulli]

The study (seeded, drawn by :func:`county_study`): N units on a triangular lattice
(each has about 6 contiguous neighbours), 25 years (1990-2014), 3 policies diffusing
through contiguity (logit hazard -5 + 3 * neighbours' share adopted + 0.5 x + policy
offset, x a unit attribute), and a directed dated relation ``visits`` (each unit visits
2 random others a year). Per N, three risk sets:

- monadic (unit-years; ``neighbors_adopted`` share, ``national_share``, x),
- conditional directed dyads (sources: prior adopters; plus ``contiguous`` and
  ``visits_count_w1``),
- full directed dyads (every other unit; N**2 x years x policies rows, so only for
  N <= ``--full-max``),

each built with ``sink_parquet_dataset`` (streamed, one file per policy) in its own
process, then fitted from the Parquet files in another process (logit, policy fixed
effects absorbed, classical variance). Per step: rows, wall seconds, CPU seconds
(user + system) and peak RSS (``ru_maxrss`` of that process, imports included). At the
``--dask-max N`` also fits the monadic and conditional risk sets with
``engine="dask"`` on a 2-worker LocalCluster (threads, in the fitting process, so its
peak RSS includes the workers) for N up to that, with the largest difference of the
estimates from the local fit. ``--engine dask`` also builds the monadic and
conditional risk sets on Dask (``engine="dask"``, one task per policy and 5 years,
into Parquet) and fits them there, on a 2-worker LocalCluster of processes: wall
time split into cluster start, build and fit; CPU of the client and the workers;
peak RSS of each process; the largest differences from the local fit. At the
``--sampled 0.01,0.1`` also builds the conditional dyads with sampled non-events
(every event kept, that share of the non-events, stratified by policy and year, seed 1)
and fits them unweighted (prior correction) and weighted (``sample_weight``, HC1):
time, memory and each slope's distance from the full fit in full-fit SEs
(``--sample-method bernoulli``: the streamed draw instead of the systematic one). At the
end, per step, the slope of log(wall), log(CPU), log(peak RSS) and log(rows) on log(N): the
scaling exponent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

YEARS = (1990, 2014)
POLICIES = ("p1", "p2", "p3")
FORMULAS = {
    "monadic": "adopt ~ neighbors_adopted_l1 + national_share_l1 + x",
    "conditional": "adopt ~ contiguous + visits_count_w1 + neighbors_adopted_l1 + x",
    "full": "adopt ~ contiguous + visits_count_w1 + source_adopted + x",
}


def lattice_edges(n: int) -> np.ndarray:
    """Undirected edges of a triangular lattice on ceil(sqrt(n)) columns (about 6 each)."""
    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    r, c = np.divmod(i, side)
    out = []
    for dr, dc in ((0, 1), (1, 0), (1, 1)):  # each undirected edge once
        rr, cc = r + dr, c + dc
        j = rr * side + cc
        ok = (cc < side) & (j < n)
        out.append(np.column_stack([i[ok], j[ok]]))
    return np.concatenate(out)


def county_study(n: int, *, seed: int = 14):
    """The synthetic study with ``n`` units (see the module docstring)."""
    import pandas as pd

    from policydiffusion.study import RelationSpec, load_study

    rng = np.random.default_rng(seed)
    ids = np.array([f"c{k:05d}" for k in range(n)])
    x = rng.normal(size=n)
    edges = lattice_edges(n)
    nbr = [[] for _ in range(n)]
    for a, b in edges:
        nbr[a].append(b)
        nbr[b].append(a)
    deg = np.array([len(v) for v in nbr])
    src = np.concatenate([np.full(len(v), k) for k, v in enumerate(nbr)]).astype(int)
    dst = np.concatenate([np.array(v, dtype=int) for v in nbr])
    adoptions = []
    for p, offset in zip(POLICIES, (0.0, -0.4, 0.3)):
        adopted = np.zeros(n, dtype=bool)
        for year in range(YEARS[0], YEARS[1] + 1):
            share = np.bincount(src, weights=adopted[dst], minlength=n) / np.maximum(deg, 1)
            eta = -5.0 + offset + 3.0 * share + 0.5 * x
            new = ~adopted & (rng.random(n) < 1 / (1 + np.exp(-eta)))
            adoptions += [(p, u, year) for u in ids[new]]
            adopted |= new
    years = np.arange(YEARS[0], YEARS[1] + 1)
    visits = pd.DataFrame({"source": np.repeat(ids, 2 * len(years)),
                           "target": ids[rng.integers(0, n, 2 * n * len(years))],
                           "year": np.tile(np.repeat(years, 2), n)})
    visits = visits[visits["source"] != visits["target"]].drop_duplicates()
    return load_study(
        pd.DataFrame(adoptions, columns=["policy", "unit", "time"]),
        units=pd.DataFrame({"unit": ids, "x": x}),
        relations={"contiguity": pd.DataFrame({"source": ids[edges[:, 0]],
                                               "target": ids[edges[:, 1]]}),
                   "visits": RelationSpec(visits, period="year", directed=True)},
        start=YEARS[0], end=YEARS[1])


CHILD = r'''
import json, os, resource, sys, time
step, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, "benchmarks")
t0, c0 = time.perf_counter(), time.process_time()
if step.startswith("build_"):
    from bench_county import county_study
    from policydiffusion import terms as T
    from policydiffusion.riskset import dyadic_riskset, monadic_riskset
    study = county_study(n)
    design, _, share = step[len("build_"):].partition("@")  # build_conditional@0.01: sampled
    mono = [T.neighbors_adopted(), T.national_share()]
    if design == "monadic":
        rs = monadic_riskset(study, policies=study.policy_ids, terms=mono,
                             unit_attributes=["x"], lazy=True)
    else:
        sampled = {"sample_nonevents": float(share), "seed": 1,
                   "sample_method": os.environ["BENCH_SAMPLE_METHOD"]} if share else {}
        rs = dyadic_riskset(study, policies=study.policy_ids, conditional=design == "conditional",
                            terms=mono + [T.contiguous(), T.relation_count("visits")],
                            unit_attributes=["x"], lazy=True, **sampled)
    rs.sink_parquet_dataset(out, policies_per_file=1)
    import polars as pl
    rows = pl.scan_parquet(out + "/*.parquet").select(pl.len()).collect().item()
    extra = {}
elif step.startswith("dask_"):  # build and fit on a 2-worker LocalCluster of processes
    import resource as _r
    from bench_county import county_study
    from distributed import Client, LocalCluster
    from policydiffusion import terms as T
    from policydiffusion.estimate import fit_hazard
    from policydiffusion.riskset import dyadic_riskset, monadic_riskset
    design = step[len("dask_"):]
    client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None))
    t_up = time.perf_counter() - t0
    study = county_study(n)
    mono = [T.neighbors_adopted(), T.national_share()]
    kw = dict(policies=study.policy_ids, unit_attributes=["x"], engine="dask",
              partition_periods=5, output=out)
    t1 = time.perf_counter()
    if design == "monadic":
        drs = monadic_riskset(study, terms=mono, **kw)
    else:
        drs = dyadic_riskset(study, conditional=design == "conditional",
                             terms=mono + [T.contiguous(), T.relation_count("visits")], **kw)
    t_build = time.perf_counter() - t1
    def usage():
        ru = _r.getrusage(_r.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024
    after_build = list(client.run(usage).values())
    t2 = time.perf_counter()
    res = fit_hazard(drs, sys.argv[4], fixed_effects="policy", engine="dask")
    t_fit = time.perf_counter() - t2
    rows = int(res.nobs)
    assert rows == drs.n_rows()
    workers = list(client.run(usage).values())
    extra = {"params": {k: float(v) for k, v in res.params.items() if not k.startswith("C(")},
             "se": {k: float(v) for k, v in res.std_errors.items() if not k.startswith("C(")},
             "converged": bool(res.converged), "n_iter": int(res.n_iter),
             "partitions": len(drs.partitions), "startup_s": t_up, "build_s": t_build,
             "fit_s": t_fit, "worker_cpu_s": [w[0] for w in workers],
             "worker_build_cpu_s": [w[0] for w in after_build],
             "worker_peak_rss_mb": [w[1] for w in workers]}
    client.close()
else:
    from policydiffusion.estimate import fit_hazard
    kw = {}
    if step.startswith("fitdask_"):  # a 2-worker LocalCluster in this process: RSS counts it
        from distributed import Client, LocalCluster
        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                     dashboard_address=None))
        kw = {"engine": "dask", "chunk_rows": 500_000}
    if step.endswith("@weighting"):  # sampled rows weighted back, robust variance
        kw = {"weights": "sample_weight", "vcov": "hc1"}
    res = fit_hazard(out + "/*.parquet", sys.argv[4], fixed_effects="policy", **kw)
    rows = int(res.nobs)
    extra = {"params": {k: float(v) for k, v in res.params.items() if not k.startswith("C(")},
             "se": {k: float(v) for k, v in res.std_errors.items() if not k.startswith("C(")},
             "converged": bool(res.converged), "n_iter": int(res.n_iter)}
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"step": step, "n": n, "rows": rows, "wall_s": time.perf_counter() - t0,
                  "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mb": ru.ru_maxrss / 1024,
                  **extra}))
'''


def run_step(step: str, n: int, out: Path, *extra: str, timeout: float) -> dict | None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path("src").resolve()), os.environ.get("PYTHONPATH", "")]))
    try:
        res = subprocess.run([sys.executable, "-c", CHILD, step, str(n), str(out), *extra],
                             capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        print(f"  {step} N={n}: over {timeout:.0f} s, stopped", flush=True)
        return None
    if res.returncode != 0:
        print(f"  {step} N={n}: failed ({res.returncode}): {res.stderr.strip()[-300:]}",
              flush=True)
        return None
    rec = json.loads(res.stdout.strip().splitlines()[-1])
    if "worker_cpu_s" in rec:  # the client's CPU and the workers' (separate processes)
        rec["cpu_s"] += sum(rec["worker_cpu_s"])
    print(f"  {step:<18} N={n:>5}  rows {rec['rows']:>12,}  wall {rec['wall_s']:7.1f} s  "
          f"cpu {rec['cpu_s']:7.1f} s  peak RSS {rec['peak_rss_mb']:6.0f} MB"
          + (f"  {rec['params']}" if "params" in rec else ""), flush=True)
    if "worker_cpu_s" in rec:
        print(f"  {'':<18} Dask: cluster start {rec['startup_s']:.1f} s, build "
              f"{rec['build_s']:.1f} s, fit {rec['fit_s']:.1f} s ({rec['n_iter']} iterations), "
              f"{rec['partitions']} partitions; workers' CPU "
              f"{', '.join(f'{c:.1f}' for c in rec['worker_cpu_s'])} s, peak RSS "
              f"{', '.join(f'{m:.0f}' for m in rec['worker_peak_rss_mb'])} MB", flush=True)
    return rec


def compare(dask: dict, local: dict) -> None:
    """Largest |difference| of the estimates and relative difference of the SEs."""
    dask["max_abs_diff_vs_local"] = max(abs(dask["params"][k] - local["params"][k])
                                        for k in local["params"])
    if "se" in dask and "se" in local:
        dask["max_rel_se_diff_vs_local"] = max(abs(dask["se"][k] / local["se"][k] - 1)
                                               for k in local["se"])
    print(f"  {'':<18} Dask - local: max |difference| of the estimates "
          f"{dask['max_abs_diff_vs_local']:.1e}"
          + (f", of the SEs (relative) {dask['max_rel_se_diff_vs_local']:.1e}"
             if "max_rel_se_diff_vs_local" in dask else ""), flush=True)


def against_full(sampled: dict, full: dict) -> None:
    """Each slope of a sampled fit against the full fit: difference in full-fit SEs, SE ratio."""
    slopes = [k for k in full["params"] if k != "Intercept"]
    sampled["diff_in_full_se"] = {k: (sampled["params"][k] - full["params"][k]) / full["se"][k]
                                  for k in slopes}
    sampled["se_ratio"] = {k: sampled["se"][k] / full["se"][k] for k in slopes}
    print(f"  {'':<18} against the full fit: (b - b_full)/se_full "
          + ", ".join(f"{k} {v:+.2f}" for k, v in sampled["diff_in_full_se"].items())
          + "; se/se_full " + ", ".join(f"{k} {v:.2f}" for k, v in sampled["se_ratio"].items()),
          flush=True)


def exponents(records: list[dict]) -> dict[str, dict[str, float]]:
    """Per step, the least-squares slope of log(y) on log(N) for rows, wall, CPU and peak RSS."""
    out = {}
    for step in dict.fromkeys(r["step"] for r in records):
        rs = [r for r in records if r["step"] == step]
        if len(rs) < 2:
            continue
        ln = np.log([r["n"] for r in rs])
        out[step] = {k: float(np.polyfit(ln, np.log([r[k] for r in rs]), 1)[0])
                     for k in ("rows", "wall_s", "cpu_s", "peak_rss_mb")}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", default="250,500,1000,2000")
    ap.add_argument("--full-max", type=int, default=500, help="largest N for full dyads")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/_data/county"))
    ap.add_argument("--dask-max", type=int, default=0, help="also fit the monadic and "
                    "conditional risk sets with engine='dask' on a 2-worker LocalCluster for "
                    "N up to this (needs the dask extra)")
    ap.add_argument("--engine", choices=("local", "dask"), default="local", help="dask: also "
                    "build (engine='dask', partitions of 5 years per policy, into Parquet) and "
                    "fit (engine='dask') the monadic and conditional risk sets on a 2-worker "
                    "LocalCluster of processes (needs the dask extra)")
    ap.add_argument("--sampled", default="", help="comma-separated shares (e.g. 0.01,0.1): "
                    "also build the conditional dyads keeping every event and that share of "
                    "the non-events (sample_nonevents, seed 1), fitted unweighted (prior "
                    "correction: with policy fixed effects only the intercepts move) and "
                    "weighted (sample_weight, HC1), each against the full fit")
    ap.add_argument("--sample-method", choices=("systematic", "bernoulli"),
                    default="systematic", help="how --sampled draws the non-events "
                    "(dyadic_riskset's sample_method)")
    ap.add_argument("--step-timeout", type=float, default=240)
    ap.add_argument("--json", type=Path, default=None, help="write every record here; with "
                    "--resume, read the records there first and add to them")
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args()
    os.environ["BENCH_SAMPLE_METHOD"] = args.sample_method  # read by the build steps
    print(f"bench_county: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start",
          flush=True)
    records = json.loads(args.json.read_text()) if args.resume and args.json.exists() else []
    t0 = time.perf_counter()
    for n in (int(u) for u in args.units.split(",")):
        for design in ("monadic", "conditional", "full"):
            if design == "full" and n > args.full_max:
                continue
            out = args.out / f"{design}_{n}"
            b = run_step(f"build_{design}", n, out, timeout=args.step_timeout)
            if b is None:
                continue
            records.append(b)
            f = run_step(f"fit_{design}", n, out, FORMULAS[design], timeout=args.step_timeout)
            if f is not None:
                records.append(f)
            for share in (x for x in args.sampled.split(",") if x and design == "conditional"):
                sout = args.out / f"{design}_{n}_s{share}"
                sb = run_step(f"build_{design}@{share}", n, sout, timeout=args.step_timeout)
                if sb is None:
                    continue
                sb["sample_method"] = args.sample_method
                records.append(sb)
                for how in ("prior", "weighting"):
                    sf = run_step(f"fit_{design}@{share}@{how}", n, sout, FORMULAS[design],
                                  timeout=args.step_timeout)
                    if sf is not None and f is not None:
                        against_full(sf, f)
                        records.append(sf)
            if f is not None and n <= args.dask_max and design != "full":
                d = run_step(f"fitdask_{design}", n, out, FORMULAS[design],
                             timeout=args.step_timeout)
                if d is not None:
                    compare(d, f)
                    records.append(d)
            if f is not None and args.engine == "dask" and design != "full":
                d = run_step(f"dask_{design}", n, args.out / f"dask_{design}_{n}",
                             FORMULAS[design], timeout=args.step_timeout)
                if d is not None:
                    assert d["rows"] == b["rows"], "the Dask build has other rows"
                    compare(d, f)
                    records.append(d)
    print(f"total {time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.2f} at end")
    print("scaling exponents (slope on log-log axes against N):")
    for step, ex in exponents(records).items():
        print(f"  {step:<18} rows {ex['rows']:.2f}  wall {ex['wall_s']:.2f}  "
              f"cpu {ex['cpu_s']:.2f}  peak RSS {ex['peak_rss_mb']:.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(records, indent=1))


if __name__ == "__main__":
    main()
