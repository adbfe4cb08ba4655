"""SIMULATED study data: provincial mobile-government platform launches, China 2014-2022.

Everything this module produces is **simulated** (synthetic) data. It follows the
design of a published directed-dyad study of provincial mobile-government platforms
(Lin et al.): 31 mainland provinces, officials' offsite study visits from province i
to province j, coercive, mimetic and normative pressure, e-government performance
gaps and shared urban agglomerations. The provinces, their regions, centroids, land
borders and urban agglomerations are real (the shipped geo files); every number
attached to them (scores, visits, pilots, network membership, launch dates) is
drawn from the process below. Do not cite it as evidence about China.

Process (all covariates of year t enter the hazard of year t + 1, "lag 1"):

1. e-government performance score (0-100) per province and year: a provincial level
   (NBS region effect, a bonus for the e-government leaders Beijing, Shanghai,
   Jiangsu, Zhejiang and Guangdong, plus noise), a common upward trend and AR(1)
   shocks, rounded to 0.1.
2. Officials' study visits i -> j per year: Poisson counts with log mean falling with
   centroid distance (floored at 250 km), higher within an urban agglomeration and
   toward better performers (score of j), with a sender effect.
3. Coercive pressure: two central directives (2015, 2016) each naming 12 key
   provinces, and designation as a central pilot province (10 provinces, 2015 or
   2016); ``coercive`` = number in force for the province (0-3). Normative
   pressure: membership of a national e-government expert network (0/1, joined
   2013-2015, more often by better performers). Mimetic pressure: ``region_share``,
   the share of the other provinces of i's NBS region launched by t - 1.
4. Launches from the directed-dyad emulation process of
   :func:`policydiffusion.simulate.simulate_dyadic`: in year t every province i that
   has not launched and every province j that launched by t - 1 form a dyad that
   fires (i emulates j) with logit probability

       eta = b0 + b1 visits + b2 coercive + b3 region_share + b4 normative
             + b5 large_gap + b6 visits:coercive + b7 visits:region_share
             + b8 visits:normative + b9 visits:large_gap + b10 same_agglomeration

   where visits = visits i -> j in t - 1, coercive / normative / region_share =
   i's values in t - 1, large_gap = 1 if j's score exceeds i's by at least 10
   points in t - 1, same_agglomeration = i and j in the same urban agglomeration.
   The pressures act only through the visits (b2 = b3 = b4 = b5 = 0): each
   strengthens the effect of a visit, and a visit to a province far ahead counts
   far more than one to a peer. A province may also launch on its own
   ("innovation", a monadic logit in its lagged score and the national share
   launched, so that pioneers innovate and latecomers emulate). It launches in t if
   any dyad fires or it innovates; the launch date is a uniformly drawn day of that
   year. ``benchmarks/bench_china_design.py`` measures how often the example
   study's analysis of the observable launches shows each pattern.

Run ``python -m policydiffusion.simulate.china_mobile_gov --write`` to write the
shipped files (``datasets/data/china_mobile_gov/``); regenerating with the shipped
seed reproduces them byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from policydiffusion.datasets import china_provinces_units, dataset_path
from policydiffusion.simulate._common import formula_of, package_versions
from policydiffusion.simulate.dyadic import simulate_dyadic

__all__ = ["generate_china_mobile_gov", "china_mobile_gov_dgp", "write_china_mobile_gov",
           "SEED", "FIRING_COEFS", "INNOVATION_COEFS"]

SEED = 20240601
FIRST_YEAR, LAST_YEAR = 2014, 2022
PRE_YEAR = FIRST_YEAR - 1  # covariates and visits start one year early (lag 1)
GAP_THRESHOLD = 10.0

#: Firing (emulation) model of dyad (i, j, t): logit coefficients.
#: The pressures act through the visits (no effect without a visit); a visit to a
#: province at least GAP_THRESHOLD points ahead counts far more than one to a peer.
FIRING_COEFS: dict[str, float] = {
    "Intercept": -5.0,
    "visits": 0.3,
    "coercive": 0.0,
    "region_share": 0.0,
    "normative": 0.0,
    "large_gap": 0.0,
    "visits:coercive": 1.4,
    "visits:region_share": 4.0,
    "visits:normative": 2.0,
    "visits:large_gap": 2.5,
    "same_agglomeration": 3.0,
}

#: Monadic innovation hazard of province i in year t: logit coefficients
#: (egov_score_c = (score in t - 1 - 60) / 10).
INNOVATION_COEFS: dict[str, float] = {
    "Intercept": -3.2,
    "egov_score_c": 1.0,
    "national_share": -3.0,
}

#: Visits i -> j in year t ~ Poisson(exp(...)): log-mean coefficients.
VISIT_COEFS: dict[str, float] = {
    "Intercept": -3.0,
    "log_distance_1000km": -1.5,
    "distance_floor_km": 250.0,
    "same_agglomeration": 1.0,
    "target_score_c": 0.35,
    "year_trend": 0.06,
    "sender_sd": 0.2,
}

#: The process shipped before issue #6 (for the data README's comparison).
BEFORE_ISSUE_6 = {
    "firing": {"Intercept": -5.3, "visits": 0.2, "coercive": 0.3, "national_share": 0.5,
               "normative": 0.2, "large_gap": 0.2, "visits:coercive": 0.3,
               "visits:national_share": 1.0, "visits:normative": 0.6, "visits:large_gap": 1.5,
               "same_agglomeration": 1.2},
    "innovation": {"Intercept": -3.0, "egov_score_c": 0.8, "coercive": 0.3},
    "visits": {"Intercept": -2.4, "log_distance_1000km": -1.0, "same_agglomeration": 0.9,
               "target_score_c": 0.35, "year_trend": 0.06, "sender_sd": 0.3},
}

REGION_EFFECT = {"East": 7.0, "Central": 0.0, "Northeast": -2.0, "West": -6.0}
#: E-government leaders (Beijing, Shanghai, Jiangsu, Zhejiang, Guangdong): a higher level,
#: so that each large urban agglomeration has a core ahead of its periphery.
LEADERS = ("110000", "310000", "320000", "330000", "440000")
LEADER_BONUS = 8.0
#: Central directives: name -> (year, number of provinces it names as key provinces).
DIRECTIVES = {"central_directive_2015": (2015, 12), "central_directive_2016": (2016, 12)}
#: Expert network: yearly joining probability below / above the median score, and the
#: years in which provinces join.
NETWORK = {"p_low": 0.15, "p_high": 0.30, "join_years": (PRE_YEAR, 2015)}
N_PILOTS = 10
PILOT_YEARS = (2015, 2016)
NOTE = ("SIMULATED DATA. Real provinces, regions, borders and urban agglomerations; every "
        "score, visit, pilot designation, network membership and launch date is drawn from a "
        "known data-generating process (see dgp.json). Not evidence about China.")


def _haversine_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    dlo = lo[None, :] - lo[:, None]
    dla = la[None, :] - la[:, None]
    a = np.sin(dla / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlo / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _exogenous(seed: int, vc: dict[str, float] = VISIT_COEFS) -> dict:
    """Scores, visits, pilots and network membership (no adoption involved)."""
    units = china_provinces_units()
    n = len(units)
    years = np.arange(PRE_YEAR, LAST_YEAR + 1)
    T = len(years)
    s_score, s_visit, s_events, s_dates = np.random.SeedSequence(seed).spawn(4)

    rng = np.random.default_rng(s_score)
    lead = units["unit"].isin(LEADERS).to_numpy(float) * LEADER_BONUS
    base = (58.0 + units["region"].map(REGION_EFFECT).to_numpy(float) + lead
            + 6.0 * rng.standard_normal(n))
    shocks = np.zeros((T, n))
    shocks[0] = 2.5 * rng.standard_normal(n)
    for t in range(1, T):
        shocks[t] = 0.6 * shocks[t - 1] + 2.0 * rng.standard_normal(n)
    score = base[None, :] + 2.0 * (years - PRE_YEAR)[:, None] + shocks
    score = np.round(np.clip(score, 20.0, 99.0), 1)

    agg = units["agglomeration"].to_numpy(str)
    same_agg = ((agg[:, None] == agg[None, :]) & (agg[:, None] != "")).astype(float)
    np.fill_diagonal(same_agg, 0.0)
    dist = _haversine_km(units["centroid_lon"].to_numpy(float), units["centroid_lat"].to_numpy(float))
    rng = np.random.default_rng(s_visit)
    sender = vc["sender_sd"] * rng.standard_normal(n)
    visits = np.zeros((T, n, n), dtype=np.int64)
    with np.errstate(divide="ignore"):
        logd = np.log(np.maximum(dist, vc.get("distance_floor_km", 0.0)) / 1000.0)
    for t in range(T):
        lm = (vc["Intercept"] + vc["log_distance_1000km"] * logd
              + vc["same_agglomeration"] * same_agg
              + vc["target_score_c"] * ((score[t] - 60.0) / 10.0)[None, :]
              + vc["year_trend"] * (years[t] - PRE_YEAR) + sender[:, None])
        mu = np.exp(np.where(np.eye(n, dtype=bool), -np.inf, lm))
        visits[t] = rng.poisson(mu)
    np.fill_diagonal(visits[0], 0)

    rng = np.random.default_rng(s_events)
    w = np.exp((score[0] - score[0].mean()) / 10.0)
    pilots = rng.choice(n, size=N_PILOTS, replace=False, p=w / w.sum())
    pilot_year = rng.integers(PILOT_YEARS[0], PILOT_YEARS[1] + 1, size=N_PILOTS)
    pilot = np.zeros((T, n))
    for k, y in zip(pilots, pilot_year):
        pilot[years >= y, k] = 1.0
    # expert network: each year of the joining window a province joins with a probability,
    # higher for better performers (above the median score of PRE_YEAR)
    join = np.full(n, 10_000)
    window = (years >= NETWORK["join_years"][0]) & (years <= NETWORK["join_years"][1])
    for k in range(n):
        p = NETWORK["p_high"] if score[0, k] > np.median(score[0]) else NETWORK["p_low"]
        draws = rng.random(T)
        hit = np.nonzero(window & (draws < p))[0]
        if hit.size:
            join[k] = years[hit[0]]
    network = (years[:, None] >= join[None, :]).astype(float)
    # central directives, each naming its own set of key provinces (drawn uniformly)
    directives = np.zeros((T, n))
    named = {}
    for name, (y, k) in DIRECTIVES.items():
        named[name] = np.sort(rng.choice(n, size=k, replace=False))
        directives[np.ix_(years >= y, named[name])] += 1.0
    coercive = directives + pilot
    return {"units": units, "years": years, "score": score, "visits": visits, "same_agg": same_agg,
            "dist": dist, "pilots": pilots, "pilot_year": pilot_year, "network": network,
            "join": join, "coercive": coercive, "named": named, "s_dates": s_dates, "n": n}


def _lagged_inputs(ex: dict) -> tuple[dict, dict, dict]:
    """Arrays for risk years FIRST_YEAR..LAST_YEAR built from the year before."""
    prev = slice(0, -1)  # rows PRE_YEAR..LAST_YEAR-1
    score = ex["score"][prev]
    gap = score[:, None, :] - score[:, :, None]  # [t, i, j] = score_j - score_i
    dyad = {
        "visits": ex["visits"][prev].astype(float),
        "large_gap": (gap >= GAP_THRESHOLD).astype(float),
        "same_agglomeration": np.broadcast_to(ex["same_agg"], gap.shape).copy(),
    }
    recv = {
        "coercive": ex["coercive"][prev],
        "normative": ex["network"][prev],
        "egov_score_c": (score - 60.0) / 10.0,
    }
    return dyad, recv, {"score_gap": gap}


def generate_china_mobile_gov(seed: int = SEED, *, firing: dict | None = None,
                              innovation: dict | None = None,
                              visits: dict | None = None) -> dict[str, pd.DataFrame]:
    """Generate the SIMULATED provincial mobile-government study (see module notes).

    Parameters
    ----------
    seed
        Seed of every random step (the shipped files use :data:`SEED`).
    firing, innovation, visits
        Override the firing, innovation and visit coefficients (for power studies;
        ``visits`` updates :data:`VISIT_COEFS` key by key).

    Returns
    -------
    dict of pandas.DataFrame
        ``adoptions`` (province, launch_date, year), ``units``, ``covariates``
        (province-year panel 2013-2022), ``visits`` (year, from, to, count; non-zero
        counts), ``events`` (event, start, unit), ``truth`` (year, province, source,
        channel: the simulated emulation and innovation events, not observable in
        real data) and ``dyads`` (the conditional directed-dyad risk set with the
        DGP's covariates and the ``emulated`` and ``adopt_after_source`` outcomes).

    Examples
    --------
    >>> d = generate_china_mobile_gov()
    >>> sorted(d)
    ['adoptions', 'covariates', 'dyads', 'events', 'truth', 'units', 'visits']
    >>> bool(d["adoptions"]["year"].between(2014, 2022).all())
    True
    """
    ex = _exogenous(seed, {**VISIT_COEFS, **(visits or {})})
    units: pd.DataFrame = ex["units"]
    codes = units["unit"].tolist()
    dyad, recv, extra = _lagged_inputs(ex)
    risk_years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    sim = simulate_dyadic(
        codes, risk_years,
        coefs=dict(firing or FIRING_COEFS),
        dyad_covariates=dyad, receiver_covariates=recv,
        group_shares={"region_share": units["region"].tolist()},
        innovation=dict(innovation or INNOVATION_COEFS),
        link="logit", seed=int(np.random.SeedSequence(seed).spawn(5)[4].generate_state(1)[0]),
    )
    years = ex["years"]
    n = ex["n"]
    idx = {c: k for k, c in enumerate(codes)}

    # adoptions with a launch date drawn uniformly within the year
    adopt = sim.adoptions.to_pandas().sort_values(["period", "unit"], kind="stable")
    rng = np.random.default_rng(ex["s_dates"])
    day = rng.random(n)  # one draw per province, in province order
    dates = []
    for u, y in zip(adopt["unit"], adopt["period"]):
        ndays = 366 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 365
        d = _dt.date(int(y), 1, 1) + _dt.timedelta(days=int(math.floor(day[idx[u]] * ndays)))
        dates.append(d.isoformat())
    adoptions = pd.DataFrame({"province": adopt["unit"].to_numpy(), "launch_date": dates,
                              "year": adopt["period"].to_numpy(np.int64)})

    # covariates: the state of each province in year t (the DGP uses t - 1)
    launch = dict(zip(adoptions["province"], adoptions["year"]))
    launched = np.array([[launch.get(c, 10_000) <= y for c in codes] for y in years], dtype=float)
    others = (launched.sum(axis=1, keepdims=True) - launched) / (n - 1)
    region = units["region"].to_numpy(str)
    same_reg = (region[:, None] == region[None, :]) & ~np.eye(n, dtype=bool)
    reg_share = (launched @ same_reg.T.astype(float)) / same_reg.sum(axis=1)[None, :]
    pilot_now = np.zeros((len(years), n))
    for k, y in zip(ex["pilots"], ex["pilot_year"]):
        pilot_now[years >= y, k] = 1.0
    cov = pd.DataFrame({
        "province": np.tile(codes, len(years)),
        "year": np.repeat(years, n),
        "egov_score": ex["score"].ravel(),
        "coercive": ex["coercive"].ravel().astype(np.int64),
        "central_pilot": pilot_now.ravel().astype(np.int64),
        "normative": ex["network"].ravel().astype(np.int64),
        "national_share": np.round(others.ravel(), 6),
        "region_share": np.round(reg_share.ravel(), 6),
    }).sort_values(["province", "year"], kind="stable").reset_index(drop=True)

    v = ex["visits"]
    t_, i_, j_ = np.nonzero(v)
    visits = pd.DataFrame({"year": years[t_], "from": np.asarray(codes)[i_],
                           "to": np.asarray(codes)[j_], "count": v[t_, i_, j_]})

    ev = [(name, y, codes[k], "named as key province by the central directive")
          for name, (y, _) in DIRECTIVES.items() for k in ex["named"][name]]
    for k, y in sorted(zip(ex["pilots"], ex["pilot_year"]), key=lambda r: (r[1], codes[r[0]])):
        ev.append(("central_pilot", int(y), codes[k], "designated central pilot province"))
    events = pd.DataFrame(ev, columns=["event", "start", "unit", "description"])

    unit_cols = units[["unit", "name", "name_zh", "region", "geo_region", "agglomeration",
                       "centroid_lon", "centroid_lat"]].rename(columns={"unit": "province"})

    dy = sim.dyads.to_pandas()
    truth_rows = []
    fired = dy[dy["emulated"] == 1]
    for r in fired.itertuples():
        truth_rows.append((int(r.period), r.unit, r.source, "emulation"))
    mono = sim.units_at_risk.to_pandas()
    for r in mono[mono["innovated"] == 1].itertuples():
        truth_rows.append((int(r.period), r.unit, "", "innovation"))
    truth = pd.DataFrame(truth_rows, columns=["year", "province", "source", "channel"]).sort_values(
        ["year", "province", "channel", "source"], kind="stable").reset_index(drop=True)
    # dyads: add the (unrounded) score gap for reference
    ti = (dy["period"].to_numpy() - FIRST_YEAR)
    ii = dy["unit"].map(idx).to_numpy()
    jj = dy["source"].map(idx).to_numpy()
    dy.insert(3, "score_gap", np.round(extra["score_gap"][ti, ii, jj], 1))
    dy = dy.rename(columns={"unit": "province"})
    return {"adoptions": adoptions, "units": unit_cols, "covariates": cov, "visits": visits,
            "events": events, "truth": truth, "dyads": dy}


def china_mobile_gov_dgp(seed: int = SEED) -> dict:
    """The data-generating process as a JSON-ready dict (written to ``dgp.json``).

    Examples
    --------
    >>> china_mobile_gov_dgp()["simulated"]
    True
    """
    return {
        "simulated": True,
        "note": NOTE,
        "dataset": "china_mobile_gov",
        "seed": seed,
        "design": "directed-dyad emulation process; conditional dyadic risk set "
                  "(i not launched by t-1, j launched by t-1); all covariates lag 1",
        "years": [FIRST_YEAR, LAST_YEAR],
        "covariate_years": [PRE_YEAR, LAST_YEAR],
        "link": "logit",
        "firing_formula": formula_of(FIRING_COEFS, "emulated"),
        "firing_coefs": FIRING_COEFS,
        "innovation_formula": formula_of(INNOVATION_COEFS, "innovated"),
        "innovation_coefs": INNOVATION_COEFS,
        "variables": {
            "visits": "count of officials' study visits i -> j in year t-1 (visits.csv)",
            "coercive": "i's coercive pressure in t-1: central directives naming i as a key "
                        "province in force (2015, 2016) + central pilot designation in force (0-3)",
            "region_share": "mimetic pressure: share of the other provinces of i's NBS region "
                            "launched by t-1",
            "national_share": "share of the other 30 provinces launched by t-1 (innovation only)",
            "normative": "i in the national e-government expert network in t-1 (0/1)",
            "large_gap": f"egov_score of j minus egov_score of i in t-1 >= {GAP_THRESHOLD:g}",
            "same_agglomeration": "i and j in the same urban agglomeration (units.csv)",
            "egov_score_c": "(i's egov_score in t-1 - 60) / 10",
        },
        "visit_coefs": VISIT_COEFS,
        "score_process": {"base": 58.0, "region_effect": REGION_EFFECT, "leaders": list(LEADERS),
                          "leader_bonus": LEADER_BONUS, "province_sd": 6.0,
                          "trend_per_year": 2.0, "ar1": 0.6, "shock_sd": 2.0,
                          "initial_shock_sd": 2.5, "rounding": 0.1, "clip": [20.0, 99.0]},
        "events": {"directives": DIRECTIVES, "n_pilots": N_PILOTS, "pilot_years": list(PILOT_YEARS)},
        "gap_threshold": GAP_THRESHOLD,
        "generator": "policydiffusion.simulate.china_mobile_gov.generate_china_mobile_gov",
        "versions": package_versions(),
    }


_README = """# china_mobile_gov: SIMULATED provincial mobile-government platform launches (2014-2022)

**These are simulated data.** The 31 mainland provinces, their names, NBS regions,
centroids, land borders and urban agglomerations are real (from the shipped geo files).
Every number attached to them (e-government scores, officials' study visits, central
pilot designations, expert-network membership, platform launch dates) was drawn from a
known data-generating process. Use them to learn and test directed-dyad event-history
methods; do not cite them as evidence about China.

The design follows a published directed-dyad study of provincial mobile-government
platforms (Lin et al.): do officials' offsite study visits from province i to province j
raise i's chance of launching after j launched, and do coercive, mimetic and normative
pressure, the e-government performance gap and a shared urban agglomeration moderate it?

## Files

| file | content |
| --- | --- |
| `adoptions.csv` | province (GB/T code), launch_date (YYYY-MM-DD), year; one row per launching province |
| `units.csv` | province, name, name_zh, region (NBS), geo_region, agglomeration, centroid_lon, centroid_lat |
| `covariates.csv` | province-year panel {pre}-{last}: egov_score, coercive (0-3: central directives naming the province and central pilot designation in force), central_pilot, normative (expert network 0/1), national_share and region_share (share of the other provinces, of the same NBS region, launched by the end of that year) |
| `visits.csv` | year, from, to, count: officials' study visits (non-zero counts only) |
| `events.csv` | event, start, unit, description: central directives (one row per province named as a key province) and central pilot designations |
| `truth.csv` | the simulated mechanism: year, province, source, channel (`emulation`: i emulated source j; `innovation`: launched on its own). Not observable in real data. |
| `dgp.json` | the process, its parameter values, formula, seed, versions and a `note` |

Every covariate is the state in that year; the process uses the previous year's values
(lag 1), as the risk-set terms do by default. Covariates and visits start in {pre} so
that the lagged values of {first} exist.

## The process

In year t, every province i that has not launched and every province j that launched by
t-1 form a directed dyad that "fires" (i emulates j) with probability logit^-1(eta):

    {formula}

| term | value | before issue #6 |
| --- | --- | --- |
{table}

Definitions: visits = visits i -> j in t-1; coercive = central directives naming i as
a key province (2015, 2016) plus a central pilot designation, in force for i in t-1;
region_share = share of the other provinces of i's NBS region launched by t-1 (mimetic
pressure); normative = i in the national expert network in t-1; large_gap = j's
egov_score exceeds i's by at least {gap:g} points in t-1; same_agglomeration = i and j
in the same urban agglomeration. The pressures and the gap act only through the
visits (their main effects are 0): without a visit only the intercept and a shared
agglomeration matter.

A province can also launch on its own ("innovation"): logit^-1({innov}),
national_share = share of the other provinces launched by t-1: pioneers innovate,
latecomers emulate.
(Before issue #6: logit^-1({old_innov}); coercive then counted two directives in force
for all provinces (2016, 2018) plus a pilot designation in 2015-2019, and the network
was joined in any year.) Visits i -> j in a year are Poisson counts; log-mean
coefficients (`visit_coefs` in dgp.json): {visits} (before: {old_visits}; no distance
floor and no leaders' score bonus).
It launches in t if any of its dyads fires or it innovates, and then leaves the risk
set. The launch date is a uniform day of that year. Seed: {seed}.

**What recovers what.** The per-dyad firing indicator (`emulated`, from `truth.csv`) is
an exact Bernoulli outcome on the conditional dyad rows up to and including i's launch
year, so a directed-dyad logit of `emulated` on the terms above recovers the values in
the table (the package's tests check that the 95% intervals cover them). What a
researcher observes is `adopt_after_source` (i launches in t, j launched before t), which
is 1 on every dyad of a launching province, including sources it did not emulate and
launches by innovation; its logit estimates point the same way but are not the table's
values.

**What the example analysis finds, and how often (issue #6).** Parameters were chosen
(not the seed) so that the analysis a researcher runs on the observable launches,
`examples/china_mobile_gov.toml` (conditional directed-dyad logit of `adopt`,
dyadic-robust standard errors), shows the hypothesised patterns in most realisations.
`benchmarks/bench_china_design.py` generates 200 fresh realisations (seeds from
`SeedSequence(1)`, independent of the shipped seed), fits the example's models and
subgroups, and counts the realisations with the expected sign and with the expected
sign and p < 0.05. Before: the process and study file shipped before issue #6
(national share as mimetic pressure, `same_agglomeration` in model (1)), measured with
the same script at commit 9fc7f1a.

| hypothesis | before: sign | before: p < 0.05 | now: sign | now: p < 0.05 |
| --- | --- | --- | --- | --- |
| H1 visits > 0 (model 1) | 99% | 71% | 100% | 100% |
| H2a visits x coercive > 0 (model 2) | 53% | 11% | 83% | 23% |
| H2b visits x mimetic > 0 (model 3) | 57% | 12% | 66% | 12% |
| H2c visits x normative > 0 (model 4) | 62% | 17% | 74% | 20% |
| H2a-c in the full model (5) | 53%, 52%, 61% | 12%, 8%, 19% | 82%, 69%, 75% | 25%, 12%, 24% |
| H3 visits: gap >= 10 > gap < 10 (difference test) | 89% | 27% | 92% | 37% |
| H3 visits > 0 where the gap is >= 10 | 98% | 76% | 100% | 100% |
| H4 same_agglomeration > 0 (before: model 1; now: model 5) | 79% | 23% | 91% | 41% |
| H4 visits: same agglomeration > other (difference test) | 73% | 29% | 62% | 54% |

The visits effect, its concentration on provinces far ahead and the shared-agglomeration
effect are visible in most realisations; the three pressure interactions point the
right way more often than before but remain weak in the observable analysis (the
coercive one in about 5 of 6 realisations, the normative one in 3 of 4, the regional
mimetic one in 2 of 3) and are rarely significant. The reason is structural: a launch
sets `adopt` = 1 on every dyad of the launching province, so the dyad-level visits
contrast is diluted by the many dyads a province did not visit, and more so when the
pressures are high (more provinces launched, more of a province's visits go to
launched provinces). Only about 30 launches carry all the information. The subgroup of
same-agglomeration dyads has 10-20 rows; its visits estimate is often separated
(infinite), so read the same-agglomeration difference test with care. Realised data
over the 200 realisations (median [5%, 95%]): launches by 2015 5 [1, 10], peak year 2017
[2016, 2018], all 31 launched by 2022, 87% [80%, 94%] of launches by emulation, visits
0.15 per pair-year, at most 11 [8, 14] in a pair-year.

The logit of `emulated` itself (the true firing indicator) has the same limited
information: `benchmarks/bench_recovery.py` reports its coverage and power.

## One fit to these files

Directed-dyad logit of `emulated` on the conditional dyad rows ({rows} rows, {events}
firings; classical standard errors), and of the observable `adopt_after_source` on the
same rows (standard errors clustered by receiving province):

| term | true value | estimate (emulated) | 95% CI | estimate (adopt_after_source) |
| --- | --- | --- | --- | --- |
{fit_table}

Regenerate: `python -m policydiffusion.simulate.china_mobile_gov --write`
(reproduces these files exactly with the seed above).
"""


def _fit_rows(seed: int) -> tuple[str, int, int]:
    from policydiffusion.estimate import fit_hazard

    d = generate_china_mobile_gov(seed)["dyads"]
    f = formula_of(FIRING_COEFS, "emulated")
    em = fit_hazard(d, f).tidy().set_index("term")
    ob = fit_hazard(d, f.replace("emulated", "adopt_after_source", 1),
                    vcov={"cluster": "province"}).tidy().set_index("term")
    rows = [f"| `{k}` | {v:g} | {em.loc[k, 'estimate']:.2f} | [{em.loc[k, 'conf_low']:.2f}, "
            f"{em.loc[k, 'conf_high']:.2f}] | {ob.loc[k, 'estimate']:.2f} |"
            for k, v in FIRING_COEFS.items()]
    return "\n".join(rows), len(d), int(d["emulated"].sum())


def _readme(seed: int) -> str:
    def before(k: str) -> str:
        v = BEFORE_ISSUE_6["firing"].get(k.replace("region_share", "national_share"))
        return "" if v is None else f"{v:g}" + (" (national_share)" if "region" in k else "")

    table = "\n".join(f"| `{k}` | {v:g} | {before(k)} |" for k, v in FIRING_COEFS.items())
    fit_table, rows, events = _fit_rows(seed)
    innov = " ".join(f"{v:g}" if k == "Intercept" else f"{'-' if v < 0 else '+'} {abs(v):g} {k}"
                     for k, v in INNOVATION_COEFS.items())
    old = " ".join(f"{v:g}" if k == "Intercept" else f"{'-' if v < 0 else '+'} {abs(v):g} {k}"
                   for k, v in BEFORE_ISSUE_6["innovation"].items())
    visits = ", ".join(f"{k} {v:g}" for k, v in VISIT_COEFS.items())
    old_visits = ", ".join(f"{k} {v:g}" for k, v in BEFORE_ISSUE_6["visits"].items())
    return _README.format(pre=PRE_YEAR, first=FIRST_YEAR, last=LAST_YEAR,
                          formula=formula_of(FIRING_COEFS, "emulated"), table=table,
                          gap=GAP_THRESHOLD, innov=innov + ", egov_score_c = (egov_score - 60) / 10",
                          old_innov=old, visits=visits, old_visits=old_visits,
                          seed=seed, fit_table=fit_table, rows=rows, events=events)


def china_mobile_gov_files(seed: int = SEED) -> dict[str, str]:
    """The text of every shipped file (name -> content), exactly as written."""
    d = generate_china_mobile_gov(seed)
    out = {}
    for name in ("adoptions", "units", "covariates", "visits", "events", "truth"):
        out[f"{name}.csv"] = d[name].to_csv(index=False, lineterminator="\n")
    dgp = china_mobile_gov_dgp(seed)
    dgp["versions"] = {k: v for k, v in dgp["versions"].items() if k == "policydiffusion"}
    out["dgp.json"] = json.dumps(dgp, indent=2, ensure_ascii=False) + "\n"
    out["README.md"] = _readme(seed)
    return out


def write_china_mobile_gov(directory: str | Path | None = None, *, seed: int = SEED) -> Path:
    """Write the shipped files (default: the package's data folder)."""
    target = Path(directory) if directory is not None else dataset_path("china_mobile_gov")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in china_mobile_gov_files(seed).items():
        (target / name).write_text(text, encoding="utf-8", newline="")
    return target


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m policydiffusion.simulate.china_mobile_gov",
                                 description="Write the SIMULATED china_mobile_gov study files.")
    ap.add_argument("--write", action="store_true", help="write the files")
    ap.add_argument("--dir", default=None, help="target folder (default: the package data folder)")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    if not args.write:
        ap.print_help()
        return 0
    path = write_china_mobile_gov(args.dir, seed=args.seed)
    print(f"wrote SIMULATED china_mobile_gov files to {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
