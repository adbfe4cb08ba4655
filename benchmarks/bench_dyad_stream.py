"""Benchmark: county-scale directed-dyad risk sets streamed to Parquet, sorted against unsorted.

Run from the repository root (big: run once, in the background)::

    PYTHONPATH=src python3 benchmarks/bench_dyad_stream.py --units 3100 --out /tmp/dyads

The study is :func:`bench_county.county_study` (N units, 25 years, 3 policies, about 6
contiguous neighbours each, a dated ``visits`` relation), the terms those of
``bench_county.py`` (neighbours' share, national share, ``contiguous``,
``visits_count_w1``, attribute ``x``). Each step runs in its own process under
``/usr/bin/time -v`` and ``timeout``, writes ``sink_parquet_dataset(out,
policies_per_file=1)`` and reports rows, wall and CPU seconds and the peak RSS (the
whole process, study generation and imports included):

- ``full_stream``: the full design (every other unit is a source), lazy and unsorted
  (the default of ``lazy=True``);
- ``conditional_stream``: the conditional design, the same way;
- ``conditional_sorted``: the conditional design with ``sort=True``, each policy's rows
  sorted before they are written (the build before streaming).

The outputs are deleted after each step (``--keep`` keeps them).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

CHILD = r'''
import sys, time
sys.path.insert(0, "benchmarks")
from bench_county import county_study
from policydiffusion import terms as T
from policydiffusion.riskset import dyadic_riskset
import polars as pl
design, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
study = county_study(n)
t = time.perf_counter()
rs = dyadic_riskset(study, policies=study.policy_ids, conditional=design.startswith("cond"),
                    terms=[T.neighbors_adopted(), T.national_share(), T.contiguous(),
                           T.relation_count("visits")],
                    unit_attributes=["x"], lazy=True, sort=design.endswith("sorted"))
rs.sink_parquet_dataset(out, policies_per_file=1)
build = time.perf_counter() - t
rows = pl.scan_parquet(out + "/*.parquet").select(pl.len()).collect().item()
print(f"RESULT rows={rows} build_s={build:.2f}")
'''

STEPS = ("full_stream", "conditional_stream", "conditional_sorted")


def run_step(step: str, n: int, out: Path, timeout: float) -> dict | None:
    """One build in a fresh process; rows, wall, CPU and peak RSS from /usr/bin/time -v."""
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path("src").resolve()), os.environ.get("PYTHONPATH", "")]))
    cmd = ["timeout", str(int(timeout)), "/usr/bin/time", "-v", sys.executable, "-c", CHILD,
           step, str(n), str(out)]
    load = os.getloadavg()[0]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    m = re.search(r"RESULT rows=(\d+) build_s=([\d.]+)", res.stdout)
    if res.returncode != 0 or m is None:
        print(f"  {step} N={n}: failed ({res.returncode}): {res.stderr.strip()[-400:]}",
              flush=True)
        return None

    def field(name: str) -> str:
        return re.search(rf"{re.escape(name)}: (.+)", res.stderr).group(1).strip()

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    rec = {"step": step, "n": n, "rows": int(m.group(1)), "build_s": float(m.group(2)),
           "wall_s": sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall))),
           "cpu_s": float(field("User time (seconds)")) + float(field("System time (seconds)")),
           "peak_rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
           "disk_gb": sum(p.stat().st_size for p in out.glob("*.parquet")) / 1e9,
           "load_start": load, "load_end": os.getloadavg()[0]}
    print(f"  {step:<19} N={n:>5}  rows {rec['rows']:>12,}  build {rec['build_s']:7.1f} s  "
          f"process wall {rec['wall_s']:7.1f} s  cpu {rec['cpu_s']:7.1f} s  "
          f"peak RSS {rec['peak_rss_mb']:6.0f} MB  Parquet {rec['disk_gb']:.2f} GB  "
          f"(load {load:.1f} -> {rec['load_end']:.1f})", flush=True)
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=3100)
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/_data/dyad_stream"))
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--keep", action="store_true", help="keep the Parquet outputs")
    args = ap.parse_args()
    print(f"bench_dyad_stream: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
          f"at start", flush=True)
    t0 = time.perf_counter()
    for step in args.steps.split(","):
        out = args.out / f"{step}_{args.units}"
        run_step(step, args.units, out, args.timeout)
        if not args.keep and out.exists():
            shutil.rmtree(out)
    print(f"total {time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
