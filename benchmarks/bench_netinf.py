"""Time netinf on SPID (728 cascades, 50 nodes): exponential model, automatic rate,
p-value cutoff 0.05 (the NetworkInference vignette's run), against the R package.

    python benchmarks/bench_netinf.py [--repeat 3] [--r-lib /path/to/R/library]

R is used when ``Rscript`` is on PATH and ``library(NetworkInference)`` loads (from
``--r-lib`` or the environment variable NETINF_R_LIB if given); otherwise only our time
is printed. Both sides time the netinf call alone, on cascades built beforehand.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from policydiffusion.datasets import dataset_path, load_dataset  # noqa: E402
from policydiffusion.networks import cascades_from_table, netinf  # noqa: E402

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
lib <- if (nchar(args[2]) > 0) args[2] else NULL
suppressMessages(library(NetworkInference, lib.loc = lib))
Sys.setlocale("LC_COLLATE", "C")
d <- read.csv(args[1], stringsAsFactors = FALSE)
cas <- as_cascade_long(d, cascade_node_name = "state", event_time = "adoption_year",
                       cascade_id = "policy")
best <- Inf
for (i in seq_len(as.integer(args[3]))) {
  t0 <- proc.time()[["elapsed"]]
  r <- netinf(cas, trans_mod = "exponential", p_value_cutoff = 0.05, quiet = TRUE)
  best <- min(best, proc.time()[["elapsed"]] - t0)
}
cat(sprintf("%.4f %d %s\n", best, nrow(r), packageVersion("NetworkInference")))
"""


def time_r(repeat: int, lib: str) -> tuple[float, int, str] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(R_SCRIPT)
    proc = subprocess.run(["Rscript", fh.name, str(dataset_path("spid_policy_adoptions.csv")),
                           lib, str(repeat)], capture_output=True, text=True)
    os.unlink(fh.name)
    if proc.returncode != 0:
        return None
    secs, n, version = proc.stdout.split()[-3:]
    return float(secs), int(n), version


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--r-lib", default=os.environ.get("NETINF_R_LIB", ""))
    args = ap.parse_args()
    cas = cascades_from_table(load_dataset("spid_adoptions"), cascade_col="policy",
                              node_col="state", time_col="adoption_year", order="input")
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = netinf(cas, p_value_cutoff=0.05, compat="networkinference")  # the package's run
        best = min(best, time.perf_counter() - t0)
    print(f"policydiffusion netinf on SPID ({cas.n_cascades} cascades, {cas.n_nodes} nodes): "
          f"{best:.3f} s (best of {args.repeat}), {res.n_edges} edges, rate {res.params[0]:.6f}")
    print("first five edges:")
    for r in res.edges.head(5).itertuples(index=False):
        print(f"  {r.origin} -> {r.destination}  improvement {r.improvement:.4f}  p {r.p_value:.3g}")
    r_out = time_r(args.repeat, args.r_lib)
    if r_out is None:
        print("R with NetworkInference was not found; only our time is shown.")
        return
    r_secs, r_edges, version = r_out
    print(f"R NetworkInference {version}: {r_secs:.3f} s (best of {args.repeat}), {r_edges} edges")
    print(f"speed-up: {r_secs / best:.1f}x; same edge count: {r_edges == res.n_edges}")


if __name__ == "__main__":
    main()
