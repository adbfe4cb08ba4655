"""Re-invention on the shipped series: sources, drift and the netinf comparison.

    PYTHONPATH=src python3 examples/reinvention_shipped.py [OUTDIR]

Runs the whole re-invention path on the 文明行为促进条例 series (42 texts) and on the
stand-your-ground and paid-sick-leave bills, prints the five strongest source links
and the re-invention index of each policy, compares text sources with netinf's edges
inferred from adoption timing alone, and writes the drift figures (English and
Chinese) to OUTDIR (default: the current folder).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from policydiffusion.datasets import load_dataset  # noqa: E402
from policydiffusion.networks import cascades_from_table, netinf  # noqa: E402
from policydiffusion.reinvention import (compare_netinf, content_changes, likely_sources,  # noqa: E402
                                         pair_similarity, read_texts, reinvention_index)


def run(name: str, frame, time_col: str, out: Path) -> None:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        texts = read_texts(frame[["policy", "unit", "text"]],
                           adoptions=frame[["policy", "unit", time_col]])
    pairs = pair_similarity(texts, n_jobs=2)
    src = likely_sources(pairs, texts)
    print(f"== {name}: {len(texts.table)} texts, {time.perf_counter() - t0:.1f} s")
    print(texts.summary())
    trunc = texts.table.loc[texts.table["truncated"], ["unit", "truncation"]]
    for r in trunc.itertuples(index=False):
        print(f"  truncated: {r.unit}: {r.truncation}")
    print("five strongest source links (source -> adopter):")
    print(src.summary())
    for policy, g in pairs.pairs.groupby("policy"):
        top = g[g["i"] < g["j"]].nlargest(5, "similarity")
        print(f"{policy}: five most similar pairs (any order):")
        for r in top.itertuples(index=False):
            print(f"  {r.i} ~ {r.j}  similarity {r.similarity:.3f}, longest shared passage "
                  f"{r.longest} tokens: {r.longest_passage[:60]!r}")
    for ref in ("first", "central"):
        print(reinvention_index(src, reference=ref, pairs=pairs).summary())
    ch = content_changes(texts, src).counts
    print("changes vs source (mean per adopter): "
          + ", ".join(f"{k} {ch[k].mean():.1f}" for k in ("kept", "changed", "added", "dropped",
                                                          "not_comparable")))
    if "province" in frame:
        prov = dict(zip(frame["unit"], frame["province"]))
        links = src.table.dropna(subset=["source"])
        same = (links["unit"].map(prov) == links["source"].map(prov)).mean()
        # baseline: the chance that a random earlier adopter is in the same province
        t = src.table
        chance = [(t.loc[t["time"] < r.time, "unit"].map(prov) == prov[r.unit]).mean()
                  for r in links.itertuples(index=False)]
        print(f"sources in the adopter's own province: {same:.3f} of {len(links)} links "
              f"(a random earlier adopter: {sum(chance) / len(chance):.3f})")
    # one policy is one cascade, and netinf's edge test compares cascades (it refuses a
    # single one): the comparison with inferred networks uses other policies (spid_comparison)
    for policy in src.table["policy"].unique():
        print(f"{policy}: one cascade; netinf needs at least two, so no network of its own")
    if name == "us_bills":
        spid_comparison(src)
    for lang in ("en", "zh"):
        reinvention_index(src).plot(lang=lang).savefig(out / f"drift_{name}_{lang}.svg")


def spid_comparison(src) -> None:
    """netinf on the other 727 SPID policies (as Linder et al. compare reuse with networks)."""
    spid = load_dataset("spid_adoptions")
    spid = spid[spid["policy"] != "standground"]  # leave the policy itself out
    abb = load_dataset("us_state_regions").set_index("state_name")["state_abb"]
    spid = spid.assign(state=spid["state"].map(abb))
    casc = cascades_from_table(spid, cascade_col="policy", node_col="state", time_col="adoption_year")
    net = netinf(casc, p_value_cutoff=0.05)
    syg = src.table[src.table["policy"] == "stand_your_ground"]
    from policydiffusion.reinvention import Sources
    cmp = compare_netinf(net, Sources(syg), n_permutations=2000, seed=1)
    print(f"stand_your_ground vs netinf on SPID (727 other policies, {len(net.edges)} edges, "
          f"p < 0.05): {cmp.summary()}")


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    out.mkdir(parents=True, exist_ok=True)
    run("china_civility", load_dataset("china_civility_texts"), "date", out)
    en = load_dataset("english_bill_texts")
    run("us_bills", en, "year", out)
