"""Benchmark: peak memory of this process (the Dask client) in a study-file run on Dask.

    PYTHONPATH=src python3 benchmarks/bench_studyfile_dask_memory.py [--policies 8]
        [--src before=/path/to/old/src --src after=src]

A study file on the shipped SPID data: one full directed-dyad risk set per policy (the
``--policies`` with the most unit-years at risk; about 230,000-460,000 dyad rows each),
``adopt ~ contiguous`` fitted to each, ``[engine] kind = "dask"`` with no ``output``
(the rows stay in worker memory). Each ``--src`` runs in its own Python process, which
starts a 2-worker LocalCluster of *processes* (so the workers' memory is not this
process's) and runs the study file; it prints the peak RSS (``ru_maxrss``) after the
imports, the cluster start and a warm-up run of the same study file on one small
policy (lazy imports, the data, the report: the fixed cost), and at the end of the
run, the wall and CPU seconds of the run, the rows, and a checksum of the estimates to
10 significant digits (equal checksums: the same numbers). The difference of the two
peaks is what the run itself held.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STUDY = '''[study]
title = "Client memory on Dask"
[data]
dataset = "spid"
[policies]
focus = {focus}
[describe]
enabled = false
[[riskset]]
name = "dyads"
design = "dyadic"
conditional = false
terms = [{{term = "contiguous"}}]
[[model]]
name = "m"
riskset = "dyads"
formula = "adopt ~ contiguous"
[report]
figures = ["curves"]
table_formats = ["csv"]
figure_formats = ["png"]
[engine]
kind = "dask"
scheduler = "{scheduler}"
'''


# SPID's policies with the most unit-years at risk (9,440 down to 4,690), so the largest
# full dyadic risk sets; listed, as finding them would itself raise this process's peak
LARGEST = ("animcruel", "engonly", "antimis", "aboldeapen", "foia", "eqrightam", "deaf",
           "truthsent", "w_race_disc_public_accommodatio", "antiage", "regulation_homerul",
           "appointment of commissioners")


SMALL = ["aborparc"]  # 69,923 dyad rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(n_policies: int) -> None:
    from distributed import Client, LocalCluster

    from policydiffusion.pipeline import run_study

    focus = list(LARGEST[:n_policies])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        tmp = Path(tempfile.mkdtemp())
        for name, policies in (("warmup", SMALL), ("study", focus)):
            (tmp / f"{name}.toml").write_text(STUDY.format(
                focus=json.dumps(policies), scheduler=cluster.scheduler_address))
        # the fixed cost (lazy imports, the data, the report) first, on a small risk set
        run_study(tmp / "warmup.toml", tmp / "warmup")
        study = tmp / "study.toml"
        start_mb = _peak_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_study(study, tmp / "out")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        end_mb = _peak_mb()
        results = json.loads(res.results.read_text())
        rows = sum(r["rows"] for r in json.loads(res.run.read_text())["risksets"].values())
    # 10 digits: Dask adds the partitions' sums in the order they finish (last-digit noise)
    est = json.dumps({k: [f"{c['estimate']:.10g}" for c in v["coefficients"]]
                      for k, v in results.items()})
    print(json.dumps({"policies": len(focus), "rows": rows, "peak_before_run_mb": start_mb,
                      "peak_after_run_mb": end_mb, "wall_s": wall, "cpu_s": cpu,
                      "checksum": hashlib.sha256(est.encode()).hexdigest()[:16]}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", type=int, default=8)
    ap.add_argument("--src", action="append", default=[],
                    help="NAME=PATH of a src folder to run (default: after=src)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.policies)
        return
    print(f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    for spec in a.src or ["after=src"]:
        name, path = spec.split("=", 1)
        env = {**os.environ, "PYTHONPATH": str(Path(path).resolve())}
        out = subprocess.run([sys.executable, __file__, "--child", "--policies", str(a.policies)],
                             env=env, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:>7}: {r['policies']} policies, {r['rows']:,} dyad rows in worker memory; "
              f"client peak RSS {r['peak_before_run_mb']:.0f} MB before the run (imports, "
              f"cluster, warm-up run), {r['peak_after_run_mb']:.0f} MB at its end (+"
              f"{r['peak_after_run_mb'] - r['peak_before_run_mb']:.0f} MB); run {r['wall_s']:.1f} s "
              f"wall, {r['cpu_s']:.1f} s client CPU; estimates checksum {r['checksum']}")
    print(f"# load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
