"""Benchmark: the pooled conditional directed-dyad risk set over all 728 SPID policies.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_riskset.py [--subset 150] [--out benchmarks/_data]

What it measures (each build runs in its own subprocess, so peak memory is that build's
own high-water mark, ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, imports included):

1. policydiffusion (polars, lazy plan, one Parquet file per batch of policies via
   ``RiskSet.sink_parquet_dataset``) over ALL SPID policies: row count, time, peak RSS.
   Also once with a few terms (neighbours, national share, duration polynomial,
   source timing, contiguity).
2. The same rows for the first ``--subset`` policies, built by policydiffusion and by a
   straightforward pandas implementation (explode the unit-years, merge with the prior
   adopters, filter), both written to Parquet; the script checks that both give the
   same rows and prints the ratio of times and peak memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r'''
import json, resource, sys, time
mode, out, n_subset, with_terms = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
import numpy as np, pandas as pd, polars as pl
from policydiffusion.datasets import spid_study
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
study = spid_study()
policies = study.policy_ids if n_subset == 0 else study.policy_ids[:n_subset]
t0 = time.perf_counter()
if mode == "polars":
    from policydiffusion import terms as T
    from policydiffusion.riskset import dyadic_riskset
    terms = [T.neighbors_adopted(), T.national_share(), T.duration_poly(),
             T.source_time_since_adoption(), T.contiguous()] if with_terms else []
    rs = dyadic_riskset(study, policies=policies, conditional=True, terms=terms, lazy=True)
    rs.sink_parquet_dataset(out, policies_per_file=16)
else:
    # a straightforward pandas implementation of the same rows
    units = study.units.to_pandas()[["unit"]]
    adopt = study.adoptions.to_pandas()[["policy", "unit", "period"]]
    adopt = adopt[adopt["policy"].isin(policies)]
    first = adopt.groupby("policy")["period"].min().rename("start").reset_index()
    pairs = first.merge(units, how="cross").merge(adopt, on=["policy", "unit"], how="left")
    pairs["last"] = pairs["period"].fillna(study.end).astype(int)
    pairs["years"] = [list(range(s, l + 1)) for s, l in zip(pairs["start"], pairs["last"])]
    mono = pairs.explode("years").rename(columns={"years": "t", "period": "T"})
    mono["t"] = mono["t"].astype(int)
    mono["duration"] = mono["t"] - mono["start"] + 1
    mono["adopt"] = (mono["T"] == mono["t"]).astype("int8")
    src = adopt.rename(columns={"unit": "source", "period": "T_src"})
    dy = mono.merge(src, on="policy")
    dy = dy[(dy["T_src"] < dy["t"]) & (dy["source"] != dy["unit"])]
    dy = pd.DataFrame({"policy": dy["policy"], "unit": dy["unit"], "source": dy["source"],
                       "period": dy["t"].astype("int32"), "duration": dy["duration"].astype("int32"),
                       "adopt": dy["adopt"], "adopt_after_source": dy["adopt"],
                       "source_adopted": np.int8(1)})
    dy = dy.sort_values(["policy", "unit", "period", "source"])
    dy.to_parquet(out + ".parquet", index=False)
seconds = time.perf_counter() - t0
path = out if mode == "polars" else out + ".parquet"
df = pl.scan_parquet(path + "/*.parquet" if mode == "polars" else path)
rows = df.select(pl.len()).collect().item()
check = (df.select(pl.col("policy", "unit", "source", "period", "adopt"))
         .select(pl.col("period").cast(pl.Int64).sum(), pl.col("adopt").cast(pl.Int64).sum(),
                 pl.col("unit").str.len_bytes().cast(pl.Int64).sum()).collect().row(0))
print(json.dumps({"mode": mode, "policies": len(policies), "rows": rows, "seconds": seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_after_imports_mb": base_rss, "checksum": list(check)}))
'''


def run(mode: str, out: Path, subset: int, with_terms: bool = False) -> dict:
    res = subprocess.run([sys.executable, "-c", CHILD, mode, str(out), str(subset),
                          "1" if with_terms else "0"], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--subset", type=int, default=150, help="policies for the pandas comparison")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/_data"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    full = run("polars", args.out / "spid_dyad_full", 0)
    print(f"SPID pooled conditional dyadic risk set, all {full['policies']} policies "
          f"(policydiffusion/polars, sink_parquet_dataset):")
    print(f"  rows {full['rows']:,}  time {full['seconds']:.1f} s  peak RSS "
          f"{full['peak_rss_mb']:.0f} MB (after imports {full['rss_after_imports_mb']:.0f} MB)")
    terms = run("polars", args.out / "spid_dyad_terms", 0, with_terms=True)
    print(f"  with 5 terms: time {terms['seconds']:.1f} s  peak RSS {terms['peak_rss_mb']:.0f} MB")

    pol = run("polars", args.out / "spid_dyad_subset", args.subset)
    pan = run("pandas", args.out / "spid_dyad_subset_pandas", args.subset)
    same = pol["rows"] == pan["rows"] and pol["checksum"] == pan["checksum"]
    print(f"First {pol['policies']} policies ({pol['rows']:,} rows; identical rows: {same}):")
    print(f"  polars {pol['seconds']:.2f} s / {pol['peak_rss_mb']:.0f} MB;  pandas "
          f"{pan['seconds']:.2f} s / {pan['peak_rss_mb']:.0f} MB")
    print(f"  pandas / polars: time x{pan['seconds'] / pol['seconds']:.1f}, peak memory "
          f"x{pan['peak_rss_mb'] / pol['peak_rss_mb']:.1f}")
    if not same:
        raise SystemExit("pandas and polars rows differ")


if __name__ == "__main__":
    main()
