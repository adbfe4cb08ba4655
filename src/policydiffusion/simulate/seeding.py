"""Seeding counterfactuals (Boehmke, Rury, Desmarais & Harden 2017, "The Seeds of Policy Change").

Adopt the policy early in a chosen set of units, simulate the rest of the diffusion
from a hazard model, and compare how fast the policy spreads under each choice
(top network sources, the most innovative units, random units, an advocate's list).
Every strategy is run with the same repetition seeds (common random numbers), so the
differences come from the seeds, not from the draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion._warnings import warn
from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning, check_choice
from policydiffusion.simulate._common import make_rng, package_versions
from policydiffusion.simulate.hazard import simulate_hazard
from policydiffusion.simulate.recovery import rep_seeds

__all__ = ["seeding_counterfactual", "SeedingResult", "choose_seeds"]

RULES = ("random", "most_innovative", "top_sources")


def choose_seeds(study, rule: str, k: int, *, relation: str | None = None,
                 seed: int | None = None) -> list[str]:
    """Pick ``k`` seed units by a rule.

    ``most_innovative``: lowest mean adoption-order percentile over the study's
    policies (a unit that never adopts a policy counts as last); ``top_sources``:
    units most often named as a source in ``relation`` (edges ``i -> j`` read "j is a
    source of i", weighted; e.g. a netinf network added with ``with_relation``);
    ``random``: uniform (needs ``seed``). The choice does not depend on the order of
    the study's rows: ties in the score go to the unit whose id sorts first (and a
    :class:`~policydiffusion.errors.PolicyDiffusionWarning` names the units that tie for
    the last place taken, with ``fields`` ``tied`` and ``chosen``); random draws are
    made from the ids in sorted order and returned sorted.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> choose_seeds(spid_study(policies=["aboldeapen", "aborparc", "aborparn"]), "most_innovative", 3)
    ['RI', 'MN', 'MI']
    """
    check_choice("rule", rule, RULES)
    # sorted ids, not the units table's row order, so that sorting the input differently
    # cannot change a researcher's seeds
    units = sorted(study.unit_ids, key=str)
    if not 1 <= k <= len(units):
        raise InvalidOptionError(f"k must be between 1 and the number of units ({len(units)}).")
    if rule == "random":
        return [units[i] for i in sorted(make_rng(seed).choice(len(units), size=k, replace=False))]
    if rule == "top_sources":
        if relation is None:
            raise InvalidOptionError("rule='top_sources' needs relation= (e.g. an inferred network).")
        weights: dict = {}
        for target, w in study.relation(relation).edges.select("target", "weight").iter_rows():
            weights.setdefault(target, []).append(w)
        # fsum: a sum that does not depend on the order of the edges, so ties stay ties
        key = {u: -math.fsum(ws) for u, ws in weights.items()}  # lowest first
    else:
        a = study.adoptions
        if a.height == 0:
            raise InvalidOptionError("rule='most_innovative' needs observed adoptions in the study.")
        # the mean order percentile sum((rank - 1) / N) / n_pol, ranked by its numerator:
        # average ranks are halves, so the sums are exact and equal scores tie exactly
        n_pol = a.get_column("policy").n_unique()
        got = dict(a.with_columns((pl.col("period").rank("average").over("policy") - 1)
                                  .alias("_r"))
                   .group_by("unit").agg(pl.col("_r").sum(), pl.len())
                   .select("unit", pl.col("_r") + len(units) * (n_pol - pl.col("len")))
                   .iter_rows())
        key = {u: got.get(u, float(len(units) * n_pol)) for u in units}
    order = sorted(units, key=lambda u: key.get(u, 0.0))  # stable: ties stay in id order
    chosen = order[:k]
    last = key.get(order[k - 1], 0.0)
    if k < len(units) and key.get(order[k], 0.0) == last:
        tied = [u for u in order if key.get(u, 0.0) == last]
        taken = [u for u in tied if u in chosen]
        more = f" and {len(tied) - 10} more" if len(tied) > 10 else ""
        warn(PolicyDiffusionWarning(
            f"{len(tied)} units tie for the last {len(taken)} of the {k} seed places by "
            f"{rule} ({', '.join(map(str, tied[:10]))}{more}); the tie went by unit id to "
            f"{', '.join(map(str, taken))}.", tied=tuple(tied), chosen=tuple(taken)))
    return chosen


@dataclass(frozen=True)
class SeedingResult:
    """Speed of diffusion under each seeding strategy.

    ``table``: strategy, seeds (comma-separated, or "random k"), periods to 50%
    adoption (counted from the start; 0 when the seeds alone are half the units;
    ``inf`` if never reached, shown in ``share_never_50``): its mean (NaN when any run
    never reached 50%: the mean of the runs that did would flatter a strategy that
    rarely gets there), median and 2.5/97.5% quantiles (``inf``: beyond the window),
    mean adoption period of the non-seeds that adopted, final share adopted.
    ``runs``: one row per strategy and repetition.
    """

    table: pd.DataFrame
    runs: pd.DataFrame
    provenance: dict = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The strategy table."""
        return self.table.copy()

    def summary(self) -> str:
        """The strategy table as text, with a note where a mean is undefined."""
        text = "Seeding counterfactual\n" + self.table.to_string(
            index=False, float_format=lambda v: f"{v:.2f}")
        some = self.table.loc[self.table["share_never_50"] > 0, "strategy"].tolist()
        if some:
            text += (f"\nperiods_to_50_mean undefined (NaN) for {', '.join(map(str, some))}: "
                     "some runs never reached 50% by the end of the window (share_never_50); "
                     "the median and quantiles count them as beyond it (inf).")
        return text


def seeding_counterfactual(
    study,
    *,
    coefs: Mapping[str, float],
    strategies: Mapping[str, Sequence[str] | str],
    terms: Sequence[object] = (),
    k: int | None = None,
    reps: int = 100,
    link: str = "logit",
    start: int | None = None,
    end: int | None = None,
    seed: int,
) -> SeedingResult:
    """Compare adoption speed after seeding different sets of units.

    Parameters
    ----------
    study
        Units, covariates and relations of the hazard model.
    coefs, terms, link
        The hazard model (as in :func:`simulate_hazard`), e.g. from a fit.
    strategies
        Name -> list of units seeded before ``start``, or ``"random"`` (k random units,
        drawn anew in every repetition).
    k
        Number of random seeds (default: the size of the first explicit list).
    reps
        Repetitions per strategy.
    start, end, seed
        Window and master seed.

    Returns
    -------
    SeedingResult

    Examples
    --------
    >>> from policydiffusion import terms as T
    >>> from policydiffusion.simulate import synthetic_study
    >>> s = synthetic_study(30, 10, seed=1)
    >>> res = seeding_counterfactual(s, coefs={"Intercept": -4.0, "neighbors_adopted_l1": 3.0},
    ...         terms=[T.neighbors_adopted()], strategies={"first3": ["u000", "u001", "u002"],
    ...         "random": "random"}, reps=5, seed=1)
    >>> res.table["strategy"].tolist()
    ['first3', 'random']
    """
    if not strategies:
        raise InvalidOptionError("give at least one strategy.")
    start = study.start if start is None else int(start)
    end = study.end if end is None else int(end)
    lists = [v for v in strategies.values() if not isinstance(v, str)]
    k = k if k is not None else (len(lists[0]) if lists else None)
    for name, v in strategies.items():
        if isinstance(v, str):
            check_choice(f"strategy {name!r}", v, ("random",))
            if k is None:
                raise InvalidOptionError("random seeding needs k=.")
        elif not v:
            raise InvalidOptionError(f"strategy {name!r} seeds no unit.")
    n = study.n_units
    rows = []
    seeds = rep_seeds(seed, reps)
    for name, v in strategies.items():
        for r, s in enumerate(seeds):
            init = (choose_seeds(study, "random", int(k), seed=s) if isinstance(v, str) else list(v))
            sim = simulate_hazard(study, coefs=coefs, terms=terms, link=link, start=start, end=end,
                                  initial=init, seed=s)
            cum = sim.cumulative()
            reached = cum.filter(pl.col("share") >= 0.5)
            t50 = (0.0 if len(init) >= n / 2 else  # half the units before the start
                   float(reached.get_column("period")[0] - start + 1) if reached.height
                   else np.inf)
            per = sim.adoptions.get_column("period").to_numpy()
            rows.append({"strategy": name, "rep": r, "periods_to_50": t50,
                         "mean_adoption_period": float(per.mean()) if per.size else np.nan,
                         "final_share": float(cum.get_column("share")[-1])})
    runs = pd.DataFrame(rows)
    out = []
    for name, v in strategies.items():
        d = runs[runs["strategy"] == name]
        t50 = d["periods_to_50"].to_numpy(dtype=float)
        out.append({"strategy": name,
                    "seeds": f"random {k}" if isinstance(v, str) else ", ".join(map(str, v)),
                    "periods_to_50_mean": t50.mean() if np.isfinite(t50).all() else np.nan,
                    "periods_to_50_median": float(np.median(t50)),
                    "periods_to_50_q025": float(np.quantile(d["periods_to_50"], 0.025,
                                                            method="lower")),
                    "periods_to_50_q975": float(np.quantile(d["periods_to_50"], 0.975,
                                                            method="higher")),
                    "share_never_50": float((~np.isfinite(d["periods_to_50"])).mean()),
                    "mean_adoption_period": d["mean_adoption_period"].mean(),
                    "final_share": d["final_share"].mean()})
    return SeedingResult(table=pd.DataFrame(out), runs=runs,
                         provenance={"reps": reps, "seed": seed, "k": k, "window": [start, end],
                                     "versions": package_versions()})
