"""Benchmark: the same clustered logit on the local engine and on a 2-worker LocalCluster.

Run from the repository root (needs the ``dask`` extra)::

    PYTHONPATH=src python3 benchmarks/bench_dask.py [--rows 1e6]

Uses the Parquet file of ``bench_estimate.py`` (written if missing). On one machine the
Dask engine pays for scattering partitions and a round of tasks per pass; it is there
for data and workers beyond one machine. Reported: wall time of each fit and the
largest differences in estimates and standard errors; then the same fit on Dask from
the Parquet file (the workers read it themselves).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench_estimate import DATA, write_parquet


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="1e6")
    args = ap.parse_args()
    n = int(float(args.rows))
    DATA.mkdir(exist_ok=True)
    path = DATA / f"logit_{n}.parquet"
    write_parquet(path, n, seed=n % 1000 + 1)
    import pandas as pd
    from distributed import Client, LocalCluster

    from policydiffusion.estimate import fit_hazard

    df = pd.read_parquet(path)
    kw = dict(vcov={"cluster": "g"}, chunk_rows=250_000)
    t = time.perf_counter()
    local = fit_hazard(df, "y ~ x1 + x2 + x3 + x4 + x5", **kw)
    t_local = time.perf_counter() - t
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cl, \
            Client(cl):
        t = time.perf_counter()
        dask = fit_hazard(df, "y ~ x1 + x2 + x3 + x4 + x5", engine="dask", **kw)
        t_dask = time.perf_counter() - t
        t = time.perf_counter()  # the Parquet path: read by the workers where supported
        from_file = fit_hazard(str(path), "y ~ x1 + x2 + x3 + x4 + x5", engine="dask", **kw)
        t_file = time.perf_counter() - t
    dp = float(np.max(np.abs(dask.params - local.params)))
    ds = float(np.max(np.abs(dask.std_errors / local.std_errors - 1)))
    print(f"clustered logit, {n:.0e} rows, {-(-n // kw['chunk_rows'])} partitions: local "
          f"{t_local:.2f} s; Dask on a 2-worker LocalCluster {t_dask:.2f} s "
          f"({local.n_iter} iterations); max |d beta| {dp:.1e}, max rel d se {ds:.1e}")
    dp = float(np.max(np.abs(from_file.params - local.params)))
    print(f"  from the Parquet file on Dask: {t_file:.2f} s; max |d beta| {dp:.1e}")


if __name__ == "__main__":
    main()
