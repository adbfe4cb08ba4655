"""Speed of policydiffusion.modes.classify_modes: 1,000 policies over 3,000 units.

    PYTHONPATH=src python3 benchmarks/bench_modes.py [--policies 1000] [--units 3000] [--seed 1]

A synthetic three-level tree (1 centre, 30 provinces, the rest prefecture-level units
spread evenly over the provinces), yearly periods 2000-2020. For each policy the centre
adopts in a random year (or never, for a quarter of the policies) and about a third of
the units adopt at random years; 50 pilots per policy among the units. Times the
study load, the hierarchy check and the classification separately (best of 3 for the
classification; wall and CPU time), with peak memory from the resource module.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd

from policydiffusion.modes import classify_modes
from policydiffusion.study import load_study


def make(n_policies: int, n_units: int, seed: int):
    rng = np.random.default_rng(seed)
    n_prov = 30
    provs = [f"P{i:02d}" for i in range(n_prov)]
    cities = [f"X{i:05d}" for i in range(n_units - n_prov - 1)]
    units = pd.DataFrame({"unit": ["C", *provs, *cities],
                          "level": ["central"] + ["province"] * n_prov + ["prefecture"] * len(cities),
                          "parent": [None] + ["C"] * n_prov + [provs[i % n_prov] for i in range(len(cities))]})
    lower = np.array(provs + cities)
    pol, unit, year = [], [], []
    pil_p, pil_u, pil_t = [], [], []
    for p in range(n_policies):
        name = f"p{p:04d}"
        k = rng.binomial(len(lower), 1 / 3)
        who = rng.choice(lower, size=k, replace=False)
        pol += [name] * k
        unit += who.tolist()
        year += rng.integers(2000, 2021, size=k).tolist()
        if rng.random() < 0.75:
            pol.append(name)
            unit.append("C")
            year.append(int(rng.integers(2003, 2018)))
        pilots = rng.choice(lower, size=50, replace=False)
        pil_p += [name] * 50
        pil_u += pilots.tolist()
        pil_t += rng.integers(2000, 2010, size=50).tolist()
    adopt = pd.DataFrame({"policy": pol, "unit": unit, "time": year})
    pilots = pd.DataFrame({"policy": pil_p, "unit": pil_u, "time": pil_t})
    return adopt, units, pilots


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", type=int, default=1000)
    ap.add_argument("--units", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    adopt, units, pilots = make(a.policies, a.units, a.seed)
    t0 = time.perf_counter()
    study = load_study(adopt, units=units, start=2000, end=2020)
    t1 = time.perf_counter()
    times, cpu = [], []
    for _ in range(3):
        s, c = time.perf_counter(), time.process_time()
        res = classify_modes(study, pilots=pilots)
        times.append(time.perf_counter() - s)
        cpu.append(time.process_time() - c)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{a.policies} policies x {a.units} units, {len(adopt):,} adoptions, "
          f"{len(pilots):,} pilot designations")
    print(f"load_study: {t1 - t0:.2f} s")
    print(f"classify_modes (incl. hierarchy check and pilot validation): best {min(times):.2f} s, "
          f"runs {', '.join(f'{x:.2f}' for x in times)}; CPU time (all threads) best "
          f"{min(cpu):.2f} s")
    print(f"load average while running: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")
    print(f"peak memory {peak:.0f} MB")
    print(res.tidy()["mode"].value_counts().to_string())


if __name__ == "__main__":
    main()
