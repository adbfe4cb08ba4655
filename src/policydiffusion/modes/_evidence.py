"""The measured evidence behind a diffusion mode, for every policy at once.

All quantities are computed on one polars frame of (policy, lower-level unit) pairs, so
1,000 policies over 3,000 units take well under a second or two (``benchmarks/``).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scipy.stats import hypergeom, norm

from policydiffusion.study import Study
from policydiffusion.study._levels import Hierarchy

__all__ = ["evidence_table", "hazard_break", "same_parent_pvalue"]

_BIG = 2**31 - 2
#: cells the exact clustering p may touch (about a second); beyond it (hundreds of
#: adopters in large parent groups, where a clustering ratio of 1.5 is far from chance)
#: clustering_p is not computed and the mode's reason says so
_P_WORK = 10**8


def hazard_break(d0: float, e0: float, d1: float, e1: float, *, level: float = 0.95
                 ) -> tuple[float | None, float | None, float | None, float | None]:
    """Hazard ratio after / before a break, from a piecewise-constant hazard model.

    With events ``d`` and unit-periods at risk ``e`` before (0) and after (1) the break,
    the maximum-likelihood hazards are ``d / e`` and the ratio's log has standard error
    ``sqrt(1/d0 + 1/d1)`` (the Poisson GLM ``d ~ after + offset(log e)``; checked
    against R in ``tests/modes/golden``). Returns ``(ratio, se_log, low, high)``, all
    None where a piece has no event or no time at risk (the ratio is then 0 or
    unbounded).

    Examples
    --------
    >>> hr, se, lo, hi = hazard_break(2, 100, 8, 100)
    >>> round(hr, 3), round(se, 4), round(lo, 3), round(hi, 3)
    (4.0, 0.7906, 0.849, 18.836)
    """
    if min(d0, d1) <= 0 or min(e0, e1) <= 0:
        return None, None, None, None
    hr = (d1 / e1) / (d0 / e0)
    se = math.sqrt(1.0 / d0 + 1.0 / d1)
    z = norm.ppf(0.5 + level / 2)
    return hr, se, hr * math.exp(-z * se), hr * math.exp(z * se)


def same_parent_pvalue(groups: list[list[int]], adopters: list[int], observed: int) -> float:
    """Exact chance of at least ``observed`` same-parent pairs among random adopters.

    Under the null the ``adopters[l]`` adopters of level l are a uniform draw without
    replacement from that level's units, whose parent groups have sizes ``groups[l]``;
    the pairs of all levels are summed. Computed exactly, group by group: the number
    drawn from a group given those left is hypergeometric.

    Examples
    --------
    >>> # 3 adopters among 6 units in two groups of 3: all three share a parent in
    >>> # 2 of the C(6,3) = 20 draws
    >>> round(same_parent_pvalue([[3, 3]], [3], 3), 6)
    0.1
    """
    if observed <= 0:
        return 1.0
    total = np.zeros(observed + 1)
    total[0] = 1.0  # distribution of pairs so far; the last bin holds ">= observed"
    for sizes, k in zip(groups, adopters):
        level = _level_pairs(sizes, int(k), observed)
        out = np.zeros(observed + 1)
        for q, pr in enumerate(level):
            if pr:
                out[q:] += pr * total[:observed + 1 - q]
                out[observed] += pr * total[observed + 1 - q:].sum()
        total = out
    return float(min(1.0, max(0.0, total[observed])))


def _level_pairs(sizes: list[int], k: int, cap: int) -> np.ndarray:
    """Distribution of same-parent pairs (capped at ``cap``) among k of one level's units."""
    p = np.zeros((k + 1, cap + 1))  # p[r, q]: r adopters still to place, q pairs so far
    p[k, 0] = 1.0
    left = int(sum(sizes))
    r = np.arange(k + 1)
    for n in sizes:
        new = np.zeros_like(p)
        for j in range(min(n, k) + 1):
            w = hypergeom.pmf(j, left, n, r)  # P(j of the r still to place fall in this group)
            c = min(j * (j - 1) // 2, cap)
            src = p[j:] * w[j:, None]
            new[:k + 1 - j, c:] += src[:, :cap + 1 - c]
            new[:k + 1 - j, cap] += src[:, cap + 1 - c:].sum(axis=1)
        p, left = new, left - n
    return p[0]


def evidence_table(study: Study, h: Hierarchy, *, central_level: str, lower_levels: list[str],
                   pilots: pl.DataFrame | None, level: float = 0.95) -> pl.DataFrame:
    """One row per (policy, upper unit): central date, shares, pilots, hazard break, speed,
    clustering. The upper units are those of ``central_level`` (one row per policy when
    that is the single centre); each one's lower units are its descendants at
    ``lower_levels``. Columns are documented in :func:`policydiffusion.modes.classify_modes`.
    """
    uppers = h.units.filter(pl.col("level") == central_level).select(
        pl.col("unit").alias("central_unit"))
    adopt = study.adoptions.select("policy", "unit", pl.col("period").cast(pl.Int64).alias("T"))
    cen = adopt.rename({"unit": "central_unit", "T": "C"})
    ends = pl.DataFrame({"policy": study.policy_ids,
                         "e": [study.policy_window(p)[1] for p in study.policy_ids]},
                        schema={"policy": pl.Utf8, "e": pl.Int64})
    first = adopt.group_by("policy").agg(pl.col("T").min().alias("s"))
    keys = (study.policies.select("policy").join(uppers, how="cross")
            .join(cen, on=["policy", "central_unit"], how="left")
            .join(ends, on="policy").join(first, on="policy", how="left"))
    below = (h.ancestors.filter(pl.col("ancestor_level") == central_level)
             .select("unit", pl.col("ancestor").alias("central_unit")))
    if central_level == h.levels[0] and uppers.height == 1:  # units outside the tree still count
        below = uppers.join(h.units.select("unit"), how="cross")
    lower = (study.units.join(h.units.select("unit", "level"), on="unit")
             .filter(pl.col("level").is_in(lower_levels))
             .join(below, on="unit")
             .select("unit", "central_unit", "level", "parent",
                     pl.col("entry").fill_null(-_BIG).alias("en"),
                     pl.col("exit").fill_null(_BIG).alias("ex")))
    n_lower = lower.group_by("central_unit").len().rename({"len": "n_lower_units"})
    pairs = keys.join(lower, on="central_unit").join(adopt, on=["policy", "unit"], how="left")
    if pilots is not None and pilots.height:
        pil = pilots.select("policy", "unit", pl.col("period").cast(pl.Int64).alias("P"))
        pairs = pairs.join(pil, on=["policy", "unit"], how="left")
    else:
        pairs = pairs.with_columns(pl.lit(None, pl.Int64).alias("P"))
    T, C = pl.col("T"), pl.col("C")
    start = pl.max_horizontal("s", "en")
    last = pl.min_horizontal("e", "ex", T.fill_null(_BIG))
    at_risk = (T.is_null() | (T >= start)) & (start <= last)
    pairs = pairs.with_columns(
        start.alias("_a"), last.alias("_b"), at_risk.alias("_r"),
        (T.is_not_null() & (T <= pl.col("e"))).alias("_adopter"))
    before_len = (pl.min_horizontal("_b", C - 1) - pl.col("_a") + 1).clip(lower_bound=0)
    after_len = (pl.col("_b") - pl.max_horizontal("_a", C) + 1).clip(lower_bound=0)
    pairs = pairs.with_columns(
        pl.when(pl.col("_r")).then(before_len).otherwise(0).alias("_e0"),
        pl.when(pl.col("_r")).then(after_len).otherwise(0).alias("_e1"),
        (pl.col("_r") & pl.col("_adopter") & (T < C)).alias("_d0"),
        (pl.col("_r") & pl.col("_adopter") & (T >= C)).alias("_d1"))
    no_c = C.first().is_null()
    agg = pairs.group_by("policy", "central_unit", maintain_order=True).agg(
        pl.col("C").first(), pl.col("s").first(),
        pl.col("_adopter").sum().alias("n_lower_adopters"),
        (pl.col("_adopter") & (T < C)).sum().alias("n_before"),
        pl.col("P").is_not_null().sum().alias("n_pilots"),
        (pl.col("P").is_not_null() & (pl.col("P") < C.fill_null(_BIG))).sum()
        .alias("n_pilots_named_before"),
        # a pilot leads the centre only if it was named and adopted before the centre did
        (pl.col("P").is_not_null() & (pl.col("P") < C.fill_null(_BIG)) & pl.col("_adopter")
         & (T < C.fill_null(_BIG))).sum().alias("n_pilots_adopted_before"),
        (pl.col("P") >= C).fill_null(False).sum().alias("n_pilots_named_after"),
        pl.col("unit").filter((pl.col("P") >= C).fill_null(False)).alias("pilots_named_after"),
        *[pl.when(no_c).then(None).otherwise(pl.col(c).sum()).alias(n)
          for c, n in (("_d0", "events_before"), ("_e0", "exposure_before"),
                       ("_d1", "events_after"), ("_e1", "exposure_after"))],
        # the ceil(k/2)-th adoption time: when half of the k adopters had adopted
        T.filter(pl.col("_adopter")).quantile(0.5, interpolation="lower").alias("_half"),
    )
    agg = agg.with_columns(
        pl.when(pl.col("C").is_null() | (pl.col("n_lower_adopters") == 0)).then(None)
        .otherwise(pl.col("n_before") / pl.col("n_lower_adopters")).alias("share_before"))
    agg = agg.with_columns(
        pl.when(pl.col("n_lower_adopters") > 0).then((pl.col("_half") - C).cast(pl.Int64))
        .otherwise(None).alias("periods_to_half"))
    clus = _clustering(pairs, lower)
    agg = (agg.join(clus, on=["policy", "central_unit"], how="left")
           .join(n_lower, on="central_unit", how="left").drop("_half"))
    rows = []
    for r in agg.iter_rows(named=True):
        if r["events_before"] is None:
            rows.append((r["policy"], r["central_unit"], None, None, None, None))
            continue
        rows.append((r["policy"], r["central_unit"],
                     *hazard_break(r["events_before"], r["exposure_before"], r["events_after"],
                                   r["exposure_after"], level=level)))
    hz = pl.DataFrame(rows, schema={"policy": pl.Utf8, "central_unit": pl.Utf8,
                                    "hazard_ratio": pl.Float64, "log_hr_se": pl.Float64,
                                    "hazard_ratio_low": pl.Float64,
                                    "hazard_ratio_high": pl.Float64}, orient="row")
    out = agg.join(hz, on=["policy", "central_unit"], how="left")
    return out.rename({"C": "central_period", "s": "first_period"})


def _clustering(pairs: pl.DataFrame, lower: pl.DataFrame) -> pl.DataFrame:
    """Observed / expected same-parent pairs among the lower-level adopters.

    Pairs are counted within a level. Expected under adopters drawn at random from the
    level's units: with k adopters among N units in parent groups of sizes n_g,
    ``C(k,2) * sum n_g (n_g - 1) / (N (N - 1))``, summed over levels.
    """
    g = ["central_unit", "level"]
    sizes = lower.group_by(*g, "parent").len()
    same = sizes.group_by(*g).agg(
        (pl.col("len") * (pl.col("len") - 1)).sum().alias("_num"), pl.col("len").sum().alias("_n"))
    same = same.select(*g, pl.when(pl.col("_n") > 1)
                       .then(pl.col("_num") / (pl.col("_n") * (pl.col("_n") - 1)))
                       .otherwise(0.0).alias("_same"))
    ad = pairs.filter(pl.col("_adopter"))
    obs = (ad.group_by("policy", *g, "parent").len()
           .group_by("policy", "central_unit")
           .agg((pl.col("len") * (pl.col("len") - 1) / 2).sum().alias("_obs")))
    exp = (ad.group_by("policy", *g).len().join(same, on=g)
           .group_by("policy", "central_unit")
           .agg((pl.col("len") * (pl.col("len") - 1) / 2 * pl.col("_same")).sum().alias("_exp")))
    out = obs.join(exp, on=["policy", "central_unit"])
    out = out.select("policy", "central_unit", pl.col("_obs").cast(pl.Int64),
                     pl.when(pl.col("_exp") > 0).then(pl.col("_obs") / pl.col("_exp"))
                     .otherwise(None).alias("within_parent_clustering"))
    return out.join(_clustering_p(out, ad, sizes), on=["policy", "central_unit"],
                    how="left").drop("_obs")


def _clustering_p(clus: pl.DataFrame, ad: pl.DataFrame, sizes: pl.DataFrame) -> pl.DataFrame:
    """``clustering_p``: the exact chance of as many same-parent pairs among adopters drawn
    at random within each level (:func:`same_parent_pvalue`); computed where the mode
    rules read it (policies with no central adoption and a defined clustering)."""
    need = clus.join(ad.filter(pl.col("C").is_null()).select("policy", "central_unit").unique(),
                     on=["policy", "central_unit"]).filter(
        pl.col("within_parent_clustering").is_not_null())
    groups: dict = {}
    for cu, lv, n in sizes.select("central_unit", "level", "len").iter_rows():
        groups.setdefault((cu, lv), []).append(int(n))
    per_level: dict = {}
    for pol, cu, lv, k in ad.group_by("policy", "central_unit", "level").len().iter_rows():
        per_level.setdefault((pol, cu), []).append((lv, int(k)))
    rows = []
    for pol, cu, obs in need.select("policy", "central_unit", "_obs").iter_rows():
        levels = per_level.get((pol, cu), [])
        work = sum(sum(groups[(cu, lv)]) * (k + 1) for lv, k in levels) * (obs + 1)
        rows.append((pol, cu, None if work > _P_WORK else same_parent_pvalue(
            [groups[(cu, lv)] for lv, _ in levels], [k for _, k in levels], int(obs))))
    return pl.DataFrame(rows, schema={"policy": pl.Utf8, "central_unit": pl.Utf8,
                                      "clustering_p": pl.Float64}, orient="row")
