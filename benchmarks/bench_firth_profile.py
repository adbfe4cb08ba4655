"""Time Firth fits with profile penalised-likelihood inference (vs Wald) at typical sizes.

python3 benchmarks/bench_firth_profile.py   (PYTHONPATH=src)

Sizes: a state-year risk set (50 states x 30 years, 10 terms) and a directed-dyad risk
set (50 x 49 dyads x 30 years = 73,500 rows, 6 terms). Profile inference costs two
root searches per coefficient (each point a constrained Firth fit) and one constrained
fit per penalised LR test.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from policydiffusion.estimate import fit_hazard


def data(n: int, k: int, seed: int = 0) -> tuple[pd.DataFrame, str]:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, k - 1)), columns=[f"x{i}" for i in range(1, k)])
    eta = -3.5 + df.to_numpy() @ np.linspace(0.5, -0.3, k - 1)
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return df, "y ~ " + " + ".join(df.columns[:-1])


def main() -> None:
    for label, n, k in [("state-year 1,500 x 10", 1_500, 10), ("dyad 73,500 x 6", 73_500, 6)]:
        df, f = data(n, k)
        for how in ("wald", "profile"):
            t0 = time.perf_counter()
            fit_hazard(df, f, firth=True, firth_inference=how).tidy()
            print(f"{label:24s} {how:8s} {time.perf_counter() - t0:7.2f} s")


if __name__ == "__main__":
    main()
