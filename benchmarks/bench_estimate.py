"""Benchmark: clustered logit, policydiffusion vs statsmodels, and a streamed fit.

    python3 benchmarks/bench_estimate.py                 # 1e6 and 1e7 rows, then 2e8 streamed
    python3 benchmarks/bench_estimate.py --sizes 1e6 --stream-rows 2e7

Data: intercept + 5 covariates (x1..x3 normal, x4 binary, x5 = x1*x4), rare outcome
(~4% ones), 3000-level cluster id; written once to benchmarks/_data (git-ignored).
Each fit runs in its own subprocess that loads the same Parquet file into pandas and
then fits; we report the fit's wall time and the peak RSS during the fit (VmHWM after
resetting the high-water mark once the data are loaded, so it counts the data held plus
everything the fit adds), and also each process's whole peak including the load. The streamed fit reads a glob of Parquet
files (float32 covariates, int8 outcome, int32 cluster) chunk by chunk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
SRC = HERE.parent / "src"


def make_block(n: int, seed: int, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x1, x2, x3 = (rng.standard_normal(n, dtype=np.float64) for _ in range(3))
    x4 = (rng.random(n) < 0.4).astype(np.float64)
    x5 = x1 * x4
    g = rng.integers(0, 3000, n).astype(np.int32)
    eta = -3.6 + 0.3 * x1 - 0.2 * x2 + 0.1 * x3 + 0.25 * x4 + 0.15 * x5
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.int8)
    cols = {"y": y, "g": g}
    for name, v in zip(["x1", "x2", "x3", "x4", "x5"], [x1, x2, x3, x4, x5]):
        cols[name] = v.astype(dtype)
    return cols


def write_parquet(path: Path, n: int, seed: int, dtype=np.float64) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists():
        return
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.table(make_block(n, seed, dtype)), tmp, row_group_size=1 << 20,
                   compression="snappy")
    tmp.rename(path)


def peak_gb() -> float:
    """Peak RSS of this process so far (GB), including the data load."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def reset_hwm() -> bool:
    """Reset the kernel's RSS high-water mark (Linux >= 4.0), so VmHWM covers the fit only."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def hwm_gb() -> float:
    """VmHWM: peak RSS since the last reset (GB); data held + what the fit added."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 ** 2
    return float("nan")


def worker(which: str, path: str) -> None:
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"   # freed Arrow buffers go back to the OS

    sys.path.insert(0, str(SRC))
    if which in ("stream", "path"):  # fit straight from the Parquet file(s)
        from policydiffusion.estimate import fit_hazard

        t = time.perf_counter()
        res = fit_hazard(path, "y ~ x1 + x2 + x3 + x4 + x5", vcov={"cluster": "g"})
        dt = time.perf_counter() - t
        print(json.dumps({"time": dt, "peak_gb": peak_gb(), "nobs": res.nobs, "pandas":
                          __import__("pandas").__version__,
                          "n_iter": res.n_iter, "params": res.params.tolist(),
                          "se": res.std_errors.tolist()}))
        return
    import pyarrow.parquet as pq

    # same loaded frame for both libraries; split_blocks/self_destruct keep the load peak low
    df = pq.read_table(path).to_pandas(split_blocks=True, self_destruct=True)
    import ctypes
    import gc

    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    base = peak_gb()
    reset_hwm()
    if which == "ours":
        from policydiffusion.estimate import fit_hazard

        t = time.perf_counter()
        res = fit_hazard(df, "y ~ x1 + x2 + x3 + x4 + x5", vcov={"cluster": "g"})
        dt = time.perf_counter() - t
        params, se = res.params.to_numpy(), res.std_errors.to_numpy()
    else:
        import statsmodels.api as sm

        t = time.perf_counter()
        X = np.column_stack([np.ones(len(df))] + [df[c].to_numpy() for c in
                                                  ["x1", "x2", "x3", "x4", "x5"]])
        fit = sm.Logit(df["y"].to_numpy(), X).fit(
            disp=0, cov_type="cluster", cov_kwds={"groups": df["g"].to_numpy()})
        dt = time.perf_counter() - t
        params, se = fit.params, fit.bse
    print(json.dumps({"time": dt, "peak_gb": peak_gb(), "loaded_gb": base, "fit_peak_gb": hwm_gb(),
                      "pandas": __import__("pandas").__version__,
                      "params": list(map(float, params)), "se": list(map(float, se))}))


def run_worker(which: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", which, str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", nargs=2)
    ap.add_argument("--sizes", default="1e6,1e7")
    ap.add_argument("--stream-rows", default="2e8")
    ap.add_argument("--file-rows", default="1e7")
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    DATA.mkdir(exist_ok=True)
    for size in [int(float(s)) for s in args.sizes.split(",") if s]:
        path = DATA / f"logit_{size}.parquet"
        write_parquet(path, size, seed=size % 1000 + 1)
        sm_r, ours = run_worker("statsmodels", path), run_worker("ours", path)
        from_path = run_worker("path", path)
        dparam = max(abs(a - b) for a, b in zip(sm_r["params"], ours["params"]))
        dse = max(abs(a / b - 1) for a, b in zip(sm_r["se"], ours["se"]))
        # statsmodels applies G/(G-1)*(n-1)/(n-k); ours is Stata's G/(G-1): ratio of SEs
        # is sqrt((n-1)/(n-k)), tiny at these n.
        print(f"n={size:.0e}: statsmodels {sm_r['time']:.2f} s, peak RSS during fit "
              f"{sm_r['fit_peak_gb']:.2f} GB; policydiffusion {ours['time']:.2f} s, "
              f"{ours['fit_peak_gb']:.2f} GB; speed ratio {sm_r['time'] / ours['time']:.1f}x, "
              f"memory ratio {ours['fit_peak_gb'] / sm_r['fit_peak_gb']:.2f} (whole-process "
              f"peaks incl. the Parquet load: {sm_r['peak_gb']:.2f} vs {ours['peak_gb']:.2f} GB); "
              f"max |d beta| {dparam:.1e}, max rel d se {dse:.1e}", flush=True)
        print(f"  fit straight from the Parquet path (the fit command's way): "
              f"{from_path['time']:.2f} s, whole-process peak {from_path['peak_gb']:.2f} GB "
              f"({from_path['time'] / ours['time']:.1f}x the in-memory fit, "
              f"{sm_r['time'] / from_path['time']:.1f}x faster than statsmodels; pandas "
              f"{from_path['pandas']})", flush=True)
    total = int(float(args.stream_rows))
    if total:
        per = int(float(args.file_rows))
        folder = DATA / "stream"
        folder.mkdir(exist_ok=True)
        t = time.perf_counter()
        for i in range(total // per):
            write_parquet(folder / f"part{i:04d}.parquet", per, seed=10_000 + i,
                          dtype=np.float32)
        print(f"stream data: {total:.1e} rows in {total // per} files, "
              f"{sum(p.stat().st_size for p in folder.glob('*.parquet')) / 1e9:.1f} GB on disk "
              f"(made in {time.perf_counter() - t:.0f} s)", flush=True)
        r = run_worker("stream", folder / "*.parquet")
        print(f"streamed fit over {r['nobs']:.2e} rows: {r['time']:.1f} s, peak RSS "
              f"{r['peak_gb']:.2f} GB, {r['n_iter']} iterations; beta={np.round(r['params'], 4)}",
              flush=True)


if __name__ == "__main__":
    main()
