"""Power of the SIMULATED china_mobile_gov design for the hypotheses of its example study.

    PYTHONPATH=src python3 benchmarks/bench_china_design.py [--reps 200] [--seed 1] [--jobs 2]

For ``--reps`` fresh realisations of the data-generating process (seeds drawn from
``numpy.random.SeedSequence(--seed)``, independent of the shipped seed 20240601),
the script builds the study from the generated tables, the conditional directed-dyad
risk set with the terms of ``examples/china_mobile_gov.toml``, fits the example's
models (observable outcome ``adopt``, the example's dyadic-robust standard errors)
and its heterogeneity splits, exactly as ``policydiffusion run`` does, and reports per
hypothesis the share of realisations with the expected sign and the share with the
expected sign and p < 0.05:

* H1   ``visits`` > 0 in model ``visits``;
* H2a-c ``visits:coercive``, ``visits:mimetic``, ``visits:normative`` > 0 in their
  models (and in the full model);
* H3   the ``visits`` effect in the large-gap subgroup (perf_gap >= 10) exceeds the one
  in the small-gap subgroup (significance: the subgroup difference test); also the
  large-gap effect alone;
* H4   ``same_agglomeration`` > 0 in the full model; the ``visits`` effect within the
  same agglomeration exceeds the one across agglomerations.

A realisation whose fit fails counts as neither (the failures are counted). Where
``same_agglomeration`` is constant within a gap subgroup (no same-agglomeration dyad
with a large gap), that subgroup model is refitted without it (counted as
``dropped``: the study-file run would stop there with an error). The
script also prints the plausibility of the realised data (launches by 2015 and by
2022, peak year, share of launches by emulation, visits per pair-year).

The values before issue #6 (old process, old study file) were measured with this
script at commit 9fc7f1a (``--old`` there); the numbers are in the data README.
"""

from __future__ import annotations

import argparse
import functools
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "china_mobile_gov.toml"

#: (hypothesis, description) in report order.
HYPOTHESES = [
    ("H1", "visits > 0 (model visits)"),
    ("H2a", "visits:coercive > 0 (model coercive)"),
    ("H2b", "visits:mimetic > 0 (model mimetic)"),
    ("H2c", "visits:normative > 0 (model normative)"),
    ("H2a_full", "visits:coercive > 0 (full model)"),
    ("H2b_full", "visits:mimetic > 0 (full model)"),
    ("H2c_full", "visits:normative > 0 (full model)"),
    ("H3", "visits: large gap > small gap (difference test)"),
    ("H3_large", "visits > 0 in the large-gap subgroup"),
    ("H4", "same_agglomeration > 0 (full model)"),
    ("H4_het", "visits: same agglomeration > other (difference test)"),
]


@functools.lru_cache(maxsize=1)
def _example():
    from policydiffusion.pipeline.risksets import build_terms
    from policydiffusion.studyfile import load_study_file

    sf = load_study_file(EXAMPLE)
    return sf, build_terms(sf, sf.risksets[0].terms)


def analyse_tables(tables: dict, sf, terms) -> dict[str, tuple[float, float]]:
    """(statistic, p-value) per hypothesis for one realisation (NaN where a fit failed).

    The statistic is the coefficient, or for H3 / H4_het the difference of the
    subgroup coefficients; its sign is the expected one when positive.
    """
    from policydiffusion.datasets.china_mobile_gov import china_mobile_gov_study
    from policydiffusion.errors import InvalidOptionError
    from policydiffusion.estimate import fit_hazard
    from policydiffusion.interpret import fit_subgroups
    from policydiffusion.pipeline.interpret import split_groups, without_term
    from policydiffusion.riskset import dyadic_riskset

    spec = sf.risksets[0]
    study = china_mobile_gov_study(tables=tables)
    data = dyadic_riskset(study, sf.policies.focus[0], conditional=spec.conditional,
                          start=spec.start, terms=terms).data.to_pandas()
    models = {m.name: m for m in sf.models}
    out: dict[str, tuple[float, float]] = {}

    def coef(model: str, term: str, key: str) -> None:
        m = models[model]
        try:
            t = fit_hazard(data, m.formula, link=m.link, vcov=m.vcov).tidy().set_index("term")
            out[key] = (float(t.loc[term, "estimate"]), float(t.loc[term, "p_value"]))
        except Exception:  # noqa: BLE001 - a failed fit counts as a failure
            out[key] = (np.nan, np.nan)

    coef("visits", "visits", "H1")
    coef("full", "same_agglomeration", "H4")
    for p, key in (("coercive", "H2a"), ("mimetic", "H2b"), ("normative", "H2c")):
        coef(p, f"visits:{p}", key)
        coef("full", f"visits:{p}", f"{key}_full")
    for h in sf.heterogeneity:
        m = models[h.model]
        groups, kind, _ = split_groups(data[h.by], h.split)
        formula = without_term(m.formula, h.by) if kind == "split.values" else m.formula
        key = "H3" if h.by == "perf_gap" else "H4_het"
        try:
            try:
                sg = fit_subgroups(data.assign(_g=groups), formula, by="_g", key="visits",
                                   link=m.link, vcov=m.vcov,
                                   on_separation=h.on_separation or m.on_separation)
            except InvalidOptionError:  # a term constant in a subgroup (older study files
                # with same_agglomeration in model visits): leave it out (counted in ``dropped``)
                out["dropped"] = (out.get("dropped", (0.0, 0.0))[0] + 1.0, np.nan)
                sg = fit_subgroups(data.assign(_g=groups), without_term(formula, "same_agglomeration"),
                                   by="_g", key="visits", link=m.link, vcov=m.vcov,
                                   on_separation=h.on_separation or m.on_separation)
            t = sg.tidy().assign(group=lambda d: d["group"].astype(str)).set_index("group")
            hi, lo = ("≥ 10", "< 10") if key == "H3" else ("1", "0")
            out[key] = (float(t.loc[hi, "estimate"] - t.loc[lo, "estimate"]), float(sg.p_value))
            if key == "H3":
                out["H3_large"] = (float(t.loc[hi, "estimate"]), float(t.loc[hi, "p_value"]))
        except Exception:  # noqa: BLE001
            out[key] = (np.nan, np.nan)
            if key == "H3":
                out["H3_large"] = (np.nan, np.nan)
    return out


def plausibility(tables: dict) -> dict[str, float]:
    """Launch curve, channel and visit counts of one realisation."""
    years = tables["adoptions"]["year"]
    per_year = years.value_counts().reindex(range(2014, 2023), fill_value=0)
    truth = tables["truth"]
    emul = truth.loc[truth["channel"] == "emulation", "province"].nunique()
    v = tables["visits"]
    pair_years = 31 * 30 * (v["year"].nunique() or 1)
    return {"by_2015": float((years <= 2015).sum()), "by_2022": float(len(years)),
            "peak_year": float(per_year.idxmax()), "emulated_share": emul / max(len(years), 1),
            "visits_mean": float(v["count"].sum() / pair_years), "visits_max": float(v["count"].max()),
            "visits_p99": float(np.quantile(np.r_[v["count"], np.zeros(pair_years - len(v))], 0.99))}


def _one(args: tuple) -> tuple[dict, dict]:
    seed, params = args
    from policydiffusion.simulate.china_mobile_gov import generate_china_mobile_gov

    sf, terms = _example()
    tables = generate_china_mobile_gov(int(seed), **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse_tables(tables, sf, terms), plausibility(tables)


def power(reps: int = 200, seed: int = 1, *, jobs: int = 1, **params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sign and significance shares per hypothesis over ``reps`` fresh realisations.

    ``params`` are passed to ``generate_china_mobile_gov`` (``firing``, ``innovation``,
    ``visits``). Returns the power table and the per-realisation plausibility table.
    """
    seeds = np.random.SeedSequence(seed).generate_state(reps)
    work = [(int(s), params) for s in seeds]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as ex:
            res = list(ex.map(_one, work, chunksize=4))
    else:
        res = [_one(w) for w in work]
    rows = []
    for key, text in HYPOTHESES:
        est = np.array([r[0][key][0] for r in res])
        p = np.array([r[0][key][1] for r in res])
        ok = np.isfinite(est)
        rows.append({"hypothesis": key, "test": text, "expected_sign": float(np.mean(ok & (est > 0))),
                     "significant": float(np.mean(ok & (est > 0) & (p < 0.05))),
                     "median": float(np.nanmedian(est)), "failed": int((~ok).sum())})
    plaus = pd.DataFrame([{**r[1], "dropped": r[0].get("dropped", (0.0,))[0]} for r in res])
    return pd.DataFrame(rows), plaus


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    table, plaus = power(args.reps, args.seed, jobs=args.jobs)
    print(f"china_mobile_gov design (shipped values): {args.reps} realisations, SeedSequence({args.seed}), "
          f"{time.perf_counter() - t0:.1f} s")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print("\nplausibility (median [5%, 95%] over realisations):")
    for c in plaus.columns:
        q = plaus[c].quantile([0.5, 0.05, 0.95]).to_numpy()
        print(f"  {c:15s} {q[0]:8.3f} [{q[1]:.3f}, {q[2]:.3f}]")


if __name__ == "__main__":
    main()
