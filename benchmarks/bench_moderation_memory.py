"""Benchmark: memory of marginal_effect_across as the model grows (rows x variables).

    PYTHONPATH=src python3 benchmarks/bench_moderation_memory.py [--rows 1200000] [--controls 8]

Fits ``adopt ~ x * z + c1 + ... + cK`` on a pandas frame, then measures the peak of
memory allocated (``tracemalloc``: numpy's arrays included) while the effect of ``x``
across ``z`` is computed on the probability scale, and prints a checksum of the table
(equal checksums: the same numbers to the last digit).
"""

from __future__ import annotations

import argparse
import hashlib
import time
import tracemalloc

import numpy as np
import pandas as pd

from policydiffusion.estimate import fit_hazard
from policydiffusion.interpret import marginal_effect_across


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_200_000)
    ap.add_argument("--controls", type=int, default=8)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=a.rows), "z": rng.uniform(-2, 3, a.rows)})
    for k in range(a.controls):
        df[f"c{k}"] = rng.normal(size=a.rows)
    eta = -3 + 0.5 * df.x + 0.2 * df.x * df.z + 0.1 * df.c0
    df["adopt"] = (rng.random(a.rows) < 1 / (1 + np.exp(-eta))).astype(np.int8)
    formula = "adopt ~ x * z + " + " + ".join(f"c{k}" for k in range(a.controls))
    res = fit_hazard(df, formula)
    data_mb = df.memory_usage(deep=True).sum() / 2**20
    tracemalloc.start()
    t0 = time.perf_counter()
    me = marginal_effect_across(res, variable="x", moderator="z", scale="response", n_values=5)
    secs = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    digest = hashlib.sha256(me.to_csv(float_format="%.17g").encode()).hexdigest()[:16]
    print(f"{a.rows:,} rows x {a.controls + 3} columns ({data_mb:.0f} MiB of data): peak "
          f"{peak:.0f} MiB allocated while computing, {secs:.1f} s, checksum {digest}")


if __name__ == "__main__":
    main()
