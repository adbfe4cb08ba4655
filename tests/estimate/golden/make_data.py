"""Generate the small seeded data sets the R golden script fits (run once; CSVs are committed).

python3 tests/estimate/golden/make_data.py  -> glm_panel.csv, cox_tv.csv
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def glm_panel(seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_state, n_year = 60, 50
    state = np.repeat(np.arange(n_state), n_year)
    year = np.tile(np.arange(1970, 1970 + n_year), n_state)
    n = state.size
    u_state = rng.normal(0, 0.5, n_state)[state]
    u_year = rng.normal(0, 0.3, n_year)[year - 1970]
    x1 = rng.normal(size=n) + 0.3 * u_state
    x2 = rng.normal(size=n)
    x3 = rng.uniform(0, 2, size=n)
    d = (rng.random(n) < 0.4).astype(int)
    region = np.array(["northeast", "midwest", "south", "west"])[state % 4]
    eta = -2.0 + 0.5 * x1 - 0.4 * x2 + 0.3 * x3 + 0.4 * d + 0.3 * x1 * d + u_state + u_year
    eta += np.where(region == "south", 0.3, 0.0)
    adopt = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    df = pd.DataFrame({"state": [f"s{s:02d}" for s in state], "year": year, "region": region,
                       "adopt": adopt, "x1": x1.round(6), "x2": x2.round(6),
                       "x3": x3.round(6), "d": d,
                       "w": rng.integers(1, 4, size=n)})
    miss = rng.choice(n, size=25, replace=False)
    df.loc[miss, "x2"] = np.nan
    return df


def cox_tv(seed: int = 20240602) -> pd.DataFrame:
    """Counting-process (start, stop] data with integer years (many ties), strata, clusters."""
    rng = np.random.default_rng(seed)
    rows = []
    for unit in range(300):
        stratum = unit % 3
        cluster = unit // 6
        z = rng.normal()
        entry = int(rng.integers(0, 3))
        t = entry
        while t < 15:
            x1 = z + rng.normal(scale=0.5)
            x2 = float(rng.random() < 0.5)
            h = 0.08 * np.exp(0.6 * x1 - 0.5 * x2 + 0.2 * stratum)
            event = int(rng.random() < 1 - np.exp(-h))
            rows.append((unit, cluster, stratum, t, t + 1, event, round(x1, 6), x2))
            t += 1
            if event:
                break
    return pd.DataFrame(rows, columns=["unit", "cluster", "stratum", "start", "stop", "event",
                                       "x1", "x2"])


if __name__ == "__main__":
    glm_panel().to_csv(HERE / "glm_panel.csv", index=False)
    cox_tv().to_csv(HERE / "cox_tv.csv", index=False)
