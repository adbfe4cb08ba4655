"""Benchmark: a clustered logit fitted straight from a Parquet path against the same fit
in memory (the ``fit`` command reads Parquet), optionally against another checkout.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_parquet_path.py [--rows 1e7] [--old-src DIR] [--reps 2]

Data: ``bench_estimate.write_parquet`` (intercept + 5 covariates, ~4% events, a
3000-level cluster id; row groups of 2**20 rows), written once to
``benchmarks/_data``. Each fit runs in its own process: ``mem`` loads the file into
pandas first (the load timed apart) and fits the frame; ``path`` fits the file path.
Per fit: wall and CPU seconds (all threads) and the process's peak RSS. On a shared
machine compare CPU seconds: wall time there mostly measures the other jobs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r'''
import json, os, resource, sys, time
os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
which, path = sys.argv[1], sys.argv[2]
from policydiffusion.estimate import fit_hazard
load = {}
data = path
if which == "mem":
    import pyarrow.parquet as pq
    t, c = time.perf_counter(), time.process_time()
    data = pq.read_table(path).to_pandas(split_blocks=True, self_destruct=True)
    load = {"load_wall": time.perf_counter() - t, "load_cpu": time.process_time() - c}
t, c = time.perf_counter(), time.process_time()
r = fit_hazard(data, "y ~ x1 + x2 + x3 + x4 + x5", vcov={"cluster": "g"})
print(json.dumps({"wall": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2,
                  "params": r.params.tolist(), "se": r.std_errors.tolist(), **load}))
'''


def run(which: str, src: Path, path: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src.resolve()))
    out = subprocess.run([sys.executable, "-c", CHILD, which, str(path)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=float, default=1e7)
    ap.add_argument("--old-src", type=Path, default=None)
    ap.add_argument("--reps", type=int, default=2)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_estimate import DATA, write_parquet

    n = int(args.rows)
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"logit_{args.rows:.0e}.parquet"
    write_parquet(path, n, seed=n % 1000 + 1)
    print(f"bench_parquet_path: {n:.0e} rows, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} at start", flush=True)
    runs = [("in memory", "mem", Path("src")), ("path", "path", Path("src"))]
    if args.old_src is not None:
        runs.append((f"path ({args.old_src})", "path", args.old_src))
    ref = None
    for rep in range(args.reps):
        for label, which, src in runs:
            r = run(which, src, path)
            ref = ref or r
            diff = max(abs(a - b) for a, b in zip(r["params"] + r["se"], ref["params"] + ref["se"]))
            extra = (f"  (load of the frame apart: wall {r['load_wall']:.2f} s, cpu "
                     f"{r['load_cpu']:.2f} s)" if "load_wall" in r else "")
            print(f"  {label:<28} wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s  peak RSS "
                  f"{r['peak_gb']:.2f} GB  max |diff| of estimates and SEs {diff:.1e}{extra}  "
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
